// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/Metrics.h"

#include <QTest>

#include <cmath>

class TestMetrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void auroc_data();
    void auroc();
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
    QTest::newRow("perfect") << Scores{0.1, 0.2, 0.8, 0.9} << Labels{0, 0, 1, 1} << 1.0;
    QTest::newRow("inverted") << Scores{0.9, 0.8, 0.2, 0.1} << Labels{0, 0, 1, 1} << 0.0;
    QTest::newRow("all tied") << Scores{0.5, 0.5, 0.5, 0.5} << Labels{0, 1, 0, 1} << 0.5;
    // Pairs (pos, neg): (0.8 vs 0.1, 0.4)=2 wins; (0.4 vs 0.1)=1 win, (0.4 vs 0.4)=tie 0.5 → 3.5 / 4.
    QTest::newRow("one tie") << Scores{0.1, 0.4, 0.4, 0.8} << Labels{0, 0, 1, 1} << 0.875;
    QTest::newRow("hand computed") << Scores{0.1, 0.35, 0.4, 0.8} << Labels{0, 1, 0, 1} << 0.75;
}

void TestMetrics::auroc()
{
    QFETCH(Scores, scores);
    QFETCH(Labels, labels);
    QFETCH(double, expected);
    QCOMPARE(lepton::auroc(scores, labels), expected);
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
