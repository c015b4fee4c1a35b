// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/FusionNet.h"
#include "util/Result.h"

#include <torch/optim/adamw.h>

#include <QByteArray>

namespace lepton {

/// Our checkpoint format: a model's parameters and buffers, the optimizer's state and the epoch,
/// as named raw tensors with an SHA-256 of the whole at the end. Nothing in it is executed or
/// unpickled: reading checks the signature, the hash and every entry's bounds before any tensor
/// is made, and a blob for another architecture is refused with a message naming the entry.
///
/// Layout (little-endian): "LEPTCKPT", u32 format (1), u32 entry count; per entry: u16 name
/// length, UTF-8 name, u8 dtype (1 float32, 2 float64, 3 int64, 4 int32, 5 uint8, 6 bool), u8
/// dimensions, u64 per dimension, u64 data bytes, data; then the SHA-256 of everything before it.
/// Entries: "model.<parameter or buffer>", "optimizer.<group>.<index>.<step|exp_avg|exp_avg_sq|
/// max_exp_avg_sq>", "epoch".
///
/// Studies written before this format hold LibTorch archives (zip); those are read through
/// LibTorch's archive reader only when they come from a study (Source::Study), whose stored hash
/// RunRepository::checkpoint has checked. A file never goes to that reader.
class CheckpointIO
{
public:
    enum class Source {
        Study, ///< a blob from the study's checkpoints table, its hash checked by RunRepository
        File, ///< bytes from anywhere else: only our format
    };
    static Result<QByteArray> save(FusionNet &model, torch::optim::AdamW *optimizer, int epoch);
    static Status load(const QByteArray &blob, FusionNet &model, torch::optim::AdamW *optimizer, int *epoch = nullptr,
        Source source = Source::Study);
    /// Checks that the bytes are a whole checkpoint in our format (signature, hash, entries).
    static Status verify(const QByteArray &blob);
    /// Loads only the image encoder's weights from a checkpoint file (`lepton export
    /// --checkpoint`) for transfer learning; the file must be in our format with a matching hash.
    static Status loadImageEncoder(const QString &path, FusionNet &model);
    /// The first bytes of every checkpoint in our format.
    static QByteArray signature();
};

} // namespace lepton
