// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace lepton {

/// Keeps the C library's heap from handing each image-sized buffer back to the system when it is
/// freed. With glibc's defaults, every buffer of a few megabytes (a file read whole, a decoded
/// frame, its float values) was mapped fresh, page-faulted in and zeroed by the kernel, then
/// unmapped: importing 2000 × 2000 DICOM files spent a third of its time there (docs/BENCHMARKS.md).
/// Buffers up to 32 MB now come from the heap, and up to 256 MB of free heap is kept for the next
/// image. Call once at start-up; does nothing where the C library is not glibc.
void tuneHeapForLargeBuffers();

} // namespace lepton
