// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <vector>

namespace lepton {

/// Area under the ROC curve of scores against binary labels (1 = positive), with ties counted
/// half (the Mann-Whitney statistic). NaN when only one class is present or the input is empty.
double auroc(const std::vector<double> &scores, const std::vector<int> &labels);

} // namespace lepton
