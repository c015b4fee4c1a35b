// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/RunStatus.h"
#include "util/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <vector>

namespace lepton {

class Study;

/// A training run as recorded in the study.
struct RunRecord
{
    qint64 id = 0;
    QString name;
    qint64 datasetId = 0;
    QJsonObject config;
    RunStatus status = RunStatus::Running;
    qint64 seed = 0;
    QString device;
    QString deviceName;
    int threads = 0;
    QJsonObject versions;
    QString createdAt, startedAt, endedAt;
    int bestEpoch = -1;
    QString message;
    QStringList tags; ///< trimmed, no empties or duplicates, in the order given
    QString notes;
    QString ownerHost; ///< the host of the process training it (set when it starts or resumes)
    qint64 ownerPid = 0; ///< that process's id
    QString heartbeatAt; ///< when that process last wrote (each epoch, about every 30 s of steps)
};

/// One metric value of a run.
struct MetricRow
{
    QString split; ///< "train" (per step or epoch), "val", "test"
    int epoch = 0;
    int step = -1; ///< -1 for per-epoch values
    QString name;
    double value = 0.0;
};

/// A stored checkpoint, verified against its hash when read.
struct Checkpoint
{
    int epoch = -1;
    bool best = false;
    QByteArray data;
};

/// One prediction to store.
struct PredictionRow
{
    qint64 caseId = 0;
    std::vector<float> probabilities; ///< the model's, in the run's class order
    QString predicted; ///< the most probable class
    std::vector<double> calibrated; ///< after the run's temperature calibration (empty: not decided)
    QString decision; ///< what the template's policy does for this case
    QString grade;
    double expectedCost = 0.0;
    bool referred = false;
};

/// A stored prediction decided again under another template (explain/Redecide).
struct PredictionDecision
{
    qint64 predictionId = 0;
    std::vector<double> calibrated; ///< the probabilities it was decided from, in the run's class order
    QString decision;
    QString grade;
    double expectedCost = 0.0;
    bool referred = false;
};

/// Runs, their metrics, checkpoints, artifacts and predictions in a study. Writes are batched
/// in transactions; a checkpoint is written in one transaction so a crash never leaves half.
class RunRepository
{
public:
    explicit RunRepository(Study &study) : m_study(study) { }

    Result<qint64> create(const RunRecord &run);
    /// Setting Running also records this process (host, PID) as the one training the run.
    Status setStatus(qint64 runId, RunStatus status, const QString &message = QString(), bool ended = true);
    /// Records that this process still trains the run (addMetrics and saveCheckpoint do it too).
    Status heartbeat(qint64 runId);
    Status setBestEpoch(qint64 runId, int epoch);
    Status setConfig(qint64 runId, const QJsonObject &config);
    Status addMetrics(qint64 runId, const std::vector<MetricRow> &rows);
    /// Removes metrics after an epoch (a resumed run rewrites what the interrupted one left).
    Status dropMetricsAfter(qint64 runId, int epoch);
    Status saveCheckpoint(qint64 runId, int epoch, const QByteArray &data, bool best);
    /// The newest checkpoint, or the best one; failure when none or the data was altered.
    Result<Checkpoint> checkpoint(qint64 runId, bool best) const;
    /// Every stored checkpoint of the run, oldest epoch first; failure when one was altered.
    Result<std::vector<Checkpoint>> checkpoints(qint64 runId) const;
    /// Replaces the bytes of the run's checkpoint of `epoch` (and their hash), keeping its epoch,
    /// time and best flag: for a format conversion (train/CheckpointConversion.h), which writes
    /// its audit entry in the same transaction. Failure when there is no such checkpoint.
    Status replaceCheckpointData(qint64 runId, int epoch, const QByteArray &data);
    Status saveArtifact(qint64 runId, const QString &split, const QString &kind, const QJsonObject &data);
    Result<QJsonObject> artifact(qint64 runId, const QString &split, const QString &kind) const;
    Status savePredictions(qint64 runId, const std::vector<PredictionRow> &rows);

    Result<RunRecord> run(qint64 runId) const;
    Result<std::vector<RunRecord>> runs() const;
    Result<std::vector<MetricRow>> metrics(
        qint64 runId, const QString &split = QString(), bool epochsOnly = false) const;
    /// A heartbeat older than this (seconds) means a run's process on another host is gone.
    static constexpr int kStaleSeconds = 600;
    /// Marks "interrupted" each run left "running" by a process that ended: on this host, one whose
    /// process no longer exists; on another host (or without a recorded owner), one that has not
    /// written for `staleSeconds`; in this process, one it abandon()ed. A run another process is
    /// training is left alone. Study::open calls it for a writable study. The ids marked are
    /// appended to `marked`.
    Status markInterrupted(QList<qint64> *marked = nullptr, int staleSeconds = kStaleSeconds);
    /// Records that this process stopped training `runId` but could not write that (a full disk):
    /// the run, still "running" in the study, counts as interrupted from now on (markInterrupted
    /// marks it once it can write, Trainer::resume takes it up) although its process lives on.
    /// Setting the run's status clears this.
    void abandon(qint64 runId);
    bool abandoned(qint64 runId) const;
    /// Whether `run` is "running" but its process has ended, as markInterrupted decides at `at`.
    static bool ownerGone(const RunRecord &run, const QDateTime &at, int staleSeconds = kStaleSeconds);

    // Run management by a user: each writes the change and its audit entry (docs/AUDIT.md) in one
    // transaction. `actor` is the user's name (empty: AuditLog::currentUser()). A change that
    // changes nothing writes nothing.

    /// Renames a run (the name is trimmed; an empty name is refused). Audit: run.rename.
    Status rename(qint64 runId, const QString &name, const QString &actor);
    /// Replaces a run's tags. Each is trimmed and split at commas (they are stored
    /// comma-separated); empties and duplicates are dropped. Audit: run.tag.
    Status setTags(qint64 runId, const QStringList &tags, const QString &actor);
    /// Replaces a run's notes (stored as given). Audit: run.note.
    Status setNotes(qint64 runId, const QString &notes, const QString &actor);
    /// Deletes a run with its metrics, checkpoints, artifacts, predictions, explanations and
    /// reviews. A run still training is refused. The audit entry (run.delete) keeps the run's id,
    /// name, status and what was deleted with it.
    Status remove(qint64 runId, const QString &actor);
    /// Writes the new decisions of a run's stored predictions (decision, grade, expected cost,
    /// referral and the probabilities decided from), the run's new config (its template) and the
    /// audit entry (run.redecide: `details` with run_id added) in one transaction; nothing is
    /// written when any of it fails. A row of another run is refused. Returns the entry's id.
    Result<qint64> redecide(qint64 runId, const std::vector<PredictionDecision> &rows, const QJsonObject &config,
        const QString &actor, const QJsonObject &details);
    /// The tags as setTags stores them.
    static QStringList normalizedTags(const QStringList &tags);

private:
    Study &m_study;
};

} // namespace lepton
