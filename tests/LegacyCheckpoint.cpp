// SPDX-License-Identifier: GPL-3.0-or-later
#include "LegacyCheckpoint.h"

#include "store/Study.h"
#include "train/TrainedModel.h"

#include <torch/serialize.h>

#include <sstream>

namespace legacycheckpoint {

QByteArray archiveOfRun(const QString &study, qint64 runId, int epoch)
{
    QByteArray bytes;
    {
        auto opened = lepton::Study::open(study, lepton::Study::Mode::ReadOnly);
        if (!opened)
            return {};
        auto trained = lepton::TrainedModel::load(*opened.value(), runId, QStringLiteral("cpu"));
        if (!trained)
            return {};
        torch::serialize::OutputArchive archive;
        for (const auto &p : trained->model->named_parameters())
            archive.write("model." + p.key(), p.value().detach());
        for (const auto &b : trained->model->named_buffers())
            archive.write("model." + b.key(), b.value().detach());
        archive.write("epoch", torch::tensor(static_cast<std::int64_t>(epoch)));
        std::ostringstream out;
        archive.save_to(out);
        bytes = QByteArray::fromStdString(out.str());
    }
    lepton::Study::closeThreadConnections();
    return bytes;
}

} // namespace legacycheckpoint
