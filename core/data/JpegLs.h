// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// JPEG-LS frames of DICOM files decoded through CharLS directly (the library GDCM uses for them):
// GDCM's path parsed the whole file again and copied the frame twice around the same decoder.

#include <QString>

#include <QtGlobal>

#include <vector>

namespace lepton {

struct JpegLsFrame
{
    int width = 0;
    int height = 0;
    int bitsPerSample = 0; ///< 2 … 16
    std::vector<uchar> bytes; ///< width × height samples: one byte each up to 8 bits, else two (this machine's order)
};

enum class JpegLsStatus {
    Decoded,
    Unsupported, ///< a valid stream of a form this path does not take (colour): GDCM decodes it
    Damaged,
};

/// Decodes a grey JPEG-LS frame (lossless or near-lossless). `reason` says why when it did not.
JpegLsStatus decodeJpegLs(const uchar *data, qint64 size, JpegLsFrame *out, QString *reason);

} // namespace lepton
