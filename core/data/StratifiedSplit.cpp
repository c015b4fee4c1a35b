// SPDX-License-Identifier: GPL-3.0-or-later
#include "StratifiedSplit.h"

#include "util/SplitMix.h"

#include <QHash>

#include <algorithm>
#include <cmath>
#include <map>

namespace lepton {

void assignStratifiedSplit(std::vector<ImportedCase> &cases, quint64 seed, double trainFraction, double valFraction)
{
    std::map<QString, std::vector<std::size_t>> byClass; // ordered: same result whatever the hash seed
    for (std::size_t i = 0; i < cases.size(); ++i)
        if (cases[i].split.isEmpty() && !cases[i].label.isEmpty())
            byClass[cases[i].label].push_back(i);
    for (auto &[label, members] : byClass) {
        // Order by a keyed hash of the case id: stable under row reordering of the manifest.
        std::vector<std::pair<quint64, std::size_t>> keyed;
        keyed.reserve(members.size());
        for (std::size_t i : members)
            keyed.emplace_back(hashString(cases[i].caseId, seed), i);
        std::sort(keyed.begin(), keyed.end());
        const int n = static_cast<int>(keyed.size());
        int nTrain = static_cast<int>(std::lround(n * trainFraction));
        int nVal = static_cast<int>(std::lround(n * valFraction));
        if (n >= 3) {
            nVal = std::max(nVal, 1);
            nTrain = std::clamp(nTrain, 1, n - nVal - 1);
        } else {
            nTrain = n;
            nVal = 0;
        }
        for (int k = 0; k < n; ++k) {
            ImportedCase &c = cases[keyed[static_cast<std::size_t>(k)].second];
            c.split = k < nTrain    ? QStringLiteral("train")
                : k < nTrain + nVal ? QStringLiteral("val")
                                    : QStringLiteral("test");
        }
    }
}

} // namespace lepton
