// SPDX-License-Identifier: GPL-3.0-or-later
#include "Redecide.h"

#include "dataset/FeatureSpec.h"
#include "decision/DecisionPolicy.h"
#include "decision/DecisionText.h"
#include "store/DatasetRepository.h"
#include "store/PredictionQuery.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QJsonArray>

#include <map>
#include <utility>

namespace lepton {

QJsonObject RedecideOutcome::toJson() const
{
    auto counts = [](const QMap<QString, int> &m) {
        QJsonObject o;
        for (auto it = m.begin(); it != m.end(); ++it)
            o.insert(it.key().isEmpty() ? QStringLiteral("(none)") : it.key(), it.value());
        return o;
    };
    QJsonArray t;
    for (const Transition &x : transitions)
        t.append(QJsonObject {
            { QStringLiteral("from"), x.from }, { QStringLiteral("to"), x.to }, { QStringLiteral("cases"), x.cases } });
    return QJsonObject { { QStringLiteral("run_id"), runId }, { QStringLiteral("old_template"), oldTemplate },
        { QStringLiteral("new_template"), newTemplate }, { QStringLiteral("old_positive_class"), oldPositiveClass },
        { QStringLiteral("positive_class"), positiveClass }, { QStringLiteral("rule"), rule },
        { QStringLiteral("predictions"), predictions }, { QStringLiteral("changed"), changed },
        { QStringLiteral("changed_to"), counts(changedTo) }, { QStringLiteral("before"), counts(before) },
        { QStringLiteral("after"), counts(after) }, { QStringLiteral("transitions"), t },
        { QStringLiteral("referred_before"), referredBefore }, { QStringLiteral("referred_after"), referredAfter } };
}

Result<std::pair<QStringList, QStringList>> runClassesAndFields(Study &study, const RunRecord &run)
{
    using R = Result<std::pair<QStringList, QStringList>>;
    const FeatureSpec spec = FeatureSpec::fromJson(run.config.value(QStringLiteral("feature_spec")).toObject());
    QStringList classes = spec.classes, fields;
    for (const FieldEncoding &f : spec.recordFields)
        fields.append(f.name);
    if (classes.isEmpty()) {
        DatasetRepository data(study);
        auto dataset = data.dataset(run.datasetId);
        auto stored = dataset ? data.fields(run.datasetId, QStringLiteral("record"))
                              : Result<std::vector<StoredField>>::failure(dataset.error());
        if (!stored)
            return R::failure(QStringLiteral("run %1's classes cannot be read: %2").arg(run.id).arg(stored.error()));
        classes = dataset->classes;
        for (const StoredField &f : stored.value())
            fields.append(f.name);
    }
    return std::make_pair(classes, fields);
}

Result<RedecideOutcome> redecideRun(
    Study &study, qint64 runId, const DomainTemplate &chosen, const QString &actor, const RedecideOptions &options)
{
    using R = Result<RedecideOutcome>;
    if (options.write && !options.split.isEmpty())
        return R::failure(QStringLiteral("re-deciding one split (%1) alone would leave run %2 decided by two "
                                         "templates; re-decide all its predictions, or preview the split")
                              .arg(options.split)
                              .arg(runId));
    RunRepository runs(study);
    auto run = runs.run(runId);
    if (!run)
        return R::failure(run.error());
    if (options.write && run->status == RunStatus::Running)
        return R::failure(
            QStringLiteral("run %1 is still training; re-decide it once its training has ended").arg(runId));

    // The run's classes (the model's output order) and record fields, as trained.
    auto trained = runClassesAndFields(study, run.value());
    if (!trained)
        return R::failure(trained.error());
    const QStringList classes = trained->first, fields = trained->second;

    const QJsonObject oldTemplate = run->config.value(QStringLiteral("template")).toObject();
    RedecideOutcome out;
    out.runId = runId;
    out.oldTemplate = oldTemplate.value(QStringLiteral("name")).toString(QStringLiteral("generic"));
    out.oldPositiveClass = run->config.value(QStringLiteral("positive_class")).toString();
    if (out.oldPositiveClass.isEmpty())
        out.oldPositiveClass = oldTemplate.value(QStringLiteral("positive_class")).toString();
    if (!classes.contains(out.oldPositiveClass))
        out.oldPositiveClass = classes.value(choosePositiveClass(classes, {}));

    // The run's positive class unless the template names one (boundTo checks that it is a class).
    auto bound = chosen.boundTo(classes, out.oldPositiveClass, fields);
    if (!bound)
        return R::failure(bound.error());
    out.newTemplate = bound->name;
    out.positiveClass = bound->positiveClass;
    out.rule = ruleText(bound.value());

    PredictionFilter filter;
    filter.runId = runId;
    filter.split = options.split;
    auto stored = PredictionQuery(study).list(filter);
    if (!stored)
        return R::failure(stored.error());

    std::vector<PredictionDecision> rows;
    rows.reserve(stored->size());
    std::map<std::pair<QString, QString>, int> transitions;
    bool undecided = false;
    for (const CasePrediction &p : stored.value()) {
        const std::vector<double> &probabilities = p.calibrated.empty() ? p.probabilities : p.calibrated;
        if (probabilities.size() != static_cast<std::size_t>(classes.size()))
            return R::failure(QStringLiteral("run %1's prediction of case %2 has %3 probabilities, but the run has %4 "
                                             "classes (%5); nothing was changed")
                                  .arg(runId)
                                  .arg(p.caseKey)
                                  .arg(probabilities.size())
                                  .arg(classes.size())
                                  .arg(classes.join(QStringLiteral(", "))));
        undecided = undecided || p.calibrated.empty() || p.decision.isEmpty();
        const Decision d = decide(bound.value(), probabilities);
        rows.push_back({ p.predictionId, probabilities, d.action, d.grade, d.expectedCost, d.referred });
        ++out.before[p.decision];
        ++out.after[d.action];
        out.referredBefore += p.referred ? 1 : 0;
        out.referredAfter += d.referred ? 1 : 0;
        if (p.decision != d.action) {
            ++out.changed;
            ++out.changedTo[d.action];
            ++transitions[{ p.decision, d.action }];
        }
    }
    out.predictions = static_cast<int>(rows.size());
    for (const auto &[key, cases] : transitions)
        out.transitions.push_back({ key.first, key.second, cases });
    if (!options.write)
        return out;

    QJsonObject config = run->config;
    config.insert(QStringLiteral("template"), bound->toJson());
    config.insert(QStringLiteral("positive_class"), out.positiveClass);
    if (config == run->config && out.changed == 0 && !undecided)
        return out; // already decided so: nothing to write, nothing to audit

    QJsonObject details = out.toJson();
    details.insert(QStringLiteral("run_name"), run->name);
    details.insert(QStringLiteral("template_source"), options.source.isEmpty() ? out.newTemplate : options.source);
    details.insert(QStringLiteral("stored_in"), QStringLiteral("run config"));
    auto entry = runs.redecide(runId, rows, config, actor, details);
    if (!entry)
        return R::failure(entry.error());
    out.written = true;
    out.auditEntry = entry.value();
    return out;
}

} // namespace lepton
