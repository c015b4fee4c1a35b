// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading an imported TorchScript image encoder (model/ImageBackbone.h): loading its bytes and
// finding what it reads and returns by running it once on a blank image.

#include "model/ImageBackbone.h"
#include "util/Result.h"

#include <torch/script.h>

namespace lepton {

/// The module in `bytes` (a TorchScript file), on the CPU. `origin` names it in messages.
Result<torch::jit::Module> loadBackboneModule(const QByteArray &bytes, const QString &origin);

/// What an import asks for: 0 means "find out" (channels: 3, else 1; input size: the size the
/// probe runs at is 224 px) and empty mean/std the usual ones (ImageNet's for 3 channels).
struct BackboneRequest
{
    QString name;
    int channels = 0;
    int inputSize = 0;
    std::vector<double> mean, std;
};

/// Loads `bytes`, runs it on a blank image in evaluation mode and describes it: channels read,
/// features returned, mean and std. Refused, with `origin` and what to do: a file that is not
/// TorchScript, a module without forward, one that fails on an image of the asked channels and
/// size, or one that returns something other than a [1, C, h, w] or [1, C] tensor. `probeSize`
/// receives the size of the output map (h, w) when given.
Result<ImageBackbone> probeBackbone(const QByteArray &bytes, const QString &origin, const BackboneRequest &request,
    std::pair<int, int> *probeSize = nullptr);

/// The number of values in the module's parameters.
std::int64_t backboneParameterCount(const torch::jit::Module &module);

} // namespace lepton
