// SPDX-License-Identifier: GPL-3.0-or-later
// safetensors::read on arbitrary bytes (a weights file from anywhere: `image_encoder_from`), then
// into a tiny image encoder as CheckpointIO::loadImageEncoder reads such a file. What reads must
// write back and read again to the same tensors and metadata; what fails must say why. Nothing is
// caught here: the reader itself must turn bad input into a failed Result.
#include "FuzzSupport.h"
#include "model/FusionNet.h"
#include "model/SafeTensors.h"
#include "train/Checkpoint.h"

#include <torch/torch.h>

#include <cstring>

namespace {

/// The architecture the seed `tiny_image.safetensors` was written from (see corpus/README.md).
lepton::ModelConfig tinyConfig()
{
    lepton::ModelConfig c;
    c.fusion = lepton::FusionVariant::Image;
    c.imageSize = 16;
    c.width = 4;
    c.depth = 1;
    c.embedDim = 8;
    c.hidden = 8;
    return c;
}

lepton::FusionNet &model()
{
    static auto *m = new lepton::FusionNet(tinyConfig());
    return *m;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    torch::set_num_threads(1);
    lepton::fuzz::initialiseQt(argc, argv);
    if (const char *out = std::getenv("LEPTON_FUZZ_WRITE_SEED")) {
        // The image encoder of the tiny model by its own names (used once to make the seed).
        torch::manual_seed(1);
        std::vector<std::pair<std::string, torch::Tensor>> state;
        for (const auto &p : model()->imageEncoder()->named_parameters())
            state.emplace_back(p.key(), p.value());
        for (const auto &b : model()->imageEncoder()->named_buffers())
            state.emplace_back(b.key(), b.value());
        auto bytes = lepton::safetensors::write(state, { { QStringLiteral("origin"), QStringLiteral("seed") } });
        QFile file(QString::fromLocal8Bit(out));
        const bool written = bytes && file.open(QIODevice::WriteOnly) && file.write(*bytes) == bytes->size();
        file.close(); // std::exit runs no destructor
        std::exit(written ? 0 : 1);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray raw = lepton::fuzz::bytes(data, size);
    auto file = lepton::safetensors::read(raw);
    lepton::fuzz::trace("read", file ? QStringLiteral("%1 tensors").arg(file->tensors.size()) : file.error());
    if (!file) {
        if (file.error().isEmpty())
            __builtin_trap();
        return 0;
    }
    // Written back and read again: the same names, dtypes, shapes, values and metadata.
    std::vector<std::pair<std::string, torch::Tensor>> tensors(file->tensors.begin(), file->tensors.end());
    auto again = lepton::safetensors::write(tensors, file->metadata);
    if (!again)
        __builtin_trap(); // every dtype read has a name to write
    auto back = lepton::safetensors::read(*again);
    if (!back || back->metadata != file->metadata || back->tensors.size() != file->tensors.size())
        __builtin_trap();
    for (const auto &[name, t] : file->tensors) {
        const auto it = back->tensors.find(name);
        if (it == back->tensors.end() || it->second.scalar_type() != t.scalar_type() || it->second.sizes() != t.sizes()
            || (t.numel() > 0 && std::memcmp(it->second.data_ptr(), t.data_ptr(), t.numel() * t.element_size()) != 0))
            __builtin_trap();
    }
    // As a start for an image encoder.
    const QString path = lepton::fuzz::writeScratch(QStringLiteral("weights.safetensors"), data, size);
    if (path.isEmpty())
        return 0;
    const lepton::Status st = lepton::CheckpointIO::loadImageEncoder(path, model());
    lepton::fuzz::trace("encoder", st ? QStringLiteral("loaded") : st.error());
    if (!st && st.error().isEmpty())
        __builtin_trap();
    return 0;
}
