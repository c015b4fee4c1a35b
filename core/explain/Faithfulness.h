// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "explain/Explainer.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace lepton {

/// How faithful a run's explanations are, measured against a demo study's ground truth
/// (ground_truth.json of `lepton demo-data`): where the lesions are and which fields cause the label.
struct FaithfulnessReport
{
    int cases = 0;
    int lesionCases = 0; ///< cases with a planted lesion and an image
    double pointingAttention = 0.0; ///< share of lesion cases whose attention peak falls on the lesion
    double pointingGradCam = 0.0;
    double causalRecallIg = 0.0; ///< mean share of the top-k |IG| fields that are causal
    double causalRecallAttention = 0.0; ///< the same for field attention
    int topK = 3;
    double imageDeletionTop = 0.0,
           imageDeletionRandom = 0.0; ///< mean |Δ p| removing Grad-CAM's top cells / random cells
    double fieldDeletionTop = 0.0,
           fieldDeletionRandom = 0.0; ///< mean |Δ p| resetting the top-k IG fields / random ones
    int counterfactualsFound = 0, counterfactualsVerified = 0;
    double counterfactualSparsity = 0.0; ///< mean fields changed
    double msPerCase = 0.0;
    bool cancelled = false;

    QJsonObject toJson() const;
    QString table() const;
};

/// Explains `indices` of the explainer's dataset and scores the explanations against the ground
/// truth file. The image deletion removes the top 10 % of the map's cells (set to the training
/// mean) against as many random cells (mean |Δp|); the field deletion removes the k fields whose
/// IG supports the predicted class most (numbers to their training means, categories to
/// "unknown") against k random present fields (mean drop of the predicted class's probability).
Result<FaithfulnessReport> measureFaithfulness(const Explainer &explainer, const MultimodalDataset &dataset,
    const std::vector<int> &indices, const QString &groundTruthPath, int topK = 3, const ProgressFn &progress = {},
    const CancelFn &cancelled = {});

} // namespace lepton
