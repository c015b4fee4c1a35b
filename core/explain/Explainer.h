// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "explain/DecisionSetup.h"
#include "model/FusionNet.h"

#include <QJsonObject>

#include <opencv2/core/mat.hpp>

#include <array>
#include <memory>

namespace lepton {

class MultimodalDataset;
struct TrainedModel;

/// One record field's share of a prediction.
struct FieldAttribution
{
    QString field;
    double value = 0.0;
    /// How the value was obtained: "ig" (Integrated Gradients; numbers and booleans), "occlusion"
    /// (p at the case minus p with the field at its training mode; categories), "missing" (the
    /// case has no value: nothing to attribute, value 0).
    QString method = QStringLiteral("ig");
};

/// One field changed by a counterfactual, in the user's units.
struct CounterfactualChange
{
    QString field;
    QString from, to, unit;
    double standardisedDelta = 0.0; ///< |Δ| in training standard deviations (1 for a category)
    /// Whether the field's attribution points the same way as this change: +1 it agrees (the
    /// attribution's gradient times the change moves p(positive) the way the counterfactual does),
    /// -1 it disagrees, 0 cannot be said (a category, or the value sits at the baseline).
    int agreesWithAttribution = 0;
};

/// Another change that also gives another decision, on other fields than the first.
struct CounterfactualAlternative
{
    std::vector<CounterfactualChange> changes;
    QString decisionAfter;
    double probabilityAfter = 0.0;
    double distance = 0.0; ///< Σ |Δ| in training standard deviations (1 per category)
    QString text;
};

/// The smallest change to actionable fields that flips the decision, verified by the model.
struct Counterfactual
{
    bool found = false;
    std::vector<CounterfactualChange> changes;
    QString decisionBefore, decisionAfter, gradeAfter;
    double probabilityBefore = 0.0, probabilityAfter = 0.0; ///< calibrated p(positive)
    bool verified = false; ///< the model, run on the changed case, gives decisionAfter
    int evaluated = 0; ///< candidate cases the search ran through the model
    double distance = 0.0; ///< Σ |Δ| in training standard deviations (1 per category)
    QString text; ///< "crp_mg_l 48.0 → 19.0 mg/L would give routine" or why there is none
    /// Up to two more changes on other fields, by distance (diverse alternatives).
    std::vector<CounterfactualAlternative> alternatives;
    QJsonObject toJson() const;
};

/// One token of the case's note: where it is in the note, the token attention of the text
/// encoder, and its Integrated Gradients (of model p(positive), relative to the note with every
/// token's embedding at zero: the same positions, no words).
struct TokenAttribution
{
    QString piece;
    int begin = 0, end = 0; ///< [begin, end) in the note (UTF-16)
    double attention = 0.0;
    double ig = 0.0;
};

/// A word of the note (its tokens merged: a word starts where a piece starts with a space).
struct WordAttribution
{
    QString word;
    int begin = 0, end = 0;
    double attention = 0.0, ig = 0.0;
    /// Model p(positive) with the note minus p with this word taken out of it: the same
    /// reference as the modality's masking and the sentence counterfactual (what the views show).
    double occlusion = 0.0;
};

/// The fewest sentences of the note whose removal changes the decision, verified by the model.
struct TextCounterfactual
{
    bool found = false;
    QStringList removed; ///< the sentences, as written
    QString decisionAfter;
    double probabilityAfter = 0.0; ///< calibrated p(positive) without them
    bool verified = false; ///< the model, run again on the shortened note alone, gives decisionAfter
    int evaluated = 0;
    QString text; ///< "without 'Pt reports fever.' the decision would be routine", or why there is none
    QJsonObject toJson() const;
};

/// Splits a note into its sentences (after '.', '!', '?' or a line break), as written.
QStringList noteSentences(const QString &note);

/// Everything explained about one case of one run.
struct CaseExplanation
{
    qint64 caseId = 0;
    QString caseKey;
    PredictionRow prediction; ///< probabilities, calibrated, decision, grade, cost, referred
    double positiveProbability = 0.0; ///< calibrated
    // From the forward pass.
    std::array<double, 4> modalityWeights { 0, 0, 0, 0 }; ///< image, record, history, text
    /// Calibrated p(positive) of the case minus the same with one modality masked (image, record,
    /// history, text); NaN where the case lacks the modality or the model does not use it.
    /// Positive: the modality pushes towards the positive class.
    std::array<double, 4> modalityAblation { 0, 0, 0, 0 };
    bool usesText = false; ///< the model reads a note (text fields are in the data)
    QString note; ///< the case's note as the model read it (text columns joined)
    std::vector<TokenAttribution> tokens; ///< the note's tokens the model kept
    double textIgOutput = 0.0, textIgBaselineOutput = 0.0, textIgCompletenessError = 0.0;
    TextCounterfactual textCounterfactual;
    /// Per word of words(), p(positive) minus p without the word (WordAttribution::occlusion).
    std::vector<double> wordOcclusion;
    /// The note's words with their attributions (tokens merged), in note order.
    std::vector<WordAttribution> words() const;
    cv::Mat imageAttention; ///< CV_32F h×w, sums to 1 (empty without an image)
    std::vector<FieldAttribution> fieldAttention;
    std::vector<double> temporalWeights; ///< per real event, oldest first
    // From gradients.
    cv::Mat gradCam; ///< CV_32F h×w in [0, 1] (empty without an image)
    /// Of calibrated-free model p(positive), one per record field, relative to attributionBaseline.
    std::vector<FieldAttribution> integratedGradients;
    /// What the attributions are relative to, in words.
    static QString attributionBaseline();
    double igOutput = 0.0, igBaselineOutput = 0.0, igCompletenessError = 0.0;
    Counterfactual counterfactual;

    /// Everything but the maps, for `--json` and the study's summaries.
    QJsonObject toJson() const;
};

struct ExplainOptions
{
    int igSteps = 32; ///< interpolation steps, run as one batch
    /// Steps over the note's token embeddings: the text encoder saturates along the path (its
    /// softmax attention), and 32 steps left completeness errors of 0.2 in p; 256 keep them near
    /// 0.01, and the text encoder alone is cheap to run on them.
    int textIgSteps = 256;
    int gridPoints = 24; ///< counterfactual candidates per field
    bool counterfactual = true;
};

/// What the training split says about each record field, for baselines and plausible changes.
struct FieldStatistics
{
    std::int64_t mode = 0; ///< categories: the most common category index + 1 in training (0: none)
    double low = 0.0, high = 0.0; ///< numbers: the lowest and highest standardised training value
    /// Numbers: per class, the 5th and 95th percentile of standardised training values; a class
    /// without values has low > high. Categories: per class, which category indices (+1) occur.
    std::vector<std::pair<double, double>> classBand;
    std::vector<std::vector<std::int64_t>> classCategories;
    bool seen = false; ///< the field has at least one training value
};

/// Per record field of `dataset`'s spec, from its train split's labelled cases (`classes` classes).
std::vector<FieldStatistics> trainingStatistics(const MultimodalDataset &dataset, int classes);

/// Explains a run's predictions: attention read from the same forward pass, modality ablation,
/// Grad-CAM on the last convolutional block, Integrated Gradients over the record's numeric and
/// boolean fields (baseline: the training means) with categories by occlusion against their
/// training mode, and up to three counterfactuals over the template's actionable fields, each
/// value inside the training range and the 5th–95th percentile of the target class.
class Explainer
{
public:
    Explainer(FusionNet model, std::shared_ptr<const MultimodalDataset> dataset, DecisionSetup setup,
        torch::Device device = torch::Device(torch::kCPU));

    CaseExplanation explain(int datasetIndex, const ExplainOptions &options = {}) const;

    /// Grad-CAM of class `classIndex` for the first case of a batch: ReLU of the feature maps
    /// weighted by their mean gradients, scaled to [0, 1]. Empty when the case has no image.
    static cv::Mat gradCam(FusionNet &model, const Batch &one, int classIndex);
    /// Integrated Gradients of p(classIndex) over recordValues from `baseline` (same shape) with
    /// `steps` interpolation points in one batch; returns per-field attributions and fills the
    /// outputs at the case and at the baseline.
    static std::vector<double> integratedGradients(FusionNet &model, const Batch &one, const torch::Tensor &baseline,
        int classIndex, int steps, double *output, double *baselineOutput);
    /// Integrated Gradients of p(classIndex) over the note's token embeddings, from all-zero
    /// embeddings (the padding's), per token of the first case; empty without a note.
    static std::vector<double> tokenIntegratedGradients(
        FusionNet &model, const Batch &one, int classIndex, int steps, double *output, double *baselineOutput);
    /// One case repeated `k` times (a batch of candidates).
    static Batch repeat(const Batch &one, int k);
    /// The model's (uncalibrated) probability of the positive class for each case of a batch.
    std::vector<double> positiveProbabilities(const Batch &batch) const;
    const DecisionSetup &setup() const { return m_setup; }
    const std::vector<FieldStatistics> &fieldStatistics() const { return m_stats; }

private:
    /// Calibrated p(positive) minus the same with each present modality masked in turn.
    std::array<double, 4> modalityAblation(const Batch &one, double calibratedPositive) const;
    /// The fewest sentences (up to three) whose removal changes the decision.
    TextCounterfactual searchTextCounterfactual(int index, const Batch &one, const PredictionRow &before) const;
    /// Token attention and Integrated Gradients of the case's note.
    void explainText(CaseExplanation &e, int index, const Batch &one, const torch::Tensor &tokenWeights,
        const ExplainOptions &options) const;
    /// `attributions`: the case's field attributions, to say whether each change agrees with them.
    Counterfactual searchCounterfactual(const Batch &one, const PredictionRow &before, const ExplainOptions &o,
        const std::vector<FieldAttribution> &attributions) const;
    /// Calibrated p(positive) and decisions for a batch of candidates; with `fixed`, the modality
    /// embeddings it holds are used instead of running their encoders on every row.
    std::vector<PredictionRow> decideBatch(const Batch &b, const FixedEmbeddings *fixed = nullptr) const;

    mutable FusionNet m_model;
    std::shared_ptr<const MultimodalDataset> m_dataset;
    DecisionSetup m_setup;
    std::vector<FieldStatistics> m_stats;
    torch::Device m_device;
};

} // namespace lepton
