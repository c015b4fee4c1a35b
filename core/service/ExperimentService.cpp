// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExperimentService.h"

#include "decision/Calibration.h"
#include "metrics/ConfusionMatrix.h"
#include "service/RunDecision.h"
#include "store/Study.h"

#include <QDateTime>
#include <QJsonArray>
#include <QtDebug>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace lepton {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double jsonNumber(const QJsonObject &o, const QString &key)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? v.toDouble() : kNaN;
}

QVector<double> doubles(const QJsonValue &a)
{
    QVector<double> out;
    const QJsonArray array = a.toArray();
    out.reserve(array.size());
    for (const QJsonValue &v : array)
        out.append(v.isDouble() ? v.toDouble() : kNaN);
    return out;
}

std::vector<std::vector<int>> matrixFromJson(const QJsonArray &rows)
{
    std::vector<std::vector<int>> m;
    for (const QJsonValue &row : rows) {
        std::vector<int> r;
        for (const QJsonValue &v : row.toArray())
            r.push_back(v.toInt());
        m.push_back(std::move(r));
    }
    return m;
}

Result<std::vector<CasePrediction>> cancelledRead()
{
    return Result<std::vector<CasePrediction>>::failure(QStringLiteral("cancelled"));
}

} // namespace

QString RunSummary::label() const
{
    return QStringLiteral("#%1 %2").arg(run.id).arg(run.name);
}

QJsonObject RunSummary::train() const
{
    return run.config.value(QStringLiteral("train")).toObject();
}

double ExperimentService::secondsBetween(const QString &startedAt, const QString &endedAt)
{
    const QDateTime a = QDateTime::fromString(startedAt, Qt::ISODateWithMs);
    const QDateTime b = QDateTime::fromString(endedAt, Qt::ISODateWithMs);
    if (!a.isValid() || !b.isValid())
        return kNaN;
    return a.msecsTo(b) / 1000.0;
}

QStringList ExperimentService::cvMetricNames()
{
    return { QStringLiteral("auroc"), QStringLiteral("auprc"), QStringLiteral("accuracy"),
        QStringLiteral("sensitivity"), QStringLiteral("specificity"), QStringLiteral("f1"), QStringLiteral("ece") };
}

Result<CvAggregate> ExperimentService::cvAggregate(qint64 runId) const
{
    using R = Result<CvAggregate>;
    auto json = RunRepository(m_study).artifact(runId, QStringLiteral("cv"), QStringLiteral("cv_aggregate"));
    if (!json)
        return R::failure(json.error());
    const QJsonObject &o = json.value();
    CvAggregate out;
    out.group = o.value(QStringLiteral("cv_group")).toString();
    out.folds = o.value(QStringLiteral("folds")).toInt();
    for (const QJsonValue &id : o.value(QStringLiteral("runs")).toArray())
        out.runs.append(static_cast<qint64>(id.toDouble()));
    const auto read = [](const QJsonObject &split) {
        std::vector<CvMetric> rows;
        for (const QString &name : cvMetricNames()) {
            if (!split.contains(name))
                continue;
            const QJsonObject m = split.value(name).toObject();
            CvMetric row;
            row.name = name;
            row.mean = m.value(QStringLiteral("mean")).toDouble(kNaN);
            row.sd = m.value(QStringLiteral("sd")).toDouble(kNaN);
            row.lo = m.value(QStringLiteral("lo")).toDouble(kNaN);
            row.hi = m.value(QStringLiteral("hi")).toDouble(kNaN);
            row.n = m.value(QStringLiteral("n")).toInt();
            rows.push_back(row);
        }
        return rows;
    };
    out.val = read(o.value(QStringLiteral("val")).toObject());
    out.test = read(o.value(QStringLiteral("test")).toObject());
    return out;
}

Result<std::vector<RunSummary>> ExperimentService::runs() const
{
    using R = Result<std::vector<RunSummary>>;
    RunRepository repo(m_study);
    // Runs whose process has ended (killed, or let go after a failed write) show as interrupted.
    // Listing goes on when that cannot be written (a full disk): the runs are still worth seeing.
    if (!m_study.isReadOnly())
        if (const Status marked = repo.markInterrupted(); !marked)
            qWarning("Experiments: runs of ended processes not marked interrupted: %s", qUtf8Printable(marked.error()));
    auto records = repo.runs();
    if (!records)
        return R::failure(records.error());
    std::map<qint64, QStringList> datasetClasses;
    std::vector<RunSummary> out;
    out.reserve(records->size());
    for (RunRecord &rec : records.value()) {
        RunSummary row;
        const QJsonObject train = rec.config.value(QStringLiteral("train")).toObject();
        const QJsonObject model = train.value(QStringLiteral("model")).toObject();
        row.variant = model.value(QStringLiteral("fusion")).toString();
        row.epochs = train.value(QStringLiteral("epochs")).toInt();
        row.batchSize = train.value(QStringLiteral("batch_size")).toInt();
        row.learningRate = train.value(QStringLiteral("lr")).toDouble(kNaN);
        row.imageSize = model.value(QStringLiteral("image_size")).toInt();
        row.seed = static_cast<qint64>(train.value(QStringLiteral("seed")).toDouble(double(rec.seed)));
        row.bestValAuroc = kNaN;
        // The epochs run: those with a validation (an early stop or a cancel runs fewer than set).
        if (auto val = repo.metrics(rec.id, QStringLiteral("val"), true); val) {
            row.epochsRun = 0;
            for (const MetricRow &m : val.value()) {
                row.epochsRun = std::max(row.epochsRun, m.epoch + 1);
                if (rec.bestEpoch >= 0 && m.epoch == rec.bestEpoch && m.name == QLatin1String("auroc"))
                    row.bestValAuroc = m.value;
            }
        }
        // Test metrics: the final evaluation's confusion artifact, else its metric rows.
        row.testAuroc = row.testAccuracy = kNaN;
        if (auto test = repo.artifact(rec.id, QStringLiteral("test"), QStringLiteral("confusion")); test) {
            row.testAuroc = jsonNumber(test.value(), QStringLiteral("auroc"));
            row.testAccuracy = jsonNumber(test.value(), QStringLiteral("accuracy"));
        } else if (auto rows = repo.metrics(rec.id, QStringLiteral("final_test"), true); rows) {
            for (const MetricRow &m : rows.value()) {
                if (m.name == QLatin1String("auroc"))
                    row.testAuroc = m.value;
                else if (m.name == QLatin1String("accuracy"))
                    row.testAccuracy = m.value;
            }
        }
        row.cvGroup = train.value(QStringLiteral("cv_group")).toString();
        if (!row.cvGroup.isEmpty()) {
            row.folds = train.value(QStringLiteral("folds")).toInt();
            row.fold = train.value(QStringLiteral("fold")).toInt(-1);
        }
        row.seconds = secondsBetween(rec.startedAt, rec.endedAt);
        for (const QJsonValue &c :
            rec.config.value(QStringLiteral("feature_spec")).toObject().value(QStringLiteral("classes")).toArray())
            row.classes.append(c.toString());
        if (row.classes.isEmpty()) {
            auto known = datasetClasses.find(rec.datasetId);
            if (known == datasetClasses.end()) {
                auto dataset = DatasetRepository(m_study).dataset(rec.datasetId);
                known = datasetClasses.emplace(rec.datasetId, dataset ? dataset->classes : QStringList()).first;
            }
            row.classes = known->second;
        }
        row.positiveClass = rec.config.value(QStringLiteral("positive_class")).toString();
        if (row.positiveClass.isEmpty())
            row.positiveClass = train.value(QStringLiteral("positive_class")).toString();
        row.run = std::move(rec);
        out.push_back(std::move(row));
    }
    return out;
}

Result<RunComparison> ExperimentService::compare(const std::vector<RunSummary> &runs) const
{
    RunRepository repo(m_study);
    std::vector<RunResults> results;
    for (const RunSummary &run : runs) {
        RunResults r;
        r.runId = run.run.id;
        r.bestEpoch = run.run.bestEpoch;
        r.seconds = run.seconds;
        r.train = run.train();
        auto rows = repo.metrics(run.run.id, QString(), true);
        if (!rows)
            return Result<RunComparison>::failure(rows.error());
        for (const MetricRow &m : rows.value()) {
            if (m.step >= 0)
                continue;
            if (m.split == QLatin1String("val") || m.split == QLatin1String("train"))
                r.curves[m.split + QLatin1Char(':') + m.name].push_back(QPointF(m.epoch + 1.0, m.value));
            if (m.split == QLatin1String("val") && m.epoch == run.run.bestEpoch)
                r.val[m.name] = m.value;
            if (m.split == QLatin1String("final_test"))
                r.test[m.name] = m.value;
        }
        // The final evaluation's artifact holds every test metric (the metric rows are its copy).
        if (auto artifact = repo.artifact(run.run.id, QStringLiteral("test"), QStringLiteral("confusion")); artifact) {
            r.test.clear();
            for (auto it = artifact->begin(); it != artifact->end(); ++it)
                if (it.value().isDouble())
                    r.test[it.key()] = it.value().toDouble();
        }
        results.push_back(std::move(r));
    }
    return RunComparison::of(results);
}

Result<SplitResults> ExperimentService::splitResults(const RunSummary &current, const std::vector<RunSummary> &runs,
    const QString &requested, const CancelFn &cancelled) const
{
    using R = Result<SplitResults>;
    RunRepository repo(m_study);
    SplitResults out;
    out.runId = current.run.id;
    out.requested = requested;
    out.split = requested;
    const QString confusionKind = QStringLiteral("confusion");
    auto evaluation = repo.artifact(current.run.id, requested, confusionKind);
    if (!evaluation) {
        const QString other = requested == QLatin1String("test") ? QStringLiteral("val") : QStringLiteral("test");
        if (auto fallback = repo.artifact(current.run.id, other, confusionKind); fallback) {
            evaluation = fallback;
            out.split = other;
        }
    }
    if (evaluation) {
        out.confusion = matrixFromJson(evaluation->value(QStringLiteral("confusion")).toArray());
        out.confusionSource = SplitResults::Source::Evaluation;
        out.reliability = Reliability::fromJson(evaluation->value(QStringLiteral("reliability")).toObject());
        if (!out.reliability.isEmpty())
            out.reliabilitySource = SplitResults::Source::Evaluation;
    }

    PredictionFilter filter;
    filter.runId = current.run.id;
    filter.datasetId = current.run.datasetId;
    filter.split = out.split;
    PredictionQuery predictions(m_study);
    auto stored = predictions.count(filter);
    if (!stored)
        return R::failure(stored.error());
    out.predictionCount = stored.value();
    // What the evaluation did not store (a run evaluated by an earlier version, or none) comes
    // from the stored predictions, by the same definitions.
    // The decisions are only in the stored predictions: the decision matrix is read from them.
    const bool needConfusion = out.confusionSource == SplitResults::Source::None;
    const bool needReliability = out.reliabilitySource == SplitResults::Source::None;
    if (out.predictionCount > 0) {
        auto rows = predictions.list(filter);
        if (!rows)
            return R::failure(rows.error());
        if (cancelled && cancelled())
            return R::failure(QStringLiteral("cancelled"));
        const int classes = static_cast<int>(current.classes.size());
        std::vector<int> truth, predicted, decided;
        std::vector<double> probabilities;
        truth.reserve(rows->size());
        predicted.reserve(rows->size());
        decided.reserve(rows->size());
        const QStringList decidedNames = decidedClasses(current, rows.value());
        for (std::size_t i = 0; i < rows->size(); ++i) {
            const CasePrediction &p = (*rows)[i];
            truth.push_back(static_cast<int>(current.classes.indexOf(p.label)));
            predicted.push_back(static_cast<int>(current.classes.indexOf(p.predicted)));
            decided.push_back(static_cast<int>(current.classes.indexOf(decidedNames.value(static_cast<int>(i)))));
            for (int c = 0; c < classes; ++c)
                probabilities.push_back(c < static_cast<int>(p.probabilities.size()) ? p.probabilities[c] : kNaN);
        }
        out.decisionConfusion = ConfusionMatrix::tally(truth, decided, classes).counts();
        if (needConfusion) {
            out.confusion = ConfusionMatrix::tally(truth, predicted, classes).counts();
            out.confusionSource = SplitResults::Source::Predictions;
        }
        if (needReliability) {
            out.reliability = Reliability::fromProbabilities(probabilities, truth, classes);
            if (!out.reliability.isEmpty())
                out.reliabilitySource = SplitResults::Source::Predictions;
        }
    }
    if (cancelled && cancelled())
        return R::failure(QStringLiteral("cancelled"));

    out.temperature = out.valEceBefore = out.valEceAfter = kNaN;
    if (auto calibration = repo.artifact(current.run.id, QStringLiteral("val"), QStringLiteral("calibration"));
        calibration) {
        const Calibration c = Calibration::fromJson(calibration.value());
        out.temperature = c.temperature;
        out.valEceBefore = c.eceBefore;
        out.valEceAfter = c.eceAfter;
    }

    for (const RunSummary &run : runs) {
        RunCurves curves;
        curves.runId = run.run.id;
        curves.auroc = curves.auprc = kNaN;
        if (auto metrics = repo.artifact(run.run.id, out.split, confusionKind); metrics) {
            curves.auroc = jsonNumber(metrics.value(), QStringLiteral("auroc"));
            curves.auprc = jsonNumber(metrics.value(), QStringLiteral("auprc"));
        }
        if (auto roc = repo.artifact(run.run.id, out.split, QStringLiteral("roc")); roc) {
            curves.rocX = doubles(roc->value(QStringLiteral("x")));
            curves.rocY = doubles(roc->value(QStringLiteral("y")));
        }
        if (auto pr = repo.artifact(run.run.id, out.split, QStringLiteral("pr")); pr) {
            curves.prX = doubles(pr->value(QStringLiteral("x")));
            curves.prY = doubles(pr->value(QStringLiteral("y")));
        }
        out.curves.push_back(std::move(curves));
    }
    return out;
}

QStringList ExperimentService::decidedClasses(
    const RunSummary &run, const std::vector<CasePrediction> &predictions) const
{
    auto rule = RunDecision::of(run.run.config, run.classes, run.run.id);
    QStringList out;
    out.reserve(static_cast<qsizetype>(predictions.size()));
    for (const CasePrediction &p : predictions) {
        if (p.decision.isEmpty())
            out.append(p.predicted);
        else if (rule)
            out.append(rule->decidedClass(p.decision, p.predicted));
        else
            out.append(run.classes.contains(p.decision) ? p.decision : p.predicted);
    }
    return out;
}

Result<std::vector<CasePrediction>> ExperimentService::cellCases(const RunSummary &run, const QString &split,
    int trueClass, int predictedClass, const CancelFn &cancelled, ConfusionAxis axis) const
{
    const int classes = static_cast<int>(run.classes.size());
    if (trueClass < 0 || predictedClass < 0 || trueClass >= classes || predictedClass >= classes)
        return Result<std::vector<CasePrediction>>::failure(
            QStringLiteral("Run %1 has no confusion-matrix cell (%2, %3); it knows %4 classes.")
                .arg(run.run.id)
                .arg(trueClass)
                .arg(predictedClass)
                .arg(classes));
    if (cancelled && cancelled())
        return cancelledRead();
    PredictionFilter filter;
    filter.runId = run.run.id;
    filter.datasetId = run.run.datasetId;
    filter.split = split;
    filter.label = run.classes.at(trueClass);
    if (axis == ConfusionAxis::MostLikely) {
        filter.predicted = run.classes.at(predictedClass);
        return PredictionQuery(m_study).list(filter);
    }
    // By decision: the true class's predictions whose decision stands for the column's class.
    auto rows = PredictionQuery(m_study).list(filter);
    if (!rows)
        return rows;
    if (cancelled && cancelled())
        return cancelledRead();
    const QStringList decided = decidedClasses(run, rows.value());
    std::vector<CasePrediction> out;
    for (std::size_t i = 0; i < rows->size(); ++i)
        if (decided.value(static_cast<int>(i)) == run.classes.at(predictedClass))
            out.push_back(std::move((*rows)[i]));
    return out;
}

Result<std::vector<DatasetSummary>> ExperimentService::datasets() const
{
    return DatasetRepository(m_study).datasets(false);
}

Status ExperimentService::rename(qint64 runId, const QString &name, const QString &actor)
{
    return RunRepository(m_study).rename(runId, name, actor);
}

Status ExperimentService::setTags(qint64 runId, const QStringList &tags, const QString &actor)
{
    return RunRepository(m_study).setTags(runId, tags, actor);
}

Status ExperimentService::setNotes(qint64 runId, const QString &notes, const QString &actor)
{
    return RunRepository(m_study).setNotes(runId, notes, actor);
}

Status ExperimentService::remove(const QList<qint64> &runIds, const QString &actor)
{
    RunRepository repo(m_study);
    for (qint64 id : runIds)
        if (Status st = repo.remove(id, actor); !st)
            return st;
    return Status();
}

} // namespace lepton
