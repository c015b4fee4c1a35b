// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dataset/ImageAugmenter.h"
#include "model/ModelConfig.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QString>

#include <cstdint>

namespace lepton {

/// The defaults of TrainConfig::mapAlignment and mapSharpness (measured by
/// tests/bench/bench_faithfulness.sh, docs/BENCHMARKS.md).
double defaultMapAlignment();
double defaultMapSharpness();

/// Everything that defines a training run. The defaults train the demo study well in a few
/// minutes on two CPU cores.
struct TrainConfig
{
    ModelConfig model;
    int epochs = 30;
    int batchSize = 32;
    double learningRate = 3e-3;
    double weightDecay = 0.05;
    QString schedule = QStringLiteral("cosine"); ///< "cosine" or "step"
    int stepEpochs = 4; ///< step schedule: halve the rate every N epochs
    std::uint64_t seed = 1;
    QString device = QStringLiteral("auto"); ///< auto, cpu, cuda
    /// auto (bfloat16 mixed precision on CUDA devices that compute it natively, else float32),
    /// fp32, or bf16 (CUDA only)
    QString precision = QStringLiteral("auto");
    int threads = 0; ///< LibTorch intra-op threads; 0: all cores
    int workers = 2; ///< loader threads
    AugmentOptions augment;
    int patience = 10; ///< early stopping: epochs without a better validation AUROC
    QString classWeights = QStringLiteral("balanced"); ///< "balanced" or "none"
    qint64 cacheBytes = qint64(1) << 30;
    double maxGradNorm = 5.0;
    QString imageEncoderFrom; ///< a checkpoint file (.pt) with image-encoder weights to start from
    /// An image encoder of the study (`lepton encoder import`, `lepton pretrain`) in place of the
    /// built-in CNN; the run records its description in model.image_backbone.
    QString imageEncoder;
    int freezeImageEpochs = 0; ///< keep those weights frozen for the first N epochs
    double imageEncoderLrScale = 1.0; ///< the image encoder's learning rate relative to the rest
    int maxEvents = 32;
    /// The text modality ("text": { "vocab_size", "tokenizer", "max_tokens" }): the tokenizer is
    /// trained on the train split with this vocabulary size and kind (bpe or unigram); a note keeps
    /// its first max_tokens tokens. BPE by default: on notes with few distinct words SentencePiece's
    /// unigram trainer keeps ~150 pieces and splits words into letters (docs/TEXT.md).
    int textVocabSize = 2000;
    QString textTokenizer = QStringLiteral("bpe");
    int textMaxTokens = 128;
    /// Weight of the map-alignment loss: the image attention map of a flipped image (both axes)
    /// must be the flipped map of the image (total variation distance, on a quarter of each
    /// batch). A map that is flip-equivariant cannot sit at a fixed offset from what it points
    /// at, which the feature map's large receptive field otherwise allows. 0 turns it off.
    double mapAlignment = defaultMapAlignment();
    /// Weight of the attention map's entropy (divided by its largest value, ln of the number of
    /// positions), on every case with an image: flip-equivariance alone is met by a uniform map,
    /// which points nowhere; this keeps the map concentrated. 0 turns it off.
    double mapSharpness = defaultMapSharpness();
    QString positiveClass; ///< the class whose probability is the score; empty: the rarer class
    /// The decision template (built-in name or file): "auto" picks the built-in whose classes are
    /// the data's (medical, finance), else generic. Kept with the run; `lepton predict` applies it.
    QString templateName = QStringLiteral("auto");
    /// Cross-validation (`lepton train --folds K`): with folds ≥ 2 this run trains on the
    /// dataset's train and val cases outside fold `fold` and validates on that fold, folds drawn
    /// by group (a patient's cases together), stratified by label and seeded by `seed`; the test
    /// split is not touched. The K runs of one cross-validation share `cvGroup`.
    int folds = 0;
    int fold = 0;
    QString cvGroup;

    QJsonObject toJson() const;
    /// Reads a config file's object over `defaults`; an unknown key or a bad value is refused
    /// with its name and the reason.
    static Result<TrainConfig> fromJson(const QJsonObject &json, const TrainConfig &defaults);
    static Result<TrainConfig> fromJson(const QJsonObject &json) { return fromJson(json, TrainConfig()); }
    QString validate() const;
};

} // namespace lepton
