// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <torch/types.h>

#include <QtGlobal>

#include <vector>

namespace lepton {

/// A mini-batch of cases with every modality as tensors. A modality absent for a case is marked
/// in its *Present mask (and its tensor rows are zero) so that the model can mask it out.
struct Batch
{
    torch::Tensor image; ///< [B, C, H, W] float, normalised with train statistics
    torch::Tensor imagePresent; ///< [B] bool
    torch::Tensor recordValues; ///< [B, F] float: standardised numbers; 0 for missing and categorical
    torch::Tensor recordMissing; ///< [B, F] float: 1 where the value is missing
    torch::Tensor recordCategory; ///< [B, F] int64: category index + 1 for categorical fields, else 0
    torch::Tensor recordPresent; ///< [B] bool: at least one field present
    torch::Tensor events; ///< [B, T, E] float: per event field value, missing flag, change since first; then time
    torch::Tensor eventMask; ///< [B, T] bool: true for real (not padded) events
    torch::Tensor eventLengths; ///< [B] int64
    torch::Tensor historyPresent; ///< [B] bool
    /// The note: token ids [B, L] int64 (0 padding, after the tokens), mask [B, L] bool, present
    /// [B] bool. Undefined when the dataset has no text field (the model treats text as absent).
    torch::Tensor textTokens, textMask, textPresent;
    torch::Tensor labels; ///< [B] int64 class index, -1 when unlabelled
    std::vector<int> indices; ///< positions in the dataset
    std::vector<qint64> caseIds; ///< study case ids

    int size() const { return static_cast<int>(indices.size()); }
    /// Moves every tensor to a device (non-blocking where it can).
    Batch to(const torch::Device &device) const;
};

} // namespace lepton
