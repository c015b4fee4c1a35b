// SPDX-License-Identifier: GPL-3.0-or-later
// Study safety: what a study survives besides a crash (tests/tst_crash.cpp).
//  - A full disk while writing: simulated in this process (PRAGMA max_page_count on the writer's
//    connection), through `lepton-testhooks train` (the test build's command line, tests/hooks/)
//    with LEPTON_TEST_MAX_PAGE_COUNT, and
//    with a file size limit (RLIMIT_FSIZE, so writes fail with EFBIG). Each time: a clear message
//    naming the study and what to do, the earlier data intact, integrity_check ok, the run not left
//    "running", and it resumes (or trains again) once there is room.
//  - A read-only study: `lepton train`, `import` and `predict` refuse it with a message naming the
//    file, which stays byte-identical. As root (where permissions do not stop writes) the command
//    runs as the unprivileged user 65534, so the permissions are really checked.
//  - Two writers: this process reads (sees the epochs grow) and writes (rename, tags, audit entries)
//    while `lepton train` trains; two `lepton train` at once. Afterwards the study is intact, the
//    audit log verifies and each run's metrics are complete, none twice.
#include "RawSql.h"
#include "TinyStudy.h"
#include "Unprivileged.h"

#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/Trainer.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <functional>
#include <grp.h>
#include <set>
#include <sys/resource.h>
#include <unistd.h>

using namespace lepton;

namespace {

constexpr uid_t kNobody = 65534;

struct Run
{
    bool crashed = false;
    int code = -1;
    QString out;
    QString err;
};

/// How the `lepton` child is started: extra environment, a file size limit, as another user.
struct ChildSetup
{
    QString program = QStringLiteral(LEPTON_CLI); ///< or LEPTON_CLI_HOOKS for the test hooks
    QMap<QString, QString> env;
    rlim_t fileSizeLimit = 0; ///< 0: none
    bool unprivileged = false; ///< as user 65534 when this process is root
};

void prepare(QProcess &p, const ChildSetup &setup)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("LEPTON_TEST_KILL_AT"));
    env.remove(QStringLiteral("LEPTON_TEST_MAX_PAGE_COUNT"));
    for (auto it = setup.env.cbegin(); it != setup.env.cend(); ++it)
        env.insert(it.key(), it.value());
    const bool drop = setup.unprivileged && ::getuid() == 0;
    if (drop)
        env.insert(QStringLiteral("HOME"), QDir::tempPath());
    p.setProcessEnvironment(env);
    const rlim_t limit = setup.fileSizeLimit;
    // Runs in the child between fork and exec: async-signal-safe calls only.
    p.setChildProcessModifier([limit, drop] {
        if (limit > 0) {
            // Writes past the limit fail with EFBIG instead of killing the process.
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit r { limit, limit };
            ::setrlimit(RLIMIT_FSIZE, &r);
        }
        if (drop) {
            ::setgroups(0, nullptr);
            if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
                ::_exit(126);
        }
    });
}

Run finish(QProcess &p, int timeoutMs = 120000)
{
    Run r;
    if (p.state() != QProcess::NotRunning && !p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.crashed = true;
        return r;
    }
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

Run cli(const QStringList &args, const ChildSetup &setup = {})
{
    QProcess p;
    prepare(p, setup);
    p.start(setup.program, args);
    return finish(p);
}

using rawsql::rows;
using rawsql::scalar;

QVariant scalar(QSqlDatabase db, const QString &sql)
{
    QSqlQuery q(db);
    return q.exec(sql) && q.next() ? q.value(0) : QVariant();
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result();
}

/// A digest of everything the study held before: datasets, cases, runs' metrics and checkpoints.
QString digest(const QString &path, qint64 upToRun)
{
    QStringList parts;
    for (const QString &sql : { QStringLiteral("SELECT count(*), group_concat(id || name, ',') FROM datasets"),
             QStringLiteral("SELECT count(*), sum(length(CAST(id AS TEXT))) FROM cases"),
             QStringLiteral("SELECT count(*), sum(value) FROM metrics WHERE run_id <= ?1"),
             QStringLiteral("SELECT count(*), group_concat(sha256, ',') FROM checkpoints WHERE run_id <= ?1") }) {
        QVariantList bind;
        if (sql.contains(QLatin1String("?1")))
            bind.append(upToRun);
        for (const QVariantList &r : rows(path, sql, bind))
            for (const QVariant &v : r)
                parts.append(v.toString());
    }
    return parts.join(QLatin1Char('|'));
}

} // namespace

class TestStudySafety : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void diskFullInProcess();
    void diskFullCli_data();
    void diskFullCli();
    void readOnlyStudy_data();
    void readOnlyStudy();
    void readerAndWriterDuringTraining();
    void twoTrainers();

private:
    /// A copy of the prepared study (a dataset and one completed run) in a file of its own.
    QString copyStudy(const QString &name, const QString &folder = QString());
    /// Every epoch's and step's metrics of `run` once, and the final ones.
    void checkComplete(const QString &study, qint64 run, int epochs);
    void checkIntact(const QString &study);
    void diskFullSteps(Study &study, const QString &path, const QString &before, const TrainConfig &config);

    QTemporaryDir m_dir;
    QString m_template; ///< the prepared study, never written after initTestCase
    QString m_config; ///< tiny::config() as JSON
    qint64 m_dataset = 0;
    qint64 m_reference = 0;
    int m_batches = 0;
};

void TestStudySafety::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(LEPTON_CLI)));
    QVERIFY(m_dir.isValid());
    {
        std::shared_ptr<Study> study;
        m_dataset = tiny::makeStudy(m_dir.path(), study);
        QVERIFY(m_dataset > 0);
        m_template = study->path();
        auto outcome = Trainer::train(*study, m_dataset, tiny::config(), {}, QStringLiteral("reference"));
        QVERIFY2(outcome, qPrintable(outcome.error()));
        QCOMPARE(outcome->status, RunStatus::Completed);
        m_reference = outcome->runId;
    }
    // Everything in the main file, so a plain copy is the whole study; no free pages, so a study
    // capped at its size is full.
    QCOMPARE(scalar(m_template, QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")).toInt(), 0);
    rows(m_template, QStringLiteral("VACUUM"));
    QCOMPARE(scalar(m_template, QStringLiteral("PRAGMA freelist_count")).toInt(), 0);
    m_batches = scalar(m_template,
        QStringLiteral("SELECT count(*) FROM metrics WHERE run_id = ? AND split = 'train' AND epoch = 0 AND step >= 0 "
                       "AND name = 'loss'"),
        { m_reference })
                    .toInt();
    QVERIFY(m_batches >= 2);
    m_config = m_dir.filePath(QStringLiteral("tiny.json"));
    QFile f(m_config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(tiny::config().toJson()).toJson());
    f.close();
    // Readable by the unprivileged user the read-only cases run as.
    QVERIFY(QFile::setPermissions(m_dir.path(),
        QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther
            | QFile::ExeOther));
}

QString TestStudySafety::copyStudy(const QString &name, const QString &folder)
{
    const QString dir = folder.isEmpty() ? m_dir.path() : folder;
    const QString path = dir + QLatin1Char('/') + name + QStringLiteral(".lepton");
    QFile::remove(path);
    if (!QFile::copy(m_template, path))
        return QString();
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    return path;
}

void TestStudySafety::checkIntact(const QString &study)
{
    QCOMPARE(scalar(study, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QCOMPARE(scalar(study, QStringLiteral("PRAGMA foreign_key_check")), QVariant());
    // The study opens as the workbench and the command line open it.
    auto opened = Study::open(study, Study::Mode::ReadWrite);
    QVERIFY2(opened, qPrintable(opened.error()));
}

void TestStudySafety::checkComplete(const QString &study, qint64 run, int epochs)
{
    QCOMPARE(scalar(study, QStringLiteral("SELECT status FROM runs WHERE id = ?"), { run }).toString(),
        QStringLiteral("completed"));
    QVERIFY(rows(study,
        QStringLiteral("SELECT count(*) FROM metrics WHERE run_id = ? GROUP BY split, epoch, step, name "
                       "HAVING count(*) > 1"),
        { run })
                .isEmpty());
    QCOMPARE(scalar(study,
                 QStringLiteral("SELECT count(DISTINCT epoch) FROM metrics WHERE run_id = ? AND split = 'val' AND "
                                "name = 'loss'"),
                 { run })
                 .toInt(),
        epochs);
    const auto steps = rows(study,
        QStringLiteral("SELECT count(*), count(DISTINCT step), min(step), max(step) FROM metrics WHERE run_id = ? AND "
                       "split = 'train' AND step >= 0 AND name = 'loss'"),
        { run });
    QCOMPARE(steps.first().at(0).toInt(), epochs * m_batches);
    QCOMPARE(steps.first().at(1).toInt(), epochs * m_batches);
    QCOMPARE(steps.first().at(2).toInt(), 0);
    QCOMPARE(steps.first().at(3).toInt(), epochs * m_batches - 1);
    QCOMPARE(
        scalar(study, QStringLiteral("SELECT count(*) FROM metrics WHERE run_id = ? AND split = 'final_test'"), { run })
            .toInt(),
        9);
    QCOMPARE(
        scalar(study, QStringLiteral("SELECT count(*) FROM artifacts WHERE run_id = ?"), { run }).toInt() > 0, true);
}

void TestStudySafety::diskFullInProcess()
{
    const QString path = copyStudy(QStringLiteral("full-inprocess"));
    QVERIFY(!path.isEmpty());
    const QString before = digest(path, m_reference);
    const TrainConfig config = tiny::config();
    {
        auto opened = Study::open(path, Study::Mode::ReadWrite);
        QVERIFY2(opened, qPrintable(opened.error()));
        diskFullSteps(*opened.value(), path, before, config);
    }
    checkIntact(path);
}

void TestStudySafety::diskFullSteps(Study &study, const QString &path, const QString &before, const TrainConfig &config)
{
    // This thread's connection is the one the importer and the trainer write with.
    QSqlDatabase db = study.database();
    auto fill = [&] {
        const qint64 pages = scalar(db, QStringLiteral("PRAGMA page_count")).toLongLong();
        return scalar(db, QStringLiteral("PRAGMA max_page_count = %1").arg(pages)).toLongLong() == pages;
    };
    auto isFullMessage = [&](const QString &message) {
        return message.contains(study.path()) && message.contains(QLatin1String("the disk is full"))
            && message.contains(QLatin1String("Free space")) && message.contains(QLatin1String("not saved"));
    };

    // Import: refused, nothing of it stored.
    ImportOptions o;
    o.manifestPath = m_dir.filePath(QStringLiteral("m.csv"));
    o.eventsPath = m_dir.filePath(QStringLiteral("e.csv"));
    o.name = QStringLiteral("second import");
    ImportOutcome imported = Importer::run(o);
    QVERIFY(imported.dataset);
    QVERIFY(fill());
    auto saved = DatasetRepository(study).save(*imported.dataset, imported.report);
    QVERIFY(!saved);
    QVERIFY2(isFullMessage(saved.error()), qPrintable(saved.error()));
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM datasets")).toInt(), 1);

    // Training: the disk fills after the first epoch; the second epoch's save fails.
    QVERIFY(scalar(db, QStringLiteral("PRAGMA max_page_count = 1073741823")).toLongLong() > 0);
    TrainCallbacks cb;
    bool filled = false;
    cb.epoch = [&](const EpochInfo &e) {
        if (e.epoch == 0)
            filled = fill();
    };
    auto outcome = Trainer::train(study, m_dataset, config, cb, QStringLiteral("on a full disk"));
    QVERIFY2(outcome, qPrintable(outcome.error()));
    QVERIFY(filled);
    QCOMPARE(outcome->status, RunStatus::Failed);
    QVERIFY2(outcome->message.startsWith(QLatin1String("saving epoch 2 failed: ")), qPrintable(outcome->message));
    QVERIFY2(isFullMessage(outcome->message), qPrintable(outcome->message));
    const qint64 run = outcome->runId;
    RunRepository runs(study);
    auto rec = runs.run(run);
    QVERIFY(rec);
    // Its status is written when that still fits; when not, the run stays "running" in the study
    // but this process has let it go: it is interrupted for all that ask here.
    const bool statusSaved = rec->status == RunStatus::Failed;
    qInfo("run %lld after the failed save: %s in the study", run, qPrintable(runStatusName(rec->status)));
    if (statusSaved) {
        QCOMPARE(rec->message, outcome->message);
    } else {
        QCOMPARE(rec->status, RunStatus::Running);
        QVERIFY(runs.abandoned(run));
        QVERIFY2(outcome->message.endsWith(QLatin1String("(the run's status could not be saved either)")),
            qPrintable(outcome->message));
    }
    QCOMPARE(scalar(path, QStringLiteral("SELECT max(epoch) FROM checkpoints WHERE run_id = ?"), { run }).toInt(), 0);
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QCOMPARE(digest(path, m_reference), before);

    // Room again: no run is left running (as the workbench sees when it opens the study), and the
    // run resumes after its first epoch and completes.
    QVERIFY(scalar(db, QStringLiteral("PRAGMA max_page_count = 1073741823")).toLongLong() > 0);
    QList<qint64> marked;
    QVERIFY(runs.markInterrupted(&marked));
    QCOMPARE(marked, statusSaved ? QList<qint64>() : QList<qint64> { run });
    QCOMPARE(runs.run(run)->status, statusSaved ? RunStatus::Failed : RunStatus::Interrupted);
    auto resumed = Trainer::resume(study, run, {});
    QVERIFY2(resumed, qPrintable(resumed.error()));
    QCOMPARE(resumed->status, RunStatus::Completed);
    checkComplete(path, run, config.epochs);
    QCOMPARE(digest(path, m_reference), before);
}

void TestStudySafety::diskFullCli_data()
{
    QTest::addColumn<QString>("how");
    // SQLITE_FULL: the study may not grow (what a full disk looks like to SQLite).
    QTest::newRow("size cap") << QStringLiteral("pages");
    // EFBIG on write: the process may not write past a file size (SQLite reports an I/O error).
    QTest::newRow("file size limit") << QStringLiteral("rlimit");
}

void TestStudySafety::diskFullCli()
{
    QFETCH(QString, how);
    const QString path = copyStudy(QStringLiteral("full-cli-") + how);
    QVERIFY(!path.isEmpty());
    const QString before = digest(path, m_reference);
    ChildSetup setup;
    const qint64 size = QFileInfo(path).size();
    if (how == QLatin1String("pages")) {
        if (QStringLiteral(LEPTON_CLI_HOOKS).isEmpty())
            QSKIP("the page cap is a test hook: configure with -DLEPTON_TEST_HOOKS=ON (scripts/test does)");
        setup.program = QStringLiteral(LEPTON_CLI_HOOKS);
        setup.env.insert(
            QStringLiteral("LEPTON_TEST_MAX_PAGE_COUNT"), scalar(path, QStringLiteral("PRAGMA page_count")).toString());
    } else {
        // Room for the run's record and a first checkpoint in the log, not for the whole run.
        setup.fileSizeLimit = static_cast<rlim_t>(size + 192 * 1024);
    }
    const Run r = cli({ QStringLiteral("train"), path, QStringLiteral("--config"), m_config, QStringLiteral("--quiet"),
                          QStringLiteral("--json") },
        setup);
    qInfo("%s: exit %d, study %lld bytes; stderr: %s", qPrintable(how), r.code, size, qPrintable(r.err.trimmed()));
    QVERIFY2(!r.crashed, qPrintable(r.err));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QFileInfo(path).absoluteFilePath()), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1String("could not be written")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1String("Free space")), qPrintable(r.err));
    QVERIFY2(!r.err.contains(QLatin1String("Segmentation")) && !r.err.contains(QLatin1String("terminate called")),
        qPrintable(r.err));
    if (how == QLatin1String("pages"))
        QVERIFY2(r.err.contains(QLatin1String("the disk is full")), qPrintable(r.err));

    // Intact, earlier data unchanged, and the run (if one was recorded) not left running.
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QCOMPARE(digest(path, m_reference), before);
    const qint64 run = scalar(path, QStringLiteral("SELECT coalesce(max(id), 0) FROM runs")).toLongLong();
    {
        auto study = Study::open(path, Study::Mode::ReadWrite);
        QVERIFY2(study, qPrintable(study.error()));
    }
    const int checkpoints
        = scalar(path, QStringLiteral("SELECT count(*) FROM checkpoints WHERE run_id = ?"), { run }).toInt();
    if (run != m_reference) {
        const QString status = scalar(path, QStringLiteral("SELECT status FROM runs WHERE id = ?"), { run }).toString();
        QVERIFY2(status == QLatin1String("failed") || status == QLatin1String("interrupted"), qPrintable(status));
    }
    qInfo("%s: run %lld recorded with %d checkpoint(s)", qPrintable(how), run, checkpoints);
    if (run != m_reference) // the message says how to resume this very run
        QVERIFY2(r.err.contains(
                     QStringLiteral("lepton train %1 --resume %2`").arg(QFileInfo(path).absoluteFilePath()).arg(run)),
            qPrintable(r.err));

    // Room again: resumed where it has a checkpoint, else trained again; both complete.
    const Run again = run != m_reference && checkpoints > 0
        ? cli({ QStringLiteral("train"), path, QStringLiteral("--resume"), QString::number(run),
            QStringLiteral("--quiet"), QStringLiteral("--json") })
        : cli({ QStringLiteral("train"), path, QStringLiteral("--config"), m_config, QStringLiteral("--quiet"),
            QStringLiteral("--json") });
    QVERIFY2(again.code == 0 && !again.crashed, qPrintable(again.err));
    const qint64 done
        = QJsonDocument::fromJson(again.out.toUtf8()).object().value(QStringLiteral("run_id")).toInteger();
    QVERIFY(done > m_reference);
    checkComplete(path, done, tiny::config().epochs);
    checkIntact(path);
}

void TestStudySafety::readOnlyStudy_data()
{
    QTest::addColumn<QString>("command");
    QTest::newRow("train") << QStringLiteral("train");
    QTest::newRow("import") << QStringLiteral("import");
    QTest::newRow("predict") << QStringLiteral("predict");
}

void TestStudySafety::readOnlyStudy()
{
    QFETCH(QString, command);
    // The folder is writable by everyone, the file by no one: only the file's permission refuses.
    const QString folder = m_dir.filePath(QStringLiteral("ro-") + command);
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::setPermissions(folder, QFile::Permissions(0x7777)));
    const QString path = copyStudy(QStringLiteral("readonly"), folder);
    QVERIFY(!path.isEmpty());
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
    const QByteArray hash = fileHash(path);
    const QStringList entries = QDir(folder).entryList(QDir::Files);

    QStringList args { command, path };
    if (command == QLatin1String("train"))
        args << QStringLiteral("--config") << m_config << QStringLiteral("--quiet");
    else if (command == QLatin1String("import"))
        args << QStringLiteral("--manifest") << m_dir.filePath(QStringLiteral("m.csv")) << QStringLiteral("--events")
             << m_dir.filePath(QStringLiteral("e.csv"));
    else
        args << QStringLiteral("--run") << QString::number(m_reference);
    ChildSetup setup;
    setup.unprivileged = true;
    const Run r = cli(args, setup);
    QVERIFY2(!r.crashed, qPrintable(r.err));
    QVERIFY2(r.code != 0 && r.code != 126, qPrintable(QString::number(r.code) + QLatin1Char(' ') + r.err));
    QVERIFY2(r.err.contains(path) && r.err.contains(QLatin1String("read-only")), qPrintable(r.err));
    QCOMPARE(fileHash(path), hash);
    QCOMPARE(QDir(folder).entryList(QDir::Files), entries); // no -wal or -shm either

    // Reading it is fine (as the same user).
    const Run info = cli({ QStringLiteral("runs"), path }, setup);
    QVERIFY2(info.code == 0, qPrintable(info.err));
    QVERIFY2(info.out.contains(QLatin1String("reference")), qPrintable(info.out));
    QCOMPARE(fileHash(path), hash);

    // In this process (the workbench opens studies the same way): refused for writing, read-only
    // works. Root writes whatever the permissions say: as root, this function runs again as an
    // ordinary user (tests/Unprivileged.h), which checks this.
    if (unprivileged::isRoot()) {
        LEPTON_RERUN_UNPRIVILEGED();
    } else {
        auto rw = Study::open(path, Study::Mode::ReadWrite);
        QVERIFY(!rw);
        QVERIFY2(rw.error().contains(path) && rw.error().contains(QLatin1String("read-only")), qPrintable(rw.error()));
        auto ro = Study::open(path, Study::Mode::ReadOnly);
        QVERIFY2(ro, qPrintable(ro.error()));
        QVERIFY(RunRepository(*ro.value()).run(m_reference));
        QCOMPARE(fileHash(path), hash);
    }
}

void TestStudySafety::readerAndWriterDuringTraining()
{
    const QString path = copyStudy(QStringLiteral("reader-writer"));
    QVERIFY(!path.isEmpty());
    TrainConfig config = tiny::config();
    config.epochs = 6;
    const QString configPath = m_dir.filePath(QStringLiteral("six.json"));
    {
        QFile f(configPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(config.toJson()).toJson());
    }
    QProcess trainer;
    prepare(trainer, {});
    trainer.start(QStringLiteral(LEPTON_CLI),
        { QStringLiteral("train"), path, QStringLiteral("--config"), configPath, QStringLiteral("--quiet"),
            QStringLiteral("--json") });
    QVERIFY(trainer.waitForStarted());

    std::shared_ptr<Study> reader, writer;
    {
        auto ro = Study::open(path, Study::Mode::ReadOnly);
        QVERIFY2(ro, qPrintable(ro.error()));
        reader = ro.value();
        auto rw = Study::open(path, Study::Mode::ReadWrite);
        QVERIFY2(rw, qPrintable(rw.error()));
        writer = rw.value();
    }
    RunRepository readRuns(*reader);
    RunRepository writeRuns(*writer);
    AuditLog audit(*writer);

    std::set<int> progress; // epochs stored, as seen while the run was running
    qint64 run = 0;
    int writes = 0, refused = 0;
    QElapsedTimer clock;
    clock.start();
    while (trainer.state() != QProcess::NotRunning && clock.elapsed() < 120000) {
        if (!run) {
            auto all = readRuns.runs();
            QVERIFY2(all, qPrintable(all.error()));
            for (const RunRecord &r : all.value())
                if (r.id > m_reference)
                    run = r.id;
        }
        if (run) {
            auto rec = readRuns.run(run);
            QVERIFY2(rec, qPrintable(rec.error()));
            auto metrics = readRuns.metrics(run, QStringLiteral("val"), true);
            QVERIFY2(metrics, qPrintable(metrics.error()));
            int epochs = 0;
            for (const MetricRow &m : metrics.value())
                epochs = std::max(epochs, m.name == QLatin1String("loss") ? m.epoch + 1 : 0);
            if (rec->status == RunStatus::Running)
                progress.insert(epochs);
        }
        // Writes of this process meanwhile: they wait for the trainer's transactions.
        Status s = writeRuns.rename(
            m_reference, QStringLiteral("reference, renamed %1").arg(writes), QStringLiteral("tester"));
        if (s)
            s = writeRuns.setTags(m_reference, { QStringLiteral("tag%1").arg(writes) }, QStringLiteral("tester"));
        if (s) {
            auto id = audit.append(QStringLiteral("tester"), QStringLiteral("test.note"),
                QStringLiteral("run:%1").arg(m_reference), QJsonObject { { QStringLiteral("n"), writes } });
            s = id ? Status() : Status::failure(id.error());
        }
        if (s) {
            ++writes;
        } else {
            // Only a clean refusal: the study named, another writer blamed.
            QVERIFY2(s.error().contains(path), qPrintable(s.error()));
            ++refused;
        }
        QTest::qWait(15);
    }
    const Run r = finish(trainer);
    QVERIFY2(r.code == 0 && !r.crashed, qPrintable(QStringLiteral("exit %1: %2%3").arg(r.code).arg(r.out, r.err)));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("run_id")).toInteger(), run);
    QStringList seen;
    for (int e : progress)
        seen.append(QString::number(e));
    qInfo("progress seen while training (epochs stored): %s; writes meanwhile: %d done, %d refused",
        qPrintable(seen.join(QLatin1Char(' '))), writes, refused);
    progress.erase(0);
    QVERIFY2(progress.size() >= 2, qPrintable(seen.join(QLatin1Char(' '))));
    QVERIFY(writes >= 2);
    reader.reset();

    // Everything written is there, once.
    const QString last = QStringLiteral("reference, renamed %1").arg(writes - 1);
    QCOMPARE(scalar(path, QStringLiteral("SELECT name FROM runs WHERE id = ?"), { m_reference }).toString(), last);
    QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'test.note'")).toInt(), writes);
    writer.reset();
    checkComplete(path, run, config.epochs);
    checkIntact(path);
    const Run verified = cli({ QStringLiteral("audit"), QStringLiteral("verify"), path });
    QVERIFY2(verified.code == 0, qPrintable(verified.out + verified.err));
}

void TestStudySafety::twoTrainers()
{
    const QString path = copyStudy(QStringLiteral("two-trainers"));
    QVERIFY(!path.isEmpty());
    QProcess a, b;
    for (QProcess *p : { &a, &b }) {
        prepare(*p, {});
        p->start(QStringLiteral(LEPTON_CLI),
            { QStringLiteral("train"), path, QStringLiteral("--config"), m_config, QStringLiteral("--name"),
                p == &a ? QStringLiteral("first") : QStringLiteral("second"), QStringLiteral("--quiet"),
                QStringLiteral("--json") });
    }
    QList<qint64> completed;
    for (QProcess *p : { &a, &b }) {
        const Run r = finish(*p);
        QVERIFY2(!r.crashed, qPrintable(r.err));
        if (r.code == 0) {
            completed.append(
                QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("run_id")).toInteger());
        } else {
            // One may give up, cleanly: exit 1 with a message about the study.
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains(path), qPrintable(r.err));
        }
    }
    qInfo("two trainers at once: %lld completed", static_cast<long long>(completed.size()));
    QVERIFY(!completed.isEmpty());
    checkIntact(path);
    for (qint64 run : completed)
        checkComplete(path, run, tiny::config().epochs);
    QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM runs WHERE status = 'running'")).toInt(), 0);
    const Run verified = cli({ QStringLiteral("audit"), QStringLiteral("verify"), path });
    QVERIFY2(verified.code == 0, qPrintable(verified.out + verified.err));
}

QTEST_GUILESS_MAIN(TestStudySafety)
#include "tst_studysafety.moc"
