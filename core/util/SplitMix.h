// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <cstdint>

namespace lepton {

/// SplitMix64 step: a fast, well-mixed 64-bit generator used for seeding and keyed hashing.
/// Same numbers on every platform, unlike the standard library's distributions.
inline std::uint64_t splitMix64(std::uint64_t &state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// A seeded 64-bit hash of a string (FNV-1a over UTF-16 units, then mixed with the seed).
inline std::uint64_t hashString(const QString &text, std::uint64_t seed)
{
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (const QChar c : text) {
        h ^= c.unicode();
        h *= 0x100000001B3ULL;
    }
    std::uint64_t state = h ^ seed;
    return splitMix64(state);
}

} // namespace lepton
