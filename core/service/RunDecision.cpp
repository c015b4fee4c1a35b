// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunDecision.h"

#include "decision/DecisionText.h"

namespace lepton {

Result<RunDecision> RunDecision::of(const QJsonObject &config, const QStringList &classes, qint64 runId)
{
    using R = Result<RunDecision>;
    const QString origin = QStringLiteral("run %1's template").arg(runId);
    Result<DomainTemplate> chosen = config.contains(QStringLiteral("template"))
        ? DomainTemplate::fromJson(config.value(QStringLiteral("template")).toObject(), origin)
        : DomainTemplate::load(QStringLiteral("generic")); // runs from before templates: as DecisionSetup
    if (!chosen)
        return R::failure(chosen.error());
    const QString positive = config.value(QStringLiteral("positive_class")).toString();
    // Only the rule is needed here: the fields the template names are taken as the data's.
    const QStringList fields = chosen->actionableFields + chosen->immutableFields + chosen->fields.keys();
    auto bound = chosen->boundTo(classes, positive, fields);
    if (!bound)
        return R::failure(QStringLiteral("%1: %2").arg(origin, bound.error()));
    RunDecision out;
    out.bound = bound.take();
    if (!positive.isEmpty() && out.bound.classes.contains(positive))
        out.bound.positiveClass = positive; // the run's score is this class's probability
    out.rule = ruleText(out.bound);
    return out;
}

QString RunDecision::decidedClass(const QString &decision, const QString &fallback) const
{
    for (auto it = bound.decisionLabels.cbegin(); it != bound.decisionLabels.cend(); ++it)
        if (it.value() == decision && bound.classes.contains(it.key()))
            return it.key();
    return bound.classes.contains(decision) ? decision : fallback;
}

QString RunDecision::differs(const std::vector<double> &calibrated, const QString &decidedClass) const
{
    const int decided = static_cast<int>(bound.classes.indexOf(decidedClass));
    if (decided < 0 || calibrated.size() != static_cast<std::size_t>(bound.classes.size()))
        return QString();
    return differsText(bound, calibrated, decided);
}

} // namespace lepton
