// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Debian builds GDCM with assertions on, and some of them fire on malformed files (a damaged JPEG
// header, an RLE segment of length zero): assert() would stop the whole workbench over one bad
// file. DicomGuard::run calls a function that uses GDCM; if a GDCM assertion fails on that thread
// meanwhile, control returns to run(), which reports it, instead of the process stopping. The
// frames in between are abandoned without their destructors: what GDCM had allocated there is
// leaked (a few kilobytes per refused file), so callers allocate GDCM's objects inside the
// function and delete them only after a run that completed. Everywhere else (other threads, other
// libraries, our own code) an assertion stops the process as the C library's does.

#include <functional>
#include <string>

namespace lepton {

class DicomGuard
{
public:
    /// Runs `fn`; false when an assertion failed inside it (its text in *what).
    static bool run(const std::function<void()> &fn, std::string *what);
    /// True on a thread inside run().
    static bool active();
};

} // namespace lepton
