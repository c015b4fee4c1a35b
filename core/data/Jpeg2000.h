// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// JPEG 2000 frames of DICOM files decoded through OpenJPEG directly, at a reduced resolution
// where the caller needs fewer pixels: a wavelet code stream holds the image at 1/2, 1/4, …
// of its size, and decoding only those levels skips most of the work (a 2000 × 2000 image that
// training shrinks to 128 × 128 is decoded at 250 × 250). GDCM's codec always decodes in full.

#include <QString>

#include <QtGlobal>

#include <vector>

namespace lepton {

struct Jpeg2000Frame
{
    int width = 0; ///< as decoded (reduced)
    int height = 0;
    int components = 0;
    int fullWidth = 0; ///< as the code stream declares it
    int fullHeight = 0;
    int reduction = 0; ///< levels skipped: the size is the full size / 2^reduction, rounded up
    int precision = 0; ///< bits per sample
    bool isSigned = false;
    std::vector<qint32> samples; ///< width × height × components, interleaved
};

/// Decodes a JPEG 2000 code stream (raw, or in a JP2 file) at the coarsest resolution whose
/// smaller side still has at least `minSide` pixels (0: the full resolution). All components must
/// have the image's size (no subsampling). Returns an empty string or the reason.
QString decodeJpeg2000(const uchar *data, qint64 size, int minSide, Jpeg2000Frame *out);

} // namespace lepton
