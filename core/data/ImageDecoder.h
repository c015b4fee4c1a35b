// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/DicomWindow.h"
#include "util/Result.h"

#include <QByteArray>
#include <QString>

namespace cv {
class Mat;
}

namespace lepton {

/// What an image file is: its size, channels, bit depth and content hash.
struct ImageInfo
{
    int width = 0;
    int height = 0;
    int channels = 0;
    int bits = 0;
    QByteArray sha256; ///< hex
    QByteArray format; ///< as ImageHeader::format
    int frames = 1; ///< DICOM: frames in the file (the first is used)
    bool burnedInAnnotation = false; ///< DICOM: BurnedInAnnotation = YES
    QString transferSyntax; ///< DICOM: its transfer syntax, in words
};

/// What an image file's header says, read without decoding its pixels.
struct ImageHeader
{
    QByteArray format; ///< "png", "jpeg", "bmp", "tiff" or "dicom"
    int width = 0;
    int height = 0;
};

/// Limits that protect against unusable or hostile images.
struct ImageDecodeLimits
{
    qint64 maxPixels = 100'000'000;
    int minSide = 8;
    DicomWindow dicomWindow; ///< how a DICOM image's values become grey levels
    /// > 0: the caller shrinks the image to this side, so a format that can decode at a reduced
    /// resolution (JPEG 2000 in DICOM) may stop at the coarsest one that still has this many
    /// pixels on the smaller side. 0: full resolution.
    int decodeSide = 0;
};

/// Decodes images through OpenCV (PNG, JPEG, BMP, TIFF; 8 or 16 bit; grey or colour) and DICOM
/// files through data/Dicom.h (windowed to 8 bits as the limits' dicomWindow says).
/// Failures come back as messages naming the file and what to do; OpenCV exceptions never escape.
///
/// Before any pixel is decoded, the file's own header is read here (not by the codec): the format
/// must be one of the four above (by its signature, whatever the file's suffix), its width × height
/// must be within the limits (so a decompression bomb is refused without being decompressed), and a
/// PNG's chunks must all lie inside the file (a chunk that claims more bytes than the file has is
/// refused; the codec would otherwise allocate what it claims).
class ImageDecoder
{
public:
    /// Reads the header of an image held in memory; `path` names it in messages.
    static Result<ImageHeader> readHeader(const QByteArray &bytes, const QString &path);
    /// Reads the file, hashes its bytes and decodes it to check that it is a usable image.
    static Result<ImageInfo> inspect(const QString &path, const ImageDecodeLimits &limits = {});
    /// Decodes a file as it is stored (CV_8U or CV_16U, 1, 3 or 4 channels).
    static Result<cv::Mat> decode(const QString &path, const ImageDecodeLimits &limits = {});
};

} // namespace lepton
