// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Crash-safety testing: the test suite kills `lepton-testhooks` (a test-only copy of `lepton`) at
// chosen points to check that a study survives (tests/tst_crash.cpp, docs/RELIABILITY.md). The
// points:
//   step         after an optimisation step, before the epoch's metrics are written
//   checkpoint   inside a checkpoint's transaction, its data inserted, before the commit
//   predictions  inside the predictions' transaction, half of the rows written, before the commit
// A kill point calls the killPoint hook of util/TestHooks.h; in the shipped programs there is
// none and a kill point does nothing.

#include "util/TestHooks.h"

namespace lepton {

/// Passes the kill point `name` (a string literal).
inline void killPoint(const char *name)
{
    if (const auto hook = testHooks().killPoint)
        hook(name);
}

} // namespace lepton
