// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/CaseView.h"

#include <QImage>
#include <QVector>

/// Conversions from the core's case view types to what the widgets draw.
namespace CaseImages {

/// A deep copy of a case image as a QImage (grey, RGB or RGBA); null for a null image.
QImage toQImage(const lepton::CaseImage &image);
/// A stored map's values as the heat map view takes them.
QVector<float> mapValues(const lepton::CaseMap &map);

} // namespace CaseImages
