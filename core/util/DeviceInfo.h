// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace lepton {

/// Whether training can use CUDA here, for settings forms: no LibTorch types, so views can ask.
struct CudaAvailability
{
    bool available = false;
    QString name; ///< the GPU's name when available
    QString reason; ///< why not, when not: a sentence for a tooltip
};

CudaAvailability cudaAvailability();

} // namespace lepton
