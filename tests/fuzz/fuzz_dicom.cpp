// SPDX-License-Identifier: GPL-3.0-or-later
// DICOM reading through DicomReader and ImageDecoder (docs/DICOM.md): the structure walk, GDCM's
// parsing and codecs behind it, the pixel pipeline and the renderer. Seeds: one small file per
// transfer syntax (corpus/fuzz_dicom).
#include "FuzzSupport.h"
#include "data/Dicom.h"
#include "data/ImageDecoder.h"

#include <opencv2/core.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), int(size));
    const QString name = QStringLiteral("input.dcm");
    auto image = lepton::DicomReader::read(bytes, name, 1 << 20);
    if (image) {
        const cv::Mat shown = lepton::DicomReader::render(image.value(), lepton::DicomWindow {});
        if (shown.empty() || shown.depth() != CV_8U)
            __builtin_trap(); // a decoded image always renders
    } else if (!image.error().contains(name)) {
        __builtin_trap(); // every refusal names the file
    }
    const QString path = lepton::fuzz::writeScratch(name, data, size);
    if (!path.isEmpty()) {
        lepton::ImageDecodeLimits limits;
        limits.maxPixels = 1 << 20;
        limits.minSide = 1;
        limits.decodeSide = 8; // JPEG 2000 at a reduced resolution (data/Jpeg2000.h)
        auto decoded = lepton::ImageDecoder::decode(path, limits);
        (void)decoded;
        auto attributes = lepton::DicomReader::attributes(path, { QStringLiteral("PatientAge") });
        (void)attributes;
    }
    return 0;
}
