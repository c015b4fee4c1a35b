// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QString>
#include <vector>

namespace lepton {

/// Test AUROC of a simple baseline (logistic regression on hand-made features) per modality set.
struct BaselineRow
{
    QString modalities; ///< e.g. "image", "record", "history", "image+record+history"
    int features = 0;
    double testAuroc = 0.0;
};

/// Measures how much each modality of a demo study says about its label on its own and together:
/// reads the manifest, events and images that DemoGenerator wrote, computes simple features
/// (image: blob-detector responses; record: the numeric fields; history: per-field last value
/// and slope), fits an L2-regularised logistic regression on the train split and reports AUROC on
/// the test split. Used to prove that the demo label needs fusion.
class ModalityBaseline
{
public:
    static Result<std::vector<BaselineRow>> measure(const QString &demoDir);
};

} // namespace lepton
