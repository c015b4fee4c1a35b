// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Hooks for the reliability tests (docs/RELIABILITY.md): places in the core where a test can kill
// the process, cap a study's size, slow training down or spoil a loss. The core only calls them;
// it never decides on its own to use one. Every hook is a null function pointer in a table that
// nothing in the shipped programs fills in, so a hook costs one load and one compare and a
// released `lepton` holds no code that reads a test variable.
//
// Test builds (cmake -DLEPTON_TEST_HOOKS=ON, as scripts/test configures) add the library
// lepton_testhooks (tests/hooks/) to the test executables and to a test-only copy of the command
// line, `lepton-testhooks`, which is never installed; that library fills the table from the
// environment. A test in the same process may also set a hook itself and reset it afterwards.

namespace lepton {

/// The hooks. A null pointer means "no hook"; every pointer is set before the first use (at
/// start-up, or by a test before it starts the work it observes) and not changed while the core
/// may call it.
struct TestHooks
{
    /// Called at each kill point (util/KillPoint.h) with the point's name; may end the process.
    void (*killPoint)(const char *name) = nullptr;
    /// The page cap each new writable study connection sets (`PRAGMA max_page_count`), so that a
    /// write growing the study past it fails as on a full disk; 0 for none.
    long long (*maxPageCount)() = nullptr;
    /// The pause after each training step, in ms, so another process can watch a run; 0 for none.
    int (*stepDelayMs)() = nullptr;
    /// A value the trainer adds to the loss of a global step (e.g. NaN, to test how a non-finite
    /// loss stops a run).
    double (*lossOffset)(int step) = nullptr;
};

/// The process's hook table (empty unless a test build filled it in).
inline TestHooks &testHooks()
{
    static TestHooks hooks;
    return hooks;
}

/// The page cap for new writable study connections; 0 when there is none.
inline long long testMaxPageCount()
{
    const auto hook = testHooks().maxPageCount;
    return hook ? hook() : 0;
}

/// The pause after each training step, in ms; 0 when there is none.
inline int testStepDelayMs()
{
    const auto hook = testHooks().stepDelayMs;
    return hook ? hook() : 0;
}

/// What to add to the loss of a global training step; 0 when there is no hook.
inline double testLossOffset(int step)
{
    const auto hook = testHooks().lossOffset;
    return hook ? hook(step) : 0.0;
}

} // namespace lepton
