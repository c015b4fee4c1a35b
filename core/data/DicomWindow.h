// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QString>

namespace lepton {

/// How stored values become grey levels (VOI windowing).
struct DicomWindow
{
    enum class Mode {
        Auto, ///< the file's window (centre/width, else its VOI LUT), else Full
        Full, ///< the image's own minimum to maximum
        Fixed ///< centre and width given by the user
    };
    Mode mode = Mode::Auto;
    double center = 0.0;
    double width = 0.0;

    /// "auto", "full" or "CENTER,WIDTH" (width > 0).
    static Result<DicomWindow> parse(const QString &text);
    QString text() const;
};

} // namespace lepton
