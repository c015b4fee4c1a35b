// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageDecoder.h"

#include <QCryptographicHash>
#include <QFile>

#include <opencv2/imgcodecs.hpp>

namespace lepton {
namespace {

Result<cv::Mat> decodeBytes(const QByteArray &bytes, const QString &path, const ImageDecodeLimits &limits)
{
    if (bytes.isEmpty())
        return Result<cv::Mat>::failure(QStringLiteral("image %1 is empty (0 bytes); replace the file").arg(path));
    cv::Mat image;
    try {
        const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
        image = cv::imdecode(raw, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &e) {
        return Result<cv::Mat>::failure(
            QStringLiteral("image %1 cannot be decoded (%2); re-save it as PNG, JPEG, BMP or TIFF")
                .arg(path, QString::fromStdString(e.msg).trimmed()));
    }
    if (image.empty())
        return Result<cv::Mat>::failure(
            QStringLiteral("image %1 cannot be decoded (not a PNG, JPEG, BMP or TIFF image, or corrupt); "
                           "replace the file or remove it from the manifest")
                .arg(path));
    if (image.depth() != CV_8U && image.depth() != CV_16U)
        return Result<cv::Mat>::failure(
            QStringLiteral("image %1 has an unsupported sample type (only 8- and 16-bit integer images); "
                           "convert it")
                .arg(path));
    if (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)
        return Result<cv::Mat>::failure(
            QStringLiteral("image %1 has %2 channels; use grey, RGB or RGBA").arg(path).arg(image.channels()));
    if (static_cast<qint64>(image.cols) * image.rows > limits.maxPixels)
        return Result<cv::Mat>::failure(
            QStringLiteral("image %1 is %2×%3 pixels, more than the %4 allowed; downscale it")
                .arg(path)
                .arg(image.cols)
                .arg(image.rows)
                .arg(limits.maxPixels));
    if (image.cols < limits.minSide || image.rows < limits.minSide)
        return Result<cv::Mat>::failure(
            QStringLiteral("image %1 is only %2×%3 pixels, smaller than %4×%4; use a larger image")
                .arg(path)
                .arg(image.cols)
                .arg(image.rows)
                .arg(limits.minSide));
    return image;
}

Result<QByteArray> readBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(
            QStringLiteral("image %1 cannot be read (%2)").arg(path, file.errorString()));
    return file.readAll();
}

} // namespace

Result<ImageInfo> ImageDecoder::inspect(const QString &path, const ImageDecodeLimits &limits)
{
    auto bytes = readBytes(path);
    if (!bytes)
        return Result<ImageInfo>::failure(bytes.error());
    auto image = decodeBytes(bytes.value(), path, limits);
    if (!image)
        return Result<ImageInfo>::failure(image.error());
    ImageInfo info;
    info.width = image->cols;
    info.height = image->rows;
    info.channels = image->channels();
    info.bits = image->depth() == CV_16U ? 16 : 8;
    info.sha256 = QCryptographicHash::hash(bytes.value(), QCryptographicHash::Sha256).toHex();
    return info;
}

Result<cv::Mat> ImageDecoder::decode(const QString &path, const ImageDecodeLimits &limits)
{
    auto bytes = readBytes(path);
    if (!bytes)
        return Result<cv::Mat>::failure(bytes.error());
    return decodeBytes(bytes.value(), path, limits);
}

} // namespace lepton
