// SPDX-License-Identifier: GPL-3.0-or-later
#include "Checkpoint.h"

#include <QFile>

#include <torch/serialize.h>

#include <sstream>

namespace lepton {

Result<QByteArray> CheckpointIO::save(FusionNet &model, torch::optim::AdamW *optimizer, int epoch)
{
    try {
        torch::serialize::OutputArchive archive, modelArchive, optimizerArchive;
        model->save(modelArchive);
        archive.write(QStringLiteral("model").toStdString(), modelArchive);
        if (optimizer) {
            optimizer->save(optimizerArchive);
            archive.write("optimizer", optimizerArchive);
        }
        archive.write("epoch", torch::tensor(static_cast<std::int64_t>(epoch)));
        std::ostringstream out;
        archive.save_to(out);
        const std::string bytes = out.str();
        return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
    } catch (const c10::Error &e) {
        return Result<QByteArray>::failure(QStringLiteral("saving the checkpoint failed: %1").arg(QString::fromStdString(e.what_without_backtrace())));
    }
}

Status CheckpointIO::load(const QByteArray &blob, FusionNet &model, torch::optim::AdamW *optimizer, int *epoch)
{
    try {
        std::istringstream in(std::string(blob.constData(), static_cast<std::size_t>(blob.size())));
        torch::serialize::InputArchive archive, modelArchive;
        archive.load_from(in);
        archive.read("model", modelArchive);
        model->load(modelArchive);
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
        return Status::failure(QStringLiteral("the checkpoint cannot be used with this model (a different architecture, or "
                                              "damaged): %1")
                                   .arg(QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0)));
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
        torch::serialize::InputArchive archive, modelArchive, imageArchive;
        archive.load_from(in);
        archive.read("model", modelArchive);
        modelArchive.read("image", imageArchive);
        model->imageEncoder()->load(imageArchive);
        return Status();
    } catch (const c10::Error &e) {
        return Status::failure(QStringLiteral("%1: holds no image encoder that fits this model (%2)")
                                   .arg(path, QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0)));
    }
}

} // namespace lepton
