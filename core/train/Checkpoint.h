// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/FusionNet.h"
#include "util/Result.h"

#include <torch/optim/adamw.h>

#include <QByteArray>

namespace lepton {

/// Serialises a model (and optionally its optimizer) into our checkpoint format: a LibTorch
/// archive with "model", "optimizer" and "epoch" entries, kept as a blob in the study. Reading
/// never unpickles anything; a blob for another architecture is refused with a message.
class CheckpointIO
{
public:
    static Result<QByteArray> save(FusionNet &model, torch::optim::AdamW *optimizer, int epoch);
    static Status load(const QByteArray &blob, FusionNet &model, torch::optim::AdamW *optimizer, int *epoch = nullptr);
    /// Loads only the image encoder's weights from a checkpoint file (transfer learning).
    static Status loadImageEncoder(const QString &path, FusionNet &model);
};

} // namespace lepton
