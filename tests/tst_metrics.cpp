// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/Metrics.h"

#include <QTest>

#include <cmath>
#include <vector>

class TestMetrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void auroc_data();
    void auroc();
    void auprc_data();
    void auprc();
    void classification();
    void singleClassAndEmpty();
    void calibration();
    void curves();
};

using Scores = std::vector<double>;
using Labels = std::vector<int>;
Q_DECLARE_METATYPE(Scores)
Q_DECLARE_METATYPE(Labels)

void TestMetrics::auroc_data()
{
    QTest::addColumn<Scores>("scores");
    QTest::addColumn<Labels>("labels");
    QTest::addColumn<double>("expected");
    QTest::newRow("perfect") << Scores { 0.1, 0.2, 0.8, 0.9 } << Labels { 0, 0, 1, 1 } << 1.0;
    QTest::newRow("inverted") << Scores { 0.9, 0.8, 0.2, 0.1 } << Labels { 0, 0, 1, 1 } << 0.0;
    QTest::newRow("all tied") << Scores { 0.5, 0.5, 0.5, 0.5 } << Labels { 0, 1, 0, 1 } << 0.5;
    // Pairs (pos, neg): (0.8 vs 0.1, 0.4)=2 wins; (0.4 vs 0.1)=1 win, (0.4 vs 0.4)=tie 0.5 → 3.5 / 4.
    QTest::newRow("one tie") << Scores { 0.1, 0.4, 0.4, 0.8 } << Labels { 0, 0, 1, 1 } << 0.875;
    QTest::newRow("hand computed") << Scores { 0.1, 0.35, 0.4, 0.8 } << Labels { 0, 1, 0, 1 } << 0.75;
}

void TestMetrics::auroc()
{
    QFETCH(Scores, scores);
    QFETCH(Labels, labels);
    QFETCH(double, expected);
    QCOMPARE(lepton::auroc(scores, labels), expected);
}

void TestMetrics::auprc_data()
{
    QTest::addColumn<Scores>("scores");
    QTest::addColumn<Labels>("labels");
    QTest::addColumn<double>("expected");
    QTest::newRow("perfect") << Scores { 0.1, 0.2, 0.8, 0.9 } << Labels { 0, 0, 1, 1 } << 1.0;
    // Ranked: 0.9 (+) P=1 R=.5; 0.8 (-); 0.4 (+) P=2/3 R=1 → AP = .5*1 + .5*2/3.
    QTest::newRow("hand computed") << Scores { 0.9, 0.8, 0.4, 0.1 } << Labels { 1, 0, 1, 0 } << 0.5 + 0.5 * 2.0 / 3.0;
    // A tie of one positive and one negative at the top forms one step: P=.5 at R=1.
    QTest::newRow("tie") << Scores { 0.7, 0.7, 0.1 } << Labels { 1, 0, 0 } << 0.5;
}

void TestMetrics::auprc()
{
    QFETCH(Scores, scores);
    QFETCH(Labels, labels);
    QFETCH(double, expected);
    QVERIFY(qAbs(lepton::auprc(scores, labels) - expected) < 1e-12);
}

void TestMetrics::classification()
{
    // Four cases, classes {neg, pos}, positive = 1.
    //   true pos p=.9 → TP; true pos p=.4 → FN; true neg p=.6 → FP; true neg p=.2 → TN.
    const std::vector<float> probs { 0.1f, 0.9f, 0.6f, 0.4f, 0.4f, 0.6f, 0.8f, 0.2f };
    const Labels labels { 1, 1, 0, 0 };
    const auto m = lepton::classificationMetrics(probs, labels, 2, 1);
    QCOMPARE(m.n, 4);
    QCOMPARE(m.accuracy, 0.5);
    QCOMPARE(m.sensitivity, 0.5);
    QCOMPARE(m.specificity, 0.5);
    QCOMPARE(m.precision, 0.5);
    QCOMPARE(m.f1, 0.5);
    QCOMPARE(m.auroc, 0.75); // (0.9 beats both negatives, 0.4 beats 0.2) = 3/4
    QCOMPARE(m.confusion, (std::vector<std::vector<int>> { { 1, 1 }, { 1, 1 } }));
}

void TestMetrics::singleClassAndEmpty()
{
    const auto one = lepton::classificationMetrics({ 0.2f, 0.8f, 0.3f, 0.7f }, { 1, 1 }, 2, 1);
    QCOMPARE(one.accuracy, 1.0);
    QVERIFY(std::isnan(one.auroc));
    QVERIFY(std::isnan(one.specificity));
    QCOMPARE(one.sensitivity, 1.0);
    QVERIFY(one.toJson().value(QStringLiteral("auroc")).isNull());
    const auto none = lepton::classificationMetrics({}, {}, 2, 1);
    QCOMPARE(none.n, 0);
    QVERIFY(std::isnan(none.accuracy));
    QVERIFY(std::isnan(lepton::auroc({}, {})));
    QVERIFY(std::isnan(lepton::auprc({ 0.3 }, { 0 })));
}

void TestMetrics::calibration()
{
    // All at confidence .8 with 3 of 4 right: one bin, |.75 - .8| = .05.
    QVERIFY(qAbs(lepton::expectedCalibrationError({ 0.8, 0.8, 0.8, 0.8 }, { 1, 1, 1, 0 }) - 0.05) < 1e-12);
    // Two bins, each perfectly calibrated.
    QVERIFY(qAbs(lepton::expectedCalibrationError({ 0.5, 0.5, 1.0, 1.0 }, { 1, 0, 1, 1 })) < 1e-12);
}

void TestMetrics::curves()
{
    const auto roc = lepton::rocCurve({ 0.9, 0.8, 0.4, 0.1 }, { 1, 0, 1, 0 });
    QCOMPARE(static_cast<int>(roc.size()), 5);
    QCOMPARE(roc.front().x, 0.0);
    QCOMPARE(roc.back().x, 1.0);
    QCOMPARE(roc.back().y, 1.0);
    QCOMPARE(roc[1].y, 0.5);
    const auto pr = lepton::prCurve({ 0.9, 0.8, 0.4, 0.1 }, { 1, 0, 1, 0 });
    QCOMPARE(pr.front().y, 1.0);
    QCOMPARE(pr.back().x, 1.0);
    QVERIFY(lepton::rocCurve({ 0.1 }, { 1 }).empty());
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
