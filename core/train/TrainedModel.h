// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dataset/FeatureSpec.h"
#include "model/FusionNet.h"
#include "store/RunRepository.h"
#include "train/TrainConfig.h"
#include "util/Result.h"

#include <memory>

namespace lepton {

class MultimodalDataset;
class Study;

/// A run's best model, ready for inference, with the encoding it was trained with.
/// Gives `config` the study's image encoder, file included: the one named `name` for a new run
/// (its description too), else the one whose SHA-256 the config recorded (a run being resumed or
/// loaded). Nothing to do for the built-in encoder. The file's SHA-256 is checked.
Status attachImageBackbone(Study &study, ModelConfig &config, const QString &name = QString());

struct TrainedModel
{
    RunRecord run;
    TrainConfig config;
    FeatureSpec spec;
    int positiveClass = 0;
    int epoch = -1;
    torch::Device device { torch::kCPU };
    FusionNet model { nullptr };

    /// Loads the best (or, when none is marked, the newest) checkpoint of a run.
    static Result<TrainedModel> load(Study &study, qint64 runId, const QString &device = QStringLiteral("auto"));
    /// A dataset of the study encoded as this model expects.
    Result<std::shared_ptr<MultimodalDataset>> dataset(Study &study, qint64 datasetId) const;
};

} // namespace lepton
