// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QString>

/// The one place that colours classes, so every view shows a class alike: the worrying class (the
/// run's positive class: abnormal, bad, fraud, …) warm, the reassuring one(s) cool. Without a
/// positive class every class is cool.
namespace ClassColours {

/// The warm colour of the worrying class (a brick red, readable as text on a light background).
inline QColor warm()
{
    return QColor(0xc0, 0x39, 0x2b);
}

/// The cool colour of the reassuring class(es) (a mid blue, readable as text on a light background).
inline QColor cool()
{
    return QColor(0x1f, 0x5f, 0xa8);
}

} // namespace ClassColours

/// The colour of `className`: warm when it is `positiveClass`, else cool.
inline QColor classColour(const QString &className, const QString &positiveClass)
{
    return !positiveClass.isEmpty() && className == positiveClass ? ClassColours::warm() : ClassColours::cool();
}
