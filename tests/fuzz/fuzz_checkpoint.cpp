// SPDX-License-Identifier: GPL-3.0-or-later
// CheckpointIO::load on arbitrary bytes into a tiny FusionNet (with its optimizer), as a file is
// read (Source::File: our format only). Each input is tried twice: as it is, and with its last 32
// bytes replaced by the SHA-256 of the rest, so that the mutations reach the entry parser behind the
// hash check (as a deliberately forged file would). Nothing is caught here: the reader itself must
// turn bad input into a failed Status.
#include "FuzzSupport.h"
#include "model/FusionNet.h"
#include "train/Checkpoint.h"

#include <QCryptographicHash>

#include <torch/torch.h>

namespace {

/// The fixed architecture the seed checkpoint was saved from (see corpus/README.md).
lepton::ModelConfig tinyConfig()
{
    lepton::ModelConfig c;
    c.fusion = lepton::FusionVariant::Attention;
    c.imageChannels = 1;
    c.imageSize = 16;
    c.width = 4;
    c.depth = 1;
    c.embedDim = 8;
    c.hidden = 8;
    c.numClasses = 2;
    c.fieldCategories = { 0, 3 };
    c.eventWidth = 2;
    return c;
}

struct Model
{
    lepton::FusionNet net { tinyConfig() };
    torch::optim::AdamW optimizer { net->parameters(), torch::optim::AdamWOptions(1e-3) };
};

Model &model()
{
    static Model *m = new Model();
    return *m;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    torch::set_num_threads(1);
    lepton::fuzz::initialiseQt(argc, argv);
    if (const char *out = std::getenv("LEPTON_FUZZ_WRITE_SEED")) {
        // Writes a valid checkpoint of the tiny model (used once to make the seed corpus).
        torch::manual_seed(1);
        Model &m = model();
        for (auto &p : m.net->parameters()) // one optimizer step, so that its state is in the seed
            p.mutable_grad() = torch::ones_like(p);
        m.optimizer.step();
        auto blob = lepton::CheckpointIO::save(m.net, &m.optimizer, 3);
        QFile file(QString::fromLocal8Bit(out));
        if (blob && file.open(QIODevice::WriteOnly))
            file.write(*blob);
        std::exit(blob ? 0 : 1);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Model &m = model();
    const QByteArray raw = lepton::fuzz::bytes(data, size);
    QByteArray forged = raw;
    if (forged.size() > 32)
        forged.replace(forged.size() - 32, 32,
            QCryptographicHash::hash(forged.left(forged.size() - 32), QCryptographicHash::Sha256));
    for (const QByteArray &blob : { raw, forged }) {
        int epoch = -1;
        lepton::Status st
            = lepton::CheckpointIO::load(blob, m.net, &m.optimizer, &epoch, lepton::CheckpointIO::Source::File);
        lepton::fuzz::trace("load", st ? QStringLiteral("ok, epoch %1").arg(epoch) : st.error());
        if (!st && st.error().isEmpty())
            __builtin_trap();
    }
    return 0;
}
