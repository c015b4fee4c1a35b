// SPDX-License-Identifier: GPL-3.0-or-later
#include "Folds.h"

#include "util/SplitMix.h"

#include <algorithm>
#include <map>

namespace lepton {

std::vector<int> assignFolds(const std::vector<FoldCase> &cases, int folds, quint64 seed)
{
    std::vector<int> out(cases.size(), -1);
    if (folds < 2)
        return out;
    struct Unit
    {
        std::vector<std::size_t> members;
        int label = -1;
        quint64 order = 0;
    };
    std::map<QString, Unit> units; // ordered: the same deal whatever the hash seed
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (!cases[i].eligible)
            continue;
        const QString key
            = cases[i].group.isEmpty() ? QStringLiteral("c:") + cases[i].key : QStringLiteral("g:") + cases[i].group;
        units[key].members.push_back(i);
    }
    std::map<int, std::vector<std::pair<quint64, Unit *>>> byLabel;
    for (auto &[key, u] : units) {
        std::map<int, int> counts;
        for (std::size_t i : u.members)
            ++counts[cases[i].label];
        int best = 0;
        for (const auto &[label, n] : counts)
            if (n > best) {
                best = n;
                u.label = label;
            }
        u.order = hashString(key, seed ^ 0x6a09e667f3bcc908ULL);
        byLabel[u.label].emplace_back(u.order, &u);
    }
    for (auto &[label, list] : byLabel) {
        std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        std::vector<int> filled(static_cast<std::size_t>(folds), 0);
        for (const auto &[order, u] : list) {
            // The emptiest fold for this label; ties to the lowest index.
            const auto target = static_cast<int>(std::min_element(filled.begin(), filled.end()) - filled.begin());
            for (std::size_t i : u->members)
                out[i] = target;
            filled[static_cast<std::size_t>(target)] += static_cast<int>(u->members.size());
        }
    }
    return out;
}

} // namespace lepton
