// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/ImageBackbone.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace lepton {

/// Which modalities the model fuses and how.
enum class FusionVariant { Attention, Concat, Image, Record, History, Text };
QString fusionVariantName(FusionVariant v);
std::optional<FusionVariant> fusionVariantFromName(const QString &name);

/// The architecture of a FusionNet: sizes chosen by the user plus the shape of the data
/// (filled from the dataset's FeatureSpec).
struct ModelConfig
{
    FusionVariant fusion = FusionVariant::Attention;
    int imageChannels = 1;
    int imageSize = 128;
    int width = 16; ///< channels of the first convolution; doubled per stage
    int depth = 3; ///< residual stages, each halving the resolution
    /// Residual adapters after each image stage: the bottleneck's channels (0: none). With
    /// adapters the image encoder's own convolutions and its projection stay frozen; the adapters
    /// and the attention score train (docs/TRANSFER.md).
    int imageAdapters = 0;
    /// An imported TorchScript encoder in place of the built-in CNN (width, depth and adapters are
    /// then unused); not set: the built-in one.
    ImageBackbone imageBackbone;
    int embedDim = 64; ///< size of every modality embedding
    int hidden = 64; ///< recurrent hidden size
    QString rnn = QStringLiteral("gru"); ///< "gru" or "lstm"
    double dropout = 0.2;
    double modalityDropout = 0.2; ///< chance of hiding a present modality during training
    int numClasses = 2;
    std::vector<int> fieldCategories; ///< per record field: number of categories (0: numeric)
    int eventWidth = 1;
    /// The text encoder (filled from the dataset's tokenizer): vocabulary size, 0 when the data
    /// has no text field; the most tokens a note keeps; the encoder ("transformer": Transformer
    /// layers and heads; "gru": a bidirectional GRU over the tokens).
    int textVocab = 0;
    QString textEncoder = QStringLiteral("transformer");
    int textMaxTokens = 128;
    int textLayers = 1;
    int textHeads = 4;
    /// Chance that a real token is read as the unknown token during training (word dropout), so
    /// that no single token of a redundant phrase carries the note alone.
    double textTokenDropout = 0.0;

    bool usesImage() const
    {
        return fusion == FusionVariant::Attention || fusion == FusionVariant::Concat || fusion == FusionVariant::Image;
    }
    bool usesRecord() const
    {
        return fusion == FusionVariant::Attention || fusion == FusionVariant::Concat || fusion == FusionVariant::Record;
    }
    bool usesHistory() const
    {
        return fusion == FusionVariant::Attention || fusion == FusionVariant::Concat
            || fusion == FusionVariant::History;
    }
    bool usesText() const
    {
        return textVocab > 0
            && (fusion == FusionVariant::Attention || fusion == FusionVariant::Concat || fusion == FusionVariant::Text);
    }
    /// Modalities the fusion weighs: image, record, history, and text when the data has text (a
    /// model of data without text keeps three, as every model before text had).
    int modalitySlots() const { return textVocab > 0 ? 4 : 3; }
    int numFields() const { return static_cast<int>(fieldCategories.size()); }

    QJsonObject toJson() const;
    /// Reads a config; unknown keys are refused with their name, bad values with key and reason.
    static Result<ModelConfig> fromJson(const QJsonObject &json, const ModelConfig &defaults);
    static Result<ModelConfig> fromJson(const QJsonObject &json) { return fromJson(json, ModelConfig()); }
    /// Empty when valid, else what is wrong and what to do. (Whether the data has what the variant
    /// reads, a note for `text`, is the trainer's check: it knows the data.)
    QString validate() const;
};

} // namespace lepton
