// SPDX-License-Identifier: GPL-3.0-or-later
#include "TinyStudy.h"

#include "dataset/MultimodalDataset.h"
#include "explain/DecisionSetup.h"
#include "explain/Explainer.h"
#include "explain/ExplanationStore.h"
#include "store/ExplanationRepository.h"
#include "train/TrainedModel.h"
#include "train/Trainer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>

#include <cmath>

using namespace lepton;

class TestExplain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void attentionWeightsAreDistributions();
    void integratedGradientsAreComplete();
    void gradCamIsAScaledMap();
    void gradCamFindsTheBlob();
    void counterfactualRespectsTemplateAndFlips();
    void noCounterfactualIsAValidAnswer();
    void storedExplanationsRoundTrip();
    void mapCodecKeepsValues();

private:
    Explainer explainer(const QString &templateFile = QString(), bool recordOnly = false) const;
    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_dataset = 0;
    qint64 m_run = 0;
    std::optional<TrainedModel> m_model, m_recordModel;
    std::shared_ptr<MultimodalDataset> m_data;
};

void TestExplain::initTestCase()
{
    m_dataset = tiny::makeStudy(m_dir.path(), m_study, 80);
    QVERIFY(m_dataset > 0);
    TrainConfig c = tiny::config();
    auto out = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY2(out, qPrintable(out.error()));
    m_run = out->runId;
    auto model = TrainedModel::load(*m_study, m_run, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    m_model = model.value();
    // A record-only model decides by x alone: what the counterfactual tests change.
    c.model.fusion = FusionVariant::Record;
    auto record = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY2(record, qPrintable(record.error()));
    auto recordModel = TrainedModel::load(*m_study, record->runId, QStringLiteral("cpu"));
    QVERIFY2(recordModel, qPrintable(recordModel.error()));
    m_recordModel = recordModel.value();
    auto ds = m_model->dataset(*m_study, m_dataset);
    QVERIFY(ds);
    m_data = ds.value();
}

Explainer TestExplain::explainer(const QString &templateFile, bool recordOnly) const
{
    const TrainedModel &m = recordOnly ? *m_recordModel : *m_model;
    auto setup = DecisionSetup::forRun(*m_study, m, templateFile);
    if (!setup)
        qFatal("%s", qPrintable(setup.error()));
    return Explainer(m.model, m_data, setup.value());
}

void TestExplain::attentionWeightsAreDistributions()
{
    const CaseExplanation e = explainer().explain(1);
    QCOMPARE(e.caseKey, m_data->at(1).caseKey);
    QVERIFY(qAbs(e.modalityWeights[0] + e.modalityWeights[1] + e.modalityWeights[2] - 1.0) < 1e-5);
    QVERIFY(!e.imageAttention.empty());
    QVERIFY(qAbs(cv::sum(e.imageAttention)[0] - 1.0) < 1e-4);
    double fields = 0.0;
    for (const FieldAttribution &f : e.fieldAttention)
        fields += f.value;
    QVERIFY(qAbs(fields - 1.0) < 1e-5);
    double temporal = 0.0;
    for (double w : e.temporalWeights)
        temporal += w;
    QCOMPARE(static_cast<int>(e.temporalWeights.size()), m_data->at(1).eventCount);
    QVERIFY(qAbs(temporal - 1.0) < 1e-5);
    // The stored decision fields are those of the policy.
    QVERIFY(!e.prediction.decision.isEmpty());
    QVERIFY(!e.prediction.grade.isEmpty());
}

void TestExplain::integratedGradientsAreComplete()
{
    const Explainer x = explainer();
    for (int i : { 0, 1, 5, 10 }) {
        const CaseExplanation e = x.explain(i);
        QCOMPARE(e.integratedGradients.size(), m_data->spec().recordFields.size());
        const double delta = e.igOutput - e.igBaselineOutput;
        QVERIFY2(e.igCompletenessError <= 0.02 * std::max(0.05, std::abs(delta)),
            qPrintable(QStringLiteral("case %1: error %2 of Δ %3").arg(i).arg(e.igCompletenessError).arg(delta)));
        // The output at the case is the model's own probability.
        QVERIFY(
            qAbs(e.igOutput - e.prediction.probabilities.at(static_cast<std::size_t>(m_model->positiveClass))) < 1e-4);
    }
}

void TestExplain::gradCamIsAScaledMap()
{
    const CaseExplanation e = explainer().explain(3);
    QVERIFY(!e.gradCam.empty());
    QCOMPARE(e.gradCam.size(), e.imageAttention.size());
    double lo = 0, hi = 0;
    cv::minMaxLoc(e.gradCam, &lo, &hi);
    QVERIFY(lo >= 0.0);
    QVERIFY(hi <= 1.0 + 1e-6);
}

void TestExplain::gradCamFindsTheBlob()
{
    // An image-only model on the tiny study, where a positive case is one with a bright disc of
    // radius 4 at a known place: Grad-CAM of the positive class must peak on the disc.
    TrainConfig c = tiny::config();
    c.model.fusion = FusionVariant::Image;
    c.epochs = 8;
    auto run = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY2(run, qPrintable(run.error()));
    auto model = TrainedModel::load(*m_study, run->runId, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    auto setup = DecisionSetup::forRun(*m_study, model.value());
    QVERIFY(setup);
    const int positive = static_cast<int>(model->spec.classes.indexOf(QStringLiteral("yes")));
    int cases = 0, hits = 0;
    for (int index = 0; index < m_data->size(); ++index) {
        const int i = m_data->at(index).caseKey.mid(1).toInt();
        if (i % 2 == 0)
            continue;
        FusionNet net = model->model;
        const cv::Mat cam = Explainer::gradCam(net, m_data->collate({ index }), positive);
        QVERIFY(!cam.empty());
        cv::Point peak;
        cv::minMaxLoc(cam, nullptr, nullptr, nullptr, &peak);
        const double cell = 32.0 / cam.cols;
        const double dx = (peak.x + 0.5) * cell - (8 + (i * 5) % 16), dy = (peak.y + 0.5) * cell - (8 + (i * 3) % 16);
        hits += std::hypot(dx, dy) <= 4.0 + cell * std::sqrt(0.5) ? 1 : 0;
        ++cases;
    }
    qInfo("Grad-CAM on the disc in %d of %d positive cases", hits, cases);
    QVERIFY2(hits >= 0.7 * cases, qPrintable(QStringLiteral("%1 of %2 positive cases").arg(hits).arg(cases)));
}

void TestExplain::counterfactualRespectsTemplateAndFlips()
{
    // x is actionable within [-2, 2]; kind may never change.
    const QString path = m_dir.filePath(QStringLiteral("t.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "tiny", "decision_rule": "threshold", "threshold": 0.5,
        "grades": [{"name": "low", "below": 0.5}, {"name": "high", "below": 1}],
        "actionable_fields": ["x"], "immutable_fields": ["kind"], "ranges": {"x": [-2, 2]}, "units": {"x": "u"}})");
    f.close();
    const Explainer x = explainer(path, true);
    int found = 0;
    for (int i = 0; i < 16; ++i) {
        const CaseExplanation e = x.explain(i);
        const Counterfactual &cf = e.counterfactual;
        if (!cf.found) {
            QVERIFY(cf.text.startsWith(QStringLiteral("no counterfactual within limits")));
            continue;
        }
        ++found;
        QVERIFY2(cf.verified, qPrintable(cf.text)); // the model, rerun, gives the other decision
        QVERIFY(cf.decisionAfter != cf.decisionBefore);
        QCOMPARE(static_cast<int>(cf.changes.size()), 1);
        QCOMPARE(cf.changes[0].field, QStringLiteral("x"));
        QCOMPARE(cf.changes[0].unit, QStringLiteral("u"));
        const double to = cf.changes[0].to.toDouble();
        QVERIFY2(to >= -2.0 - 1e-2 && to <= 2.0 + 1e-2, qPrintable(cf.text));
        QVERIFY(cf.text.contains(QStringLiteral("x ")) && cf.text.contains(QStringLiteral(" u would give ")));
    }
    QVERIFY2(found > 0, "x alone should flip some of the tiny model's decisions");
}

void TestExplain::noCounterfactualIsAValidAnswer()
{
    // Nothing actionable: the search has nothing to change and says so.
    const QString path = m_dir.filePath(QStringLiteral("none.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "frozen", "immutable_fields": ["x", "kind"]})");
    f.close();
    const CaseExplanation e = explainer(path).explain(2);
    QVERIFY(!e.counterfactual.found);
    QVERIFY(e.counterfactual.text.startsWith(QStringLiteral("no counterfactual within limits")));
    QCOMPARE(e.counterfactual.evaluated, 0);
}

void TestExplain::storedExplanationsRoundTrip()
{
    const CaseExplanation e = explainer().explain(4);
    QVERIFY(storeExplanation(*m_study, m_run, e));
    ExplanationRepository repo(*m_study);
    auto id = repo.predictionId(m_run, e.caseId);
    QVERIFY2(id, qPrintable(id.error()));
    auto stored = repo.load(id.value());
    QVERIFY(stored);
    QStringList kinds;
    for (const StoredExplanation &s : stored.value())
        kinds.append(s.kind);
    QCOMPARE(kinds,
        (QStringList { QStringLiteral("attention"), QStringLiteral("counterfactual"), QStringLiteral("gradcam"),
            QStringLiteral("integrated_gradients") }));
    const StoredExplanation &attention = stored->front();
    const cv::Mat map = decodeMap(attention.data, attention.summary.value(QStringLiteral("map_scale")).toDouble());
    QCOMPARE(map.size(), e.imageAttention.size());
    double worst = 0.0;
    cv::minMaxLoc(cv::abs(map - e.imageAttention), nullptr, &worst);
    QVERIFY(worst <= attention.summary.value(QStringLiteral("map_scale")).toDouble() / 255.0 + 1e-7);
    QVERIFY(attention.data.startsWith("\x89PNG")); // compact, not text
    // Explaining (or predicting) again updates the same prediction and replaces its explanations.
    QVERIFY(storeExplanation(*m_study, m_run, e));
    QCOMPARE(repo.predictionId(m_run, e.caseId).value(), id.value());
    QCOMPARE(repo.load(id.value())->size(), std::size_t(4));
}

void TestExplain::mapCodecKeepsValues()
{
    cv::Mat m(4, 5, CV_32F, cv::Scalar(0));
    m.at<float>(1, 2) = 0.5f;
    m.at<float>(3, 4) = 0.25f;
    double scale = 0;
    const QByteArray png = encodeMap(m, &scale);
    QCOMPARE(scale, 0.5);
    const cv::Mat back = decodeMap(png, scale);
    QVERIFY(qAbs(back.at<float>(1, 2) - 0.5f) < 1e-6f);
    QVERIFY(qAbs(back.at<float>(3, 4) - 0.25f) < 0.5f / 255.0f + 1e-6f);
    QVERIFY(encodeMap(cv::Mat(), &scale).isEmpty());
    QVERIFY(decodeMap(QByteArray(), 1.0).empty());
}

QTEST_GUILESS_MAIN(TestExplain)
#include "tst_explain.moc"
