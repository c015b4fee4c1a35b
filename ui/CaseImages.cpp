// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseImages.h"

namespace CaseImages {

QImage toQImage(const lepton::CaseImage &image)
{
    if (image.isNull() || image.width <= 0 || image.height <= 0)
        return QImage();
    QImage::Format format = QImage::Format_Grayscale8;
    if (image.channels == 3)
        format = QImage::Format_RGB888;
    else if (image.channels == 4)
        format = QImage::Format_RGBA8888;
    else if (image.channels != 1)
        return QImage();
    const qsizetype rowBytes = qsizetype(image.width) * image.channels;
    if (image.pixels.size() < rowBytes * image.height)
        return QImage();
    return QImage(
        reinterpret_cast<const uchar *>(image.pixels.constData()), image.width, image.height, rowBytes, format)
        .copy();
}

QVector<float> mapValues(const lepton::CaseMap &map)
{
    return QVector<float>(map.values.begin(), map.values.end());
}

} // namespace CaseImages
