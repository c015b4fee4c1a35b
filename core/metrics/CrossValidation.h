// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>

#include <vector>

namespace lepton {

/// The aggregate of K runs' metrics: for every numeric key of the per-run objects, its mean,
/// sample standard deviation, a 95 % interval for the mean (mean ± t(0.975, K−1) · sd / √K) and
/// the values themselves: {"auroc": {"mean", "sd", "lo", "hi", "n", "values": [...]}, …}; when
/// every value lies in [0, 1] (a proportion) the interval is clipped to [0, 1]. Keys
/// missing or not finite in a run are left out of that key's figures (n says how many counted).
QJsonObject aggregateMetrics(const std::vector<QJsonObject> &perRun);

/// The 97.5th percentile of Student's t with `df` degrees of freedom (df ≥ 1; 1.96 beyond 30).
double studentT975(int df);

} // namespace lepton
