// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

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
    QString status; ///< running, completed, cancelled, failed, interrupted
    qint64 seed = 0;
    QString device;
    QString deviceName;
    int threads = 0;
    QJsonObject versions;
    QString createdAt, startedAt, endedAt;
    int bestEpoch = -1;
    QString message;
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

/// Runs, their metrics, checkpoints, artifacts and predictions in a study. Writes are batched
/// in transactions; a checkpoint is written in one transaction so a crash never leaves half.
class RunRepository
{
public:
    explicit RunRepository(Study &study) : m_study(study) { }

    Result<qint64> create(const RunRecord &run);
    Status setStatus(qint64 runId, const QString &status, const QString &message = QString(), bool ended = true);
    Status setBestEpoch(qint64 runId, int epoch);
    Status setConfig(qint64 runId, const QJsonObject &config);
    Status addMetrics(qint64 runId, const std::vector<MetricRow> &rows);
    /// Removes metrics after an epoch (a resumed run rewrites what the interrupted one left).
    Status dropMetricsAfter(qint64 runId, int epoch);
    Status saveCheckpoint(qint64 runId, int epoch, const QByteArray &data, bool best);
    /// The newest checkpoint, or the best one; failure when none or the data was altered.
    Result<Checkpoint> checkpoint(qint64 runId, bool best) const;
    Status saveArtifact(qint64 runId, const QString &split, const QString &kind, const QJsonObject &data);
    Result<QJsonObject> artifact(qint64 runId, const QString &split, const QString &kind) const;
    Status savePredictions(qint64 runId, const std::vector<PredictionRow> &rows);

    Result<RunRecord> run(qint64 runId) const;
    Result<std::vector<RunRecord>> runs() const;
    Result<std::vector<MetricRow>> metrics(
        qint64 runId, const QString &split = QString(), bool epochsOnly = false) const;
    /// Runs left "running" by a process that died are marked "interrupted" on open.
    Status markInterrupted();

private:
    Study &m_study;
};

} // namespace lepton
