// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the `lepton` command line as a user would: demo-data, then import, then info.
#include "CliRun.h"
#include "LegacyCheckpoint.h"
#include "RawSql.h"
#include "Unprivileged.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/types.h>
#include <unistd.h>

namespace {
using clitest::lepton;
using clitest::Run;
} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void usage_data();
    void usage();
    void demoDataThenImport();
    void importReportsProblemsAndExcludes();
    void fatalImportWritesNothing();
    void refusesFileThatIsNotAStudy();
    void demoRunsWholePath();
    void trainEvaluatePredictExport();
    void trainRefusesBadInput_data();
    void trainRefusesBadInput();
    void interruptCancelsTraining();
    void auditVerifyAndList();
    void importDeidentified();
    void exportsAreAudited();
    void exportWithoutAuditEntryWritesNothing();
    void legacyCheckpointsAreRefusedUntilConverted();

private:
    QTemporaryDir m_dir;
    QString m_data;
};

void TestCli::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(LEPTON_CLI)));
    m_data = m_dir.filePath(QStringLiteral("demo"));
    const Run r = lepton({ QStringLiteral("demo-data"), QStringLiteral("--cases"), QStringLiteral("80"),
        QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--out"), m_data });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QStringLiteral("Wrote 80 medical cases")));
    QVERIFY(QFile::exists(m_data + QStringLiteral("/manifest.csv")));
    QVERIFY(QFile::exists(m_data + QStringLiteral("/events.csv")));
    QVERIFY(QFile::exists(m_data + QStringLiteral("/ground_truth.json")));
}

void TestCli::usage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("needle");
    QTest::newRow("help") << QStringList { QStringLiteral("--help") } << 0 << "Commands:";
    QTest::newRow("version") << QStringList { QStringLiteral("--version") } << 0 << "LibTorch";
    QTest::newRow("no command") << QStringList() << 2 << "Usage";
    QTest::newRow("unknown command") << QStringList { QStringLiteral("frobnicate") } << 2 << "unknown command";
    QTest::newRow("import help") << QStringList { QStringLiteral("import"), QStringLiteral("--help") } << 0
                                 << "--manifest";
    QTest::newRow("import without study") << QStringList { QStringLiteral("import") } << 2 << "missing arguments";
    QTest::newRow("import without manifest")
        << QStringList { QStringLiteral("import"), QStringLiteral("x.lepton") } << 2 << "--manifest";
    QTest::newRow("bad field type") << QStringList { QStringLiteral("import"), QStringLiteral("x.lepton"),
        QStringLiteral("--manifest"), QStringLiteral("m.csv"), QStringLiteral("--field-type"),
        QStringLiteral("age=string") }
                                    << 2 << "--field-type";
    QTest::newRow("unknown option") << QStringList { QStringLiteral("demo-data"), QStringLiteral("--colour") } << 2
                                    << "colour";
    QTest::newRow("bad domain") << QStringList { QStringLiteral("demo-data"), QStringLiteral("--domain"),
        QStringLiteral("weather") }
                                << 2 << "medical or finance";
    QTest::newRow("bad cases") << QStringList { QStringLiteral("demo-data"), QStringLiteral("--cases"),
        QStringLiteral("many") }
                               << 2 << "--cases";
}

void TestCli::usage()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, needle);
    const Run r = lepton(args);
    QCOMPARE(r.code, code);
    const QString all = r.out + r.err;
    QVERIFY2(all.contains(needle), qPrintable(all));
}

void TestCli::demoDataThenImport()
{
    const QString study = m_dir.filePath(QStringLiteral("a.lepton"));
    Run r = lepton(
        { QStringLiteral("import"), study, QStringLiteral("--manifest"), m_data + QStringLiteral("/manifest.csv"),
            QStringLiteral("--events"), m_data + QStringLiteral("/events.csv"), QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(report.value(QStringLiteral("cases_imported")).toInt(), 80);
    QCOMPARE(report.value(QStringLiteral("rows_read")).toInt(), 80);
    QVERIFY(report.value(QStringLiteral("events_imported")).toInt() > 80);
    QVERIFY(report.value(QStringLiteral("images_decoded")).toInt() > 60);
    QCOMPARE(report.value(QStringLiteral("problems")).toArray().size(), 0);
    QVERIFY(r.err.contains(QStringLiteral("Decoding images"))); // progress on stderr

    r = lepton({ QStringLiteral("info"), study, QStringLiteral("--json") });
    QCOMPARE(r.code, 0);
    const QJsonArray datasets
        = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("datasets")).toArray();
    QCOMPARE(datasets.size(), 1);
    const QJsonObject splits = datasets[0].toObject().value(QStringLiteral("splits")).toObject();
    QCOMPARE(splits.value(QStringLiteral("train")).toInt() + splits.value(QStringLiteral("val")).toInt()
            + splits.value(QStringLiteral("test")).toInt(),
        80);
}

void TestCli::importReportsProblemsAndExcludes()
{
    // A copy of the demo manifest with a duplicate id and a missing image.
    QFile in(m_data + QStringLiteral("/manifest.csv"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = in.readAll().split('\n');
    lines.removeAll(QByteArray());
    int k = 2;
    while (!lines[k].contains("images/"))
        ++k;
    lines[k].replace("images/", "images/missing-");
    const QByteArray text = lines.join('\n') + '\n' + lines[1] + '\n';
    const QString manifest = m_data + QStringLiteral("/broken.csv");
    QFile out(manifest);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(text);
    out.close();
    const QString study = m_dir.filePath(QStringLiteral("b.lepton"));
    const Run r = lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"), manifest });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.out.contains(QStringLiteral("Imported 79 of 81 cases (2 excluded)")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("broken.csv:82 [case_id]")), qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("duplicate case id, first seen on line 2")));
    QVERIFY(r.out.contains(QStringLiteral("broken.csv:%1 [image]").arg(k + 1)));
    QVERIFY(r.out.contains(QStringLiteral("not found")));
}

void TestCli::fatalImportWritesNothing()
{
    const QString manifest = m_dir.filePath(QStringLiteral("noid.csv"));
    QFile f(manifest);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("patient,label\n1,a\n");
    f.close();
    const QString study = m_dir.filePath(QStringLiteral("never.lepton"));
    Run r = lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"), manifest });
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains(QStringLiteral("no id column 'case_id'")));
    QVERIFY(r.err.contains(QStringLiteral("nothing was written")));
    QVERIFY(!QFile::exists(study));
    r = lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
        m_dir.filePath(QStringLiteral("absent.csv")) });
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains(QStringLiteral("absent.csv: file not found")));
    QVERIFY(!QFile::exists(study));
}

void TestCli::refusesFileThatIsNotAStudy()
{
    const Run r = lepton({ QStringLiteral("import"), m_data + QStringLiteral("/manifest.csv"),
        QStringLiteral("--manifest"), m_data + QStringLiteral("/manifest.csv") });
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("not a Lepton study")), qPrintable(r.err));
}

void TestCli::demoRunsWholePath()
{
    const QString dir = m_dir.filePath(QStringLiteral("whole"));
    const Run r = lepton({ QStringLiteral("demo"), QStringLiteral("--cases"), QStringLiteral("40"),
        QStringLiteral("--epochs"), QStringLiteral("2"), QStringLiteral("--dir"), dir });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY(QFile::exists(dir + QStringLiteral("/demo-medical.lepton")));
    QVERIFY(r.out.contains(QStringLiteral("demo-medical")));
    QVERIFY(r.out.contains(QStringLiteral("demo attention")));
    QVERIFY(r.out.contains(QStringLiteral("completed")));
    QVERIFY(r.out.contains(QStringLiteral("Stored 6 predictions")));
}

void TestCli::trainEvaluatePredictExport()
{
    const QString study = m_dir.filePath(QStringLiteral("t.lepton"));
    Run r = lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
        m_data + QStringLiteral("/manifest.csv"), QStringLiteral("--events"), m_data + QStringLiteral("/events.csv") });
    QCOMPARE(r.code, 0);
    const QString config = m_dir.filePath(QStringLiteral("small.json"));
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"epochs": 2, "batch_size": 16, "model": {"width": 4, "depth": 2, "embed_dim": 8, "hidden": 8}})");
    f.close();
    r = lepton({ QStringLiteral("train"), study, QStringLiteral("--config"), config, QStringLiteral("--image-size"),
        QStringLiteral("32"), QStringLiteral("--template"), QStringLiteral("medical"), QStringLiteral("--json") });
    QVERIFY2(!r.err.contains(QStringLiteral("not defined")), qPrintable(r.err));
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const QJsonObject outcome = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(outcome.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    QCOMPARE(outcome.value(QStringLiteral("epochs_run")).toInt(), 2);
    QVERIFY(r.err.contains(QStringLiteral("epoch 2/2")));
    const QString run = QString::number(outcome.value(QStringLiteral("run_id")).toInt());

    r = lepton({ QStringLiteral("runs"), study });
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains(QStringLiteral("completed")));
    r = lepton({ QStringLiteral("evaluate"), study, QStringLiteral("--run"), run, QStringLiteral("--split"),
        QStringLiteral("val"), QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("n")).toInt(), 12);
    r = lepton({ QStringLiteral("predict"), study, QStringLiteral("--run"), run });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QStringLiteral("Stored 80 predictions")));
    QVERIFY2(r.out.contains(QStringLiteral("Decisions (template medical")), qPrintable(r.out));
    // Decisions under the run's template (auto: the medical one for these classes), or another.
    r = lepton({ QStringLiteral("predict"), study, QStringLiteral("--run"), run, QStringLiteral("--split"),
        QStringLiteral("test"), QStringLiteral("--template"), QStringLiteral("generic"), QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject decided = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(decided.value(QStringLiteral("template")).toString(), QStringLiteral("generic"));
    int total = 0;
    for (const QJsonValue v : decided.value(QStringLiteral("decisions")).toObject())
        total += v.toInt();
    QCOMPARE(total, 12);
    QVERIFY(decided.value(QStringLiteral("temperature")).toDouble() > 0.0);
    r = lepton({ QStringLiteral("predict"), study, QStringLiteral("--run"), run, QStringLiteral("--template"),
        QStringLiteral("finance") });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QStringLiteral("template finance: the data has class")), qPrintable(r.err));
    // Explanations: one case (printed and stored), a split, the faithfulness report, bad input.
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--case"),
        QStringLiteral("P00002") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("Case P00002:")) && r.out.contains(QStringLiteral("counterfactual:"))
            && r.out.contains(QStringLiteral("compared with an average training case")),
        qPrintable(r.out));
    // The decision is the answer: the probability names its class, the rule is in words, and
    // every modality's contribution by masking is printed.
    QVERIFY2(r.out.contains(QStringLiteral("Case P00002: decision ")) && r.out.contains(QStringLiteral("· p("))
            && r.out.contains(QStringLiteral("  rule: ")) && r.out.contains(QStringLiteral(" when p("))
            && r.out.contains(QStringLiteral("modality contribution (p(")),
        qPrintable(r.out));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--all"),
        QStringLiteral("--split"), QStringLiteral("val"), QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("explained")).toInt(), 12);
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--report"),
        QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(report.value(QStringLiteral("cases")).toInt(), 12);
    const QJsonObject selfChecks = report.value(QStringLiteral("self_checks")).toObject();
    QCOMPARE(selfChecks.value(QStringLiteral("counterfactuals_verified")).toInt(),
        report.value(QStringLiteral("counterfactuals_found")).toInt());
    QVERIFY(report.contains(QStringLiteral("pointing_game_gradcam")));
    // Every measure beside its chance level; recall@k and precision@k both.
    for (const char *key : { "pointing_game_chance_gradcam", "precision_at_k_ig", "recall_at_k_ig",
             "precision_at_k_chance", "recall_at_k_chance", "image_deletion_random", "field_deletion_random" })
        QVERIFY2(report.contains(QLatin1String(key)), key);
    QVERIFY(!report.contains(QStringLiteral("counterfactuals_verified")));
    // The study's cases have images: the image deletion ran on each case that has one.
    QVERIFY(report.value(QStringLiteral("image_deletion_cases")).toInt() > 0);
    QVERIFY(report.value(QStringLiteral("image_deletion_random")).isDouble());
    QCOMPARE(report.value(QStringLiteral("field_deletion_cases")).toInt(), 12);
    // Stability needs --report and another run of the same data.
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--case"),
        QStringLiteral("P00002"), QStringLiteral("--stability-run"), QStringLiteral("987") });
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("goes with --report")), qPrintable(r.err));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--report"),
        QStringLiteral("--stability-run"), run });
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("a run other than --run")), qPrintable(r.err));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--report"),
        QStringLiteral("--stability-run"), QStringLiteral("987") });
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("--stability-run:")), qPrintable(r.err));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--case"),
        QStringLiteral("nobody") });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QStringLiteral("no case 'nobody'")), qPrintable(r.err));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--all"),
        QStringLiteral("--dataset"), QStringLiteral("7") });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QStringLiteral("7")), qPrintable(r.err));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--report"),
        QStringLiteral("--ground-truth"), m_dir.filePath(QStringLiteral("absent.json")) });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QStringLiteral("absent.json: cannot be read")), qPrintable(r.err));
    const QString exported = m_dir.filePath(QStringLiteral("best.ckpt"));
    r = lepton(
        { QStringLiteral("export"), study, QStringLiteral("--run"), run, QStringLiteral("--checkpoint"), exported });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QFileInfo(exported).size() > 1000);
    const QString script = m_dir.filePath(QStringLiteral("model.pt"));
    r = lepton(
        { QStringLiteral("export"), study, QStringLiteral("--run"), run, QStringLiteral("--torchscript"), script });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("as TorchScript")), qPrintable(r.out));
    QVERIFY(QFileInfo(script).size() > 1000);
    r = lepton({ QStringLiteral("export"), study, QStringLiteral("--run"), run });
    QCOMPARE(r.code, 2);
    // A second run starts its image encoder from the exported one.
    QFile g(config);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(QStringLiteral(
        R"({"epochs": 1, "batch_size": 16, "image_encoder_from": "%1", "freeze_image_epochs": 1, "model": {"width": 4, "depth": 2, "embed_dim": 8, "hidden": 8}})")
                .arg(exported)
                .toUtf8());
    g.close();
    r = lepton({ QStringLiteral("train"), study, QStringLiteral("--config"), config, QStringLiteral("--image-size"),
        QStringLiteral("32") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.err.contains(QStringLiteral("Image encoder weights loaded")));
}

void TestCli::trainRefusesBadInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("needle");
    QTest::newRow("bad fusion") << QStringList { QStringLiteral("--fusion"), QStringLiteral("late") } << QByteArray()
                                << 2 << "--fusion";
    QTest::newRow("bad epochs") << QStringList { QStringLiteral("--epochs"), QStringLiteral("0") } << QByteArray() << 2
                                << "epochs";
    QTest::newRow("unknown config key") << QStringList() << QByteArray(R"({"epoch": 3})") << 3
                                        << "epoch: unknown setting";
    QTest::newRow("config not JSON") << QStringList() << QByteArray("epochs = 3") << 3 << "not a JSON object";
    QTest::newRow("bad model value") << QStringList() << QByteArray(R"({"model": {"rnn": "transformer"}})") << 3
                                     << "model.rnn";
    QTest::newRow("unknown dataset") << QStringList { QStringLiteral("--dataset"), QStringLiteral("nope") }
                                     << QByteArray() << 3 << "has no dataset 'nope'";
    QTest::newRow("resume unknown run") << QStringList { QStringLiteral("--resume"), QStringLiteral("999") }
                                        << QByteArray() << 1 << "has no run 999";
}

void TestCli::trainRefusesBadInput()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, config);
    QFETCH(int, code);
    QFETCH(QString, needle);
    const QString study = m_dir.filePath(QStringLiteral("bad.lepton"));
    if (!QFile::exists(study))
        QCOMPARE(lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
                            m_data + QStringLiteral("/manifest.csv") })
                     .code,
            0);
    QStringList all { QStringLiteral("train"), study };
    all += args;
    if (!config.isEmpty()) {
        const QString path = m_dir.filePath(QStringLiteral("bad.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(config);
        f.close();
        all << QStringLiteral("--config") << path;
    }
    const Run r = lepton(all);
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(needle), qPrintable(r.err));
}

void TestCli::interruptCancelsTraining()
{
    const QString study = m_dir.filePath(QStringLiteral("cancel.lepton"));
    QCOMPARE(lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
                        m_data + QStringLiteral("/manifest.csv") })
                 .code,
        0);
    QProcess p;
    p.start(QStringLiteral(LEPTON_CLI),
        { QStringLiteral("train"), study, QStringLiteral("--epochs"), QStringLiteral("200"),
            QStringLiteral("--image-size"), QStringLiteral("32"), QStringLiteral("--batch-size"),
            QStringLiteral("8") });
    QVERIFY(p.waitForStarted());
    QString err;
    QTRY_VERIFY_WITH_TIMEOUT(
        (err += QString::fromUtf8(p.readAllStandardError())).contains(QStringLiteral("epoch 2/200")), 120000);
    ::kill(static_cast<pid_t>(p.processId()), SIGINT); // what Ctrl+C sends
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(out.contains(QStringLiteral("cancelled")), qPrintable(out));
    const Run runs = lepton({ QStringLiteral("runs"), study, QStringLiteral("--json") });
    const QJsonObject run
        = QJsonDocument::fromJson(runs.out.toUtf8()).object().value(QStringLiteral("runs")).toArray().at(0).toObject();
    QCOMPARE(run.value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
    // Its last checkpoint is usable.
    const Run info = lepton({ QStringLiteral("evaluate"), study, QStringLiteral("--run"),
        QString::number(run.value(QStringLiteral("id")).toInt()) });
    QCOMPARE(info.code, 0);
}

void TestCli::auditVerifyAndList()
{
    const QString path = m_dir.filePath(QStringLiteral("audit.lepton"));
    const Run imported = lepton(
        { QStringLiteral("import"), path, QStringLiteral("--manifest"), m_data + QStringLiteral("/manifest.csv") });
    QVERIFY2(imported.code == 0, qPrintable(imported.err));
    // Four entries written by the recipe of docs/AUDIT.md, as another implementation would.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("audit"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QString prev(64, QLatin1Char('0'));
        for (int id = 1; id <= 4; ++id) {
            const QString at = QStringLiteral("2024-05-0%1T08:00:00.000Z").arg(id);
            const QString details = QStringLiteral("{\"n\":%1}").arg(id);
            const QJsonArray fields { id, at, QStringLiteral("ana"), QStringLiteral("run.note"),
                QStringLiteral("run:1"), details, prev };
            const QString hash = QString::fromLatin1(QCryptographicHash::hash(
                QJsonDocument(fields).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256)
                                                         .toHex());
            q.prepare(QStringLiteral("INSERT INTO audit_log(id, at, actor, action, entity, details, prev_hash, hash) "
                                     "VALUES (?, ?, 'ana', 'run.note', 'run:1', ?, ?, ?)"));
            q.addBindValue(id);
            q.addBindValue(at);
            q.addBindValue(details);
            q.addBindValue(prev);
            q.addBindValue(hash);
            QVERIFY(q.exec());
            prev = hash;
        }
        q.prepare(QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES ('audit_head_id', '4'), "
                                 "('audit_head_hash', ?)"));
        q.addBindValue(prev);
        QVERIFY(q.exec());
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("audit"));
    const Run ok = lepton({ QStringLiteral("audit"), QStringLiteral("verify"), path });
    QVERIFY2(ok.code == 0, qPrintable(ok.err + ok.out));
    QVERIFY2(ok.out.contains(QStringLiteral("audit log: 4 entries, chain intact")), qPrintable(ok.out));
    const Run list = lepton({ QStringLiteral("audit"), QStringLiteral("list"), path, QStringLiteral("--json"),
        QStringLiteral("--limit"), QStringLiteral("2") });
    QCOMPARE(list.code, 0);
    const QJsonArray entries
        = QJsonDocument::fromJson(list.out.toUtf8()).object().value(QStringLiteral("entries")).toArray();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("id")).toInt(), 3);
    QCOMPARE(
        entries.at(1).toObject().value(QStringLiteral("details")).toObject().value(QStringLiteral("n")).toInt(), 4);

    // Another tool changes entry 3 behind the study's back.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(!q.exec(QStringLiteral("UPDATE audit_log SET details = '{\"n\":30}' WHERE id = 3")));
        QVERIFY(q.exec(QStringLiteral("DROP TRIGGER audit_log_no_update")));
        QVERIFY(q.exec(QStringLiteral("UPDATE audit_log SET details = '{\"n\":30}' WHERE id = 3")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
    const Run broken = lepton({ QStringLiteral("audit"), QStringLiteral("verify"), path });
    QCOMPARE(broken.code, 1);
    QVERIFY2(broken.out.contains(QStringLiteral("audit log: entry 3 is broken: ")), qPrintable(broken.out));
    const Run json = lepton({ QStringLiteral("audit"), QStringLiteral("verify"), path, QStringLiteral("--json") });
    QCOMPARE(json.code, 1);
    const QJsonObject o = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("ok")).toBool(true), false);
    QCOMPARE(o.value(QStringLiteral("first_broken_id")).toInt(), 3);
    QCOMPARE(o.value(QStringLiteral("entries")).toInt(), 4);

    QCOMPARE(lepton({ QStringLiteral("audit") }).code, 2);
    QCOMPARE(lepton({ QStringLiteral("audit"), QStringLiteral("verify") }).code, 2);
    QCOMPARE(
        lepton({ QStringLiteral("audit"), QStringLiteral("verify"), m_dir.filePath(QStringLiteral("none.lepton")) })
            .code,
        1);
}

namespace {
QString sha256Of(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return QString::fromLatin1(h.result().toHex());
}

/// The audit entries of a study whose action starts with "export.", oldest first.
QJsonArray exportEntries(const QString &study)
{
    const Run r = lepton({ QStringLiteral("audit"), QStringLiteral("list"), study, QStringLiteral("--json"),
        QStringLiteral("--action"), QStringLiteral("export") });
    return QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("entries")).toArray();
}

/// A study with one run trained for an epoch on the demo data; returns the run's id (0: failed).
int trainedStudy(const QString &dir, const QString &data, const QString &study)
{
    if (lepton(
            { QStringLiteral("import"), study, QStringLiteral("--manifest"), data + QStringLiteral("/manifest.csv") })
            .code
        != 0)
        return 0;
    const QString config = dir + QStringLiteral("/export-small.json");
    QFile f(config);
    if (!f.open(QIODevice::WriteOnly))
        return 0;
    f.write(R"({"epochs": 1, "batch_size": 16, "model": {"width": 4, "depth": 2, "embed_dim": 8, "hidden": 8}})");
    f.close();
    const Run r = lepton({ QStringLiteral("train"), study, QStringLiteral("--config"), config,
        QStringLiteral("--image-size"), QStringLiteral("32"), QStringLiteral("--json") });
    return r.code == 0 ? QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("run_id")).toInt() : 0;
}
} // namespace

void TestCli::exportsAreAudited()
{
    const QString study = m_dir.filePath(QStringLiteral("exports.lepton"));
    const int runId = trainedStudy(m_dir.path(), m_data, study);
    QVERIFY(runId > 0);
    const QString run = QString::number(runId);
    const QString entity = QStringLiteral("run:%1").arg(runId);

    // TorchScript under a name given with --actor.
    const QString script = m_dir.filePath(QStringLiteral("exports-model.pt"));
    Run r = lepton({ QStringLiteral("export"), study, QStringLiteral("--run"), run, QStringLiteral("--torchscript"),
        script, QStringLiteral("--actor"), QStringLiteral("dr. ana") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("audit entry")), qPrintable(r.out));
    QJsonArray entries = exportEntries(study);
    QCOMPARE(entries.size(), 1);
    QJsonObject e = entries.at(0).toObject();
    QCOMPARE(e.value(QStringLiteral("actor")).toString(), QStringLiteral("dr. ana"));
    QCOMPARE(e.value(QStringLiteral("action")).toString(), QStringLiteral("export.model.torchscript"));
    QCOMPARE(e.value(QStringLiteral("entity")).toString(), entity);
    QJsonObject d = e.value(QStringLiteral("details")).toObject();
    QCOMPARE(d.value(QStringLiteral("file")).toString(), QFileInfo(script).absoluteFilePath());
    QCOMPARE(d.value(QStringLiteral("sha256")).toString(), sha256Of(script));
    QCOMPARE(d.value(QStringLiteral("bytes")).toInteger(), QFileInfo(script).size());
    QCOMPARE(d.value(QStringLiteral("run_id")).toInt(), runId);
    QCOMPARE(d.value(QStringLiteral("epoch")).toInt(), 1);

    // The checkpoint without --actor: the OS user.
    QString user;
    for (const char *name : { "USER", "USERNAME" })
        if (user.isEmpty())
            user = qEnvironmentVariable(name).trimmed();
    if (user.isEmpty())
        user = QStringLiteral("unknown");
    const QString checkpoint = m_dir.filePath(QStringLiteral("exports-best.ckpt"));
    r = lepton(
        { QStringLiteral("export"), study, QStringLiteral("--run"), run, QStringLiteral("--checkpoint"), checkpoint });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    entries = exportEntries(study);
    QCOMPARE(entries.size(), 2);
    e = entries.at(1).toObject();
    QCOMPARE(e.value(QStringLiteral("actor")).toString(), user);
    QCOMPARE(e.value(QStringLiteral("action")).toString(), QStringLiteral("export.model.checkpoint"));
    QCOMPARE(e.value(QStringLiteral("entity")).toString(), entity);
    d = e.value(QStringLiteral("details")).toObject();
    QCOMPARE(d.value(QStringLiteral("file")).toString(), QFileInfo(checkpoint).absoluteFilePath());
    QCOMPARE(d.value(QStringLiteral("sha256")).toString(), sha256Of(checkpoint));
    QCOMPARE(d.value(QStringLiteral("bytes")).toInteger(), QFileInfo(checkpoint).size());
    QCOMPARE(d.value(QStringLiteral("best")).toBool(), true);

    // The run's metrics as a TensorBoard event file.
    const QString board = m_dir.filePath(QStringLiteral("exports-tb"));
    r = lepton({ QStringLiteral("runs"), study, QStringLiteral("--run"), run, QStringLiteral("--tensorboard"), board,
        QStringLiteral("--actor"), QStringLiteral("dr. ana") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QStringList events = QDir(board).entryList(QDir::Files);
    QCOMPARE(events.size(), 1);
    entries = exportEntries(study);
    QCOMPARE(entries.size(), 3);
    e = entries.at(2).toObject();
    QCOMPARE(e.value(QStringLiteral("action")).toString(), QStringLiteral("export.metrics.tensorboard"));
    QCOMPARE(e.value(QStringLiteral("entity")).toString(), entity);
    d = e.value(QStringLiteral("details")).toObject();
    QCOMPARE(d.value(QStringLiteral("sha256")).toString(), sha256Of(QDir(board).filePath(events.first())));
    QVERIFY(d.value(QStringLiteral("values")).toInt() > 0);

    // The chain still verifies; the table lists the exports in aligned columns.
    r = lepton({ QStringLiteral("audit"), QStringLiteral("verify"), study });
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QStringLiteral("chain intact")), qPrintable(r.out));
    r = lepton({ QStringLiteral("audit"), QStringLiteral("list"), study, QStringLiteral("--action"),
        QStringLiteral("export.model") });
    QCOMPARE(r.code, 0);
    const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3); // header, torchscript, checkpoint
    const qsizetype column = lines.at(0).indexOf(QStringLiteral("entity"));
    for (const QString &line : lines.mid(1))
        QVERIFY2(line.mid(column).startsWith(entity + QLatin1Char(' ')), qPrintable(line));
    QVERIFY(lines.at(1).contains(QStringLiteral("export.model.torchscript")));
    QVERIFY(lines.at(1).contains(sha256Of(script)));

    QCOMPARE(lepton({ QStringLiteral("export"), study, QStringLiteral("--run"), run, QStringLiteral("--checkpoint"),
                        checkpoint, QStringLiteral("--actor"), QStringLiteral(" ") })
                 .code,
        2);
}

void TestCli::exportWithoutAuditEntryWritesNothing()
{
    const QString folder = m_dir.filePath(QStringLiteral("locked"));
    QVERIFY(QDir().mkpath(folder));
    const QString study = folder + QStringLiteral("/locked.lepton");
    const int runId = trainedStudy(m_dir.path(), m_data, study);
    QVERIFY(runId > 0);
    const QString run = QString::number(runId);

    // Another program holds the study's write lock: the entry cannot be written, so the export
    // fails and leaves no file.
    const QString target = m_dir.filePath(QStringLiteral("locked.ckpt"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("lock"));
        db.setDatabaseName(study);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("BEGIN IMMEDIATE")));
        const Run r = lepton(
            { QStringLiteral("export"), study, QStringLiteral("--run"), run, QStringLiteral("--checkpoint"), target });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QFileInfo(study).absoluteFilePath()), qPrintable(r.err));
        QVERIFY(!QFile::exists(target));
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("lock"));
    QCOMPARE(exportEntries(study).size(), 0);

    // A study that cannot be written (docs/AUDIT.md): refused before anything is written, with a
    // message that names the study and says to copy it somewhere writable. File permissions do not
    // bind root: as root, this function runs again as an ordinary user (tests/Unprivileged.h).
    if (unprivileged::isRoot())
        LEPTON_RERUN_UNPRIVILEGED();
    QVERIFY(QFile::setPermissions(study, QFileDevice::ReadOwner | QFileDevice::ReadGroup));
    QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    const Run r = lepton(
        { QStringLiteral("export"), study, QStringLiteral("--run"), run, QStringLiteral("--torchscript"), target });
    QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    QVERIFY(QFile::setPermissions(study, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(study), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("copy the study to a folder you can write to")), qPrintable(r.err));
    QVERIFY(!QFile::exists(target));
    QCOMPARE(exportEntries(study).size(), 0);
}

void TestCli::importDeidentified()
{
    const QString study = m_dir.filePath(QStringLiteral("deid.lepton"));
    const QString manifest = m_data + QStringLiteral("/manifest.csv");
    QFile original(manifest);
    QVERIFY(original.open(QIODevice::ReadOnly));
    const QByteArray before = original.readAll();
    original.close();
    const QStringList base { QStringLiteral("import"), study, QStringLiteral("--manifest"), manifest,
        QStringLiteral("--events"), m_data + QStringLiteral("/events.csv"), QStringLiteral("--deidentify"),
        QStringLiteral("--drop-columns"), QStringLiteral("referral,blood_group") };
    Run r = lepton(base);
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    for (const char *says : { "Changed on import:", "Identifiers replaced by keyed pseudonyms",
             "Columns dropped, stored nowhere in the study: referral, blood_group", "Dates shifted",
             "Ages over 89 stored as 90", "contain a case or patient identifier" })
        QVERIFY2(r.out.contains(QLatin1String(says)), qPrintable(says + QStringLiteral(" not in:\n") + r.out));
    QVERIFY(!r.out.contains(QStringLiteral("P00001")));

    // Again, as JSON: the same study, the same pseudonyms.
    r = lepton(base + QStringList { QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const QJsonObject deid
        = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("deidentification")).toObject();
    QVERIFY(deid.value(QStringLiteral("applied")).toBool());
    QVERIFY(deid.value(QStringLiteral("ages_grouped")).toInt() > 0);
    QCOMPARE(deid.value(QStringLiteral("dropped_columns")).toArray().size(), 2);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("deid"));
        db.setDatabaseName(study);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(
            q.exec(QStringLiteral("SELECT count(DISTINCT case_key), count(*), sum(case_key LIKE 'p-%') FROM cases")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 80); // two imports, one set of pseudonyms
        QCOMPARE(q.value(1).toInt(), 160);
        QCOMPARE(q.value(2).toInt(), 160);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM record_values v JOIN fields f ON v.field_id = f.id "
                                      "WHERE f.name = 'age' AND v.number > 90")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("deid"));
    QVERIFY(original.open(QIODevice::ReadOnly));
    QCOMPARE(original.readAll(), before);

    // A column that is not there, and options that need --deidentify.
    r = lepton({ QStringLiteral("import"), m_dir.filePath(QStringLiteral("deid2.lepton")), QStringLiteral("--manifest"),
        manifest, QStringLiteral("--deidentify"), QStringLiteral("--drop-columns"), QStringLiteral("nosuch") });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QStringLiteral("--drop-columns names 'nosuch'")), qPrintable(r.err));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("deid2.lepton"))));
    r = lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"), manifest,
        QStringLiteral("--id-columns"), QStringLiteral("mrn") });
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("--deidentify")), qPrintable(r.err));
    r = lepton({ QStringLiteral("import"), QStringLiteral("--help") });
    QVERIFY(r.out.contains(QStringLiteral("--deidentify")) && r.out.contains(QStringLiteral("--drop-columns")));
}

namespace {
/// Replaces a stored checkpoint's bytes and hash, as another program could.
bool storeCheckpoint(const QString &study, int runId, int epoch, const QByteArray &data)
{
    rawsql::rows(study, QStringLiteral("UPDATE checkpoints SET data = ?, sha256 = ? WHERE run_id = ? AND epoch = ?"),
        { data, QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()), runId,
            epoch });
    return rawsql::scalar(
               study, QStringLiteral("SELECT count(*) FROM checkpoints WHERE run_id = ? AND data = ?"), { runId, data })
               .toInt()
        > 0;
}
} // namespace

void TestCli::legacyCheckpointsAreRefusedUntilConverted()
{
    // Checkpoints of an earlier version (LibTorch archives) are never handed to LibTorch's reader
    // on the way to an evaluation or prediction: refused with a message naming the study, the run
    // and the command that converts them; converted only by that command, with an audit entry.
    const QString study = QFileInfo(m_dir.filePath(QStringLiteral("legacy.lepton"))).absoluteFilePath();
    const int runId = trainedStudy(m_dir.path(), m_data, study);
    QVERIFY(runId > 0);
    const QString run = QString::number(runId);
    const QList<QVariantList> epochs
        = rawsql::rows(study, QStringLiteral("SELECT epoch FROM checkpoints WHERE run_id = ?"), { runId });
    QVERIFY(!epochs.isEmpty());
    for (const QVariantList &row : epochs) {
        const QByteArray legacy = legacycheckpoint::archiveOfRun(study, runId, row.first().toInt());
        QVERIFY(legacy.startsWith("PK"));
        QVERIFY(storeCheckpoint(study, runId, row.first().toInt(), legacy));
    }
    const int best = rawsql::scalar(
        study, QStringLiteral("SELECT epoch FROM checkpoints WHERE run_id = ? AND is_best = 1"), { runId })
                         .toInt();
    const QByteArray bestLegacy = rawsql::scalar(
        study, QStringLiteral("SELECT data FROM checkpoints WHERE run_id = ? AND epoch = ?"), { runId, best })
                                      .toByteArray();

    auto refused = [&](const Run &r) {
        return r.code == 1 && r.err.contains(study) && r.err.contains(QStringLiteral("run %1").arg(runId))
            && r.err.contains(QStringLiteral("lepton runs convert-checkpoints"));
    };
    const QStringList evaluate { QStringLiteral("evaluate"), study, QStringLiteral("--run"), run,
        QStringLiteral("--split"), QStringLiteral("test") };
    const QStringList predict { QStringLiteral("predict"), study, QStringLiteral("--run"), run };
    Run r = lepton(evaluate);
    QVERIFY2(refused(r), qPrintable(QString::number(r.code) + QLatin1Char(' ') + r.err));
    r = lepton(predict);
    QVERIFY2(refused(r), qPrintable(QString::number(r.code) + QLatin1Char(' ') + r.err));

    // A crafted archive that crashes LibTorch's reader (a finding of the checkpoint fuzz target),
    // with the stored hash updated to match, is refused the same way: the process does not crash.
    QFile crafted(QStringLiteral(LEPTON_SOURCE_DIR "/tests/fuzz/regressions/fuzz_checkpoint/"
                                                   "crash-3ef089e42b2dce8bddda29fb92ad6ebdbcbb6f93"));
    QVERIFY(crafted.open(QIODevice::ReadOnly));
    QVERIFY(storeCheckpoint(study, runId, best, crafted.readAll()));
    r = lepton(evaluate);
    QVERIFY2(r.code != -2, "lepton evaluate crashed on a crafted checkpoint");
    QVERIFY2(refused(r), qPrintable(QString::number(r.code) + QLatin1Char(' ') + r.err));
    r = lepton(predict);
    QVERIFY2(refused(r), qPrintable(QString::number(r.code) + QLatin1Char(' ') + r.err));
    QVERIFY(storeCheckpoint(study, runId, best, bestLegacy));

    // The conversion: its help says it trusts the file; it needs --run; it is audited.
    r = lepton({ QStringLiteral("runs"), QStringLiteral("convert-checkpoints"), QStringLiteral("--help") });
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QStringLiteral("TRUSTS THE STUDY FILE")), qPrintable(r.out));
    QCOMPARE(lepton({ QStringLiteral("runs"), QStringLiteral("convert-checkpoints"), study }).code, 2);
    r = lepton({ QStringLiteral("runs"), QStringLiteral("convert-checkpoints"), study, QStringLiteral("--run"), run,
        QStringLiteral("--actor"), QStringLiteral("Dr. Trusting") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("Converted the checkpoints of run %1").arg(runId)), qPrintable(r.out));
    const QList<QVariantList> entries = rawsql::rows(
        study, QStringLiteral("SELECT actor, entity, details FROM audit_log WHERE action = 'run.convert_checkpoints'"));
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().at(0).toString(), QStringLiteral("Dr. Trusting"));
    QCOMPARE(entries.first().at(1).toString(), QStringLiteral("run:%1").arg(runId));
    const QJsonObject details = QJsonDocument::fromJson(entries.first().at(2).toString().toUtf8()).object();
    QCOMPARE(details.value(QStringLiteral("checkpoints")).toArray().size(), epochs.size());
    QCOMPARE(rawsql::scalar(study,
                 QStringLiteral("SELECT count(*) FROM checkpoints WHERE run_id = ? AND data LIKE 'PK%'"), { runId })
                 .toInt(),
        0);
    QCOMPARE(lepton({ QStringLiteral("audit"), QStringLiteral("verify"), study }).code, 0);

    // Now it loads, and a second conversion changes nothing.
    r = lepton(evaluate);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = lepton(predict);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = lepton({ QStringLiteral("runs"), QStringLiteral("convert-checkpoints"), study, QStringLiteral("--run"), run });
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("nothing was changed")), qPrintable(r.out + r.err));
    QCOMPARE(
        rawsql::scalar(study, QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'run.convert_checkpoints'"))
            .toInt(),
        1);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
