// SPDX-License-Identifier: GPL-3.0-or-later
// Image decoding through ImageDecoder (file based: the bytes are written to a scratch file).
// Small limits keep a decompression bomb from costing more than a few megabytes.
#include "FuzzSupport.h"
#include "data/ImageDecoder.h"

#include <opencv2/core.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString path = lepton::fuzz::writeScratch(QStringLiteral("image.bin"), data, size);
    if (path.isEmpty())
        return 0;
    lepton::ImageDecodeLimits limits;
    limits.maxPixels = 1 << 20;
    limits.minSide = 1;
    auto info = lepton::ImageDecoder::inspect(path, limits);
    auto mat = lepton::ImageDecoder::decode(path, limits);
    if (mat) {
        if (mat->empty() || qint64(mat->cols) * mat->rows > limits.maxPixels)
            __builtin_trap(); // decode() promised a usable image within the limits
    } else if (mat.error().isEmpty()) {
        __builtin_trap();
    }
    (void)info;
    return 0;
}
