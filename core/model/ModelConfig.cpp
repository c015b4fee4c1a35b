// SPDX-License-Identifier: GPL-3.0-or-later
#include "ModelConfig.h"

#include <QJsonArray>

namespace lepton {

QString fusionVariantName(FusionVariant v)
{
    switch (v) {
    case FusionVariant::Attention:
        return QStringLiteral("attention");
    case FusionVariant::Concat:
        return QStringLiteral("concat");
    case FusionVariant::Image:
        return QStringLiteral("image");
    case FusionVariant::Record:
        return QStringLiteral("record");
    case FusionVariant::History:
        return QStringLiteral("history");
    case FusionVariant::Text:
        return QStringLiteral("text");
    }
    return QString();
}

std::optional<FusionVariant> fusionVariantFromName(const QString &name)
{
    for (FusionVariant v : { FusionVariant::Attention, FusionVariant::Concat, FusionVariant::Image,
             FusionVariant::Record, FusionVariant::History, FusionVariant::Text })
        if (fusionVariantName(v) == name)
            return v;
    return std::nullopt;
}

QJsonObject ModelConfig::toJson() const
{
    QJsonArray cats;
    for (int c : fieldCategories)
        cats.append(c);
    QJsonObject json { { QStringLiteral("fusion"), fusionVariantName(fusion) },
        { QStringLiteral("image_channels"), imageChannels }, { QStringLiteral("image_size"), imageSize },
        { QStringLiteral("width"), width }, { QStringLiteral("depth"), depth },
        { QStringLiteral("embed_dim"), embedDim }, { QStringLiteral("hidden"), hidden }, { QStringLiteral("rnn"), rnn },
        { QStringLiteral("dropout"), dropout }, { QStringLiteral("modality_dropout"), modalityDropout },
        { QStringLiteral("num_classes"), numClasses }, { QStringLiteral("field_categories"), cats },
        { QStringLiteral("event_width"), eventWidth } };
    if (imageAdapters > 0)
        json.insert(QStringLiteral("image_adapters"), imageAdapters);
    if (imageBackbone.isSet())
        json.insert(QStringLiteral("image_backbone"), imageBackbone.toJson());
    if (textVocab > 0) {
        json.insert(QStringLiteral("text_vocab"), textVocab);
        json.insert(QStringLiteral("text_max_tokens"), textMaxTokens);
        json.insert(QStringLiteral("text_encoder"), textEncoder);
        json.insert(QStringLiteral("text_layers"), textLayers);
        json.insert(QStringLiteral("text_heads"), textHeads);
        json.insert(QStringLiteral("text_token_dropout"), textTokenDropout);
    }
    return json;
}

Result<ModelConfig> ModelConfig::fromJson(const QJsonObject &json, const ModelConfig &defaults)
{
    using R = Result<ModelConfig>;
    ModelConfig c = defaults;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        auto number = [&](auto &target) -> bool {
            if (!v.isDouble())
                return false;
            target = static_cast<std::remove_reference_t<decltype(target)>>(v.toDouble());
            return true;
        };
        bool ok = true;
        if (key == QLatin1String("fusion")) {
            const auto f = fusionVariantFromName(v.toString());
            if (!f)
                return R::failure(
                    QStringLiteral("model.fusion: '%1' is not one of attention, concat, image, record, history, text")
                        .arg(v.toString()));
            c.fusion = *f;
        } else if (key == QLatin1String("rnn")) {
            c.rnn = v.toString();
        } else if (key == QLatin1String("text_encoder")) {
            c.textEncoder = v.toString();
        } else if (key == QLatin1String("image_channels"))
            ok = number(c.imageChannels);
        else if (key == QLatin1String("image_size"))
            ok = number(c.imageSize);
        else if (key == QLatin1String("width"))
            ok = number(c.width);
        else if (key == QLatin1String("depth"))
            ok = number(c.depth);
        else if (key == QLatin1String("image_adapters"))
            ok = number(c.imageAdapters);
        else if (key == QLatin1String("embed_dim"))
            ok = number(c.embedDim);
        else if (key == QLatin1String("hidden"))
            ok = number(c.hidden);
        else if (key == QLatin1String("dropout"))
            ok = number(c.dropout);
        else if (key == QLatin1String("modality_dropout"))
            ok = number(c.modalityDropout);
        else if (key == QLatin1String("num_classes"))
            ok = number(c.numClasses);
        else if (key == QLatin1String("event_width"))
            ok = number(c.eventWidth);
        else if (key == QLatin1String("text_vocab"))
            ok = number(c.textVocab);
        else if (key == QLatin1String("text_max_tokens"))
            ok = number(c.textMaxTokens);
        else if (key == QLatin1String("text_layers"))
            ok = number(c.textLayers);
        else if (key == QLatin1String("text_heads"))
            ok = number(c.textHeads);
        else if (key == QLatin1String("text_token_dropout"))
            ok = number(c.textTokenDropout);
        else if (key == QLatin1String("image_backbone")) {
            auto b = ImageBackbone::fromJson(v.toObject());
            if (!b)
                return R::failure(QStringLiteral("model.image_backbone: %1").arg(b.error()));
            c.imageBackbone = b.value();
        } else if (key == QLatin1String("field_categories")) {
            c.fieldCategories.clear();
            for (const auto &x : v.toArray())
                c.fieldCategories.push_back(x.toInt());
        } else
            return R::failure(
                QStringLiteral("model.%1: unknown setting; see docs/TRAINING.md for the settings").arg(key));
        if (!ok)
            return R::failure(QStringLiteral("model.%1: needs a number").arg(key));
    }
    const QString problem = c.validate();
    if (!problem.isEmpty())
        return R::failure(problem);
    return c;
}

QString ModelConfig::validate() const
{
    if (imageChannels != 1 && imageChannels != 3)
        return QStringLiteral("model.image_channels: %1 is not 1 or 3").arg(imageChannels);
    if (imageSize < 16 || imageSize > 1024)
        return QStringLiteral("model.image_size: %1 is outside 16–1024").arg(imageSize);
    if (depth < 1 || depth > 6 || (imageSize >> (depth + 1)) < 1)
        return QStringLiteral("model.depth: %1 stages do not fit an image of %2 px (use 1–%3)")
            .arg(depth)
            .arg(imageSize)
            .arg(5);
    if (width < 4 || width > 256)
        return QStringLiteral("model.width: %1 is outside 4–256").arg(width);
    if (imageAdapters < 0 || imageAdapters > 256)
        return QStringLiteral("model.image_adapters: %1 is outside 0–256 (0: no adapters)").arg(imageAdapters);
    if (imageBackbone.isSet() && imageAdapters > 0)
        return QStringLiteral("model.image_adapters: adapters sit between the built-in encoder's stages; with the "
                              "imported encoder %1 use freeze_image_epochs or image_encoder_lr_scale instead")
            .arg(imageBackbone.name);
    if (const QString b = imageBackbone.validate(); !b.isEmpty())
        return b;
    if (embedDim < 4 || embedDim > 1024 || hidden < 4 || hidden > 1024)
        return QStringLiteral("model.embed_dim / model.hidden: use 4–1024");
    if (rnn != QLatin1String("gru") && rnn != QLatin1String("lstm"))
        return QStringLiteral("model.rnn: '%1' is not gru or lstm").arg(rnn);
    if (dropout < 0.0 || dropout >= 1.0 || modalityDropout < 0.0 || modalityDropout >= 1.0)
        return QStringLiteral("model.dropout / model.modality_dropout: use a value in [0, 1)");
    if (textLayers < 1 || textLayers > 6 || textHeads < 1 || embedDim % textHeads != 0)
        return QStringLiteral("model.text_layers / model.text_heads: use 1–6 layers and a number of heads that "
                              "divides embed_dim (%1)")
            .arg(embedDim);
    if (textEncoder != QLatin1String("transformer") && textEncoder != QLatin1String("gru"))
        return QStringLiteral("model.text_encoder: '%1' is not transformer or gru").arg(textEncoder);
    if (textTokenDropout < 0.0 || textTokenDropout >= 1.0)
        return QStringLiteral("model.text_token_dropout: use a value in [0, 1)");
    if (textMaxTokens < 1 || textMaxTokens > 4096)
        return QStringLiteral("model.text_max_tokens: %1 is outside 1–4096").arg(textMaxTokens);
    if (numClasses < 2)
        return QStringLiteral("the dataset has fewer than two classes; a model needs at least two");
    return QString();
}

} // namespace lepton
