// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>

#include <vector>

namespace lepton {

/// One bin of a reliability diagram: the cases whose predicted class's probability (the
/// confidence) falls in [lower, upper) — the last bin includes 1 — with their mean confidence and
/// how often the predicted class was right.
struct ReliabilityBin
{
    double lower = 0.0;
    double upper = 0.0;
    int count = 0;
    double meanConfidence = 0.0; ///< NaN for an empty bin
    double accuracy = 0.0; ///< NaN for an empty bin
};

/// The one definition of calibration in the workbench: equal-width bins over the predicted class's
/// probability, and the expected calibration error computed from them,
/// ECE = Σ_bins count/n · |accuracy − mean confidence|.
///
/// expectedCalibrationError() and ClassificationMetrics use it, so training, `lepton evaluate`,
/// the Experiments metrics table and the Calibration plot all show the same number for the same
/// probabilities. Pure computation: no study, no threads.
class Reliability
{
public:
    static constexpr int kDefaultBins = 10;

    /// Bins `confidence` (the predicted class's probability per case, clamped to [0, 1]) against
    /// `correct` (1 when the predicted class was the true one). Pairs with a non-finite confidence
    /// are skipped; extra values of the longer vector are ignored. bins < 1 gives no bins.
    static Reliability fromConfidence(
        const std::vector<double> &confidence, const std::vector<int> &correct, int bins = kDefaultBins);
    /// The same from class probabilities (row-major N × classes) and true class indices; cases with
    /// a label outside [0, classes) (unlabelled) are skipped. The predicted class is the most
    /// probable one (the first of equals).
    static Reliability fromProbabilities(
        const std::vector<double> &probabilities, const std::vector<int> &labels, int classes, int bins = kDefaultBins);

    /// Every bin in order, empty ones included.
    const std::vector<ReliabilityBin> &bins() const { return m_bins; }
    /// Cases binned.
    int count() const { return m_count; }
    /// The expected calibration error; NaN without cases.
    double ece() const { return m_ece; }
    bool isEmpty() const { return m_count == 0; }

    /// {"bins": [{"lower","upper","count","confidence","accuracy"}…], "n", "ece"} (NaN as null).
    QJsonObject toJson() const;
    /// Reads toJson()'s form; the ECE is recomputed from the bins. Empty when `json` holds no bins.
    static Reliability fromJson(const QJsonObject &json);

private:
    void finish();

    std::vector<ReliabilityBin> m_bins;
    int m_count = 0;
    double m_ece = 0.0;
};

} // namespace lepton
