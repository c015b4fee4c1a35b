// SPDX-License-Identifier: GPL-3.0-or-later
// The one calibration definition (reliability bins over the predicted class's probability and the
// ECE from them) and confusion counts with their cases, against values computed by hand.
#include "metrics/ConfusionMatrix.h"
#include "metrics/Metrics.h"
#include "metrics/Reliability.h"

#include <QJsonArray>
#include <QTest>

#include <cmath>
#include <limits>
#include <vector>

using namespace lepton;

class TestReliability : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void binsByHand();
    void fromProbabilitiesUsesThePredictedClass();
    void tiesPredictTheFirstClass();
    void edges();
    void emptyAndDegenerate();
    void jsonRoundTripKeepsTheError();
    void metricsUseTheSameDefinition();
    void confusionCountsAndCells();
};

void TestReliability::binsByHand()
{
    // Ten bins of width 0.1:
    //   [0.1, 0.2): 0.15 wrong               → conf 0.15,  acc 0,   |gap| 0.15,  n 1
    //   [0.2, 0.3): 0.25 right, 0.22 wrong   → conf 0.235, acc 0.5, |gap| 0.265, n 2
    //   [0.9, 1.0]: 0.95, 0.91 right, 1 wrong → conf 2.86/3, acc 2/3, n 3, n·|gap| = 0.86
    // ECE = (0.15 + 0.53 + 0.86) / 6 = 1.54 / 6.
    const Reliability r = Reliability::fromConfidence({ 0.15, 0.25, 0.22, 0.95, 0.91, 1.0 }, { 0, 1, 0, 1, 1, 0 });
    QCOMPARE(r.bins().size(), std::size_t(10));
    QCOMPARE(r.count(), 6);
    QVERIFY(qAbs(r.ece() - 1.54 / 6.0) < 1e-12);
    const ReliabilityBin &b1 = r.bins()[1];
    QCOMPARE(b1.count, 1);
    QVERIFY(qAbs(b1.lower - 0.1) < 1e-12 && qAbs(b1.upper - 0.2) < 1e-12);
    QVERIFY(qAbs(b1.meanConfidence - 0.15) < 1e-12);
    QCOMPARE(b1.accuracy, 0.0);
    const ReliabilityBin &b2 = r.bins()[2];
    QCOMPARE(b2.count, 2);
    QVERIFY(qAbs(b2.meanConfidence - 0.235) < 1e-12);
    QCOMPARE(b2.accuracy, 0.5);
    const ReliabilityBin &b9 = r.bins()[9];
    QCOMPARE(b9.count, 3);
    QVERIFY(qAbs(b9.meanConfidence - 2.86 / 3.0) < 1e-12);
    QVERIFY(qAbs(b9.accuracy - 2.0 / 3.0) < 1e-12);
    QCOMPARE(b9.upper, 1.0);
    // Empty bins are kept (in order) and say so with NaN.
    QCOMPARE(r.bins()[0].count, 0);
    QVERIFY(std::isnan(r.bins()[0].meanConfidence));
    QVERIFY(std::isnan(r.bins()[5].accuracy));
}

void TestReliability::fromProbabilitiesUsesThePredictedClass()
{
    // Three classes, five bins of width 0.2. Predicted class and its probability per row:
    //   [0.7 0.2 0.1]  label 0 → 0 at 0.7, right    (bin 3)
    //   [0.1 .65 .25]  label 2 → 1 at 0.65, wrong   (bin 3) → conf 0.675, acc 0.5, gap 0.175
    //   [0.2 0.3 0.5]  label 2 → 2 at 0.5, right    (bin 2)
    //   [.45 .35 0.2]  label 1 → 0 at 0.45, wrong   (bin 2) → conf 0.475, acc 0.5, gap 0.025
    //   [0.3 0.3 0.4]  unlabelled: left out
    // ECE = (2·0.175 + 2·0.025) / 4 = 0.1. Binning the positive class's probability instead (the
    // old plot's way) would give another number; this is the predicted class's.
    const std::vector<double> p { 0.7, 0.2, 0.1, 0.1, 0.65, 0.25, 0.2, 0.3, 0.5, 0.45, 0.35, 0.2, 0.3, 0.3, 0.4 };
    const Reliability r = Reliability::fromProbabilities(p, { 0, 2, 2, 1, -1 }, 3, 5);
    QCOMPARE(r.count(), 4);
    QCOMPARE(r.bins().size(), std::size_t(5));
    QCOMPARE(r.bins()[3].count, 2);
    QVERIFY(qAbs(r.bins()[3].meanConfidence - 0.675) < 1e-12);
    QCOMPARE(r.bins()[3].accuracy, 0.5);
    QCOMPARE(r.bins()[2].count, 2);
    QVERIFY(qAbs(r.bins()[2].meanConfidence - 0.475) < 1e-12);
    QVERIFY(qAbs(r.ece() - 0.1) < 1e-12);
}

void TestReliability::tiesPredictTheFirstClass()
{
    // [0.4 0.4 0.2] predicts class 0 (the first of equals): right for label 0, wrong for label 1.
    const std::vector<double> p { 0.4, 0.4, 0.2, 0.4, 0.4, 0.2 };
    const Reliability r = Reliability::fromProbabilities(p, { 0, 1 }, 3);
    QCOMPARE(r.bins()[4].count, 2);
    QCOMPARE(r.bins()[4].accuracy, 0.5);
    QVERIFY(qAbs(r.ece() - 0.1) < 1e-12); // |0.5 − 0.4|
}

void TestReliability::edges()
{
    // 1 falls in the last bin, 0 in the first; values outside [0, 1] are clamped; NaN is skipped.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const Reliability r = Reliability::fromConfidence({ 1.0, 0.0, 1.5, -0.2, nan }, { 1, 0, 1, 0, 1 }, 4);
    QCOMPARE(r.count(), 4);
    QCOMPARE(r.bins()[3].count, 2);
    QCOMPARE(r.bins()[3].meanConfidence, 1.0);
    QCOMPARE(r.bins()[0].count, 2);
    QCOMPARE(r.bins()[0].meanConfidence, 0.0);
    QCOMPARE(r.ece(), 0.0); // confident and right, unconfident and wrong: calibrated
}

void TestReliability::emptyAndDegenerate()
{
    const Reliability none = Reliability::fromConfidence({}, {});
    QVERIFY(none.isEmpty());
    QCOMPARE(none.bins().size(), std::size_t(10));
    QVERIFY(std::isnan(none.ece()));
    QVERIFY(Reliability::fromConfidence({ 0.5 }, { 1 }, 0).bins().empty());
    QVERIFY(std::isnan(expectedCalibrationError({}, {})));
    QVERIFY(Reliability::fromProbabilities({ 0.5, 0.5 }, { 0 }, 0).isEmpty());
    QVERIFY(Reliability::fromJson(QJsonObject()).isEmpty());
}

void TestReliability::jsonRoundTripKeepsTheError()
{
    const Reliability r = Reliability::fromConfidence({ 0.15, 0.25, 0.22, 0.95, 0.91, 1.0 }, { 0, 1, 0, 1, 1, 0 });
    const QJsonObject json = r.toJson();
    QCOMPARE(json.value(QStringLiteral("bins")).toArray().size(), 10);
    QVERIFY(json.value(QStringLiteral("bins")).toArray().at(0).toObject().value(QStringLiteral("accuracy")).isNull());
    const Reliability back = Reliability::fromJson(json);
    QCOMPARE(back.count(), r.count());
    QCOMPARE(back.ece(), r.ece()); // exactly: the bins round-trip and the sum runs the same way
    QCOMPARE(back.bins()[9].meanConfidence, r.bins()[9].meanConfidence);
}

void TestReliability::metricsUseTheSameDefinition()
{
    // Two classes, positive class 1. The metrics' ECE, expectedCalibrationError on the predicted
    // class's probability and the stored reliability bins are one number.
    const std::vector<float> p { 0.92f, 0.08f, 0.28f, 0.72f, 0.45f, 0.55f, 0.83f, 0.17f, 0.35f, 0.65f };
    const std::vector<int> labels { 0, 1, 0, 1, 1 };
    const ClassificationMetrics m = classificationMetrics(p, labels, 2, 1);
    const std::vector<double> asDouble(p.begin(), p.end());
    const Reliability r = Reliability::fromProbabilities(asDouble, labels, 2);
    QCOMPARE(m.ece, r.ece());
    QCOMPARE(m.reliability.ece(), r.ece());
    // By hand, one case per bin: 0.92 right, 0.72 right, 0.55 wrong, 0.83 wrong, 0.65 right.
    // Gaps 0.08, 0.28, 0.55, 0.83, 0.35 → ECE = 2.09 / 5 (the floats' rounding aside).
    QVERIFY(qAbs(m.ece - 0.418) < 1e-6);
    const std::vector<double> confidence { 0.92, 0.72, 0.55, 0.83, 0.65 };
    QVERIFY(qAbs(expectedCalibrationError(confidence, { 1, 1, 0, 0, 1 }) - 0.418) < 1e-12);
    const QJsonObject json = m.toJson();
    QCOMPARE(Reliability::fromJson(json.value(QStringLiteral("reliability")).toObject()).ece(), m.ece);
    QCOMPARE(json.value(QStringLiteral("ece")).toDouble(), m.ece);
}

void TestReliability::confusionCountsAndCells()
{
    // Case 5 is unlabelled (-1) and case 6 predicted a class the run does not have: both left out.
    const ConfusionMatrix m = ConfusionMatrix::tally({ 0, 1, 1, 2, 0, -1, 1 }, { 0, 1, 0, 2, 1, 0, 3 }, 3);
    QCOMPARE(m.classCount(), 3);
    QCOMPARE(m.total(), 5);
    QCOMPARE(m.count(0, 0), 1);
    QCOMPARE(m.count(0, 1), 1);
    QCOMPARE(m.count(1, 0), 1);
    QCOMPARE(m.count(1, 1), 1);
    QCOMPARE(m.count(2, 2), 1);
    QCOMPARE(m.count(2, 0), 0);
    QCOMPARE(m.rowTotal(1), 2);
    QCOMPARE(m.cases(1, 0), (std::vector<std::size_t> { 2 }));
    QCOMPARE(m.cases(0, 1), (std::vector<std::size_t> { 4 }));
    QVERIFY(m.cases(3, 0).empty());
    QCOMPARE(m.count(-1, 0), 0);
    QCOMPARE(m.counts(), (std::vector<std::vector<int>> { { 1, 1, 0 }, { 1, 1, 0 }, { 0, 0, 1 } }));
    // The same counts as the classification metrics' matrix.
    const ClassificationMetrics metrics
        = classificationMetrics({ 0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f, 0.3f, 0.7f }, { 0, 1, 1, 0 }, 2, 1);
    const ConfusionMatrix two = ConfusionMatrix::tally({ 0, 1, 1, 0 }, { 0, 1, 0, 1 }, 2);
    QCOMPARE(two.counts(), metrics.confusion);
}

QTEST_APPLESS_MAIN(TestReliability)
#include "tst_reliability.moc"
