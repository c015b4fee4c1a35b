// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/ImportedDataset.h"

#include <vector>

namespace lepton {

/// Gives every labelled case without a split one of train / val / test, per class in the given
/// proportions, in a seeded order that does not depend on the platform. Cases that already have a
/// split keep it; unlabelled cases without one stay unsplit (they are for prediction).
/// Each class with at least three cases gets at least one case in each split.
///
/// Cases with a group key (a patient) are split as a whole: every case of a group lands in one
/// split. Groups are stratified by their most frequent label and filled into train, val and test
/// in a seeded order until each split holds its share of that label's cases, so the proportions
/// are met as nearly as whole groups allow. Returns the groups whose cases carry different labels.
QStringList assignStratifiedSplit(
    std::vector<ImportedCase> &cases, quint64 seed, double trainFraction, double valFraction);

} // namespace lepton
