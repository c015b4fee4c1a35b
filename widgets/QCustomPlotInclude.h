// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// QCustomPlot's header is written with Qt's keyword macros (signals, slots, emit, foreach),
// which this project turns off with QT_NO_KEYWORDS because LibTorch uses `slots` as a name.
// Define them for this one header only. Include this instead of <qcustomplot.h>.
#include <QtGlobal>

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
