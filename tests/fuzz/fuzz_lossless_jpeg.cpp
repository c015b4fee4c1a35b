// SPDX-License-Identifier: GPL-3.0-or-later
// The lossless JPEG decoder (data/LosslessJpeg.h) on raw code streams: markers, Huffman tables,
// predictors, point transform and restart intervals. Seeds: the first frame of two demo DICOM
// files in JPEG lossless (corpus/fuzz_lossless_jpeg).
#include "data/LosslessJpeg.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lepton::LosslessJpegFrame frame;
    QString reason;
    const auto status = lepton::decodeLosslessJpeg(data, qint64(size), &frame, &reason);
    if (status == lepton::LosslessJpegStatus::Decoded) {
        if (frame.width <= 0 || frame.height <= 0
            || frame.samples.size()
                != std::size_t(frame.width) * std::size_t(frame.height) * std::size_t(frame.components))
            __builtin_trap(); // a decoded frame fills its samples
    } else if (reason.isEmpty()) {
        __builtin_trap(); // every refusal says why
    }
    return 0;
}
