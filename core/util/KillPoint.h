// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Crash-safety testing: the test suite kills `lepton` at chosen points to check that a study
// survives (tests/tst_crash.cpp, docs/RELIABILITY.md). With the environment variable
// LEPTON_TEST_KILL_AT=NAME:N the process kills itself (SIGKILL: no cleanup, no rollback) the
// N-th time it passes killPoint(NAME). The points:
//   step         after an optimisation step, before the epoch's metrics are written
//   checkpoint   inside a checkpoint's transaction, its data inserted, before the commit
//   predictions  inside the predictions' transaction, half of the rows written, before the commit
// Without the variable (always, outside those tests) a kill point does nothing.

#include <QByteArray>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace lepton {

inline void killPoint(const char *name)
{
    static const QByteArray spec = qgetenv("LEPTON_TEST_KILL_AT");
    if (spec.isEmpty())
        return;
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

} // namespace lepton
