// SPDX-License-Identifier: GPL-3.0-or-later
// Cross-validation: the deal of cases into folds (groups whole, stratified, seeded, test never
// dealt), the aggregate's arithmetic against hand-computed answers, and `lepton train --folds`
// as a user runs it: K runs, out-of-fold predictions covering every train and val case once, the
// aggregate printed and stored.
#include "dataset/Folds.h"
#include "metrics/CrossValidation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lepton;

class TestCrossValidation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aggregateKnownAnswer();
    void foldsKeepGroupsAndStrata();
    void foldsAreSeeded();
    void trainFoldsFromTheCommandLine();
};

void TestCrossValidation::aggregateKnownAnswer()
{
    const std::vector<QJsonObject> runs = { { { QStringLiteral("auroc"), 0.8 }, { QStringLiteral("ece"), 0.1 } },
        { { QStringLiteral("auroc"), 0.9 }, { QStringLiteral("ece"), QJsonValue() } },
        { { QStringLiteral("auroc"), 1.0 }, { QStringLiteral("ece"), std::nan("") } } };
    const QJsonObject a = aggregateMetrics(runs);
    const QJsonObject auroc = a.value(QStringLiteral("auroc")).toObject();
    QCOMPARE(auroc.value(QStringLiteral("n")).toInt(), 3);
    QVERIFY(std::abs(auroc.value(QStringLiteral("mean")).toDouble() - 0.9) < 1e-12);
    QVERIFY(std::abs(auroc.value(QStringLiteral("sd")).toDouble() - 0.1) < 1e-12);
    const double half = 4.303 * 0.1 / std::sqrt(3.0); // t(0.975, 2) = 4.303
    QVERIFY(std::abs(auroc.value(QStringLiteral("lo")).toDouble() - (0.9 - half)) < 1e-9);
    QCOMPARE(auroc.value(QStringLiteral("hi")).toDouble(), 1.0); // 0.9 + 0.248, clipped: a proportion
    // Values outside [0, 1] are not clipped.
    const QJsonObject loss
        = aggregateMetrics({ { { QStringLiteral("loss"), 2.0 } }, { { QStringLiteral("loss"), 4.0 } } })
              .value(QStringLiteral("loss"))
              .toObject();
    const double lossHalf = 12.706 * std::sqrt(2.0) / std::sqrt(2.0);
    QVERIFY(std::abs(loss.value(QStringLiteral("lo")).toDouble() - (3.0 - lossHalf)) < 1e-9);
    // One finite value: a mean, no spread.
    const QJsonObject ece = a.value(QStringLiteral("ece")).toObject();
    QCOMPARE(ece.value(QStringLiteral("n")).toInt(), 1);
    QCOMPARE(ece.value(QStringLiteral("mean")).toDouble(), 0.1);
    QVERIFY(!ece.contains(QStringLiteral("sd")));
    QCOMPARE(ece.value(QStringLiteral("values")).toArray().size(), 3);
    QCOMPARE(studentT975(1), 12.706);
    QCOMPARE(studentT975(4), 2.776);
    QCOMPARE(studentT975(100), 1.96);
}

void TestCrossValidation::foldsKeepGroupsAndStrata()
{
    // 60 patients: 20 with three cases, 40 with one; labels 0/1; 10 test cases never dealt.
    std::vector<FoldCase> cases;
    for (int p = 0; p < 20; ++p)
        for (int v = 0; v < 3; ++v)
            cases.push_back(
                { QStringLiteral("g%1-%2").arg(p).arg(v), QStringLiteral("P%1").arg(p), p % 3 == 0 ? 1 : 0, true });
    for (int i = 0; i < 40; ++i)
        cases.push_back({ QStringLiteral("s%1").arg(i), QString(), i % 4 == 0 ? 1 : 0, true });
    for (int i = 0; i < 10; ++i)
        cases.push_back({ QStringLiteral("t%1").arg(i), QString(), i % 2, false });
    const int k = 5;
    const std::vector<int> folds = assignFolds(cases, k, 7);
    QCOMPARE(folds.size(), cases.size());
    QMap<QString, QSet<int>> foldsOfGroup;
    std::vector<std::vector<int>> perLabel(2, std::vector<int>(k, 0));
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (!cases[i].eligible) {
            QCOMPARE(folds[i], -1);
            continue;
        }
        QVERIFY(folds[i] >= 0 && folds[i] < k);
        if (!cases[i].group.isEmpty())
            foldsOfGroup[cases[i].group].insert(folds[i]);
        ++perLabel[std::size_t(cases[i].label)][std::size_t(folds[i])];
    }
    for (auto it = foldsOfGroup.cbegin(); it != foldsOfGroup.cend(); ++it)
        QVERIFY2(it.value().size() == 1, qPrintable(it.key()));
    // Each label spread over the folds to within one group (3 cases).
    for (const auto &counts : perLabel) {
        const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
        QVERIFY2(*hi - *lo <= 3, qPrintable(QStringLiteral("%1 … %2").arg(*lo).arg(*hi)));
        QVERIFY(*lo > 0);
    }
}

void TestCrossValidation::foldsAreSeeded()
{
    std::vector<FoldCase> cases;
    for (int i = 0; i < 50; ++i)
        cases.push_back({ QStringLiteral("c%1").arg(i), QString(), i % 2, true });
    QCOMPARE(assignFolds(cases, 5, 3), assignFolds(cases, 5, 3));
    QVERIFY(assignFolds(cases, 5, 3) != assignFolds(cases, 5, 4));
    // The order of the rows does not change a case's fold.
    std::vector<FoldCase> reversed(cases.rbegin(), cases.rend());
    const std::vector<int> a = assignFolds(cases, 5, 3), b = assignFolds(reversed, 5, 3);
    for (std::size_t i = 0; i < cases.size(); ++i)
        QCOMPARE(a[i], b[cases.size() - 1 - i]);
}

void TestCrossValidation::trainFoldsFromTheCommandLine()
{
    QTemporaryDir dir;
    auto cli = [](const QStringList &args, QString *out) {
        QProcess p;
        p.start(QStringLiteral(LEPTON_CLI), args);
        p.waitForFinished(600000);
        *out = QString::fromUtf8(p.readAllStandardOutput());
        if (p.exitCode() != 0)
            qWarning("%s", p.readAllStandardError().constData());
        return p.exitCode();
    };
    QString out;
    const QString data = dir.filePath(QStringLiteral("d")), study = dir.filePath(QStringLiteral("s.lepton"));
    QCOMPARE(cli({ QStringLiteral("demo-data"), QStringLiteral("--cases"), QStringLiteral("120"),
                     QStringLiteral("--out"), data, QStringLiteral("--format"), QStringLiteral("dicom") },
                 &out),
        0);
    QCOMPARE(
        cli({ QStringLiteral("import"), study, QStringLiteral("--manifest"), data + QStringLiteral("/manifest.csv"),
                QStringLiteral("--group-col"), QStringLiteral("PatientID") },
            &out),
        0);
    QCOMPARE(cli({ QStringLiteral("train"), study, QStringLiteral("--folds"), QStringLiteral("3"),
                     QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--image-size"),
                     QStringLiteral("64"), QStringLiteral("--quiet"), QStringLiteral("--json") },
                 &out),
        0);
    const QJsonObject a = QJsonDocument::fromJson(out.toUtf8()).object();
    QCOMPARE(a.value(QStringLiteral("folds")).toInt(), 3);
    const QJsonArray runs = a.value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 3);
    const QJsonObject auroc = a.value(QStringLiteral("test")).toObject().value(QStringLiteral("auroc")).toObject();
    QCOMPARE(auroc.value(QStringLiteral("n")).toInt(), 3);
    QVERIFY(auroc.value(QStringLiteral("lo")).toDouble() <= auroc.value(QStringLiteral("mean")).toDouble());
    QVERIFY(auroc.value(QStringLiteral("mean")).toDouble() <= auroc.value(QStringLiteral("hi")).toDouble());
    // Out of fold: every labelled train and val case predicted exactly once, by a run of the group.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("cv"));
        db.setDatabaseName(study);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*), count(DISTINCT case_id) FROM predictions")) && q.next());
        const int predictions = q.value(0).toInt(), distinct = q.value(1).toInt();
        QVERIFY(
            q.exec(QStringLiteral("SELECT count(*) FROM cases WHERE split IN ('train', 'val') AND label IS NOT NULL"))
            && q.next());
        QCOMPARE(predictions, q.value(0).toInt());
        QCOMPARE(distinct, predictions);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM artifacts WHERE kind = 'cv_aggregate'")) && q.next());
        QCOMPARE(q.value(0).toInt(), 3);
        // A patient's visits are in one fold: predicted by one run.
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM (SELECT c.group_key FROM predictions p JOIN cases c ON "
                                      "c.id = p.case_id WHERE c.group_key != '' GROUP BY c.group_key HAVING "
                                      "count(DISTINCT p.run_id) > 1)"))
            && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("cv"));
}

QTEST_GUILESS_MAIN(TestCrossValidation)
#include "tst_crossvalidation.moc"
