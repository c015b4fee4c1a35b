// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "explain/Explainer.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace lepton {

/// How faithful a run's explanations are, measured against known causes (a ground-truth file:
/// the demo's ground_truth.json of `lepton demo-data`, or any file in the format of
/// docs/EXPLANATIONS.md). Every measure that can fail stands beside its chance level, the score of
/// an explanation that picks at random; the arithmetic is metrics/ExplanationMeasures. What cannot
/// fail by construction (counterfactual validity) is a self-check, reported apart.
struct FaithfulnessReport
{
    int cases = 0;
    int lesionCases = 0; ///< cases scored by the pointing game: a region in the ground truth and an image
    double pointingAttention = 0.0; ///< share of lesion cases whose attention peak cell lies on the region
    double pointingGradCam = 0.0;
    double pointingChanceAttention = 0.0; ///< mean share of the attention map's cells on the region
    double pointingChanceGradCam = 0.0; ///< the same for Grad-CAM's map
    /// Mean offset of each map's peak cell from the region's centre, in cells (x right, y down),
    /// over the pointing-game cases: a map that peaks beside its evidence at a fixed offset (which
    /// a large receptive field allows) shows here as a mean far from (0, 0).
    double offsetAttentionX = 0.0, offsetAttentionY = 0.0;
    double offsetGradCamX = 0.0, offsetGradCamY = 0.0;

    int topK = 3;
    int fieldCases = 0; ///< cases with field attributions and at least one causal candidate field
    double candidateFields = 0.0; ///< mean n: fields ranked per case
    double causalCandidates = 0.0; ///< mean c: causal fields among them
    double precisionAtKIg = 0.0; ///< mean share of the top-k |IG| fields that are causal
    double recallAtKIg = 0.0; ///< mean share of the causal fields found in the top k by |IG|
    double precisionAtKAttention = 0.0; ///< the same for field attention
    double recallAtKAttention = 0.0;
    double precisionAtKChance = 0.0; ///< mean c/n: a random choice of k fields
    double recallAtKChance = 0.0; ///< mean min(k, n)/n
    double recallAtKCeiling = 0.0; ///< mean min(k, c)/c: the best recall@k possible
    /// Categorical and yes/no fields among a case's causal fields: over every such (case, field),
    /// the share found among the top k by |IG|, beside its chance min(k, n)/n (a random top k).
    int categoricalCausal = 0;
    double categoricalAtKIg = 0.0;
    double categoricalAtKChance = 0.0;

    double imageDeletionTop = 0.0,
           imageDeletionRandom = 0.0; ///< mean |Δ p| removing Grad-CAM's top cells / random cells (the chance level)
    double fieldDeletionTop = 0.0,
           fieldDeletionRandom = 0.0; ///< mean drop of the predicted class resetting the top-k IG fields / random ones
    int imageDeletionCases = 0, fieldDeletionCases = 0; ///< cases each deletion test ran on (0: not measured)

    /// Share of the cases with a planted dominant modality (one the model sees in the case) where
    /// masking that modality changes p most (CaseExplanation::modalityAblation); -1 when not
    /// measured (no such case).
    // The note's words (text models with causal_words in the ground truth): whether a planted word
    // is among the top-k words by |IG|, against a random choice of k of the note's words; and the
    // mean IG of signal words where the note affirms them and where it denies them.
    int textCases = 0; ///< explained notes with at least one planted word among their words
    double wordsAtKIg = 0.0; ///< share of textCases with a planted word in the top k by |IG|
    double wordsAtKAttention = 0.0; ///< the same by token attention
    double wordsAtKOcclusion = 0.0; ///< the same by |p − p without the word|
    double wordsAtKChance = 0.0; ///< mean 1 − C(W−c, k)/C(W, k)
    double affirmedWordIg = 0.0, negatedWordIg = 0.0; ///< mean IG of signal words, affirmed / denied
    double affirmedWordOcclusion = 0.0, negatedWordOcclusion = 0.0; ///< the same by occlusion
    int affirmedWords = 0, negatedWords = 0;
    double modalityAblationAgreement = -1.0;
    double modalityAblationChance = 0.0; ///< mean 1 / (modalities present)
    int modalityAblationCases = 0;

    /// Explanation stability: Spearman rank correlation of each case's IG field attributions under
    /// this run and under a second run trained on the same data (chance level 0); stabilityCases
    /// is 0 when no second run was given.
    double stabilityMean = 0.0, stabilitySd = 0.0;
    int stabilityCases = 0;
    bool stabilityMeasured = false;

    int counterfactualsFound = 0;
    double counterfactualSparsity = 0.0; ///< mean fields changed
    // Self-checks: they cannot fail by construction.
    int counterfactualsVerified = 0; ///< found counterfactuals that flip the decision when run again
    double igCompletenessError = 0.0; ///< mean |Σ IG − (f(x) − f(baseline))|: checks the integration
    double msPerCase = 0.0;
    bool cancelled = false;

    QJsonObject toJson() const;
    QString table() const;
};

/// Explains `indices` of the explainer's dataset and scores the explanations against the ground
/// truth file. The pointing game asks whether the peak cell of the attention map and of Grad-CAM
/// overlaps the case's region. Fields are ranked by |IG| and by attention; precision@k and
/// recall@k compare the top k with the case's causal fields. The image deletion removes the top
/// 10 % of the map's cells (set to the training mean) against as many random cells (mean |Δp|);
/// the field deletion removes the k fields whose IG supports the predicted class most (numbers to
/// their training means, categories to "unknown") against k random present fields (mean drop of
/// the predicted class's probability). With `stability` (an explainer of another run on the same
/// dataset, same indices) each case's IG field attributions under both runs are rank-correlated.
Result<FaithfulnessReport> measureFaithfulness(const Explainer &explainer, const MultimodalDataset &dataset,
    const std::vector<int> &indices, const QString &groundTruthPath, int topK = 3, const ProgressFn &progress = {},
    const CancelFn &cancelled = {}, const Explainer *stability = nullptr);

} // namespace lepton
