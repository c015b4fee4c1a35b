// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QString>

#include <torch/types.h>

namespace lepton {

/// "auto" (CUDA when this LibTorch has a device, else the CPU), "cpu" or "cuda".
Result<torch::Device> resolveDevice(const QString &name);

/// A device's name for run records: the GPU's product name, or "CPU".
QString deviceName(const torch::Device &device);

/// Whether this build of the program was compiled against a CUDA LibTorch.
bool builtWithCuda();

/// Whether `device` computes in bfloat16 at full speed (CUDA compute capability 8.0 or newer).
bool supportsBFloat16(const torch::Device &device);

/// Mixed precision for the scope of one training step: autocast to bfloat16 on CUDA. bfloat16 keeps
/// float32's exponent range, so no loss scaling is needed. Does nothing when `enabled` is false.
class AutocastScope
{
public:
    explicit AutocastScope(bool enabled);
    ~AutocastScope();
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;

private:
    bool m_enabled;
    bool m_wasEnabled = false;
};

} // namespace lepton
