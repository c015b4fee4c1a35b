// SPDX-License-Identifier: GPL-3.0-or-later
#include "Checkpoint.h"

#include <QFile>

#include <torch/serialize.h>

#include <sstream>

namespace lepton {

namespace {

/// Every parameter and buffer of a module by its dotted name ("image.stem.0.weight").
std::vector<std::pair<std::string, torch::Tensor>> stateOf(const torch::nn::Module &module)
{
    std::vector<std::pair<std::string, torch::Tensor>> state;
    for (const auto &p : module.named_parameters())
        state.emplace_back(p.key(), p.value());
    for (const auto &b : module.named_buffers())
        state.emplace_back(b.key(), b.value());
    return state;
}

/// Copies the archive's tensors into the module's, checking that every name is there with the
/// same shape: LibTorch's own Module::load would silently accept another architecture.
/// `prefix` selects a sub-module's entries (e.g. "image.").
Status loadState(torch::serialize::InputArchive &archive, torch::nn::Module &module, const std::string &prefix)
{
    torch::NoGradGuard noGrad;
    for (auto &[name, target] : stateOf(module)) {
        torch::Tensor stored;
        if (!archive.try_read("model." + prefix + name, stored))
            return Status::failure(
                QStringLiteral("the checkpoint has no '%1': it was saved from a different architecture")
                    .arg(QString::fromStdString(prefix + name)));
        if (stored.sizes() != target.sizes())
            return Status::failure(
                QStringLiteral("'%1' is %2 in the checkpoint but %3 in this model: a different architecture")
                    .arg(QString::fromStdString(prefix + name), QString::fromStdString(c10::str(stored.sizes())),
                        QString::fromStdString(c10::str(target.sizes()))));
        target.copy_(stored);
    }
    return Status();
}

QString firstLine(const c10::Error &e)
{
    return QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0);
}

} // namespace

Result<QByteArray> CheckpointIO::save(FusionNet &model, torch::optim::AdamW *optimizer, int epoch)
{
    try {
        torch::serialize::OutputArchive archive;
        for (const auto &[name, tensor] : stateOf(*model))
            archive.write("model." + name, tensor.detach().to(torch::kCPU));
        if (optimizer) {
            torch::serialize::OutputArchive optimizerArchive;
            optimizer->save(optimizerArchive);
            archive.write("optimizer", optimizerArchive);
        }
        archive.write("epoch", torch::tensor(static_cast<std::int64_t>(epoch)));
        std::ostringstream out;
        archive.save_to(out);
        const std::string bytes = out.str();
        return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
    } catch (const c10::Error &e) {
        return Result<QByteArray>::failure(QStringLiteral("saving the checkpoint failed: %1").arg(firstLine(e)));
    }
}

Status CheckpointIO::load(const QByteArray &blob, FusionNet &model, torch::optim::AdamW *optimizer, int *epoch)
{
    try {
        std::istringstream in(std::string(blob.constData(), static_cast<std::size_t>(blob.size())));
        torch::serialize::InputArchive archive;
        archive.load_from(in);
        Status st = loadState(archive, *model, std::string());
        if (!st)
            return Status::failure(QStringLiteral("the checkpoint cannot be used with this model: %1").arg(st.error()));
        if (optimizer) {
            torch::serialize::InputArchive optimizerArchive;
            archive.read("optimizer", optimizerArchive);
            optimizer->load(optimizerArchive);
        }
        if (epoch) {
            torch::Tensor e;
            archive.read("epoch", e);
            *epoch = static_cast<int>(e.item<std::int64_t>());
        }
        return Status();
    } catch (const c10::Error &e) {
        return Status::failure(QStringLiteral("the checkpoint cannot be used with this model (damaged or of another "
                                              "format): %1")
                                   .arg(firstLine(e)));
    } catch (const std::exception &e) {
        return Status::failure(QStringLiteral("the checkpoint cannot be read: %1").arg(QString::fromUtf8(e.what())));
    }
}

Status CheckpointIO::loadImageEncoder(const QString &path, FusionNet &model)
{
    if (!model->imageEncoder())
        return Status::failure(QStringLiteral("this model variant has no image encoder to load weights into"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Status::failure(QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString()));
    const QByteArray blob = file.readAll();
    try {
        std::istringstream in(std::string(blob.constData(), static_cast<std::size_t>(blob.size())));
        torch::serialize::InputArchive archive;
        archive.load_from(in);
        Status st = loadState(archive, *model->imageEncoder(), "image.");
        if (!st)
            return Status::failure(
                QStringLiteral("%1: holds no image encoder that fits this model: %2").arg(path, st.error()));
        return Status();
    } catch (const c10::Error &e) {
        return Status::failure(QStringLiteral("%1: is not a Lepton checkpoint (%2)").arg(path, firstLine(e)));
    }
}

} // namespace lepton
