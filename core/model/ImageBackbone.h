// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace lepton {

/// An image encoder brought as TorchScript (`lepton encoder import`, docs/TRANSFER.md): what a
/// model needs to run it in place of the built-in CNN. The study keeps the file; a run records
/// this description (without the bytes) in its model config and finds the file again by SHA-256.
///
/// The module takes [B, channels, H, W] images, normalised per channel with mean and std from
/// pixel values in [0, 1], and returns a feature map [B, features, h, w] (or pooled features
/// [B, features], read as a 1×1 map). The model pools the map with its own spatial attention.
struct ImageBackbone
{
    QString name; ///< the study's name for it; empty: the built-in encoder
    QString sha256; ///< of the TorchScript file
    int channels = 3; ///< what the module reads; grey images are repeated to 3, colour averaged to 1
    int inputSize = 0; ///< images are resized to this square size first (0: as the dataset gives them)
    std::vector<double> mean, std; ///< per channel, on pixel values in [0, 1]
    int features = 0; ///< channels of the output feature map
    /// The dataset's own normalisation (FeatureSpec image_mean / image_std), undone before the
    /// module's: set by the trainer.
    double dataMean = 0.0, dataStd = 1.0;
    /// The TorchScript file itself; never written to JSON (the study holds it).
    QByteArray module;

    bool isSet() const { return !name.isEmpty(); }
    QJsonObject toJson() const;
    static Result<ImageBackbone> fromJson(const QJsonObject &json);
    /// Empty when valid, else what is wrong (channel counts, mean and std sizes, std > 0).
    QString validate() const;
};

} // namespace lepton
