// SPDX-License-Identifier: GPL-3.0-or-later
// The Experiments view's core: comparing runs (metric rows with the best marked, the settings that
// differ), and what it reads of one run on a split (confusion matrix, reliability bins and ECE,
// stored predictions, a cell's cases, ROC/PR points), by hand and on two tiny trained runs.
#include "TinyStudy.h"

#include "explain/PredictionService.h"
#include "metrics/Reliability.h"
#include "service/ExperimentService.h"
#include "service/RunComparison.h"
#include "store/RunRepository.h"
#include "train/Trainer.h"

#include <QJsonArray>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace lepton;

class TestRunComparison : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void flattenedConfigUsesDottedKeys();
    void metricRowsMarkTheBest();
    void settingsThatDiffer();
    void runsAreSummarised();
    void comparesStoredRuns();
    void evaluationResults();
    void predictionsAndCells();
    void olderEvaluationsFallBackToPredictions();
    void runWithoutResults();

private:
    const RunSummary *summary(qint64 runId) const;
    QJsonObject artifact(qint64 runId, const QString &split, const QString &kind) const;

    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_dataset = 0, m_a = 0, m_b = 0;
    std::vector<RunSummary> m_runs;
};

void TestRunComparison::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_dataset = tiny::makeStudy(m_dir.path(), m_study, 64);
    QVERIFY(m_dataset > 0);
    TrainConfig c = tiny::config();
    auto a = Trainer::train(*m_study, m_dataset, c, {}, QStringLiteral("alpha"));
    QVERIFY2(a, qPrintable(a ? QString() : a.error()));
    c.seed = 7;
    c.learningRate = 5e-3;
    auto b = Trainer::train(*m_study, m_dataset, c, {}, QStringLiteral("beta"));
    QVERIFY2(b, qPrintable(b ? QString() : b.error()));
    m_a = a->runId;
    m_b = b->runId;
    auto runs = ExperimentService(*m_study).runs();
    QVERIFY2(runs, qPrintable(runs ? QString() : runs.error()));
    m_runs = runs.take();
}

const RunSummary *TestRunComparison::summary(qint64 runId) const
{
    for (const RunSummary &r : m_runs)
        if (r.run.id == runId)
            return &r;
    return nullptr;
}

QJsonObject TestRunComparison::artifact(qint64 runId, const QString &split, const QString &kind) const
{
    auto a = RunRepository(*m_study).artifact(runId, split, kind);
    return a ? a.value() : QJsonObject();
}

void TestRunComparison::flattenedConfigUsesDottedKeys()
{
    const QJsonObject config { { QStringLiteral("lr"), 0.01 },
        { QStringLiteral("model"),
            QJsonObject { { QStringLiteral("width"), 4 }, { QStringLiteral("fusion"), QStringLiteral("attention") },
                { QStringLiteral("field_categories"), QJsonArray { 2, 3 } } } },
        { QStringLiteral("augment"), QJsonObject { { QStringLiteral("enabled"), true } } } };
    const QMap<QString, QString> flat = RunComparison::flattenConfig(config);
    QCOMPARE(flat.keys(),
        (QStringList { QStringLiteral("augment.enabled"), QStringLiteral("lr"),
            QStringLiteral("model.field_categories"), QStringLiteral("model.fusion"), QStringLiteral("model.width") }));
    QCOMPARE(flat.value(QStringLiteral("model.width")), QStringLiteral("4"));
    QCOMPARE(flat.value(QStringLiteral("lr")), QStringLiteral("0.01"));
    QCOMPARE(flat.value(QStringLiteral("augment.enabled")), QStringLiteral("true"));
    QCOMPARE(flat.value(QStringLiteral("model.field_categories")), QStringLiteral("[2,3]"));
}

namespace {
const ComparedMetric *row(const RunComparison &c, const QString &key)
{
    for (const ComparedMetric &m : c.metrics())
        if (m.key == key)
            return &m;
    return nullptr;
}
} // namespace

void TestRunComparison::metricRowsMarkTheBest()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    RunResults one, two, three;
    one.runId = 1;
    one.bestEpoch = 2;
    one.seconds = 30;
    one.val = { { QStringLiteral("auroc"), 0.8 }, { QStringLiteral("loss"), 0.5 } };
    one.test = { { QStringLiteral("ece"), 0.05 }, { QStringLiteral("n"), 20 }, { QStringLiteral("auroc"), 0.7 } };
    two.runId = 2;
    two.bestEpoch = 0;
    two.seconds = 10;
    two.val = { { QStringLiteral("auroc"), 0.9 }, { QStringLiteral("loss"), 0.5 } };
    two.test = { { QStringLiteral("ece"), 0.03 }, { QStringLiteral("n"), 20 }, { QStringLiteral("auroc"), 0.9 } };
    three.runId = 3;
    three.seconds = nan;
    three.val = { { QStringLiteral("auroc"), 0.9 }, { QStringLiteral("loss"), 0.5 } };
    const RunComparison c = RunComparison::of({ one, two, three });
    QCOMPARE(c.runCount(), 3);

    const ComparedMetric *valAuroc = row(c, QStringLiteral("val:auroc"));
    QVERIFY(valAuroc);
    QCOMPARE(QString::fromLatin1(valAuroc->title), QStringLiteral("Val AUROC"));
    QCOMPARE(valAuroc->values, (std::vector<double> { 0.8, 0.9, 0.9 }));
    QCOMPARE(valAuroc->best, (std::vector<bool> { false, true, true })); // ties share the best
    // Lower is better for the ECE and the duration; an unknown value is never the best.
    const ComparedMetric *ece = row(c, QStringLiteral("test:ece"));
    QVERIFY(ece);
    QCOMPARE(ece->decimals, 4);
    QCOMPARE(ece->values[1], 0.03);
    QVERIFY(std::isnan(ece->values[2]));
    QCOMPARE(ece->best, (std::vector<bool> { false, true, false }));
    const ComparedMetric *duration = row(c, QStringLiteral("run:duration"));
    QCOMPARE(duration->best, (std::vector<bool> { false, true, false }));
    // Equal everywhere: nothing to mark. No direction: nothing to mark.
    QCOMPARE(row(c, QStringLiteral("val:loss"))->best, (std::vector<bool> { false, false, false }));
    QCOMPARE(row(c, QStringLiteral("test:n"))->best, (std::vector<bool> { false, false, false }));
    // The best epoch is shown 1-based; none is unknown.
    const ComparedMetric *epoch = row(c, QStringLiteral("run:best_epoch"));
    QCOMPARE(epoch->values[0], 3.0);
    QCOMPARE(epoch->values[1], 1.0);
    QVERIFY(std::isnan(epoch->values[2]));
    // One run: its values, nothing marked.
    const RunComparison single = RunComparison::of({ one });
    QCOMPARE(row(single, QStringLiteral("val:auroc"))->best, (std::vector<bool> { false }));
    QVERIFY(RunComparison::of({}).metrics().empty());
}

void TestRunComparison::settingsThatDiffer()
{
    RunResults one, two;
    one.train = QJsonObject { { QStringLiteral("lr"), 0.01 }, { QStringLiteral("seed"), 1 },
        { QStringLiteral("model"), QJsonObject { { QStringLiteral("width"), 4 } } } };
    two.train = QJsonObject { { QStringLiteral("lr"), 0.005 }, { QStringLiteral("seed"), 1 },
        { QStringLiteral("model"), QJsonObject { { QStringLiteral("width"), 4 } } },
        { QStringLiteral("patience"), 3 } };
    const RunComparison c = RunComparison::of({ one, two });
    QCOMPARE(c.settings().size(), std::size_t(4));
    QCOMPARE(c.differingSettings(), 2);
    QStringList differing;
    for (const ConfigDifference &d : c.settings())
        if (d.differs)
            differing.append(d.key);
    QCOMPARE(differing, (QStringList { QStringLiteral("lr"), QStringLiteral("patience") }));
    const ConfigDifference &patience = c.settings()[2];
    QCOMPARE(patience.key, QStringLiteral("patience"));
    QCOMPARE(patience.values, (QStringList { QStringLiteral("–"), QStringLiteral("3") }));
    QCOMPARE(c.settings()[1].values, (QStringList { QStringLiteral("4"), QStringLiteral("4") }));
    QCOMPARE(RunComparison::of({ one }).differingSettings(), 0);
}

void TestRunComparison::runsAreSummarised()
{
    QCOMPARE(m_runs.size(), std::size_t(2));
    const RunSummary *a = summary(m_a);
    QVERIFY(a);
    QCOMPARE(a->run.name, QStringLiteral("alpha"));
    QCOMPARE(a->label(), QStringLiteral("#%1 alpha").arg(m_a));
    QCOMPARE(a->variant, QStringLiteral("attention"));
    QCOMPARE(a->epochs, 4);
    QCOMPARE(a->batchSize, 8);
    QCOMPARE(a->imageSize, 32);
    QCOMPARE(summary(m_b)->seed, qint64(7));
    QCOMPARE(summary(m_b)->learningRate, 5e-3);
    QCOMPARE(a->classes, (QStringList { QStringLiteral("no"), QStringLiteral("yes") }));
    QVERIFY(a->classes.contains(a->positiveClass));
    QCOMPARE(a->testAuroc,
        artifact(m_a, QStringLiteral("test"), QStringLiteral("confusion"))[QStringLiteral("auroc")].toDouble());
    QVERIFY(std::isfinite(a->bestValAuroc));
    QVERIFY(std::isfinite(a->seconds) && a->seconds >= 0.0);
    QCOMPARE(ExperimentService::secondsBetween(
                 QStringLiteral("2024-01-01T00:00:00.000Z"), QStringLiteral("2024-01-01T00:01:30.500Z")),
        90.5);
    QVERIFY(std::isnan(ExperimentService::secondsBetween(QString(), QStringLiteral("2024-01-01T00:00:00Z"))));
}

void TestRunComparison::comparesStoredRuns()
{
    auto c = ExperimentService(*m_study).compare({ *summary(m_a), *summary(m_b) });
    QVERIFY2(c, qPrintable(c ? QString() : c.error()));
    QCOMPARE(c->runCount(), 2);
    QStringList differing;
    for (const ConfigDifference &d : c->settings())
        if (d.differs)
            differing.append(d.key);
    QCOMPARE(differing, (QStringList { QStringLiteral("lr"), QStringLiteral("seed") }));
    // The metrics table's test ECE is the stored evaluation's, which its reliability bins give.
    const QJsonObject test = artifact(m_a, QStringLiteral("test"), QStringLiteral("confusion"));
    const ComparedMetric *ece = row(c.value(), QStringLiteral("test:ece"));
    QVERIFY(ece);
    QCOMPARE(ece->values[0], test[QStringLiteral("ece")].toDouble());
    QCOMPARE(ece->values[0], Reliability::fromJson(test[QStringLiteral("reliability")].toObject()).ece());
    const ComparedMetric *valAuroc = row(c.value(), QStringLiteral("val:auroc"));
    QCOMPARE(valAuroc->values[0], summary(m_a)->bestValAuroc);
    // Per-epoch curves: one point per epoch run.
    const RunResults &a = c->runs()[0];
    QCOMPARE(a.curves.at(QStringLiteral("val:loss")).size(), std::size_t(4));
    QCOMPARE(a.curves.at(QStringLiteral("train:loss")).front().x(), 1.0);
}

void TestRunComparison::evaluationResults()
{
    ExperimentService service(*m_study);
    auto r = service.splitResults(*summary(m_a), m_runs, QStringLiteral("test"));
    QVERIFY2(r, qPrintable(r ? QString() : r.error()));
    QCOMPARE(r->split, QStringLiteral("test"));
    QVERIFY(!r->fellBack());
    const QJsonObject test = artifact(m_a, QStringLiteral("test"), QStringLiteral("confusion"));
    QCOMPARE(r->confusionSource, SplitResults::Source::Evaluation);
    QCOMPARE(static_cast<int>(r->confusion.size()), 2);
    int total = 0;
    for (const auto &rowCounts : r->confusion)
        for (int n : rowCounts)
            total += n;
    QCOMPARE(total, test[QStringLiteral("n")].toInt());
    QCOMPARE(r->reliabilitySource, SplitResults::Source::Evaluation);
    QCOMPARE(r->reliability.count(), total);
    QCOMPARE(r->reliability.ece(), test[QStringLiteral("ece")].toDouble());
    QCOMPARE(r->predictionCount, 0);
    QVERIFY(std::isfinite(r->temperature) && r->temperature > 0.0);
    QCOMPARE(r->curves.size(), m_runs.size());
    QCOMPARE(r->curves[0].rocX.size(),
        artifact(m_runs[0].run.id, QStringLiteral("test"), QStringLiteral("roc"))[QStringLiteral("x")]
            .toArray()
            .size());
    QVERIFY(std::isfinite(r->curves[1].auroc));

    auto val = service.splitResults(*summary(m_a), m_runs, QStringLiteral("val"));
    QVERIFY(val);
    QCOMPARE(val->split, QStringLiteral("val"));
    QCOMPARE(val->reliability.ece(),
        artifact(m_a, QStringLiteral("val"), QStringLiteral("confusion"))[QStringLiteral("ece")].toDouble());
}

void TestRunComparison::predictionsAndCells()
{
    PredictOptions options;
    options.runId = m_a;
    options.split = QStringLiteral("test");
    options.device = QStringLiteral("cpu");
    auto predicted = PredictionService::run(*m_study, options);
    QVERIFY2(predicted, qPrintable(predicted ? QString() : predicted.error()));
    ExperimentService service(*m_study);
    const RunSummary &a = *summary(m_a);
    auto r = service.splitResults(a, { a }, QStringLiteral("test"));
    QVERIFY(r);
    QCOMPARE(r->predictionCount, predicted->predicted);
    int listed = 0;
    for (int t = 0; t < 2; ++t) {
        for (int p = 0; p < 2; ++p) {
            auto cases = service.cellCases(a, QStringLiteral("test"), t, p);
            QVERIFY2(cases, qPrintable(cases ? QString() : cases.error()));
            // The stored predictions come from the same best model as the final evaluation.
            QCOMPARE(static_cast<int>(cases->size()), r->confusion[t][p]);
            for (const CasePrediction &c : cases.value()) {
                QCOMPARE(c.label, a.classes[t]);
                QCOMPARE(c.predicted, a.classes[p]);
            }
            listed += static_cast<int>(cases->size());
        }
    }
    QCOMPARE(listed, r->predictionCount);
    QVERIFY(!service.cellCases(a, QStringLiteral("test"), 2, 0));
    QVERIFY(!service.cellCases(a, QStringLiteral("test"), 0, -1));
    // A cancelled read stops and says so.
    auto cancelled = service.splitResults(a, { a }, QStringLiteral("test"), [] { return true; });
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error(), QStringLiteral("cancelled"));
}

void TestRunComparison::olderEvaluationsFallBackToPredictions()
{
    // An evaluation stored before the bins were: the bins come from the stored predictions (the
    // same model's probabilities), by the same definition, so the ECE is the evaluation's.
    const RunSummary &a = *summary(m_a);
    QJsonObject test = artifact(m_a, QStringLiteral("test"), QStringLiteral("confusion"));
    const double ece = test[QStringLiteral("ece")].toDouble();
    const QJsonArray confusion = test[QStringLiteral("confusion")].toArray();
    test.remove(QStringLiteral("reliability"));
    QVERIFY(RunRepository(*m_study).saveArtifact(m_a, QStringLiteral("test"), QStringLiteral("confusion"), test));
    ExperimentService service(*m_study);
    auto r = service.splitResults(a, { a }, QStringLiteral("test"));
    QVERIFY(r);
    QCOMPARE(r->confusionSource, SplitResults::Source::Evaluation);
    QCOMPARE(r->reliabilitySource, SplitResults::Source::Predictions);
    QVERIFY2(qAbs(r->reliability.ece() - ece) < 1e-6,
        qPrintable(QStringLiteral("%1 vs %2").arg(r->reliability.ece()).arg(ece)));

    // No evaluation at all: the matrix is counted from the predictions.
    QSqlQuery q(m_study->database());
    QVERIFY(q.prepare(QStringLiteral("DELETE FROM artifacts WHERE run_id = ? AND kind = 'confusion'")));
    q.addBindValue(m_a);
    QVERIFY(q.exec());
    auto counted = service.splitResults(a, { a }, QStringLiteral("test"));
    QVERIFY(counted);
    QCOMPARE(counted->split, QStringLiteral("test"));
    QCOMPARE(counted->confusionSource, SplitResults::Source::Predictions);
    for (int t = 0; t < 2; ++t)
        for (int p = 0; p < 2; ++p)
            QCOMPARE(counted->confusion[t][p], confusion.at(t).toArray().at(p).toInt());
    QCOMPARE(counted->reliabilitySource, SplitResults::Source::Predictions);
}

void TestRunComparison::runWithoutResults()
{
    RunRecord record;
    record.datasetId = m_dataset;
    record.name = QStringLiteral("empty");
    auto id = RunRepository(*m_study).create(record);
    QVERIFY(id);
    auto runs = ExperimentService(*m_study).runs();
    QVERIFY(runs);
    const RunSummary *empty = nullptr;
    for (const RunSummary &s : runs.value())
        if (s.run.id == id.value())
            empty = &s;
    QVERIFY(empty);
    QCOMPARE(empty->classes, (QStringList { QStringLiteral("no"), QStringLiteral("yes") })); // the dataset's
    QVERIFY(std::isnan(empty->testAuroc));
    auto r = ExperimentService(*m_study).splitResults(*empty, { *empty }, QStringLiteral("test"));
    QVERIFY(r);
    QCOMPARE(r->split, QStringLiteral("test"));
    QVERIFY(r->confusion.empty());
    QCOMPARE(r->confusionSource, SplitResults::Source::None);
    QCOMPARE(r->reliabilitySource, SplitResults::Source::None);
    QVERIFY(r->reliability.isEmpty());
    QVERIFY(std::isnan(r->temperature));
    QVERIFY(r->curves[0].rocX.isEmpty());
}

QTEST_MAIN(TestRunComparison)
#include "tst_runcomparison.moc"
