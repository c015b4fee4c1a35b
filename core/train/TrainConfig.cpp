// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrainConfig.h"

namespace lepton {

double defaultMapAlignment()
{
    return 0.5;
}

double defaultMapSharpness()
{
    // Off: on the 2000-case medical demo (data seed 11, training seed 1) 0.05 and 0.2 made both
    // maps worse and 0.2 kept an image-only model from learning (docs/BENCHMARKS.md).
    return 0.0;
}

QJsonObject TrainConfig::toJson() const
{
    return QJsonObject { { QStringLiteral("model"), model.toJson() }, { QStringLiteral("epochs"), epochs },
        { QStringLiteral("batch_size"), batchSize }, { QStringLiteral("lr"), learningRate },
        { QStringLiteral("weight_decay"), weightDecay }, { QStringLiteral("schedule"), schedule },
        { QStringLiteral("step_epochs"), stepEpochs }, { QStringLiteral("seed"), static_cast<qint64>(seed) },
        { QStringLiteral("device"), device }, { QStringLiteral("precision"), precision },
        { QStringLiteral("threads"), threads }, { QStringLiteral("workers"), workers },
        { QStringLiteral("augment"), augment.toJson() }, { QStringLiteral("patience"), patience },
        { QStringLiteral("class_weights"), classWeights }, { QStringLiteral("cache_bytes"), cacheBytes },
        { QStringLiteral("max_grad_norm"), maxGradNorm }, { QStringLiteral("image_encoder_from"), imageEncoderFrom },
        { QStringLiteral("image_encoder"), imageEncoder }, { QStringLiteral("freeze_image_epochs"), freezeImageEpochs },
        { QStringLiteral("image_encoder_lr_scale"), imageEncoderLrScale }, { QStringLiteral("max_events"), maxEvents },
        { QStringLiteral("map_alignment"), mapAlignment }, { QStringLiteral("map_sharpness"), mapSharpness },
        { QStringLiteral("positive_class"), positiveClass }, { QStringLiteral("template"), templateName },
        { QStringLiteral("folds"), folds }, { QStringLiteral("fold"), fold }, { QStringLiteral("cv_group"), cvGroup },
        { QStringLiteral("text"),
            QJsonObject { { QStringLiteral("vocab_size"), textVocabSize },
                { QStringLiteral("tokenizer"), textTokenizer }, { QStringLiteral("max_tokens"), textMaxTokens } } } };
}

Result<TrainConfig> TrainConfig::fromJson(const QJsonObject &json, const TrainConfig &defaults)
{
    using R = Result<TrainConfig>;
    TrainConfig c = defaults;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        const bool isNumber = v.isDouble();
        auto needNumber = [&]() {
            return R::failure(QStringLiteral("%1: needs a number, not %2").arg(key, v.toVariant().toString()));
        };
        if (key == QLatin1String("model")) {
            auto m = ModelConfig::fromJson(v.toObject(), c.model);
            if (!m)
                return R::failure(m.error());
            c.model = m.value();
        } else if (key == QLatin1String("text")) {
            const QJsonObject t = v.toObject();
            for (auto ti = t.begin(); ti != t.end(); ++ti) {
                if (ti.key() == QLatin1String("tokenizer"))
                    c.textTokenizer = ti.value().toString();
                else if (ti.key() == QLatin1String("vocab_size") && ti.value().isDouble())
                    c.textVocabSize = ti.value().toInt();
                else if (ti.key() == QLatin1String("max_tokens") && ti.value().isDouble())
                    c.textMaxTokens = ti.value().toInt();
                else
                    return R::failure(QStringLiteral("text.%1: unknown setting or not a number (vocab_size, "
                                                     "tokenizer, max_tokens)")
                                          .arg(ti.key()));
            }
        } else if (key == QLatin1String("augment")) {
            c.augment = AugmentOptions::fromJson(v.toObject());
        } else if (key == QLatin1String("schedule")) {
            c.schedule = v.toString();
        } else if (key == QLatin1String("device")) {
            c.device = v.toString();
        } else if (key == QLatin1String("precision")) {
            c.precision = v.toString();
        } else if (key == QLatin1String("class_weights")) {
            c.classWeights = v.toString();
        } else if (key == QLatin1String("positive_class")) {
            c.positiveClass = v.toString();
        } else if (key == QLatin1String("template")) {
            c.templateName = v.toString();
        } else if (key == QLatin1String("cv_group")) {
            c.cvGroup = v.toString();
        } else if (key == QLatin1String("image_encoder_from")) {
            c.imageEncoderFrom = v.toString();
        } else if (key == QLatin1String("image_encoder")) {
            c.imageEncoder = v.toString();
        } else if (!isNumber) {
            if (key == QLatin1String("epochs") || key == QLatin1String("batch_size") || key == QLatin1String("lr")
                || key == QLatin1String("weight_decay") || key == QLatin1String("step_epochs")
                || key == QLatin1String("seed") || key == QLatin1String("threads") || key == QLatin1String("workers")
                || key == QLatin1String("patience") || key == QLatin1String("cache_bytes")
                || key == QLatin1String("max_grad_norm") || key == QLatin1String("freeze_image_epochs")
                || key == QLatin1String("image_encoder_lr_scale") || key == QLatin1String("max_events")
                || key == QLatin1String("map_alignment") || key == QLatin1String("map_sharpness")
                || key == QLatin1String("folds") || key == QLatin1String("fold"))
                return needNumber();
            return R::failure(QStringLiteral("%1: unknown setting").arg(key));
        } else if (key == QLatin1String("epochs"))
            c.epochs = v.toInt();
        else if (key == QLatin1String("batch_size"))
            c.batchSize = v.toInt();
        else if (key == QLatin1String("lr"))
            c.learningRate = v.toDouble();
        else if (key == QLatin1String("weight_decay"))
            c.weightDecay = v.toDouble();
        else if (key == QLatin1String("step_epochs"))
            c.stepEpochs = v.toInt();
        else if (key == QLatin1String("seed"))
            c.seed = static_cast<std::uint64_t>(v.toDouble());
        else if (key == QLatin1String("threads"))
            c.threads = v.toInt();
        else if (key == QLatin1String("workers"))
            c.workers = v.toInt();
        else if (key == QLatin1String("patience"))
            c.patience = v.toInt();
        else if (key == QLatin1String("cache_bytes"))
            c.cacheBytes = static_cast<qint64>(v.toDouble());
        else if (key == QLatin1String("max_grad_norm"))
            c.maxGradNorm = v.toDouble();
        else if (key == QLatin1String("freeze_image_epochs"))
            c.freezeImageEpochs = v.toInt();
        else if (key == QLatin1String("image_encoder_lr_scale"))
            c.imageEncoderLrScale = v.toDouble();
        else if (key == QLatin1String("max_events"))
            c.maxEvents = v.toInt();
        else if (key == QLatin1String("map_alignment"))
            c.mapAlignment = v.toDouble();
        else if (key == QLatin1String("map_sharpness"))
            c.mapSharpness = v.toDouble();
        else if (key == QLatin1String("folds"))
            c.folds = v.toInt();
        else if (key == QLatin1String("fold"))
            c.fold = v.toInt();
        else
            return R::failure(QStringLiteral("%1: unknown setting").arg(key));
    }
    const QString problem = c.validate();
    if (!problem.isEmpty())
        return R::failure(problem);
    return c;
}

QString TrainConfig::validate() const
{
    if (epochs < 1 || epochs > 10000)
        return QStringLiteral("epochs: %1 is outside 1–10000").arg(epochs);
    if (batchSize < 1 || batchSize > 4096)
        return QStringLiteral("batch_size: %1 is outside 1–4096").arg(batchSize);
    if (!(learningRate > 0.0 && learningRate < 10.0))
        return QStringLiteral("lr: %1 must be greater than 0 and below 10").arg(learningRate);
    if (weightDecay < 0.0)
        return QStringLiteral("weight_decay: must not be negative");
    if (schedule != QLatin1String("cosine") && schedule != QLatin1String("step"))
        return QStringLiteral("schedule: '%1' is not cosine or step").arg(schedule);
    if (device != QLatin1String("auto") && device != QLatin1String("cpu") && device != QLatin1String("cuda"))
        return QStringLiteral("device: '%1' is not auto, cpu or cuda").arg(device);
    if (precision != QLatin1String("auto") && precision != QLatin1String("fp32") && precision != QLatin1String("bf16"))
        return QStringLiteral("precision: '%1' is not auto, fp32 or bf16").arg(precision);
    if (threads < 0 || workers < 1 || workers > 64)
        return QStringLiteral("threads must be ≥ 0 and workers 1–64");
    if (classWeights != QLatin1String("balanced") && classWeights != QLatin1String("none"))
        return QStringLiteral("class_weights: '%1' is not balanced or none").arg(classWeights);
    if (patience < 0 || maxEvents < 1)
        return QStringLiteral("patience must be ≥ 0 and max_events ≥ 1");
    if (!(mapAlignment >= 0.0 && mapAlignment <= 100.0))
        return QStringLiteral("map_alignment: %1 is outside 0–100").arg(mapAlignment);
    if (folds != 0 && (folds < 2 || folds > 20))
        return QStringLiteral("folds: %1 is outside 2–20 (0: no cross-validation)").arg(folds);
    if (folds >= 2 && (fold < 0 || fold >= folds))
        return QStringLiteral("fold: %1 is outside 0–%2").arg(fold).arg(folds - 1);
    if (textVocabSize < 16 || textVocabSize > 100000)
        return QStringLiteral("text.vocab_size: %1 is outside 16–100000").arg(textVocabSize);
    if (textTokenizer != QLatin1String("unigram") && textTokenizer != QLatin1String("bpe"))
        return QStringLiteral("text.tokenizer: '%1' is not unigram or bpe").arg(textTokenizer);
    if (textMaxTokens < 1 || textMaxTokens > 4096)
        return QStringLiteral("text.max_tokens: %1 is outside 1–4096").arg(textMaxTokens);
    if (!(imageEncoderLrScale > 0.0 && imageEncoderLrScale <= 10.0))
        return QStringLiteral("image_encoder_lr_scale: %1 must be greater than 0 and at most 10")
            .arg(imageEncoderLrScale);
    if (!(mapSharpness >= 0.0 && mapSharpness <= 100.0))
        return QStringLiteral("map_sharpness: %1 is outside 0–100").arg(mapSharpness);
    return QString();
}

} // namespace lepton
