// SPDX-License-Identifier: GPL-3.0-or-later
#include "Metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lepton {

double auroc(const std::vector<double> &scores, const std::vector<int> &labels)
{
    const std::size_t n = std::min(scores.size(), labels.size());
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    // Average ranks over ties, then the rank-sum of the positives.
    double rankSumPos = 0.0;
    double positives = 0.0;
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i;
        while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            ++j;
        const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k) {
            if (labels[order[k]] == 1) {
                rankSumPos += rank;
                positives += 1.0;
            }
        }
        i = j + 1;
    }
    const double negatives = static_cast<double>(n) - positives;
    if (positives == 0.0 || negatives == 0.0)
        return std::numeric_limits<double>::quiet_NaN();
    return (rankSumPos - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

} // namespace lepton
