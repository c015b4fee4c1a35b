// SPDX-License-Identifier: GPL-3.0-or-later
// `lepton encoder import` on arbitrary bytes: probeBackbone reads them with LibTorch's TorchScript
// loader (a zip archive of code and pickled tensors), runs the module on a blank 16 px image and
// describes it. What is refused must say why; what is accepted must describe an encoder, and
// the model must be able to use it. A TorchScript file is a program (docs/TRANSFER.md): this
// target checks that damaged files are refused, not that hostile code is harmless.
#include "FuzzSupport.h"
#include "model/BackboneModule.h"
#include "model/FusionNet.h"

#include <torch/torch.h>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    torch::set_num_threads(1);
    lepton::fuzz::initialiseQt(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray raw = lepton::fuzz::bytes(data, size);
    lepton::BackboneRequest request;
    request.name = QStringLiteral("fuzz");
    request.inputSize = 16;
    auto probed = lepton::probeBackbone(raw, QStringLiteral("fuzz input"), request);
    lepton::fuzz::trace("probe", probed ? QStringLiteral("%1 features").arg(probed->features) : probed.error());
    if (!probed) {
        if (probed.error().isEmpty())
            __builtin_trap();
        return 0;
    }
    if (probed->features < 1 || probed->sha256.size() != 64 || !probed->validate().isEmpty())
        __builtin_trap();
    // As a run would use it: the image encoder of an image-only model, one forward pass.
    lepton::ModelConfig c;
    c.fusion = lepton::FusionVariant::Image;
    c.imageSize = 16;
    c.embedDim = 8;
    c.hidden = 8;
    c.imageBackbone = probed.value();
    c.imageBackbone.module = raw;
    try {
        lepton::ImageEncoder encoder(c);
        encoder->eval();
        torch::NoGradGuard noGrad;
        torch::Tensor attention;
        const torch::Tensor e = encoder->forward(torch::zeros({ 1, 1, 16, 16 }), &attention, nullptr);
        if (e.size(0) != 1 || e.size(1) != 8)
            __builtin_trap();
    } catch (const std::exception &) {
        // A module that ran once may still fail on another input (it is a program); the trainer
        // and loader turn such a failure into a message.
    }
    return 0;
}
