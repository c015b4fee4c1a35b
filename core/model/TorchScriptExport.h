// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/FusionNet.h"
#include "util/Result.h"

#include <QString>

namespace lepton {

/// Writes a FusionNet as a TorchScript module that Python's `torch.jit.load` (or LibTorch's
/// `torch::jit::load`) runs without this program. Its parameters and buffers carry the model's
/// values (names with '.' written as '__'); its forward is TorchScript source generated for the
/// model's configuration, in inference mode:
///   forward(image, image_present, record_values, record_missing, record_category, record_present,
///           events, event_mask, history_present[, text_tokens, text_mask, text_present])
///     -> (logits, modality_weights)
/// with the tensors of a `Batch` (data/Batch.h); the three text inputs are there when the model's
/// data has a text field (the tokenizer that makes text_tokens is written beside the file).
Status exportTorchScript(FusionNet &model, const QString &path);

/// The built-in image encoder up to its last feature map (stem and stages, not the attention
/// pooling) as a TorchScript file: forward(image [B, C, H, W] as the dataset normalises it)
/// -> [B, F, h, w]. Its batch norms follow the module's mode, so it can be trained further as an
/// imported encoder (model/ImageBackbone.h); how `lepton pretrain` stores what it learned.
Result<QByteArray> exportImageFeatures(ImageEncoder &encoder, const ModelConfig &config);

/// The generated TorchScript source (for inspection and tests).
std::string torchScriptSource(const ModelConfig &config);

} // namespace lepton
