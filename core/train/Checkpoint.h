// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/FusionNet.h"
#include "store/RunRepository.h"
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
/// Studies written before this format hold LibTorch archives (zip, "PK"). No load reads them:
/// LibTorch's archive and pickle readers trust their input, a study is a file people send each
/// other, and the hash stored beside a checkpoint guards against damage, not against whoever wrote
/// the study. Such checkpoints are refused with a message naming the study, the run and
/// `lepton runs convert-checkpoints`; only that explicit, audited conversion of a study the user
/// trusts reads them (convertLegacyArchive, train/CheckpointConversion.h).
class CheckpointIO
{
public:
    /// Where the bytes come from; only the wording of a refusal differs.
    enum class Source {
        Study, ///< a blob from the study's checkpoints table
        File, ///< bytes from anywhere else
    };
    static Result<QByteArray> save(FusionNet &model, torch::optim::AdamW *optimizer, int epoch);
    /// Loads our format; anything else, a LibTorch archive included, is refused with a message.
    static Status load(const QByteArray &blob, FusionNet &model, torch::optim::AdamW *optimizer, int *epoch = nullptr,
        Source source = Source::Study);
    /// Loads run `runId`'s stored `checkpoint` from `study` as load() does; every message starts
    /// with the run, and a LibTorch archive of an earlier version is refused with one that names
    /// the study, the run and the command that converts its checkpoints.
    static Status loadFromStudy(const Study &study, qint64 runId, const Checkpoint &checkpoint, FusionNet &model,
        torch::optim::AdamW *optimizer, int *epoch = nullptr);
    /// Whether the bytes are a LibTorch archive (a zip file), as earlier versions stored checkpoints.
    static bool isLegacyArchive(const QByteArray &blob);
    /// Reads a LibTorch archive written by an earlier version into `model` (and, when the archive
    /// holds its state, `optimizer`) and returns the same checkpoint in our format; `*hadOptimizer`
    /// says whether it held the optimizer's state. This hands the bytes to LibTorch's archive
    /// reader, which a crafted archive can crash: call it only for a study the user has said they
    /// trust (CheckpointConversion::convertRun), never on the way to a prediction.
    static Result<QByteArray> convertLegacyArchive(const QByteArray &blob, FusionNet &model,
        torch::optim::AdamW &optimizer, int fallbackEpoch, bool *hadOptimizer = nullptr);
    /// Checks that the bytes are a whole checkpoint in our format (signature, hash, entries).
    static Status verify(const QByteArray &blob);
    /// Loads only the image encoder's weights from a file for transfer learning: a checkpoint in our
    /// format with a matching hash (`lepton export --checkpoint`), or weights in the safetensors
    /// layout named as `lepton export --safetensors` names them ("image.stem.0.weight") or by the
    /// encoder's own names ("stem.0.weight"); every tensor of the encoder must be there in its shape,
    /// except residual adapters, which start afresh when the file has none.
    static Status loadImageEncoder(const QString &path, FusionNet &model);
    /// The first bytes of every checkpoint in our format.
    static QByteArray signature();
};

} // namespace lepton
