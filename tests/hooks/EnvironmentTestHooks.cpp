// SPDX-License-Identifier: GPL-3.0-or-later
// The library lepton_testhooks (tests/CMakeLists.txt, only with -DLEPTON_TEST_HOOKS=ON): fills in
// the core's hook table (core/util/TestHooks.h) from the environment as the program starts. It is
// linked into `lepton-testhooks`, the test-only copy of the command line, never into a program
// that is installed. The variables:
//   LEPTON_TEST_KILL_AT=NAME:N        SIGKILL (no cleanup, no rollback) the N-th time the process
//                                     passes the kill point NAME (core/util/KillPoint.h)
//   LEPTON_TEST_MAX_PAGE_COUNT=N      each writable study connection runs PRAGMA max_page_count = N,
//                                     so a write that would grow the study past N pages fails with
//                                     SQLITE_FULL, as on a full disk
//   LEPTON_TEST_STEP_DELAY_MS=N       the trainer sleeps N ms after each optimisation step
// A variable that is unset or not a positive number installs nothing.
#include "util/TestHooks.h"

#include <QByteArray>
#include <QtGlobal>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace {

void killAt(const char *name)
{
    static const QByteArray spec = qgetenv("LEPTON_TEST_KILL_AT");
    static std::atomic<int> passes { 0 };
    const int colon = spec.lastIndexOf(':');
    if (colon <= 0 || spec.left(colon) != QByteArray(name))
        return;
    if (++passes != spec.mid(colon + 1).toInt())
        return;
#ifdef SIGKILL
    std::raise(SIGKILL);
#endif
    std::_Exit(137);
}

long long maxPageCount()
{
    static const long long pages = qgetenv("LEPTON_TEST_MAX_PAGE_COUNT").toLongLong();
    return pages > 0 ? pages : 0;
}

int stepDelayMs()
{
    static const int ms = qEnvironmentVariableIntValue("LEPTON_TEST_STEP_DELAY_MS");
    return ms > 0 ? ms : 0;
}

/// Installs the hooks whose variable is set, once, before main().
[[maybe_unused]] const bool installed = [] {
    lepton::TestHooks &hooks = lepton::testHooks();
    if (!qEnvironmentVariableIsEmpty("LEPTON_TEST_KILL_AT"))
        hooks.killPoint = &killAt;
    if (maxPageCount() > 0)
        hooks.maxPageCount = &maxPageCount;
    if (stepDelayMs() > 0)
        hooks.stepDelayMs = &stepDelayMs;
    return true;
}();

} // namespace
