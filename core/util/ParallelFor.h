// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace lepton {

/// Number of worker threads to use when the caller asks for 0 ("all cores").
inline int defaultThreadCount()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

/// Runs fn(i) for i in [0, n) on up to `threads` threads (0 = all cores). Items are handed out
/// one at a time, so uneven work balances itself. Stops handing out items once `cancelled`
/// returns true. fn must not throw.
inline void parallelFor(
    std::size_t n, int threads, const std::function<void(std::size_t)> &fn, const std::function<bool()> &cancelled = {})
{
    if (threads <= 0)
        threads = defaultThreadCount();
    std::atomic<std::size_t> next { 0 };
    auto worker = [&] {
        for (;;) {
            if (cancelled && cancelled())
                return;
            const std::size_t i = next.fetch_add(1);
            if (i >= n)
                return;
            fn(i);
        }
    };
    const int extra = static_cast<int>(std::min<std::size_t>(n, static_cast<std::size_t>(threads))) - 1;
    std::vector<std::thread> pool;
    pool.reserve(extra > 0 ? extra : 0);
    for (int t = 0; t < extra; ++t)
        pool.emplace_back(worker);
    worker();
    for (auto &t : pool)
        t.join();
}

} // namespace lepton
