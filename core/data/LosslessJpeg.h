// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Lossless JPEG (ITU-T T.81 annex H, "process 14"), the syntax of many CR/DX and XA exports
// (DICOM 1.2.840.10008.1.2.4.57 and .70), decoded here: GDCM's decoder (IJG's) took 0.24 s for a
// 2000 × 2000 frame, a fifth of a compressed import's time; this one takes a fraction of that.
// Every read is bounds-checked; a damaged stream is refused with the reason.

#include <QString>

#include <QtGlobal>

#include <vector>

namespace lepton {

struct LosslessJpegFrame
{
    int width = 0;
    int height = 0;
    int components = 0;
    int precision = 0; ///< bits per sample, 2 … 16
    std::vector<quint16> samples; ///< width × height × components, interleaved
};

enum class LosslessJpegStatus {
    Decoded,
    Unsupported, ///< valid, but a form this decoder does not take (subsampled or several scans)
    Damaged,
};

/// Decodes one lossless JPEG frame: grey or interleaved colour (every component sampled 1 × 1, one
/// scan), predictors 1–7, point transform, restart intervals. `reason` says why when it did not.
LosslessJpegStatus decodeLosslessJpeg(const uchar *data, qint64 size, LosslessJpegFrame *out, QString *reason);

} // namespace lepton
