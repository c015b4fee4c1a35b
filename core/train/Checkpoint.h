// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/FusionNet.h"
#include "util/Result.h"

#include <torch/optim/adamw.h>

#include <QByteArray>

namespace lepton {

/// Serialises a model (and optionally its optimizer) into our checkpoint format: a LibTorch
/// archive with "model", "optimizer" and "epoch" entries, kept as a blob in the study. A blob for
/// another architecture is refused with a message. Reading goes through LibTorch's archive
/// reader, which unpickles the archive's data.pkl (its own restricted unpickler) and parses
/// the TorchScript class definitions stored in it; LibTorch 1.13 can crash or allocate gigabytes
/// on a damaged archive (docs/RELIABILITY.md, "Fuzzing"), so pass only blobs whose stored hash
/// was checked (RunRepository::checkpoint does).
class CheckpointIO
{
public:
    static Result<QByteArray> save(FusionNet &model, torch::optim::AdamW *optimizer, int epoch);
    static Status load(const QByteArray &blob, FusionNet &model, torch::optim::AdamW *optimizer, int *epoch = nullptr);
    /// Loads only the image encoder's weights from a checkpoint file (transfer learning).
    static Status loadImageEncoder(const QString &path, FusionNet &model);
};

} // namespace lepton
