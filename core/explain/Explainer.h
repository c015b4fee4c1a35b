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
};

/// One field changed by a counterfactual, in the user's units.
struct CounterfactualChange
{
    QString field;
    QString from, to, unit;
    double standardisedDelta = 0.0; ///< |Δ| in training standard deviations (1 for a category)
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
    QString text; ///< "crp_mg_l 48.0 → 19.0 mg/L would give routine" or why there is none
    QJsonObject toJson() const;
};

/// Everything explained about one case of one run.
struct CaseExplanation
{
    qint64 caseId = 0;
    QString caseKey;
    PredictionRow prediction; ///< probabilities, calibrated, decision, grade, cost, referred
    double positiveProbability = 0.0; ///< calibrated
    // From the forward pass.
    std::array<double, 3> modalityWeights { 0, 0, 0 }; ///< image, record, history
    cv::Mat imageAttention; ///< CV_32F h×w, sums to 1 (empty without an image)
    std::vector<FieldAttribution> fieldAttention;
    std::vector<double> temporalWeights; ///< per real event, oldest first
    // From gradients.
    cv::Mat gradCam; ///< CV_32F h×w in [0, 1] (empty without an image)
    std::vector<FieldAttribution> integratedGradients; ///< of p(positive), numeric fields
    double igOutput = 0.0, igBaselineOutput = 0.0, igCompletenessError = 0.0;
    Counterfactual counterfactual;

    /// Everything but the maps, for `--json` and the study's summaries.
    QJsonObject toJson() const;
};

struct ExplainOptions
{
    int igSteps = 32; ///< interpolation steps, run as one batch
    int gridPoints = 24; ///< counterfactual candidates per field
    bool counterfactual = true;
};

/// Explains a run's predictions: attention read from the same forward pass, Grad-CAM on the last
/// convolutional block, Integrated Gradients over the record's numeric fields (baseline: the
/// training means), and a counterfactual over the template's actionable fields.
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
    /// One case repeated `k` times (a batch of candidates).
    static Batch repeat(const Batch &one, int k);
    /// The model's (uncalibrated) probability of the positive class for each case of a batch.
    std::vector<double> positiveProbabilities(const Batch &batch) const;
    const DecisionSetup &setup() const { return m_setup; }

private:
    Counterfactual searchCounterfactual(const Batch &one, const PredictionRow &before, const ExplainOptions &o) const;
    /// Calibrated p(positive) and decisions for a batch of candidates.
    std::vector<PredictionRow> decideBatch(const Batch &b) const;

    mutable FusionNet m_model;
    std::shared_ptr<const MultimodalDataset> m_dataset;
    DecisionSetup m_setup;
    torch::Device m_device;
};

} // namespace lepton
