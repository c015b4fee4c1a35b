// SPDX-License-Identifier: GPL-3.0-or-later
// The prediction service on a tiny trained run: what it stores, how it reports progress, how it
// stops when cancelled and how it fails.
#include "TinyStudy.h"

#include "dataset/MultimodalDataset.h"
#include "explain/Explainer.h"
#include "explain/PredictionService.h"
#include "store/ExplanationRepository.h"
#include "train/Evaluator.h"
#include "train/TrainedModel.h"
#include "train/Trainer.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lepton;

namespace {
struct ProgressCall
{
    qint64 done = 0, total = 0;
    QString stage;
};
} // namespace

class TestPrediction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void predictsASplitWithProgress();
    void everyCaseMatchesOneEvaluation();
    void explainsEveryPrediction();
    void cancelledPredictionStoresNothing();
    void cancelledExplanationKeepsWholeCases();
    void unknownRunIsNamed();
    void emptySplitIsRefused();
    void unusableTemplateIsRefused();

private:
    void clearPredictions();
    int count(const QString &sql) const;
    int storedPredictions() const;
    int explainedPredictions() const;
    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_dataset = 0;
    qint64 m_run = 0;
    int m_testCases = 0;
};

void TestPrediction::initTestCase()
{
    m_dataset = tiny::makeStudy(m_dir.path(), m_study, 64);
    QVERIFY(m_dataset > 0);
    auto out = Trainer::train(*m_study, m_dataset, tiny::config(), {});
    QVERIFY2(out, qPrintable(out.error()));
    m_run = out->runId;
    m_testCases
        = count(QStringLiteral("SELECT COUNT(*) FROM cases WHERE dataset_id = %1 AND split = 'test'").arg(m_dataset));
    QVERIFY(m_testCases > 1);
}

void TestPrediction::init()
{
    clearPredictions();
}

void TestPrediction::clearPredictions()
{
    // Each test starts from a run without predictions (their explanations go with them).
    QSqlQuery q(m_study->database());
    QVERIFY(q.exec(QStringLiteral("DELETE FROM predictions WHERE run_id = %1").arg(m_run)));
    QCOMPARE(storedPredictions(), 0);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM explanations")), 0);
}

int TestPrediction::count(const QString &sql) const
{
    QSqlQuery q(m_study->database());
    if (!q.exec(sql) || !q.next())
        return -1;
    return q.value(0).toInt();
}

int TestPrediction::storedPredictions() const
{
    return count(QStringLiteral("SELECT COUNT(*) FROM predictions WHERE run_id = %1").arg(m_run));
}

int TestPrediction::explainedPredictions() const
{
    return count(QStringLiteral("SELECT COUNT(DISTINCT e.prediction_id) FROM explanations e JOIN predictions p ON "
                                "p.id = e.prediction_id WHERE p.run_id = %1")
                     .arg(m_run));
}

void TestPrediction::predictsASplitWithProgress()
{
    std::vector<ProgressCall> calls;
    PredictOptions o;
    o.runId = m_run;
    o.split = QStringLiteral("test");
    o.device = QStringLiteral("cpu");
    o.progress = [&](qint64 done, qint64 total, const QString &stage) { calls.push_back({ done, total, stage }); };
    auto summary = PredictionService::run(*m_study, o);
    QVERIFY2(summary, qPrintable(summary.error()));
    QVERIFY(!summary->cancelled);
    QCOMPARE(summary->runId, m_run);
    QCOMPARE(summary->datasetId, m_dataset);
    QCOMPARE(summary->cases, m_testCases);
    QCOMPARE(summary->predicted, m_testCases);
    QCOMPARE(summary->explained, 0);
    QCOMPARE(storedPredictions(), m_testCases);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM predictions p JOIN cases c ON c.id = p.case_id WHERE "
                                  "p.run_id = %1 AND c.split = 'test' AND p.decision IS NOT NULL")
                       .arg(m_run)),
        m_testCases);
    int perClass = 0, perDecision = 0;
    for (int n : summary->perClass)
        perClass += n;
    for (int n : summary->perDecision)
        perDecision += n;
    QCOMPARE(perClass, m_testCases);
    QCOMPARE(perDecision, m_testCases);
    QVERIFY(summary->referred >= 0 && summary->referred <= m_testCases);
    QVERIFY(!summary->templateName.isEmpty());
    QVERIFY(summary->temperature > 0.0);
    QCOMPARE(summary->metrics.value(QStringLiteral("n")).toInt(), m_testCases); // every tiny case is labelled

    QVERIFY(calls.size() >= 2);
    QCOMPARE(calls.front().done, qint64(0));
    QCOMPARE(calls.back().done, qint64(m_testCases));
    for (std::size_t i = 0; i < calls.size(); ++i) {
        QCOMPARE(calls[i].stage, QStringLiteral("Predicting"));
        QCOMPARE(calls[i].total, qint64(m_testCases));
        if (i > 0)
            QVERIFY(calls[i].done > calls[i - 1].done);
    }
}

void TestPrediction::everyCaseMatchesOneEvaluation()
{
    // All 64 cases take several chunks; the probabilities and metrics are those of one pass.
    PredictOptions o;
    o.runId = m_run;
    o.device = QStringLiteral("cpu");
    int calls = 0;
    o.progress = [&](qint64, qint64, const QString &) { ++calls; };
    auto summary = PredictionService::run(*m_study, o);
    QVERIFY2(summary, qPrintable(summary.error()));
    QCOMPARE(summary->predicted, 64);
    QCOMPARE(storedPredictions(), 64);
    QVERIFY(calls > 2);

    auto model = TrainedModel::load(*m_study, m_run, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    auto ds = model->dataset(*m_study, m_dataset);
    QVERIFY2(ds, qPrintable(ds.error()));
    std::vector<int> all;
    for (int i = 0; i < ds.value()->size(); ++i)
        all.push_back(i);
    const Evaluation ev = evaluateModel(model->model, ds.value(), all, model->device, model->config.batchSize,
        model->config.workers, model->positiveClass);
    const QJsonObject whole = ev.metrics.toJson();
    for (const QString &key : { QStringLiteral("n"), QStringLiteral("accuracy"), QStringLiteral("auroc") })
        QCOMPARE(summary->metrics.value(key).toDouble(), whole.value(key).toDouble());
    QVERIFY(std::abs(summary->metrics.value(QStringLiteral("loss")).toDouble() - ev.metrics.loss) < 1e-5);
    QCOMPARE(summary->metrics.value(QStringLiteral("confusion")), whole.value(QStringLiteral("confusion")));
}

void TestPrediction::explainsEveryPrediction()
{
    QStringList stages;
    int explainedCalls = 0;
    PredictOptions o;
    o.runId = m_run;
    o.split = QStringLiteral("test");
    o.device = QStringLiteral("cpu");
    o.explain = true;
    o.progress = [&](qint64 done, qint64 total, const QString &stage) {
        QCOMPARE(total, qint64(m_testCases));
        QVERIFY(done >= 0 && done <= total);
        if (stages.isEmpty() || stages.last() != stage)
            stages.append(stage);
    };
    o.explained = [&](const CaseExplanation &e) {
        ++explainedCalls;
        QVERIFY(!e.caseKey.isEmpty());
    };
    auto summary = PredictionService::run(*m_study, o);
    QVERIFY2(summary, qPrintable(summary.error()));
    QCOMPARE(summary->predicted, m_testCases);
    QCOMPARE(summary->explained, m_testCases);
    QCOMPARE(explainedCalls, m_testCases);
    QCOMPARE(stages, (QStringList { QStringLiteral("Predicting"), QStringLiteral("Explaining") }));
    QVERIFY(summary->explainMs >= 0);
    QCOMPARE(storedPredictions(), m_testCases);
    QCOMPARE(explainedPredictions(), m_testCases);

    QSqlQuery q(m_study->database());
    QVERIFY(q.exec(QStringLiteral("SELECT case_id FROM predictions WHERE run_id = %1").arg(m_run)));
    ExplanationRepository repo(*m_study);
    int checked = 0;
    while (q.next()) {
        auto id = repo.predictionId(m_run, q.value(0).toLongLong());
        QVERIFY2(id, qPrintable(id.error()));
        auto stored = repo.load(id.value());
        QVERIFY2(stored, qPrintable(stored.error()));
        QStringList kinds;
        for (const StoredExplanation &s : stored.value())
            kinds.append(s.kind);
        QCOMPARE(kinds,
            (QStringList { QStringLiteral("attention"), QStringLiteral("counterfactual"), QStringLiteral("gradcam"),
                QStringLiteral("integrated_gradients") }));
        ++checked;
    }
    QCOMPARE(checked, m_testCases);
}

void TestPrediction::cancelledPredictionStoresNothing()
{
    // All 64 cases take several chunks: cancel once the first is predicted, before the second.
    int asked = 0;
    PredictOptions o;
    o.runId = m_run;
    o.device = QStringLiteral("cpu");
    o.explain = true;
    o.cancelled = [&] { return ++asked > 2; };
    qint64 predictedSoFar = 0;
    o.progress = [&](qint64 done, qint64, const QString &) { predictedSoFar = done; };
    auto summary = PredictionService::run(*m_study, o);
    QVERIFY2(summary, qPrintable(summary.error()));
    QVERIFY(summary->cancelled);
    QVERIFY(predictedSoFar > 0); // some cases were predicted, none is stored
    QCOMPARE(summary->predicted, 0);
    QCOMPARE(summary->explained, 0);
    QCOMPARE(summary->cases, 64);
    QCOMPARE(storedPredictions(), 0);
    QCOMPARE(explainedPredictions(), 0);
}

void TestPrediction::cancelledExplanationKeepsWholeCases()
{
    // Count how often prediction alone asks, then cancel after two explained cases.
    int asked = 0;
    PredictOptions o;
    o.runId = m_run;
    o.split = QStringLiteral("test");
    o.device = QStringLiteral("cpu");
    o.cancelled = [&] {
        ++asked;
        return false;
    };
    QVERIFY(PredictionService::run(*m_study, o));
    const int predictionAsks = asked;
    QVERIFY(predictionAsks > 0);
    QCOMPARE(storedPredictions(), m_testCases);
    clearPredictions();

    asked = 0;
    int explainedCalls = 0;
    o.explain = true;
    o.cancelled = [&] { return ++asked > predictionAsks + 2; };
    o.explained = [&](const CaseExplanation &) { ++explainedCalls; };
    auto summary = PredictionService::run(*m_study, o);
    QVERIFY2(summary, qPrintable(summary.error()));
    QVERIFY(summary->cancelled);
    QCOMPARE(summary->predicted, m_testCases); // prediction completed: all stored
    QCOMPARE(storedPredictions(), m_testCases);
    QCOMPARE(summary->explained, 2);
    QCOMPARE(explainedCalls, 2);
    QCOMPARE(explainedPredictions(), 2); // the completed cases, each with all its kinds
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM explanations")), 2 * 4);
}

void TestPrediction::unknownRunIsNamed()
{
    PredictOptions o;
    o.runId = 9999;
    o.device = QStringLiteral("cpu");
    PredictionService::Failure failure = PredictionService::Failure::Computation;
    auto summary = PredictionService::run(*m_study, o, &failure);
    QVERIFY(!summary);
    QVERIFY2(summary.error().contains(QStringLiteral("9999")), qPrintable(summary.error()));
    QCOMPARE(failure, PredictionService::Failure::Model);
    QCOMPARE(storedPredictions(), 0);
}

void TestPrediction::emptySplitIsRefused()
{
    PredictOptions o;
    o.runId = m_run;
    o.split = QStringLiteral("holdout");
    o.device = QStringLiteral("cpu");
    PredictionService::Failure failure = PredictionService::Failure::Model;
    auto summary = PredictionService::run(*m_study, o, &failure);
    QVERIFY(!summary);
    QVERIFY2(summary.error().contains(QStringLiteral("no cases in split 'holdout'")), qPrintable(summary.error()));
    QVERIFY2(summary.error().contains(QStringLiteral("test")), qPrintable(summary.error())); // the splits it has
    QCOMPARE(failure, PredictionService::Failure::NoCases);
    QCOMPARE(storedPredictions(), 0);
}

void TestPrediction::unusableTemplateIsRefused()
{
    // The finance template's classes are not the tiny data's.
    PredictOptions o;
    o.runId = m_run;
    o.device = QStringLiteral("cpu");
    o.templateOverride = QStringLiteral("finance");
    PredictionService::Failure failure = PredictionService::Failure::Model;
    auto summary = PredictionService::run(*m_study, o, &failure);
    QVERIFY(!summary);
    QVERIFY(!summary.error().isEmpty());
    QCOMPARE(failure, PredictionService::Failure::Template);
    QCOMPARE(storedPredictions(), 0);
}

QTEST_GUILESS_MAIN(TestPrediction)
#include "tst_prediction.moc"
