// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageAugmenter.h"

#include "util/Rng.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace lepton {

QJsonObject AugmentOptions::toJson() const
{
    return QJsonObject { { QStringLiteral("enabled"), enabled }, { QStringLiteral("horizontal_flip"), horizontalFlip },
        { QStringLiteral("vertical_flip"), verticalFlip },
        { QStringLiteral("max_rotation_degrees"), maxRotationDegrees }, { QStringLiteral("max_shift"), maxShift },
        { QStringLiteral("brightness"), brightness }, { QStringLiteral("contrast"), contrast },
        { QStringLiteral("noise_std"), noiseStd } };
}

AugmentOptions AugmentOptions::fromJson(const QJsonObject &json)
{
    AugmentOptions o;
    o.enabled = json.value(QStringLiteral("enabled")).toBool(o.enabled);
    o.horizontalFlip = json.value(QStringLiteral("horizontal_flip")).toBool(o.horizontalFlip);
    o.verticalFlip = json.value(QStringLiteral("vertical_flip")).toBool(o.verticalFlip);
    o.maxRotationDegrees = json.value(QStringLiteral("max_rotation_degrees")).toDouble(o.maxRotationDegrees);
    o.maxShift = json.value(QStringLiteral("max_shift")).toDouble(o.maxShift);
    o.brightness = json.value(QStringLiteral("brightness")).toDouble(o.brightness);
    o.contrast = json.value(QStringLiteral("contrast")).toDouble(o.contrast);
    o.noiseStd = json.value(QStringLiteral("noise_std")).toDouble(o.noiseStd);
    return o;
}

void ImageAugmenter::apply(cv::Mat &image, std::uint64_t seed) const
{
    if (!m_options.enabled || image.empty())
        return;
    Rng rng(seed);
    // Draw every number up front, in a fixed order, so each option's draw does not depend on
    // which other options are on.
    const bool flipH = rng.chance(0.5);
    const bool flipV = rng.chance(0.5);
    const double angle = rng.uniform(-1.0, 1.0) * m_options.maxRotationDegrees;
    const double dx = rng.uniform(-1.0, 1.0) * m_options.maxShift * image.cols;
    const double dy = rng.uniform(-1.0, 1.0) * m_options.maxShift * image.rows;
    const double gain = 1.0 + rng.uniform(-1.0, 1.0) * m_options.contrast;
    const double bias = rng.uniform(-1.0, 1.0) * m_options.brightness;
    const std::uint64_t noiseSeed = rng.next();

    if (m_options.horizontalFlip && flipH)
        cv::flip(image, image, 1);
    if (m_options.verticalFlip && flipV)
        cv::flip(image, image, 0);
    if (angle != 0.0 || dx != 0.0 || dy != 0.0) {
        cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(image.cols / 2.0f, image.rows / 2.0f), angle, 1.0);
        m.at<double>(0, 2) += dx;
        m.at<double>(1, 2) += dy;
        cv::warpAffine(image, image, m, image.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
    }
    if (gain != 1.0 || bias != 0.0) {
        const cv::Scalar mean = cv::mean(image);
        // Contrast around the image mean, then brightness.
        image.convertTo(image, -1, gain, 0.0);
        image += (1.0 - gain) * mean + cv::Scalar::all(bias);
    }
    if (m_options.noiseStd > 0.0) {
        Rng noise(noiseSeed);
        const int n = image.rows * image.cols * image.channels();
        float *p = image.ptr<float>();
        if (image.isContinuous())
            for (int i = 0; i < n; ++i)
                p[i] += static_cast<float>(noise.normal() * m_options.noiseStd);
    }
}

} // namespace lepton
