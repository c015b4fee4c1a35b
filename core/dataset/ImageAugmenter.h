// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>

#include <cstdint>

namespace cv {
class Mat;
}

namespace lepton {

/// Which random changes training images get. Small by default: lesions stay lesions.
struct AugmentOptions
{
    bool enabled = true;
    bool horizontalFlip = true;
    bool verticalFlip = false;
    double maxRotationDegrees = 10.0;
    double maxShift = 0.05; ///< fraction of the side
    double brightness = 0.05; ///< ± added, in units of the normalised [0, 1] intensity
    double contrast = 0.05; ///< ± relative (small: lesion contrast carries signal)
    double noiseStd = 0.01;

    QJsonObject toJson() const;
    static AugmentOptions fromJson(const QJsonObject &json);
};

/// Applies seeded augmentation with OpenCV to a float image in [0, 1] (any channel count).
/// The same seed gives the same result on any thread.
class ImageAugmenter
{
public:
    explicit ImageAugmenter(const AugmentOptions &options) : m_options(options) { }
    void apply(cv::Mat &image, std::uint64_t seed) const;
    const AugmentOptions &options() const { return m_options; }

private:
    AugmentOptions m_options;
};

} // namespace lepton
