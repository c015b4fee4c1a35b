// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <vector>

namespace lepton {

/// A case as cross-validation sees it.
struct FoldCase
{
    QString key; ///< the case id
    QString group; ///< empty: the case is its own group
    int label = -1;
    bool eligible = false; ///< labelled and in train or val (test is never dealt)
};

/// Deals the eligible cases into `folds` folds: whole groups, stratified by each group's most
/// frequent label, in a seeded order (a keyed hash of the group, stable under row order), each
/// group to the fold that holds the fewest cases of its label so far. Returns each case's fold,
/// -1 for cases that are not eligible.
std::vector<int> assignFolds(const std::vector<FoldCase> &cases, int folds, quint64 seed);

} // namespace lepton
