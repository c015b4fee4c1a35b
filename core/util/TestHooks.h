// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Study-safety testing (tests/tst_studysafety.cpp, docs/RELIABILITY.md): a full disk is simulated
// by capping the study's size. With the environment variable LEPTON_TEST_MAX_PAGE_COUNT=N each
// writable study connection runs `PRAGMA max_page_count = N` as it opens, so a write that would
// grow the study past N pages fails with SQLITE_FULL, as on a full disk. Without the variable
// (always, outside those tests) nothing changes.
// LEPTON_TEST_STEP_DELAY_MS=N makes the trainer sleep N ms after each optimisation step, so a test
// can watch a run from another process while it trains (tests/tst_workbench.cpp).

#include <QByteArray>

namespace lepton {

/// The page cap for new writable study connections; 0 when there is none.
inline long long testMaxPageCount()
{
    const QByteArray value = qgetenv("LEPTON_TEST_MAX_PAGE_COUNT");
    bool ok = false;
    const long long n = value.isEmpty() ? 0 : value.toLongLong(&ok);
    return ok && n > 0 ? n : 0;
}

/// The pause after each training step, in ms; 0 when there is none.
inline int testStepDelayMs()
{
    static const int ms = [] {
        bool ok = false;
        const int n = qEnvironmentVariableIntValue("LEPTON_TEST_STEP_DELAY_MS", &ok);
        return ok && n > 0 ? n : 0;
    }();
    return ms;
}

} // namespace lepton
