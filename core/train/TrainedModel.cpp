// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrainedModel.h"

#include "util/Device.h"

#include "dataset/MultimodalDataset.h"
#include "store/EncoderRepository.h"
#include "store/Study.h"
#include "train/Checkpoint.h"

#include <QCryptographicHash>

namespace lepton {

Status attachImageBackbone(Study &study, ModelConfig &config, const QString &name)
{
    ImageBackbone &b = config.imageBackbone;
    if (name.isEmpty() && !b.isSet())
        return Status();
    EncoderRepository encoders(study);
    auto stored = name.isEmpty() ? encoders.findBySha256(b.sha256) : encoders.find(name);
    if (!stored)
        return Status::failure(stored.error());
    const StoredEncoder &e = stored.value();
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(e.data, QCryptographicHash::Sha256).toHex());
    if (sha != e.sha256)
        return Status::failure(QStringLiteral("%1: the stored file of image encoder '%2' does not match its SHA-256 "
                                              "(%3… recorded, %4… read); the study is damaged, import the encoder "
                                              "again under another name")
                                   .arg(study.path(), e.name, e.sha256.left(12), sha.left(12)));
    if (!name.isEmpty()) {
        if (e.format != QLatin1String("torchscript"))
            return Status::failure(QStringLiteral("image encoder '%1' is stored as %2, which this build cannot run")
                                       .arg(e.name, e.format));
        b.name = e.name;
        b.sha256 = e.sha256;
        b.channels = e.channels;
        b.inputSize = e.inputSize;
        b.mean = e.mean;
        b.std = e.std;
        b.features = e.features;
    }
    b.module = e.data;
    return Status();
}

Result<TrainedModel> TrainedModel::load(Study &study, qint64 runId, const QString &device)
{
    using R = Result<TrainedModel>;
    RunRepository runs(study);
    TrainedModel t;
    auto rec = runs.run(runId);
    if (!rec)
        return R::failure(rec.error());
    t.run = rec.value();
    auto config = TrainConfig::fromJson(t.run.config.value(QStringLiteral("train")).toObject());
    if (!config)
        return R::failure(QStringLiteral("run %1's config cannot be read: %2").arg(runId).arg(config.error()));
    t.config = config.value();
    t.spec = FeatureSpec::fromJson(t.run.config.value(QStringLiteral("feature_spec")).toObject());
    t.positiveClass = std::max(
        0, static_cast<int>(t.spec.classes.indexOf(t.run.config.value(QStringLiteral("positive_class")).toString())));
    auto checkpoint = runs.checkpoint(runId, true);
    if (!checkpoint)
        checkpoint = runs.checkpoint(runId, false);
    if (!checkpoint)
        return R::failure(QStringLiteral("run %1 has no usable checkpoint: %2").arg(runId).arg(checkpoint.error()));
    auto resolved = resolveDevice(device);
    if (!resolved)
        return R::failure(resolved.error());
    t.device = resolved.value();
    Status attached = attachImageBackbone(study, t.config.model);
    if (!attached)
        return R::failure(QStringLiteral("run %1's image encoder: %2").arg(runId).arg(attached.error()));
    try {
        t.model = FusionNet(t.config.model);
    } catch (const c10::Error &e) {
        return R::failure(QStringLiteral("run %1's model cannot be built: %2")
                              .arg(runId)
                              .arg(QString::fromStdString(e.what_without_backtrace())));
    } catch (const std::exception &e) {
        return R::failure(
            QStringLiteral("run %1's model cannot be built: %2").arg(runId).arg(QString::fromUtf8(e.what())));
    }
    Status st = CheckpointIO::loadFromStudy(study, runId, checkpoint.value(), t.model, nullptr, &t.epoch);
    if (!st)
        return R::failure(st.error());
    t.model->to(t.device);
    t.model->eval();
    return t;
}

Result<std::shared_ptr<MultimodalDataset>> TrainedModel::dataset(Study &study, qint64 datasetId) const
{
    DatasetOptions o;
    o.imageSize = spec.imageSize;
    o.imageChannels = spec.imageChannels;
    o.maxEvents = spec.maxEvents;
    o.cacheBytes = 0; // one pass: decoding on demand costs the same and keeps memory flat
    // A cross-validation run's val split is its fold (its out-of-fold cases), as in training.
    o.folds = config.folds;
    o.fold = config.fold;
    o.foldSeed = config.seed;
    auto ds = MultimodalDataset::load(study, datasetId, o, &spec);
    if (!ds)
        return Result<std::shared_ptr<MultimodalDataset>>::failure(ds.error());
    return ds.value();
}

} // namespace lepton
