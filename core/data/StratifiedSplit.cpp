// SPDX-License-Identifier: GPL-3.0-or-later
#include "StratifiedSplit.h"

#include "util/SplitMix.h"

#include <QHash>

#include <algorithm>
#include <cmath>
#include <map>

namespace lepton {

QStringList assignStratifiedSplit(
    std::vector<ImportedCase> &cases, quint64 seed, double trainFraction, double valFraction)
{
    // Units: a group's unsplit labelled cases together, or one case without a group.
    struct Unit
    {
        QString key;
        std::vector<std::size_t> members;
        QString label; ///< the most frequent label (ties: the first by name)
    };
    std::map<QString, Unit> byKey; // ordered: the same result whatever the hash seed
    QStringList mixed;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (!cases[i].split.isEmpty() || cases[i].label.isEmpty())
            continue;
        const QString key = cases[i].groupKey.isEmpty() ? QStringLiteral("case\x1f") + cases[i].caseId
                                                        : QStringLiteral("group\x1f") + cases[i].groupKey;
        Unit &u = byKey[key];
        u.key = key;
        u.members.push_back(i);
    }
    std::map<QString, std::vector<const Unit *>> byClass;
    for (auto &[key, u] : byKey) {
        std::map<QString, int> counts;
        for (std::size_t i : u.members)
            ++counts[cases[i].label];
        int best = 0;
        for (const auto &[label, n] : counts)
            if (n > best) {
                best = n;
                u.label = label;
            }
        if (counts.size() > 1)
            mixed.append(cases[u.members.front()].groupKey);
        byClass[u.label].push_back(&u);
    }
    for (auto &[label, units] : byClass) {
        // Order by a keyed hash of the unit: stable under row reordering of the manifest.
        std::vector<std::pair<quint64, const Unit *>> keyed;
        keyed.reserve(units.size());
        for (const Unit *u : units)
            keyed.emplace_back(hashString(u->key.section(QLatin1Char('\x1f'), 1), seed), u);
        std::sort(keyed.begin(), keyed.end(), [](const auto &a, const auto &b) {
            return a.first != b.first ? a.first < b.first : a.second->key < b.second->key;
        });
        int n = 0;
        for (const auto &k : keyed)
            n += int(k.second->members.size());
        int nTrain = static_cast<int>(std::lround(n * trainFraction));
        int nVal = static_cast<int>(std::lround(n * valFraction));
        if (n >= 3) {
            nVal = std::max(nVal, 1);
            nTrain = std::clamp(nTrain, 1, n - nVal - 1);
        } else {
            nTrain = n;
            nVal = 0;
        }
        // Whole units in order: train until it holds its share, then val, then test. Without
        // groups every unit is one case and this is the case-level split.
        int placed = 0;
        for (std::size_t k = 0; k < keyed.size(); ++k) {
            const Unit &u = *keyed[k].second;
            const int remainingUnits = int(keyed.size() - k);
            QString split;
            if (placed < nTrain)
                split = QStringLiteral("train");
            else if (placed < nTrain + nVal)
                split = QStringLiteral("val");
            else
                split = QStringLiteral("test");
            // Keep at least one unit for each later split when units are few.
            if (split == QLatin1String("train") && n >= 3 && remainingUnits <= 2 && keyed.size() >= 3)
                split = remainingUnits == 2 ? QStringLiteral("val") : QStringLiteral("test");
            else if (split == QLatin1String("val") && n >= 3 && remainingUnits <= 1 && keyed.size() >= 3)
                split = QStringLiteral("test");
            for (std::size_t i : u.members)
                cases[i].split = split;
            placed += int(u.members.size());
        }
    }
    // A group's unlabelled cases and the cases of a group with a split from the manifest follow
    // nothing here: they keep what they have (unlabelled cases stay unsplit, for prediction).
    std::sort(mixed.begin(), mixed.end());
    return mixed;
}

} // namespace lepton
