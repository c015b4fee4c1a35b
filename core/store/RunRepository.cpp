// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunRepository.h"

#include "store/AuditActions.h"
#include "store/AuditLog.h"
#include "store/Study.h"
#include "util/KillPoint.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSet>
#include <QSqlQuery>
#include <QSysInfo>
#include <QVariant>

#include <cerrno>
#include <cmath>
#include <functional>

#ifdef Q_OS_UNIX
#include <signal.h>
#endif

namespace lepton {
namespace {

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject object(const QVariant &v)
{
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}

Status exec(QSqlQuery &q, const QString &what)
{
    if (!q.exec())
        return Status::failure(Study::sqlError(q, what));
    return Status();
}

RunRecord readRun(const QSqlQuery &q)
{
    RunRecord r;
    r.id = q.value(0).toLongLong();
    r.name = q.value(1).toString();
    r.datasetId = q.value(2).toLongLong();
    r.config = object(q.value(3));
    // A name from a newer version reads as failed: resumable, never mistaken for a live run.
    r.status = runStatusFromName(q.value(4).toString()).value_or(RunStatus::Failed);
    r.seed = q.value(5).toLongLong();
    r.device = q.value(6).toString();
    r.deviceName = q.value(7).toString();
    r.threads = q.value(8).toInt();
    r.versions = object(q.value(9));
    r.createdAt = q.value(10).toString();
    r.startedAt = q.value(11).toString();
    r.endedAt = q.value(12).toString();
    r.bestEpoch = q.value(13).isNull() ? -1 : q.value(13).toInt();
    r.message = q.value(14).toString();
    r.tags = RunRepository::normalizedTags({ q.value(15).toString() });
    r.notes = q.value(16).toString();
    r.ownerHost = q.value(17).toString();
    r.ownerPid = q.value(18).toLongLong();
    r.heartbeatAt = q.value(19).toString();
    return r;
}

const char *kRunColumns = "id, name, dataset_id, config, status, seed, device, device_name, threads, versions, "
                          "created_at, started_at, ended_at, best_epoch, message, tags, notes, owner_host, "
                          "owner_pid, heartbeat_at";

QString thisHost()
{
    return QSysInfo::machineHostName();
}

qint64 thisPid()
{
    return QCoreApplication::applicationPid();
}

/// Records that this process trains the run and is alive now.
Status touch(QSqlDatabase &db, qint64 runId)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'"));
    q.addBindValue(now());
    q.addBindValue(runId);
    return exec(q, QStringLiteral("recording that the run is alive"));
}

/// Runs this process stopped training without being able to record it (abandon()), as
/// "study path#run id".
QMutex g_abandonedMutex;
QSet<QString> g_abandoned;

QString abandonedKey(const Study &study, qint64 runId)
{
    return study.path() + QLatin1Char('#') + QString::number(runId);
}

/// Whether the process `pid` exists on this host. Without a way to ask (not POSIX), it is taken
/// as alive, and only the heartbeat decides.
bool processExists(qint64 pid)
{
    if (pid <= 0)
        return false;
#ifdef Q_OS_UNIX
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
#else
    return true;
#endif
}

} // namespace

Result<qint64> RunRepository::create(const RunRecord &run)
{
    qint64 id = 0;
    Status s = m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(
            QStringLiteral("INSERT INTO runs(name, dataset_id, config, status, seed, device, device_name, threads, "
                           "versions, created_at, started_at, owner_host, owner_pid, heartbeat_at) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        const QString t = now();
        for (const QVariant &v : { QVariant(run.name), QVariant(run.datasetId), QVariant(json(run.config)),
                 QVariant(runStatusName(RunStatus::Running)), QVariant(run.seed), QVariant(run.device),
                 QVariant(run.deviceName), QVariant(run.threads), QVariant(json(run.versions)), QVariant(t),
                 QVariant(t), QVariant(thisHost()), QVariant(thisPid()), QVariant(t) })
            q.addBindValue(v);
        Status st = exec(q, QStringLiteral("recording the run"));
        id = q.lastInsertId().toLongLong();
        return st;
    });
    if (!s)
        return Result<qint64>::failure(s.error());
    return id;
}

Status RunRepository::setStatus(qint64 runId, RunStatus status, const QString &message, bool ended)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(ended ? QStringLiteral("UPDATE runs SET status = ?, message = ?, ended_at = ? WHERE id = ?")
                        : QStringLiteral(
                            "UPDATE runs SET status = ?, message = ?, ended_at = NULL, started_at = ? WHERE id = ?"));
        q.addBindValue(runStatusName(status));
        q.addBindValue(message);
        q.addBindValue(now());
        q.addBindValue(runId);
        Status s = exec(q, QStringLiteral("updating the run's status"));
        if (s) {
            const QMutexLocker lock(&g_abandonedMutex);
            g_abandoned.remove(abandonedKey(m_study, runId));
        }
        if (!s || status != RunStatus::Running)
            return s;
        // This process trains the run from now on.
        QSqlQuery owner(db);
        owner.prepare(QStringLiteral("UPDATE runs SET owner_host = ?, owner_pid = ?, heartbeat_at = ? WHERE id = ?"));
        owner.addBindValue(thisHost());
        owner.addBindValue(thisPid());
        owner.addBindValue(now());
        owner.addBindValue(runId);
        return exec(owner, QStringLiteral("recording who trains the run"));
    });
}

Status RunRepository::heartbeat(qint64 runId)
{
    return m_study.transaction([&](QSqlDatabase &db) { return touch(db, runId); });
}

Status RunRepository::setBestEpoch(qint64 runId, int epoch)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE runs SET best_epoch = ? WHERE id = ?"));
        q.addBindValue(epoch);
        q.addBindValue(runId);
        return exec(q, QStringLiteral("updating the best epoch"));
    });
}

Status RunRepository::setConfig(qint64 runId, const QJsonObject &config)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE runs SET config = ? WHERE id = ?"));
        q.addBindValue(json(config));
        q.addBindValue(runId);
        return exec(q, QStringLiteral("updating the run's config"));
    });
}

Status RunRepository::addMetrics(qint64 runId, const std::vector<MetricRow> &rows)
{
    if (rows.empty())
        return Status();
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        // REPLACE: a metric written twice (a resumed epoch) keeps one row.
        q.prepare(QStringLiteral(
            "INSERT OR REPLACE INTO metrics(run_id, split, epoch, step, name, value) VALUES (?,?,?,?,?,?)"));
        for (const MetricRow &m : rows) {
            q.addBindValue(runId);
            q.addBindValue(m.split);
            q.addBindValue(m.epoch);
            q.addBindValue(m.step);
            q.addBindValue(m.name);
            q.addBindValue(std::isfinite(m.value) ? QVariant(m.value) : QVariant());
            Status s = exec(q, QStringLiteral("saving metrics"));
            if (!s)
                return s;
        }
        return touch(db, runId);
    });
}

Status RunRepository::dropMetricsAfter(qint64 runId, int epoch)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("DELETE FROM metrics WHERE run_id = ? AND epoch > ?"));
        q.addBindValue(runId);
        q.addBindValue(epoch);
        return exec(q, QStringLiteral("removing metrics of an unfinished epoch"));
    });
}

Status RunRepository::saveCheckpoint(qint64 runId, int epoch, const QByteArray &data, bool best)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        if (best) {
            q.prepare(QStringLiteral("UPDATE checkpoints SET is_best = 0 WHERE run_id = ?"));
            q.addBindValue(runId);
            Status s = exec(q, QStringLiteral("saving a checkpoint"));
            if (!s)
                return s;
        }
        q.prepare(QStringLiteral("INSERT OR REPLACE INTO checkpoints(run_id, epoch, created_at, sha256, is_best, data) "
                                 "VALUES (?,?,?,?,?,?)"));
        q.addBindValue(runId);
        q.addBindValue(epoch);
        q.addBindValue(now());
        q.addBindValue(QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
        q.addBindValue(best ? 1 : 0);
        q.addBindValue(data);
        Status s = exec(q, QStringLiteral("saving a checkpoint"));
        if (!s)
            return s;
        killPoint("checkpoint");
        // Keep the best and the newest two: a study should not grow by a model per epoch.
        q.prepare(QStringLiteral("DELETE FROM checkpoints WHERE run_id = ? AND is_best = 0 AND epoch NOT IN "
                                 "(SELECT epoch FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 2)"));
        q.addBindValue(runId);
        q.addBindValue(runId);
        s = exec(q, QStringLiteral("pruning checkpoints"));
        return s ? touch(db, runId) : s;
    });
}

Result<Checkpoint> RunRepository::checkpoint(qint64 runId, bool best) const
{
    QSqlQuery q(m_study.database());
    q.prepare(best
            ? QStringLiteral("SELECT epoch, is_best, sha256, data FROM checkpoints WHERE run_id = ? AND is_best = 1")
            : QStringLiteral(
                "SELECT epoch, is_best, sha256, data FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1"));
    q.addBindValue(runId);
    if (!q.exec())
        return Result<Checkpoint>::failure(Study::sqlError(q, QStringLiteral("reading a checkpoint")));
    if (!q.next())
        return Result<Checkpoint>::failure(
            QStringLiteral("run %1 has no %2checkpoint").arg(runId).arg(best ? QStringLiteral("best ") : QString()));
    Checkpoint c;
    c.epoch = q.value(0).toInt();
    c.best = q.value(1).toInt() != 0;
    c.data = q.value(3).toByteArray();
    const QString expected = q.value(2).toString();
    if (QString::fromLatin1(QCryptographicHash::hash(c.data, QCryptographicHash::Sha256).toHex()) != expected)
        return Result<Checkpoint>::failure(
            QStringLiteral("the checkpoint of run %1, epoch %2, was altered (its hash does not "
                           "match); it is refused. Retrain or resume from another run")
                .arg(runId)
                .arg(c.epoch));
    return c;
}

Result<std::vector<Checkpoint>> RunRepository::checkpoints(qint64 runId) const
{
    using R = Result<std::vector<Checkpoint>>;
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT epoch, is_best, sha256, data FROM checkpoints WHERE run_id = ? ORDER BY epoch"));
    q.addBindValue(runId);
    if (!q.exec())
        return R::failure(Study::sqlError(q, QStringLiteral("reading the checkpoints of run %1").arg(runId)));
    std::vector<Checkpoint> all;
    while (q.next()) {
        Checkpoint c;
        c.epoch = q.value(0).toInt();
        c.best = q.value(1).toInt() != 0;
        c.data = q.value(3).toByteArray();
        if (QString::fromLatin1(QCryptographicHash::hash(c.data, QCryptographicHash::Sha256).toHex())
            != q.value(2).toString())
            return R::failure(QStringLiteral("the checkpoint of run %1, epoch %2, was altered (its hash does not "
                                             "match); it is refused. Retrain or resume from another run")
                                  .arg(runId)
                                  .arg(c.epoch));
        all.push_back(std::move(c));
    }
    return all;
}

Status RunRepository::replaceCheckpointData(qint64 runId, int epoch, const QByteArray &data)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE checkpoints SET data = ?, sha256 = ? WHERE run_id = ? AND epoch = ?"));
        q.addBindValue(data);
        q.addBindValue(QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
        q.addBindValue(runId);
        q.addBindValue(epoch);
        Status s = exec(q, QStringLiteral("replacing the checkpoint of run %1, epoch %2").arg(runId).arg(epoch));
        if (s && q.numRowsAffected() != 1)
            return Status::failure(QStringLiteral("run %1 has no checkpoint of epoch %2").arg(runId).arg(epoch));
        return s;
    });
}

Status RunRepository::saveArtifact(qint64 runId, const QString &split, const QString &kind, const QJsonObject &data)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("DELETE FROM artifacts WHERE run_id = ? AND split = ? AND kind = ?"));
        q.addBindValue(runId);
        q.addBindValue(split);
        q.addBindValue(kind);
        Status s = exec(q, QStringLiteral("saving results"));
        if (!s)
            return s;
        q.prepare(QStringLiteral("INSERT INTO artifacts(run_id, split, kind, data) VALUES (?,?,?,?)"));
        q.addBindValue(runId);
        q.addBindValue(split);
        q.addBindValue(kind);
        q.addBindValue(json(data));
        return exec(q, QStringLiteral("saving results"));
    });
}

Result<QJsonObject> RunRepository::artifact(qint64 runId, const QString &split, const QString &kind) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT data FROM artifacts WHERE run_id = ? AND split = ? AND kind = ?"));
    q.addBindValue(runId);
    q.addBindValue(split);
    q.addBindValue(kind);
    if (!q.exec())
        return Result<QJsonObject>::failure(Study::sqlError(q, QStringLiteral("reading results")));
    if (!q.next())
        return Result<QJsonObject>::failure(QStringLiteral("run %1 has no %2 %3").arg(runId).arg(split, kind));
    return object(q.value(0));
}

Status RunRepository::savePredictions(qint64 runId, const std::vector<PredictionRow> &rows)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(
            // An upsert keeps the row's id, so the explanations and reviews attached to it stay.
            QStringLiteral("INSERT INTO predictions(run_id, case_id, created_at, probabilities, predicted, calibrated, "
                           "decision, grade, expected_cost, referred) VALUES (?,?,?,?,?,?,?,?,?,?) "
                           "ON CONFLICT(run_id, case_id) DO UPDATE SET created_at = excluded.created_at, "
                           "probabilities = excluded.probabilities, predicted = excluded.predicted, "
                           "calibrated = excluded.calibrated, decision = excluded.decision, grade = excluded.grade, "
                           "expected_cost = excluded.expected_cost, referred = excluded.referred"));
        const QString t = now();
        std::size_t written = 0;
        for (const PredictionRow &p : rows) {
            if (written++ == rows.size() / 2)
                killPoint("predictions");
            QJsonArray probs;
            for (float v : p.probabilities)
                probs.append(static_cast<double>(v));
            q.addBindValue(runId);
            q.addBindValue(p.caseId);
            q.addBindValue(t);
            q.addBindValue(QString::fromUtf8(QJsonDocument(probs).toJson(QJsonDocument::Compact)));
            q.addBindValue(p.predicted);
            QJsonArray calibrated;
            for (double v : p.calibrated)
                calibrated.append(v);
            const bool decided = !p.calibrated.empty();
            q.addBindValue(decided
                    ? QVariant(QString::fromUtf8(QJsonDocument(calibrated).toJson(QJsonDocument::Compact)))
                    : QVariant(QMetaType(QMetaType::QString)));
            q.addBindValue(decided ? QVariant(p.decision) : QVariant(QMetaType(QMetaType::QString)));
            q.addBindValue(decided ? QVariant(p.grade) : QVariant(QMetaType(QMetaType::QString)));
            q.addBindValue(decided ? QVariant(p.expectedCost) : QVariant(QMetaType(QMetaType::Double)));
            q.addBindValue(p.referred ? 1 : 0);
            Status s = exec(q, QStringLiteral("saving predictions"));
            if (!s)
                return s;
        }
        return Status();
    });
}

Result<RunRecord> RunRepository::run(qint64 runId) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT %1 FROM runs WHERE id = ?").arg(QLatin1String(kRunColumns)));
    q.addBindValue(runId);
    if (!q.exec())
        return Result<RunRecord>::failure(Study::sqlError(q, QStringLiteral("reading run %1").arg(runId)));
    if (!q.next())
        return Result<RunRecord>::failure(
            QStringLiteral("%1: has no run %2; `lepton runs` lists them").arg(m_study.path()).arg(runId));
    return readRun(q);
}

Result<std::vector<RunRecord>> RunRepository::runs() const
{
    QSqlQuery q(m_study.database());
    if (!q.exec(QStringLiteral("SELECT %1 FROM runs ORDER BY id").arg(QLatin1String(kRunColumns))))
        return Result<std::vector<RunRecord>>::failure(Study::sqlError(q, QStringLiteral("listing runs")));
    std::vector<RunRecord> out;
    while (q.next())
        out.push_back(readRun(q));
    return out;
}

Result<std::vector<MetricRow>> RunRepository::metrics(qint64 runId, const QString &split, bool epochsOnly) const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    QString sql = QStringLiteral("SELECT split, epoch, step, name, value FROM metrics WHERE run_id = ?");
    if (!split.isEmpty())
        sql += QStringLiteral(" AND split = ?");
    if (epochsOnly)
        sql += QStringLiteral(" AND step = -1");
    q.prepare(sql + QStringLiteral(" ORDER BY epoch, step, name"));
    q.addBindValue(runId);
    if (!split.isEmpty())
        q.addBindValue(split);
    if (!q.exec())
        return Result<std::vector<MetricRow>>::failure(Study::sqlError(q, QStringLiteral("reading metrics")));
    std::vector<MetricRow> out;
    while (q.next())
        out.push_back({ q.value(0).toString(), q.value(1).toInt(), q.value(2).toInt(), q.value(3).toString(),
            q.value(4).isNull() ? std::nan("") : q.value(4).toDouble() });
    return out;
}

bool RunRepository::ownerGone(const RunRecord &run, const QDateTime &at, int staleSeconds)
{
    if (run.status != RunStatus::Running)
        return false;
    if (!run.ownerHost.isEmpty() && run.ownerHost == thisHost() && run.ownerPid > 0)
        return !processExists(run.ownerPid);
    // Another host (or no owner recorded, a run from before owners were): only its heartbeat,
    // else its start, tells whether it still trains.
    QDateTime last = QDateTime::fromString(run.heartbeatAt, Qt::ISODateWithMs);
    if (!last.isValid())
        last = QDateTime::fromString(run.startedAt, Qt::ISODateWithMs);
    if (!last.isValid())
        return true;
    return last.secsTo(at) > staleSeconds;
}

void RunRepository::abandon(qint64 runId)
{
    const QMutexLocker lock(&g_abandonedMutex);
    g_abandoned.insert(abandonedKey(m_study, runId));
}

bool RunRepository::abandoned(qint64 runId) const
{
    const QMutexLocker lock(&g_abandonedMutex);
    return g_abandoned.contains(abandonedKey(m_study, runId));
}

Status RunRepository::markInterrupted(QList<qint64> *marked, int staleSeconds)
{
    auto all = runs();
    if (!all)
        return Status::failure(all.error());
    const QDateTime at = QDateTime::currentDateTimeUtc();
    std::vector<RunRecord> gone;
    for (const RunRecord &r : all.value())
        if (ownerGone(r, at, staleSeconds) || (r.status == RunStatus::Running && abandoned(r.id)))
            gone.push_back(r);
    if (gone.empty())
        return Status();
    return m_study.transaction([&](QSqlDatabase &db) {
        for (const RunRecord &r : gone) {
            // Only if nobody took the run over since it was read (a resume records a new owner).
            QSqlQuery q(db);
            q.prepare(QStringLiteral(
                "UPDATE runs SET status = 'interrupted', ended_at = ?, message = 'the process ended during training; "
                "resume it' WHERE id = ? AND status = 'running' AND owner_host IS ? AND owner_pid IS ? AND "
                "heartbeat_at IS ?"));
            q.addBindValue(now());
            q.addBindValue(r.id);
            q.addBindValue(r.ownerHost.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(r.ownerHost));
            q.addBindValue(r.ownerPid > 0 ? QVariant(r.ownerPid) : QVariant(QMetaType(QMetaType::LongLong)));
            q.addBindValue(r.heartbeatAt.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(r.heartbeatAt));
            Status s = exec(q, QStringLiteral("marking interrupted runs"));
            if (!s)
                return s;
            if (marked && q.numRowsAffected() > 0)
                marked->append(r.id);
        }
        return Status();
    });
}

QStringList RunRepository::normalizedTags(const QStringList &tags)
{
    QStringList out;
    for (const QString &given : tags)
        for (const QString &part : given.split(QLatin1Char(',')))
            if (const QString tag = part.trimmed(); !tag.isEmpty() && !out.contains(tag))
                out.append(tag);
    return out;
}

namespace {

/// Reads one text column of a run inside a transaction; fails when there is no such run.
Result<QString> runText(QSqlDatabase &db, const QString &studyPath, qint64 runId, const QString &column)
{
    QSqlQuery q(db);
    // The column is one of the callers' fixed names, never user input.
    q.prepare(QStringLiteral("SELECT %1 FROM runs WHERE id = ?").arg(column));
    q.addBindValue(runId);
    if (!q.exec())
        return Result<QString>::failure(Study::sqlError(q, QStringLiteral("reading run %1").arg(runId)));
    if (!q.next())
        return Result<QString>::failure(
            QStringLiteral("%1: has no run %2; `lepton runs` lists them").arg(studyPath).arg(runId));
    return q.value(0).toString();
}

/// Sets one text column of a run and writes the audit entry, in one transaction.
Status changeRun(Study &study, qint64 runId, const QString &column, const QString &value, const QString &actor,
    const QString &action, const std::function<QJsonObject(const QString &old)> &details)
{
    return study.transaction([&](QSqlDatabase &db) {
        auto old = runText(db, study.path(), runId, column);
        if (!old)
            return Status::failure(old.error());
        if (old.value() == value)
            return Status();
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE runs SET %1 = ? WHERE id = ?").arg(column));
        q.addBindValue(value.isNull() ? QStringLiteral("") : value); // a null QString binds as NULL
        q.addBindValue(runId);
        Status s = exec(q, QStringLiteral("changing run %1").arg(runId));
        if (!s)
            return s;
        QJsonObject d = details(old.value());
        d.insert(QStringLiteral("run_id"), runId);
        auto entry = AuditLog(study).append(actor, action, QStringLiteral("run:%1").arg(runId), d);
        return entry ? Status() : Status::failure(entry.error());
    });
}

} // namespace

Status RunRepository::rename(qint64 runId, const QString &name, const QString &actor)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return Status::failure(QStringLiteral("run name: a run needs a name; type one"));
    return changeRun(
        m_study, runId, QStringLiteral("name"), trimmed, actor, auditaction::RunRename, [&](const QString &old) {
            return QJsonObject { { QStringLiteral("old_name"), old }, { QStringLiteral("new_name"), trimmed } };
        });
}

Status RunRepository::setTags(qint64 runId, const QStringList &tags, const QString &actor)
{
    const QStringList clean = normalizedTags(tags);
    return changeRun(m_study, runId, QStringLiteral("tags"), clean.join(QLatin1Char(',')), actor, auditaction::RunTag,
        [&](const QString &old) {
            return QJsonObject { { QStringLiteral("old_tags"), QJsonArray::fromStringList(normalizedTags({ old })) },
                { QStringLiteral("new_tags"), QJsonArray::fromStringList(clean) } };
        });
}

Status RunRepository::setNotes(qint64 runId, const QString &notes, const QString &actor)
{
    return changeRun(
        m_study, runId, QStringLiteral("notes"), notes, actor, auditaction::RunNote, [&](const QString &old) {
            return QJsonObject { { QStringLiteral("old_notes"), old }, { QStringLiteral("new_notes"), notes } };
        });
}

Status RunRepository::remove(qint64 runId, const QString &actor)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "SELECT name, status, dataset_id, created_at, tags, "
            "(SELECT count(*) FROM predictions p WHERE p.run_id = r.id), "
            "(SELECT count(*) FROM reviews v JOIN predictions p ON p.id = v.prediction_id WHERE p.run_id = r.id), "
            "(SELECT count(*) FROM explanations e JOIN predictions p ON p.id = e.prediction_id WHERE p.run_id = r.id) "
            "FROM runs r WHERE id = ?"));
        q.addBindValue(runId);
        Status s = exec(q, QStringLiteral("reading run %1").arg(runId));
        if (!s)
            return s;
        if (!q.next())
            return Status::failure(
                QStringLiteral("%1: has no run %2; `lepton runs` lists them").arg(m_study.path()).arg(runId));
        const QString status = q.value(1).toString();
        if (status == runStatusName(RunStatus::Running))
            return Status::failure(QStringLiteral("run %1 is still training; stop it before deleting it").arg(runId));
        const QJsonObject details { { QStringLiteral("run_id"), runId },
            { QStringLiteral("name"), q.value(0).toString() }, { QStringLiteral("status"), status },
            { QStringLiteral("dataset_id"), q.value(2).toLongLong() },
            { QStringLiteral("created_at"), q.value(3).toString() },
            { QStringLiteral("tags"), QJsonArray::fromStringList(normalizedTags({ q.value(4).toString() })) },
            { QStringLiteral("predictions"), q.value(5).toInt() }, { QStringLiteral("reviews"), q.value(6).toInt() },
            { QStringLiteral("explanations"), q.value(7).toInt() } };
        QSqlQuery del(db);
        del.prepare(QStringLiteral("DELETE FROM runs WHERE id = ?"));
        del.addBindValue(runId);
        s = exec(del, QStringLiteral("deleting run %1").arg(runId));
        if (!s)
            return s;
        auto entry
            = AuditLog(m_study).append(actor, auditaction::RunDelete, QStringLiteral("run:%1").arg(runId), details);
        return entry ? Status() : Status::failure(entry.error());
    });
}

Result<qint64> RunRepository::redecide(qint64 runId, const std::vector<PredictionDecision> &rows,
    const QJsonObject &config, const QString &actor, const QJsonObject &details)
{
    qint64 entryId = 0;
    Status st = m_study.transaction([&](QSqlDatabase &db) {
        auto status = runText(db, m_study.path(), runId, QStringLiteral("status"));
        if (!status)
            return Status::failure(status.error());
        if (status.value() == runStatusName(RunStatus::Running))
            return Status::failure(
                QStringLiteral("run %1 is still training; re-decide it once its training has ended").arg(runId));
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE predictions SET calibrated = ?, decision = ?, grade = ?, expected_cost = ?, "
                                 "referred = ? WHERE id = ? AND run_id = ?"));
        for (const PredictionDecision &p : rows) {
            QJsonArray calibrated;
            for (double v : p.calibrated)
                calibrated.append(v);
            q.addBindValue(QString::fromUtf8(QJsonDocument(calibrated).toJson(QJsonDocument::Compact)));
            q.addBindValue(p.decision);
            q.addBindValue(p.grade);
            q.addBindValue(p.expectedCost);
            q.addBindValue(p.referred ? 1 : 0);
            q.addBindValue(p.predictionId);
            q.addBindValue(runId);
            Status s = exec(q, QStringLiteral("re-deciding the predictions of run %1").arg(runId));
            if (!s)
                return s;
            if (q.numRowsAffected() != 1)
                return Status::failure(QStringLiteral("prediction %1 is not one of run %2's; nothing was changed")
                                           .arg(p.predictionId)
                                           .arg(runId));
        }
        QSqlQuery c(db);
        c.prepare(QStringLiteral("UPDATE runs SET config = ? WHERE id = ?"));
        c.addBindValue(json(config));
        c.addBindValue(runId);
        Status s = exec(c, QStringLiteral("updating run %1's config").arg(runId));
        if (!s)
            return s;
        QJsonObject d = details;
        d.insert(QStringLiteral("run_id"), runId);
        auto entry = AuditLog(m_study).append(actor, auditaction::RunRedecide, QStringLiteral("run:%1").arg(runId), d);
        if (!entry)
            return Status::failure(entry.error());
        entryId = entry.value();
        return Status();
    });
    if (!st)
        return Result<qint64>::failure(st.error());
    return entryId;
}

} // namespace lepton
