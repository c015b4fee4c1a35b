// SPDX-License-Identifier: GPL-3.0-or-later
#include "Threads.h"

#include "util/ParallelFor.h"

#include <ATen/Parallel.h>

namespace lepton {

int configureTorchThreads(int threads)
{
    if (threads <= 0)
        threads = defaultThreadCount();
    at::set_num_threads(threads);
    return at::get_num_threads();
}

int torchThreads()
{
    return at::get_num_threads();
}

} // namespace lepton
