// SPDX-License-Identifier: GPL-3.0-or-later
#include "TinyStudy.h"

#include "dataset/MultimodalDataset.h"
#include "decision/DecisionText.h"
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
#include <map>

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
    void counterfactualsArePlausibleAndDiverse();
    void categoricalFieldsAreAttributedByOcclusion();
    void modalityAblationMasksEachModality();
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
            QVERIFY2(cf.text.startsWith(QStringLiteral("none: no change")), qPrintable(cf.text));
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
    QVERIFY2(e.counterfactual.text.startsWith(QStringLiteral("none: the template marks no field actionable")),
        qPrintable(e.counterfactual.text));
    QVERIFY(e.counterfactual.text.contains(QStringLiteral("Template editor")));
    QCOMPARE(e.counterfactual.evaluated, 0);
}

void TestExplain::counterfactualsArePlausibleAndDiverse()
{
    // Both fields actionable, x without a template range: only the training data bounds it.
    const QString path = m_dir.filePath(QStringLiteral("both.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "both", "decision_rule": "threshold", "threshold": 0.5,
        "grades": [{"name": "low", "below": 0.5}, {"name": "high", "below": 1}],
        "actionable_fields": ["x", "kind"]})");
    f.close();
    // The record-only model: the full model is sure of the tiny cases from their image and
    // history, so no record change inside the training data moves it.
    const Explainer x = explainer(path, true);
    const FeatureSpec &spec = m_data->spec();
    const int xField = spec.recordFields[0].name == QLatin1String("x") ? 0 : 1;
    const FieldEncoding &fx = spec.recordFields[static_cast<std::size_t>(xField)];
    // The training values of x per class, computed here from the cases, not from the explainer.
    std::map<int, std::vector<double>> perClass;
    double lo = 1e9, hi = -1e9;
    for (int i : m_data->indicesOf(QStringLiteral("train"))) {
        const double v = m_data->at(i).recordValues[static_cast<std::size_t>(xField)];
        perClass[m_data->at(i).label].push_back(v);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    int found = 0;
    for (int i = 0; i < 24; ++i) {
        const CaseExplanation e = x.explain(i);
        const Counterfactual &cf = e.counterfactual;
        if (!cf.found) {
            qInfo("case %d (%s, %s): %s", i, qPrintable(cf.decisionBefore),
                qPrintable(probabilityText(QStringLiteral("yes"), cf.probabilityBefore)), qPrintable(cf.text));
            continue;
        }
        ++found;
        QVERIFY(cf.alternatives.size() <= 2);
        QSet<QString> fields;
        std::vector<std::pair<double, std::vector<CounterfactualChange>>> all { { cf.distance, cf.changes } };
        for (const CounterfactualAlternative &a : cf.alternatives)
            all.push_back({ a.distance, a.changes });
        for (std::size_t k = 0; k < all.size(); ++k) {
            if (k > 0)
                QVERIFY2(all[k].first >= all[k - 1].first - 1e-9, "alternatives come by distance");
            for (const CounterfactualChange &ch : all[k].second) {
                QVERIFY2(!fields.contains(ch.field), qPrintable(QStringLiteral("%1 changed twice").arg(ch.field)));
                fields.insert(ch.field);
                if (ch.field != QLatin1String("x"))
                    continue;
                // Inside the training range, and inside the 5th–95th percentile of the training
                // cases of the class the decision changes to (checked with a sorted copy).
                const double z = fx.standardise(ch.to.toDouble());
                QVERIFY2(z >= lo - 0.02 && z <= hi + 0.02, qPrintable(cf.text));
                const int target = cf.decisionBefore == m_model->spec.classes.value(0) ? 1 : 0;
                std::vector<double> v = perClass[target];
                std::sort(v.begin(), v.end());
                const double p5 = v[static_cast<std::size_t>(std::floor(0.05 * (v.size() - 1)))];
                const double p95 = v[static_cast<std::size_t>(std::ceil(0.95 * (v.size() - 1)))];
                QVERIFY2(z >= p5 - 0.02 && z <= p95 + 0.02,
                    qPrintable(QStringLiteral("%1: x %2 outside [%3, %4] of class %5")
                                   .arg(cf.text)
                                   .arg(z)
                                   .arg(p5)
                                   .arg(p95)
                                   .arg(target)));
            }
        }
    }
    QVERIFY2(found > 0, "some decisions of the tiny model should change within the training data");
}

void TestExplain::categoricalFieldsAreAttributedByOcclusion()
{
    const Explainer x = explainer();
    const FeatureSpec &spec = m_data->spec();
    int kindField = -1;
    for (std::size_t f = 0; f < spec.recordFields.size(); ++f)
        if (spec.recordFields[f].type == FieldType::Categorical)
            kindField = static_cast<int>(f);
    QVERIFY(kindField >= 0);
    // The training mode of kind, counted here.
    std::map<std::int64_t, int> counts;
    for (int i : m_data->indicesOf(QStringLiteral("train")))
        ++counts[m_data->at(i).recordCategory[static_cast<std::size_t>(kindField)]];
    std::int64_t mode = 0;
    for (const auto &[k, n] : counts)
        if (k > 0 && (mode == 0 || n > counts[mode]))
            mode = k;
    int nonzero = 0;
    for (int i : { 0, 1, 2, 3, 4, 5 }) {
        const CaseExplanation e = x.explain(i);
        const FieldAttribution &a = e.integratedGradients.at(static_cast<std::size_t>(kindField));
        QCOMPARE(a.method, QStringLiteral("occlusion"));
        Batch b = m_data->collate({ i });
        b.recordCategory[0][kindField] = mode;
        const double expected = e.igOutput - x.positiveProbabilities(b).front();
        QVERIFY2(qAbs(a.value - expected) < 1e-5, qPrintable(QStringLiteral("%1 vs %2").arg(a.value).arg(expected)));
        if (m_data->at(i).recordCategory[static_cast<std::size_t>(kindField)] == mode)
            QCOMPARE(a.value, 0.0);
        else
            nonzero += a.value != 0.0 ? 1 : 0;
    }
    QVERIFY2(nonzero > 0, "cases not at the mode get a category attribution");
    QVERIFY(CaseExplanation::attributionBaseline().contains(QStringLiteral("average training case")));
}

void TestExplain::modalityAblationMasksEachModality()
{
    const Explainer x = explainer();
    const CaseExplanation e = x.explain(3);
    const int positive = std::max(0, x.setup().bound.positiveIndex());
    for (int m = 0; m < 3; ++m) {
        QVERIFY2(std::isfinite(e.modalityAblation[static_cast<std::size_t>(m)]), "every modality is present");
        Batch b = m_data->collate({ 3 });
        (m == 0 ? b.imagePresent : m == 1 ? b.recordPresent : b.historyPresent)[0] = false;
        torch::NoGradGuard noGrad;
        const torch::Tensor p = torch::softmax(m_model->model->forward(b).logits, 1).contiguous();
        const PredictionRow row = x.setup().predict(0, p.data_ptr<float>(), static_cast<int>(p.size(1)));
        const double expected = e.positiveProbability - row.calibrated.at(static_cast<std::size_t>(positive));
        QVERIFY2(qAbs(e.modalityAblation[static_cast<std::size_t>(m)] - expected) < 1e-5,
            qPrintable(QStringLiteral("modality %1: %2 vs %3").arg(m).arg(e.modalityAblation[m]).arg(expected)));
    }
    // A record-only model has no image or history to mask.
    const CaseExplanation r = explainer(QString(), true).explain(3);
    QVERIFY(!std::isfinite(r.modalityAblation[0]));
    QVERIFY(std::isfinite(r.modalityAblation[1]));
    QVERIFY(!std::isfinite(r.modalityAblation[2]));
    QVERIFY(r.toJson().value(QStringLiteral("modality_ablation")).toObject().value(QStringLiteral("image")).isNull());
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
