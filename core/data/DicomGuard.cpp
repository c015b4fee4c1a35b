// SPDX-License-Identifier: GPL-3.0-or-later
// This file must not include <assert.h> (directly or through another header): the definition of
// __assert_fail below replaces the C library's.
#include "DicomGuard.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>

namespace lepton {
namespace {
thread_local std::jmp_buf *t_return = nullptr;
thread_local std::string t_what;
} // namespace

bool DicomGuard::run(const std::function<void()> &fn, std::string *what)
{
    std::jmp_buf here;
    std::jmp_buf *outer = t_return;
    if (setjmp(here) != 0) { // an assertion inside fn came back here
        t_return = outer;
        if (what)
            *what = t_what;
        return false;
    }
    t_return = &here;
    fn();
    t_return = outer;
    return true;
}

bool DicomGuard::active()
{
    return t_return != nullptr;
}

} // namespace lepton

// The C library's assertion handler, replaced for the whole program (the executable's definition
// comes first for the shared libraries it loads). Outside DicomGuard::run it does what the C
// library's does: print the assertion and abort.
extern "C" [[noreturn]] void __assert_fail(
    const char *assertion, const char *file, unsigned int line, const char *function)
{
    if (lepton::t_return) {
        lepton::t_what
            = std::string(file ? file : "?") + ":" + std::to_string(line) + ": " + (assertion ? assertion : "?");
        std::longjmp(*lepton::t_return, 1);
    }
    std::fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", file ? file : "?", line, function ? function : "?",
        assertion ? assertion : "?");
    std::fflush(stderr);
    std::abort();
}
