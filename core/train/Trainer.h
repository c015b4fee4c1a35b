// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/Metrics.h"
#include "store/RunStatus.h"
#include "train/TrainConfig.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QString>

#include <functional>

namespace lepton {

class Study;

/// One optimisation step, as reported to the UI and the study.
struct StepInfo
{
    int epoch = 0;
    int step = 0; ///< global step, from 0
    int batch = 0; ///< within the epoch
    int batches = 0;
    double loss = 0.0;
    double learningRate = 0.0;
    double samplesPerSecond = 0.0;
};

/// The end of an epoch: metrics on train (from the training pass) and validation.
struct EpochInfo
{
    int epoch = 0;
    int epochs = 0;
    ClassificationMetrics train;
    ClassificationMetrics val;
    double seconds = 0.0;
    bool best = false;
};

/// How the trainer talks to whoever runs it (the CLI, the GUI's worker, a test). Called on the
/// training thread; none of them may block for long.
struct TrainCallbacks
{
    std::function<void(const StepInfo &)> step;
    std::function<void(const EpochInfo &)> epoch;
    std::function<void(RunStatus)> status;
    std::function<void(const QString &)> log;
    /// The run's id, once it exists in the study (new runs) or is being resumed.
    std::function<void(qint64 runId)> runStarted;
    CancelFn cancelled;
};

/// How a run ended.
struct TrainOutcome
{
    qint64 runId = 0;
    RunStatus status = RunStatus::Failed; ///< Completed, Cancelled or Failed
    QString message;
    int bestEpoch = -1;
    int epochsRun = 0;
    ClassificationMetrics val;
    ClassificationMetrics test;
};

/// Trains a FusionNet on a dataset of a study and records everything in it: the run and its
/// config, per-step loss, per-epoch metrics, a checkpoint per epoch (transactional), the final
/// validation and test metrics, confusion matrices and ROC/PR curves. Cancel at any step leaves
/// the run `cancelled` with its last checkpoint usable; resume continues from that checkpoint.
class Trainer
{
public:
    /// Starts a new run. Fails (without a run) when the data or config cannot be used.
    static Result<TrainOutcome> train(Study &study, qint64 datasetId, const TrainConfig &config,
        const TrainCallbacks &callbacks, const QString &name = QString());
    /// Continues a cancelled, interrupted or failed run from its last checkpoint.
    static Result<TrainOutcome> resume(Study &study, qint64 runId, const TrainCallbacks &callbacks);
};

} // namespace lepton
