// SPDX-License-Identifier: GPL-3.0-or-later
#include "TemplateEditorService.h"

#include "BackgroundRead.h"

#include "dataset/FeatureSpec.h"
#include "decision/DecisionPolicy.h"
#include "decision/DecisionText.h"
#include "explain/TemplateFromData.h"
#include "store/DatasetRepository.h"
#include "store/PredictionQuery.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <utility>

namespace lepton {

QString TemplatePreview::summary() const
{
    QStringList parts;
    const int positive = bound.positiveIndex();
    // The positive class first ("212 decided abnormal, 88 normal"), then the others in class order.
    std::vector<int> order;
    if (positive >= 0)
        order.push_back(positive);
    for (int i = 0; i < bound.classes.size(); ++i)
        if (i != positive)
            order.push_back(i);
    for (int i : order) {
        const int n = i < static_cast<int>(decided.size()) ? decided[static_cast<std::size_t>(i)] : 0;
        const QString label = bound.decisionLabel(bound.classes.value(i));
        parts.append(parts.isEmpty() ? QStringLiteral("%1 decided %2").arg(n).arg(label)
                                     : QStringLiteral("%1 %2").arg(n).arg(label));
    }
    QString text = parts.join(QStringLiteral(", "));
    if (bound.abstainEnabled)
        text += QStringLiteral(", %1 referred").arg(referred);
    if (bound.classes.size() == 2) {
        auto number = [](double v) { return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'f', 2); };
        text += QStringLiteral(" · sensitivity %1 · specificity %2").arg(number(sensitivity), number(specificity));
    }
    return text;
}

Result<TemplateEditorData> TemplateEditorService::load(Study &study, qint64 runId)
{
    using R = Result<TemplateEditorData>;
    auto run = RunRepository(study).run(runId);
    if (!run)
        return R::failure(run.error());
    TemplateEditorData d;
    d.runId = runId;
    d.runName = run->name;
    d.datasetId = run->datasetId;

    // The run's classes and record fields as trained; its dataset's for runs without a spec
    // (as explain/Redecide reads them, so that the preview binds alike).
    auto trained = runClassesAndFields(study, run.value());
    if (!trained)
        return R::failure(trained.error());
    d.classes = trained->first;
    d.fields = trained->second;

    const QString origin = QStringLiteral("run %1's template").arg(runId);
    Result<DomainTemplate> chosen = run->config.contains(QStringLiteral("template"))
        ? DomainTemplate::fromJson(run->config.value(QStringLiteral("template")).toObject(), origin)
        : DomainTemplate::load(QStringLiteral("generic")); // runs from before templates
    if (!chosen)
        return R::failure(chosen.error());
    d.runPositiveClass = run->config.value(QStringLiteral("positive_class")).toString();
    if (d.runPositiveClass.isEmpty())
        d.runPositiveClass = chosen->positiveClass;
    if (!d.classes.contains(d.runPositiveClass))
        d.runPositiveClass = d.classes.value(choosePositiveClass(d.classes, {}));
    auto bound = chosen->boundTo(d.classes, d.runPositiveClass, d.fields);
    if (!bound)
        return R::failure(QStringLiteral("%1: %2").arg(origin, bound.error()));
    d.current = bound.take();

    auto fromData = templateFromData(study, run->datasetId);
    if (fromData)
        d.fromData = fromData.take();
    else
        d.fromDataProblem = fromData.error();

    PredictionFilter filter;
    filter.runId = runId;
    auto all = PredictionQuery(study).count(filter);
    if (!all)
        return R::failure(all.error());
    d.storedPredictions = all.value();
    filter.split = QStringLiteral("val");
    auto stored = PredictionQuery(study).list(filter);
    if (!stored)
        return R::failure(stored.error());
    d.split = filter.split;
    if (stored->empty() && d.storedPredictions > 0) {
        filter.split.clear();
        stored = PredictionQuery(study).list(filter);
        if (!stored)
            return R::failure(stored.error());
        d.split.clear();
    }
    d.rows.reserve(stored->size());
    for (const CasePrediction &p : stored.value()) {
        TemplateEditorData::Row row;
        row.probabilities = p.calibrated.empty() ? p.probabilities : p.calibrated;
        if (row.probabilities.size() != static_cast<std::size_t>(d.classes.size()))
            return R::failure(QStringLiteral("run %1's prediction of case %2 has %3 probabilities, but the run has %4 "
                                             "classes (%5)")
                                  .arg(runId)
                                  .arg(p.caseKey)
                                  .arg(row.probabilities.size())
                                  .arg(d.classes.size())
                                  .arg(d.classes.join(QStringLiteral(", "))));
        row.label = p.label.isEmpty() ? -1 : static_cast<int>(d.classes.indexOf(p.label));
        row.decision = p.decision;
        d.rows.push_back(std::move(row));
    }
    return d;
}

void TemplateEditorService::loadInBackground(std::shared_ptr<Study> study, QObject *context, qint64 runId,
    std::function<void(const Result<TemplateEditorData> &)> done)
{
    readInBackground<TemplateEditorData>(
        std::move(study), context, [runId](Study &s) { return load(s, runId); }, std::move(done));
}

Result<bool> TemplateEditorService::hasPredictions(Study &study, qint64 runId)
{
    PredictionFilter filter;
    filter.runId = runId;
    auto n = PredictionQuery(study).count(filter);
    if (!n)
        return Result<bool>::failure(n.error());
    return n.value() > 0;
}

TemplateEditorService::TemplateEditorService(TemplateEditorData data) : m_data(std::move(data)) { }

DomainTemplate TemplateEditorService::initialTemplate() const
{
    DomainTemplate t = m_data.current;
    for (auto it = m_data.fromData.fields.cbegin(); it != m_data.fromData.fields.cend(); ++it)
        if (!t.fields.contains(it.key()) && m_data.fields.contains(it.key()))
            t.fields.insert(it.key(), it.value());
    for (auto it = m_data.fromData.ranges.cbegin(); it != m_data.fromData.ranges.cend(); ++it)
        if (!t.ranges.contains(it.key()) && m_data.fields.contains(it.key()))
            t.ranges.insert(it.key(), it.value());
    return t;
}

Result<DomainTemplate> TemplateEditorService::validate(const DomainTemplate &edited) const
{
    // Through JSON, so that the editor's template is checked exactly as a file of it would be.
    auto checked = DomainTemplate::fromJson(edited.toJson());
    if (!checked)
        return checked;
    return checked->boundTo(m_data.classes, m_data.runPositiveClass, m_data.fields);
}

Result<TemplatePreview> TemplateEditorService::preview(const DomainTemplate &edited) const
{
    using R = Result<TemplatePreview>;
    auto bound = validate(edited);
    if (!bound)
        return R::failure(bound.error());
    TemplatePreview p;
    p.bound = bound.take();
    p.rule = ruleText(p.bound);
    p.cases = static_cast<int>(m_data.rows.size());
    p.decided.assign(static_cast<std::size_t>(p.bound.classes.size()), 0);
    const int positive = p.bound.positiveIndex();
    int truePositive = 0, positives = 0, trueNegative = 0, negatives = 0;
    for (const TemplateEditorData::Row &row : m_data.rows) {
        const Decision d = decide(p.bound, row.probabilities);
        ++p.after[d.action];
        if (d.action != row.decision)
            ++p.changed;
        if (d.referred) {
            ++p.referred;
            continue;
        }
        if (d.decidedClass >= 0 && d.decidedClass < static_cast<int>(p.decided.size()))
            ++p.decided[static_cast<std::size_t>(d.decidedClass)];
        if (row.label < 0)
            continue;
        if (row.label == positive) {
            ++positives;
            truePositive += d.decidedClass == positive ? 1 : 0;
        } else {
            ++negatives;
            trueNegative += d.decidedClass != positive ? 1 : 0;
        }
    }
    if (p.bound.classes.size() == 2) {
        if (positives > 0)
            p.sensitivity = static_cast<double>(truePositive) / positives;
        if (negatives > 0)
            p.specificity = static_cast<double>(trueNegative) / negatives;
    }
    return p;
}

Result<RedecideOutcome> TemplateEditorService::previewApply(Study &study, qint64 runId, const DomainTemplate &edited)
{
    RedecideOptions options;
    options.write = false;
    return redecideRun(study, runId, edited, QString(), options);
}

Result<RedecideOutcome> TemplateEditorService::apply(
    Study &study, qint64 runId, const DomainTemplate &edited, const QString &actor, const QString &source)
{
    RedecideOptions options;
    options.write = true;
    options.source = source;
    return redecideRun(study, runId, edited, actor, options);
}

void TemplateEditorService::markApplied(const DomainTemplate &bound)
{
    m_data.current = bound;
    m_data.runPositiveClass = bound.positiveClass;
    for (TemplateEditorData::Row &row : m_data.rows)
        row.decision = decide(bound, row.probabilities).action;
}

Status TemplateEditorService::saveAs(const DomainTemplate &edited, const QString &path)
{
    auto checked = DomainTemplate::fromJson(edited.toJson());
    if (!checked)
        return Status::failure(QStringLiteral("%1: not saved: %2").arg(path, checked.error()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(
            QStringLiteral("%1: cannot be written: %2; choose another folder").arg(path, file.errorString()));
    const QByteArray bytes = QJsonDocument(checked->toJson()).toJson(QJsonDocument::Indented);
    if (file.write(bytes) != bytes.size() || !file.commit())
        return Status::failure(
            QStringLiteral("%1: cannot be written: %2; choose another folder").arg(path, file.errorString()));
    return {};
}

} // namespace lepton
