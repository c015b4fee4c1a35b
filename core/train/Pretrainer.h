// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Self-supervised pretraining of the built-in image encoder on a dataset's own images, labelled
// or not (`lepton pretrain`, docs/TRANSFER.md): SimCLR-style contrastive learning between two
// augmented, cropped views of each image, or a masked-image objective (the encoder's feature map
// reconstructs hidden patches through a linear decoder). The result is stored as one of the
// study's image encoders.

#include "dataset/ImageAugmenter.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QString>

#include <functional>
#include <vector>

namespace lepton {

class Study;

struct PretrainOptions
{
    qint64 datasetId = 0;
    QString name; ///< the encoder's name in the study
    int epochs = 30;
    int batchSize = 64;
    double learningRate = 2e-3;
    double weightDecay = 1e-4;
    QString method = QStringLiteral("contrastive"); ///< "contrastive" or "masked"
    double temperature = 0.2; ///< of the contrastive loss
    /// Contrastive views are random crops of at least this share of the image, resized back
    /// (1: no crop).
    double minCropArea = 0.3;
    double maskRatio = 0.5; ///< masked: the share of patches hidden
    int maskPatch = 8; ///< masked: patch side in pixels
    int imageSize = 64;
    int imageChannels = 1; ///< as model.image_channels: 1 (colour turned grey) or 3
    int width = 16; ///< as model.width of a run
    int depth = 3; ///< as model.depth
    int embedDim = 64; ///< the pooled embedding the projection head reads
    int projectionDim = 32;
    std::uint64_t seed = 1;
    int threads = 0;
    /// Test images are left out unless asked for: a test set should stay unseen, labels or not.
    bool includeTest = false;
    /// Stronger than training's: the two views must differ in more than the label does.
    AugmentOptions augment = [] {
        AugmentOptions a;
        a.horizontalFlip = true;
        a.verticalFlip = true;
        a.maxRotationDegrees = 25.0;
        a.maxShift = 0.15;
        a.brightness = 0.2;
        a.contrast = 0.3;
        a.noiseStd = 0.03;
        return a;
    }();
};

struct PretrainEpoch
{
    int epoch = 0; ///< 0-based
    int epochs = 0;
    double loss = 0.0; ///< mean loss of the objective
    /// What the loss is without learning: contrastive ln(2B − 1), an encoder that tells nothing
    /// apart; masked, the error of filling every hidden pixel with the mean.
    double chanceLoss = 0.0;
    double accuracy = -1.0; ///< contrastive: how often a view's nearest other view is its pair (else −1)
    double chanceAccuracy = -1.0; ///< 1 / (2B − 1)
    double seconds = 0.0;
};

struct PretrainCallbacks
{
    std::function<void(const PretrainEpoch &)> epoch;
    ProgressFn progress;
    std::function<void(const QString &)> log;
    CancelFn cancelled;
};

struct PretrainOutcome
{
    qint64 encoderId = 0;
    QString name, sha256;
    int images = 0;
    std::vector<PretrainEpoch> epochs;
};

/// Pretrains and stores the encoder (audited as encoder.import with source "lepton pretrain …").
/// A cancel stores nothing and says so.
Result<PretrainOutcome> pretrainImageEncoder(Study &study, const PretrainOptions &options, const PretrainCallbacks &cb);

} // namespace lepton
