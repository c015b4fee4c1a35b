// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageDecoder.h"

#include "data/Dicom.h"

#include <QCryptographicHash>
#include <QFile>

#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <cstring>

namespace lepton {
namespace {

using HeaderResult = Result<ImageHeader>;

quint32 be32(const uchar *p)
{
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}
quint16 be16(const uchar *p)
{
    return quint16((p[0] << 8) | p[1]);
}
quint32 le32(const uchar *p)
{
    return (quint32(p[3]) << 24) | (quint32(p[2]) << 16) | (quint32(p[1]) << 8) | quint32(p[0]);
}
quint16 le16(const uchar *p)
{
    return quint16((p[1] << 8) | p[0]);
}

HeaderResult corrupt(const QString &path, const QString &what)
{
    return HeaderResult::failure(
        QStringLiteral("image %1 is damaged (%2); replace the file or remove it from the manifest").arg(path, what));
}

/// PNG: the size from IHDR, and every chunk must lie inside the file.
HeaderResult pngHeader(const uchar *d, qint64 size, const QString &path)
{
    if (size < 33 || be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
        return corrupt(path, QStringLiteral("a PNG without its IHDR header"));
    ImageHeader h { QByteArrayLiteral("png"), int(be32(d + 16) & 0x7fffffff), int(be32(d + 20) & 0x7fffffff) };
    qint64 pos = 8;
    while (pos < size) {
        if (size - pos < 12)
            return corrupt(path, QStringLiteral("a PNG cut off at byte %1").arg(pos));
        const qint64 length = be32(d + pos);
        const QByteArray type = QByteArray(reinterpret_cast<const char *>(d + pos + 4), 4);
        if (length > size - pos - 12)
            return corrupt(path,
                QStringLiteral("PNG chunk '%1' at byte %2 claims %3 bytes; the file has %4 left")
                    .arg(QString::fromLatin1(type.toPercentEncoding()))
                    .arg(pos)
                    .arg(length)
                    .arg(size - pos - 12));
        pos += 12 + length;
        if (type == "IEND")
            break;
    }
    return h;
}

/// JPEG: segments up to the start of scan; the size from the frame header (SOFn).
HeaderResult jpegHeader(const uchar *d, qint64 size, const QString &path)
{
    qint64 pos = 2;
    while (pos < size) {
        if (d[pos] != 0xFF)
            return corrupt(path, QStringLiteral("a JPEG with no marker at byte %1").arg(pos));
        while (pos < size && d[pos] == 0xFF)
            ++pos; // fill bytes
        if (pos >= size)
            break;
        const uchar marker = d[pos++];
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; // no length
        if (marker == 0xD9 || marker == 0xDA)
            break; // end of image, or start of scan before any frame header
        if (size - pos < 2)
            break;
        const qint64 length = be16(d + pos);
        if (length < 2 || length > size - pos)
            return corrupt(path,
                QStringLiteral("JPEG segment 0x%1 at byte %2 claims %3 bytes; the file has %4 left")
                    .arg(marker, 2, 16, QLatin1Char('0'))
                    .arg(pos - 2)
                    .arg(length)
                    .arg(size - pos));
        const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (length < 8)
                return corrupt(path, QStringLiteral("a JPEG frame header of %1 bytes").arg(length));
            ImageHeader h { QByteArrayLiteral("jpeg"), be16(d + pos + 5), be16(d + pos + 3) };
            if (h.height == 0)
                return corrupt(path, QStringLiteral("a JPEG whose height is given only after the image data"));
            return h;
        }
        pos += length;
    }
    return corrupt(path, QStringLiteral("a JPEG without a frame header"));
}

/// BMP: the size from the DIB header (OS/2 12-byte header, or Windows 40 bytes and later).
HeaderResult bmpHeader(const uchar *d, qint64 size, const QString &path)
{
    if (size < 26)
        return corrupt(path, QStringLiteral("a BMP shorter than its header"));
    const quint32 dib = le32(d + 14);
    if (dib == 12)
        return ImageHeader { QByteArrayLiteral("bmp"), le16(d + 18), le16(d + 20) };
    if (dib < 40 || size < 26)
        return corrupt(path, QStringLiteral("a BMP with a %1-byte info header").arg(dib));
    const qint64 w = qint32(le32(d + 18));
    const qint64 hgt = qint32(le32(d + 22));
    if (w <= 0 || hgt == 0 || w > 0x7fffffff || std::abs(hgt) > 0x7fffffff)
        return corrupt(path, QStringLiteral("a BMP of %1×%2 pixels").arg(w).arg(hgt));
    return ImageHeader { QByteArrayLiteral("bmp"), int(w), int(std::abs(hgt)) };
}

/// TIFF: the size from the first image directory (ImageWidth 256, ImageLength 257).
HeaderResult tiffHeader(const uchar *d, qint64 size, const QString &path)
{
    const bool little = d[0] == 'I';
    auto u16 = [&](qint64 at) { return little ? le16(d + at) : be16(d + at); };
    auto u32 = [&](qint64 at) { return little ? le32(d + at) : be32(d + at); };
    const qint64 ifd = u32(4);
    if (ifd < 8 || ifd > size - 2)
        return corrupt(path, QStringLiteral("a TIFF whose first directory at byte %1 is outside the file").arg(ifd));
    const qint64 count = u16(ifd);
    if (count > (size - ifd - 2) / 12)
        return corrupt(path, QStringLiteral("a TIFF directory of %1 entries that does not fit the file").arg(count));
    qint64 width = -1, height = -1;
    for (qint64 i = 0; i < count; ++i) {
        const qint64 e = ifd + 2 + 12 * i;
        const quint16 tag = u16(e);
        if (tag != 256 && tag != 257)
            continue;
        const quint16 type = u16(e + 2);
        const qint64 value = type == 3 ? u16(e + 8) : type == 4 ? qint64(u32(e + 8)) : -1;
        (tag == 256 ? width : height) = value;
    }
    if (width <= 0 || height <= 0 || width > 0x7fffffff || height > 0x7fffffff)
        return corrupt(path, QStringLiteral("a TIFF without a valid image width and length"));
    return ImageHeader { QByteArrayLiteral("tiff"), int(width), int(height) };
}

/// Why an image of width × height is below the limits' smallest side; empty when it is not.
QString tooSmall(const QString &path, int width, int height, const ImageDecodeLimits &limits)
{
    if (width >= limits.minSide && height >= limits.minSide)
        return QString();
    return QStringLiteral("image %1 is only %2×%3 pixels, smaller than %4×%4; use a larger image")
        .arg(path)
        .arg(width)
        .arg(height)
        .arg(limits.minSide);
}

Result<cv::Mat> decodeBytes(const QByteArray &bytes, const QString &path, const ImageDecodeLimits &limits)
{
    if (bytes.isEmpty())
        return Result<cv::Mat>::failure(QStringLiteral("image %1 is empty (0 bytes); replace the file").arg(path));
    if (DicomReader::looksLikeDicom(bytes, path)) {
        auto dicom = DicomReader::read(bytes, path, limits.maxPixels, limits.decodeSide);
        if (!dicom)
            return Result<cv::Mat>::failure(dicom.error());
        cv::Mat image = DicomReader::render(dicom.value(), limits.dicomWindow);
        if (const QString small = tooSmall(path, dicom->fullWidth, dicom->fullHeight, limits); !small.isEmpty())
            return Result<cv::Mat>::failure(small);
        return image;
    }
    auto header = ImageDecoder::readHeader(bytes, path);
    if (!header)
        return Result<cv::Mat>::failure(header.error());
    if (qint64(header->width) * header->height > limits.maxPixels)
        return Result<cv::Mat>::failure(
            QStringLiteral("image %1 is %2×%3 pixels by its header, more than the %4 allowed; downscale it "
                           "(it was not decoded)")
                .arg(path)
                .arg(header->width)
                .arg(header->height)
                .arg(limits.maxPixels));
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
    if (static_cast<qint64>(image.cols) * image.rows > limits.maxPixels) // a header that lied
        return Result<cv::Mat>::failure(
            QStringLiteral("image %1 is %2×%3 pixels, more than the %4 allowed; downscale it")
                .arg(path)
                .arg(image.cols)
                .arg(image.rows)
                .arg(limits.maxPixels));
    if (const QString small = tooSmall(path, image.cols, image.rows, limits); !small.isEmpty())
        return Result<cv::Mat>::failure(small);
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

Result<ImageHeader> ImageDecoder::readHeader(const QByteArray &bytes, const QString &path)
{
    const auto *d = reinterpret_cast<const uchar *>(bytes.constData());
    const qint64 size = bytes.size();
    auto starts = [&](const char *magic, qint64 n) { return size >= n && memcmp(d, magic, std::size_t(n)) == 0; };
    if (starts("\x89PNG\r\n\x1a\n", 8))
        return pngHeader(d, size, path);
    if (starts("\xff\xd8\xff", 3))
        return jpegHeader(d, size, path);
    if (starts("BM", 2))
        return bmpHeader(d, size, path);
    if (starts("II*\0", 4) || starts("MM\0*", 4)) {
        if (size < 16)
            return corrupt(path, QStringLiteral("a TIFF shorter than its header"));
        return tiffHeader(d, size, path);
    }
    if (DicomReader::looksLikeDicom(bytes, path)) {
        auto dicom = DicomReader::header(bytes, path);
        if (!dicom)
            return HeaderResult::failure(dicom.error());
        return ImageHeader { QByteArrayLiteral("dicom"), dicom->width, dicom->height };
    }
    if (starts("II+\0", 4) || starts("MM\0+", 4))
        return HeaderResult::failure(
            QStringLiteral("image %1 is a BigTIFF, which is not supported; save it as PNG or as a plain TIFF")
                .arg(path));
    return HeaderResult::failure(
        QStringLiteral("image %1 is not a PNG, JPEG, BMP, TIFF or DICOM image (by its first bytes); "
                       "convert it, or remove it from the manifest")
            .arg(path));
}

Result<ImageInfo> ImageDecoder::inspect(const QString &path, const ImageDecodeLimits &limits)
{
    auto bytes = readBytes(path);
    if (!bytes)
        return Result<ImageInfo>::failure(bytes.error());
    ImageInfo info;
    if (DicomReader::looksLikeDicom(bytes.value(), path)) {
        auto dicom = DicomReader::read(bytes.value(), path, limits.maxPixels, limits.decodeSide);
        if (!dicom)
            return Result<ImageInfo>::failure(dicom.error());
        info.format = QByteArrayLiteral("dicom");
        info.frames = dicom->frames;
        info.burnedInAnnotation = dicom->burnedInAnnotation;
        info.transferSyntax = dicom->transferSyntaxName;
        info.width = dicom->fullWidth;
        info.height = dicom->fullHeight;
        info.channels = dicom->values.channels();
        info.bits = 8; // rendered through the window
        if (const QString small = tooSmall(path, info.width, info.height, limits); !small.isEmpty())
            return Result<ImageInfo>::failure(small);
        info.sha256 = QCryptographicHash::hash(bytes.value(), QCryptographicHash::Sha256).toHex();
        return info;
    }
    auto image = decodeBytes(bytes.value(), path, limits);
    if (!image)
        return Result<ImageInfo>::failure(image.error());
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
