// SPDX-License-Identifier: GPL-3.0-or-later
#include "DecisionSetup.h"

#include "train/TrainedModel.h"

#include <algorithm>

namespace lepton {

Result<DecisionSetup> DecisionSetup::forRun(Study &study, const TrainedModel &model, const QString &templateOverride)
{
    using R = Result<DecisionSetup>;
    Result<DomainTemplate> chosen = templateOverride.isEmpty()
        ? DomainTemplate::fromJson(model.run.config.value(QStringLiteral("template")).toObject(),
            QStringLiteral("run %1's template").arg(model.run.id))
        : DomainTemplate::load(templateOverride);
    // Runs recorded before templates existed carry none: the generic one fits any data.
    if (!chosen && templateOverride.isEmpty() && !model.run.config.contains(QStringLiteral("template")))
        chosen = DomainTemplate::load(QStringLiteral("generic"));
    if (!chosen)
        return R::failure(chosen.error());
    QStringList fields;
    for (const FieldEncoding &f : model.spec.recordFields)
        fields.append(f.name);
    const QString positive = model.spec.classes.value(model.positiveClass);
    auto bound = chosen->boundTo(model.spec.classes, positive, fields);
    if (!bound)
        return R::failure(bound.error());
    DecisionSetup setup;
    setup.bound = bound.value();
    setup.bound.positiveClass = positive; // the run's score is this class's probability
    auto stored = RunRepository(study).artifact(model.run.id, QStringLiteral("val"), QStringLiteral("calibration"));
    if (stored) {
        setup.calibration = Calibration::fromJson(stored.value());
        setup.calibrated = true;
    }
    return setup;
}

PredictionRow DecisionSetup::predict(qint64 caseId, const float *probabilities, int classes) const
{
    PredictionRow r;
    r.caseId = caseId;
    r.probabilities.assign(probabilities, probabilities + classes);
    r.predicted = bound.classes.value(
        static_cast<int>(std::max_element(r.probabilities.begin(), r.probabilities.end()) - r.probabilities.begin()));
    r.calibrated = calibration.apply(probabilities, classes);
    const Decision d = decide(bound, r.calibrated);
    r.decision = d.action;
    r.grade = d.grade;
    r.expectedCost = d.expectedCost;
    r.referred = d.referred;
    return r;
}

} // namespace lepton
