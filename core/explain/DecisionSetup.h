// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/Calibration.h"
#include "decision/DecisionPolicy.h"
#include "store/RunRepository.h"

namespace lepton {

class Study;
struct TrainedModel;

/// What turns a run's probabilities into decisions: its template bound to the run's classes and
/// fields, and its temperature calibration.
struct DecisionSetup
{
    DomainTemplate bound;
    Calibration calibration;
    bool calibrated = false; ///< false for runs that stopped before their final evaluation

    /// The run's own template, or `templateOverride` (a built-in name or a file) bound to the run's
    /// data; the calibration fitted at the end of training.
    static Result<DecisionSetup> forRun(Study &study, const TrainedModel &model, const QString &templateOverride = {});
    /// One case's prediction with its calibrated probabilities and the policy's decision.
    PredictionRow predict(qint64 caseId, const float *probabilities, int classes) const;
};

} // namespace lepton
