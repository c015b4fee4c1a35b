// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/Metrics.h"
#include "model/FusionNet.h"
#include "util/Progress.h"

#include <QtGlobal>

#include <memory>
#include <vector>

namespace lepton {

class MultimodalDataset;

/// Probabilities of a model on some cases of a dataset, and the metrics where labels exist.
struct Evaluation
{
    std::vector<float> probabilities; ///< row-major N × classes
    std::vector<int> labels; ///< -1 unlabelled
    std::vector<qint64> caseIds;
    ClassificationMetrics metrics;
    bool cancelled = false;
};

/// Runs a model in inference mode over cases of a dataset (no augmentation, loader threads).
Evaluation evaluateModel(FusionNet &model, const std::shared_ptr<const MultimodalDataset> &dataset,
    const std::vector<int> &indices, const torch::Device &device, int batchSize, int workers, int positiveClass,
    const CancelFn &cancelled = {});

} // namespace lepton
