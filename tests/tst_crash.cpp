// SPDX-License-Identifier: GPL-3.0-or-later
// Crash safety: `lepton train` and `lepton predict` killed with SIGKILL at chosen points (during an
// epoch, inside a checkpoint's transaction, inside the predictions' transaction; the points are
// set with LEPTON_TEST_KILL_AT, core/util/KillPoint.h, which only `lepton-testhooks`, the test build's
// copy of the command line, reads: tests/hooks/). After each kill the study is intact, the run
// shows as interrupted once the study is opened, `lepton train --resume` continues it from its last
// complete checkpoint to the same curve as an uninterrupted run, and no metric is written twice.
#include "RawSql.h"
#include "TinyStudy.h"

#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/Trainer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <csignal>

using namespace lepton;

namespace {

struct Run
{
    bool killed = false;
    int code = -1;
    QString out;
    QString err;
};

/// Runs `lepton-testhooks` (or another command line) to its end; `killAt` sets the kill point.
Run cli(const QStringList &args, const QString &killAt = QString(),
    const QString &program = QStringLiteral(LEPTON_CLI_HOOKS))
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("LEPTON_TEST_KILL_AT"));
    if (!killAt.isEmpty())
        env.insert(QStringLiteral("LEPTON_TEST_KILL_AT"), killAt);
    p.setProcessEnvironment(env);
    p.start(program, args);
    Run r;
    if (!p.waitForFinished(240000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.killed = p.exitStatus() == QProcess::CrashExit;
    r.code = p.exitCode(); // the signal's number when killed
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

using rawsql::rows;
using rawsql::scalar;

std::vector<double> valLosses(const QString &path, qint64 run)
{
    std::vector<double> out;
    for (const QVariantList &r : rows(path,
             QStringLiteral("SELECT value FROM metrics WHERE run_id = ? AND split = 'val' AND step = -1 AND "
                            "name = 'loss' ORDER BY epoch"),
             { run }))
        out.push_back(r.first().toDouble());
    return out;
}

} // namespace

class TestCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void ownerLiveness();
    void killDuringTraining_data();
    void killDuringTraining();
    void killDuringPredictions();
    void shippedCommandLineHasNoKillPoints();

private:
    /// Opens the study as the CLI and the workbench do; returns the status and message of `run`.
    QPair<QString, QString> openAndRead(qint64 run);
    /// Checks the study and the metrics of a resumed run against the uninterrupted one.
    void checkResumed(qint64 run);

    QTemporaryDir m_dir;
    QString m_study;
    QString m_config;
    qint64 m_reference = 0; ///< the uninterrupted run
    int m_batches = 0; ///< steps per epoch
    int m_epochs = 0;
};

void TestCrash::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(LEPTON_CLI_HOOKS)));
    {
        std::shared_ptr<Study> study;
        QVERIFY(tiny::makeStudy(m_dir.path(), study) > 0);
        m_study = study->path();
    }
    const TrainConfig c = tiny::config();
    m_epochs = c.epochs;
    m_config = m_dir.filePath(QStringLiteral("tiny.json"));
    QFile f(m_config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(c.toJson()).toJson());
    f.close();

    const Run r = cli({ QStringLiteral("train"), m_study, QStringLiteral("--config"), m_config,
        QStringLiteral("--quiet"), QStringLiteral("--json") });
    QVERIFY2(r.code == 0 && !r.killed, qPrintable(r.err));
    m_reference = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("run_id")).toInteger();
    QVERIFY(m_reference > 0);
    m_batches = scalar(m_study,
        QStringLiteral("SELECT count(*) FROM metrics WHERE run_id = ? AND split = 'train' AND epoch = 0 AND step >= 0 "
                       "AND name = 'loss'"),
        { m_reference })
                    .toInt();
    QVERIFY(m_batches >= 2);
    QCOMPARE(valLosses(m_study, m_reference).size(), std::size_t(m_epochs));
    // The completed run keeps its owner: this host and the (now ended) process.
    QCOMPARE(scalar(m_study, QStringLiteral("SELECT owner_host FROM runs WHERE id = ?"), { m_reference }).toString(),
        QSysInfo::machineHostName());
    QVERIFY(
        scalar(m_study, QStringLiteral("SELECT owner_pid FROM runs WHERE id = ?"), { m_reference }).toLongLong() > 0);
    QVERIFY(!scalar(m_study, QStringLiteral("SELECT heartbeat_at FROM runs WHERE id = ?"), { m_reference })
                 .toString()
                 .isEmpty());
}

void TestCrash::ownerLiveness()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    RunRecord r;
    r.status = RunStatus::Running;
    r.ownerHost = QSysInfo::machineHostName();
    r.ownerPid = QCoreApplication::applicationPid();
    r.heartbeatAt = now.addDays(-3).toString(Qt::ISODateWithMs);
    // This host: the process decides, however old the heartbeat (a long validation pass).
    QVERIFY(!RunRepository::ownerGone(r, now));
    r.ownerPid = 0x7ffffff0; // beyond any PID Linux hands out
    QVERIFY(RunRepository::ownerGone(r, now));
    // Another host: the heartbeat decides.
    r.ownerHost = QStringLiteral("elsewhere.invalid");
    QVERIFY(RunRepository::ownerGone(r, now));
    r.heartbeatAt = now.addSecs(-60).toString(Qt::ISODateWithMs);
    QVERIFY(!RunRepository::ownerGone(r, now));
    QVERIFY(RunRepository::ownerGone(r, now.addSecs(RunRepository::kStaleSeconds)));
    // No owner recorded (a run from before owners were): its start.
    r.ownerHost.clear();
    r.ownerPid = 0;
    r.heartbeatAt.clear();
    r.startedAt = now.addSecs(-30).toString(Qt::ISODateWithMs);
    QVERIFY(!RunRepository::ownerGone(r, now));
    r.startedAt = now.addSecs(-3600).toString(Qt::ISODateWithMs);
    QVERIFY(RunRepository::ownerGone(r, now));
    // Only running runs.
    r.status = RunStatus::Cancelled;
    QVERIFY(!RunRepository::ownerGone(r, now));

    // In a study: a run this process trains stays running on open; another host's fresh one too.
    auto study = Study::open(m_study, Study::Mode::ReadWrite);
    QVERIFY(study);
    RunRepository runs(*study.value());
    RunRecord mine;
    mine.name = QStringLiteral("alive here");
    mine.datasetId = scalar(m_study, QStringLiteral("SELECT min(id) FROM datasets")).toLongLong();
    auto id = runs.create(mine);
    QVERIFY(id);
    RunRecord remote;
    remote.name = QStringLiteral("alive elsewhere");
    remote.datasetId = mine.datasetId;
    auto other = runs.create(remote);
    QVERIFY(other);
    QVERIFY(study.value()->transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE runs SET owner_host = 'elsewhere.invalid', owner_pid = 1 WHERE id = ?"));
        q.addBindValue(other.value());
        return q.exec() ? Status() : Status::failure(q.lastError().text());
    }));
    QList<qint64> marked;
    QVERIFY(runs.markInterrupted(&marked));
    QVERIFY(marked.isEmpty());
    QCOMPARE(runs.run(id.value())->status, RunStatus::Running);
    QCOMPARE(runs.run(other.value())->status, RunStatus::Running);
    // Trained elsewhere: not resumed here.
    QVERIFY(!Trainer::resume(*study.value(), other.value(), {}));
    // Its heartbeat grows old: interrupted.
    QVERIFY(runs.markInterrupted(&marked, -1));
    QCOMPARE(marked, QList<qint64> { other.value() });
    QCOMPARE(runs.run(other.value())->status, RunStatus::Interrupted);
    QCOMPARE(runs.run(id.value())->status, RunStatus::Running);
    for (qint64 run : { id.value(), other.value() }) {
        QVERIFY(runs.setStatus(run, RunStatus::Cancelled));
        QVERIFY(runs.remove(run, QStringLiteral("test")));
    }
}

QPair<QString, QString> TestCrash::openAndRead(qint64 run)
{
    auto study = Study::open(m_study, Study::Mode::ReadWrite);
    if (!study)
        return {};
    auto rec = RunRepository(*study.value()).run(run);
    if (!rec)
        return {};
    return { runStatusName(rec->status), rec->message };
}

void TestCrash::checkResumed(qint64 run)
{
    QCOMPARE(scalar(m_study, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    // No metric row twice (the table's UNIQUE constraint), and none missing: every epoch once,
    // every step of every epoch once.
    QVERIFY(rows(m_study,
        QStringLiteral("SELECT count(*) FROM metrics WHERE run_id = ? GROUP BY split, epoch, step, name "
                       "HAVING count(*) > 1"),
        { run })
                .isEmpty());
    const auto epochs = rows(m_study,
        QStringLiteral("SELECT DISTINCT epoch FROM metrics WHERE run_id = ? AND split = 'val' ORDER BY epoch"),
        { run });
    QCOMPARE(epochs.size(), m_epochs);
    for (int e = 0; e < m_epochs; ++e)
        QCOMPARE(epochs.at(e).first().toInt(), e);
    const auto steps = rows(m_study,
        QStringLiteral("SELECT count(*), count(DISTINCT step), min(step), max(step) FROM metrics WHERE run_id = ? AND "
                       "split = 'train' AND step >= 0 AND name = 'loss'"),
        { run });
    QCOMPARE(steps.first().at(0).toInt(), m_epochs * m_batches);
    QCOMPARE(steps.first().at(1).toInt(), m_epochs * m_batches);
    QCOMPARE(steps.first().at(2).toInt(), 0);
    QCOMPARE(steps.first().at(3).toInt(), m_epochs * m_batches - 1);
    QCOMPARE(scalar(m_study, QStringLiteral("SELECT count(*) FROM metrics WHERE run_id = ? AND split = 'final_test'"),
                 { run })
                 .toInt(),
        9);
    // The same curve as the uninterrupted run: the resume started from the right checkpoint.
    const auto expected = valLosses(m_study, m_reference), got = valLosses(m_study, run);
    QCOMPARE(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        QVERIFY2(std::abs(got[i] - expected[i]) < 1e-5,
            qPrintable(QStringLiteral("epoch %1: %2 vs %3").arg(i).arg(got[i]).arg(expected[i])));
    QCOMPARE(scalar(m_study, QStringLiteral("SELECT max(epoch) FROM checkpoints WHERE run_id = ?"), { run }).toInt(),
        m_epochs - 1);
}

void TestCrash::killDuringTraining_data()
{
    QTest::addColumn<QString>("point");
    QTest::addColumn<int>("checkpointEpoch"); // the newest complete checkpoint after the kill
    // Half-way through the second epoch: the first epoch's checkpoint is the newest.
    QTest::newRow("during an epoch") << QStringLiteral("step") << 0;
    // Inside the transaction of the third checkpoint, its data written, not committed.
    QTest::newRow("during a checkpoint write") << QStringLiteral("checkpoint") << 1;
}

void TestCrash::killDuringTraining()
{
    QFETCH(QString, point);
    QFETCH(int, checkpointEpoch);
    const int n = point == QLatin1String("step") ? m_batches + m_batches / 2 + 1 : checkpointEpoch + 2;
    const qint64 before = scalar(m_study, QStringLiteral("SELECT coalesce(max(id), 0) FROM runs")).toLongLong();
    const Run killed = cli({ QStringLiteral("train"), m_study, QStringLiteral("--config"), m_config,
                               QStringLiteral("--quiet"), QStringLiteral("--json") },
        QStringLiteral("%1:%2").arg(point).arg(n));
    QVERIFY2(killed.killed, qPrintable(killed.err));
    QCOMPARE(killed.code, int(SIGKILL));
    const qint64 run = scalar(m_study, QStringLiteral("SELECT max(id) FROM runs")).toLongLong();
    QCOMPARE(run, before + 1);

    // Intact, still marked running by the dead process, the half-written checkpoint absent.
    QCOMPARE(scalar(m_study, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QCOMPARE(scalar(m_study, QStringLiteral("SELECT status FROM runs WHERE id = ?"), { run }).toString(),
        QStringLiteral("running"));
    QCOMPARE(scalar(m_study, QStringLiteral("SELECT max(epoch) FROM checkpoints WHERE run_id = ?"), { run }).toInt(),
        checkpointEpoch);
    // `lepton runs` (a read-only open, which stores nothing) already shows it as interrupted.
    {
        const Run listed = cli({ QStringLiteral("runs"), m_study, QStringLiteral("--json") });
        QCOMPARE(listed.code, 0);
        const QJsonArray runs
            = QJsonDocument::fromJson(listed.out.toUtf8()).object().value(QStringLiteral("runs")).toArray();
        QString shown;
        for (const QJsonValue &v : runs)
            if (v.toObject().value(QStringLiteral("id")).toInteger() == run)
                shown = v.toObject().value(QStringLiteral("status")).toString();
        QCOMPARE(shown, QStringLiteral("interrupted"));
        QCOMPARE(scalar(m_study, QStringLiteral("SELECT status FROM runs WHERE id = ?"), { run }).toString(),
            QStringLiteral("running"));
    }
    // The epoch being trained wrote nothing yet (its metrics go with its end).
    if (point == QLatin1String("step"))
        QCOMPARE(scalar(m_study, QStringLiteral("SELECT max(epoch) FROM metrics WHERE run_id = ?"), { run }).toInt(),
            checkpointEpoch);

    // Opening the study (as `lepton train`, `lepton runs` and the workbench do) marks it.
    const auto [status, message] = openAndRead(run);
    QCOMPARE(status, QStringLiteral("interrupted"));
    QCOMPARE(message, QStringLiteral("the process ended during training; resume it"));

    // Resume: from the last complete checkpoint, to the end.
    const Run resumed = cli({ QStringLiteral("train"), m_study, QStringLiteral("--resume"), QString::number(run),
        QStringLiteral("--json") });
    QVERIFY2(resumed.code == 0 && !resumed.killed, qPrintable(resumed.err));
    QVERIFY2(resumed.err.contains(QStringLiteral("Resuming run %1 after epoch %2").arg(run).arg(checkpointEpoch + 1)),
        qPrintable(resumed.err));
    const QJsonObject outcome = QJsonDocument::fromJson(resumed.out.toUtf8()).object();
    QCOMPARE(outcome.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    QCOMPARE(outcome.value(QStringLiteral("epochs_run")).toInt(), m_epochs);
    QCOMPARE(openAndRead(run).first, QStringLiteral("completed"));
    checkResumed(run);
}

void TestCrash::killDuringPredictions()
{
    const QString run = QString::number(m_reference);
    const QVariantList bind { m_reference };
    const QString count
        = QStringLiteral("SELECT count(*), count(DISTINCT created_at) FROM predictions WHERE run_id = ?");
    // Killed half-way through writing them: none stored.
    Run killed
        = cli({ QStringLiteral("predict"), m_study, QStringLiteral("--run"), run }, QStringLiteral("predictions:1"));
    QVERIFY2(killed.killed, qPrintable(killed.err));
    QCOMPARE(killed.code, int(SIGKILL));
    QCOMPARE(scalar(m_study, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QCOMPARE(rows(m_study, count, bind).first().at(0).toInt(), 0);

    // Run again: all stored.
    const Run done = cli({ QStringLiteral("predict"), m_study, QStringLiteral("--run"), run });
    QVERIFY2(done.code == 0, qPrintable(done.err));
    const int cases = scalar(m_study, QStringLiteral("SELECT count(*) FROM cases")).toInt();
    QCOMPARE(rows(m_study, count, bind).first().at(0).toInt(), cases);
    QCOMPARE(rows(m_study, count, bind).first().at(1).toInt(), 1);
    const QString stamp
        = scalar(m_study, QStringLiteral("SELECT created_at FROM predictions WHERE run_id = ? LIMIT 1"), bind)
              .toString();

    // Killed while replacing them: the earlier ones stay, every one of them.
    QTest::qWait(5); // a later write would carry a later time
    killed = cli({ QStringLiteral("predict"), m_study, QStringLiteral("--run"), run }, QStringLiteral("predictions:1"));
    QVERIFY2(killed.killed, qPrintable(killed.err));
    QCOMPARE(scalar(m_study, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QCOMPARE(rows(m_study, count, bind).first().at(0).toInt(), cases);
    QCOMPARE(rows(m_study, count, bind).first().at(1).toInt(), 1);
    QCOMPARE(
        scalar(m_study, QStringLiteral("SELECT created_at FROM predictions WHERE run_id = ? LIMIT 1"), bind).toString(),
        stamp);
    // The run the predictions belong to is untouched.
    QCOMPARE(openAndRead(m_reference).first, QStringLiteral("completed"));
}

void TestCrash::shippedCommandLineHasNoKillPoints()
{
    // The `lepton` that is installed has no test hooks: the same kill point that ends
    // lepton-testhooks above does nothing there.
    const QString run = QString::number(m_reference);
    const Run done = cli({ QStringLiteral("predict"), m_study, QStringLiteral("--run"), run },
        QStringLiteral("predictions:1"), QStringLiteral(LEPTON_CLI));
    QVERIFY2(!done.killed && done.code == 0, qPrintable(done.err));
    const int cases = scalar(m_study, QStringLiteral("SELECT count(*) FROM cases")).toInt();
    QCOMPARE(
        scalar(m_study, QStringLiteral("SELECT count(*) FROM predictions WHERE run_id = ?"), { m_reference }).toInt(),
        cases);
}

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
