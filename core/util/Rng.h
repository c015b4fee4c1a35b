// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/SplitMix.h"

#include <cmath>
#include <cstdint>

namespace lepton {

/// xoshiro256** seeded through SplitMix64, with its own uniform and normal draws, so that a seed
/// gives the same numbers on every platform and standard library (std::normal_distribution and
/// friends are implementation-defined).
class Rng
{
public:
    explicit Rng(std::uint64_t seed)
    {
        std::uint64_t s = seed;
        for (auto &w : m_state)
            w = splitMix64(s);
    }
    /// A generator for one item of a stream: the same (seed, a, b) gives the same numbers
    /// whichever thread draws them, which keeps parallel work reproducible.
    static Rng forItem(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0)
    {
        std::uint64_t s = seed ^ 0x6A09E667F3BCC909ULL;
        const std::uint64_t k1 = splitMix64(s) ^ a;
        s = k1;
        const std::uint64_t k2 = splitMix64(s) ^ b;
        s = k2;
        return Rng(splitMix64(s));
    }

    std::uint64_t next()
    {
        const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
        const std::uint64_t t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }
    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
    bool chance(double p) { return uniform() < p; }
    /// Standard normal by the Box-Muller transform.
    double normal()
    {
        double u1 = uniform();
        if (u1 < 1e-300)
            u1 = 1e-300;
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    double normal(double mean, double sd) { return mean + sd * normal(); }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t m_state[4];
};

} // namespace lepton
