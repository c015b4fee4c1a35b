// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/RunRepository.h"
#include "util/Result.h"

#include <QVector>

#include <vector>

namespace lepton {

class Study;

/// One epoch of a stored run as the Training view's table and plot show it (NaN: not stored).
struct EpochSummary
{
    int epoch = 0; ///< 0-based
    double trainLoss = 0.0;
    double valLoss = 0.0;
    double valAuroc = 0.0;
    double valAccuracy = 0.0;
    double valSensitivity = 0.0;
    double valSpecificity = 0.0;
    double valF1 = 0.0;
    double seconds = 0.0; ///< the epoch's training time as stored; NaN when not stored
    bool best = false; ///< the run's best epoch
};

/// A stored run's curves: the per-step training loss at x = epoch + (i + 1) / steps per epoch,
/// and its epochs that have a validation (the ones drawn and listed).
struct TrainingCurves
{
    RunRecord run;
    QVector<double> stepX;
    QVector<double> stepLoss;
    std::vector<EpochSummary> epochs;
};

/// Reading a run's history for the views: its curves, and whether it can be resumed.
class RunHistory
{
public:
    /// The run's stored curves. Steps per epoch are those of the longest epoch, so a cancelled
    /// epoch's partial steps keep their place instead of stretching over the epoch.
    /// `completedOnly`: only epochs with a validation (a resumed run repeats the others).
    static Result<TrainingCurves> curves(Study &study, qint64 runId, bool completedOnly = false);
    /// The run when it can be resumed (cancelled, interrupted or failed); otherwise a failure
    /// that says its status. A run still marked running may be training elsewhere.
    static Result<RunRecord> resumable(Study &study, qint64 runId);
    /// The number of epochs a run was configured for (its config's train.epochs).
    static int configuredEpochs(const RunRecord &run);
};

} // namespace lepton
