// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace lepton {

/// Sets LibTorch's intra-op thread count (0: one per hardware thread; Debian's LibTorch would
/// otherwise use one) and returns the count in force.
int configureTorchThreads(int threads = 0);

/// LibTorch's current intra-op thread count.
int torchThreads();

} // namespace lepton
