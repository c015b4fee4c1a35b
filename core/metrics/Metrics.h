// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Reliability.h"

#include <QJsonObject>

#include <vector>

namespace lepton {

/// Area under the ROC curve of scores against binary labels (1 = positive), with ties counted
/// half (the Mann-Whitney statistic). NaN when only one class is present or the input is empty.
double auroc(const std::vector<double> &scores, const std::vector<int> &labels);

/// Area under the precision-recall curve as average precision (tied scores form one step).
/// NaN without positives.
double auprc(const std::vector<double> &scores, const std::vector<int> &labels);

/// Expected calibration error of the predicted class's probability over equal-width bins: the ECE
/// of Reliability::fromConfidence (the one definition). NaN without cases.
double expectedCalibrationError(const std::vector<double> &confidence, const std::vector<int> &correct, int bins = 10);

/// One point of a ROC (x = false-positive rate, y = true-positive rate) or PR curve
/// (x = recall, y = precision) at a score threshold.
struct CurvePoint
{
    double threshold = 0.0;
    double x = 0.0;
    double y = 0.0;
};
std::vector<CurvePoint> rocCurve(const std::vector<double> &scores, const std::vector<int> &labels);
std::vector<CurvePoint> prCurve(const std::vector<double> &scores, const std::vector<int> &labels);

/// Every metric of a classifier on one split. Ratios with a zero denominator are NaN.
struct ClassificationMetrics
{
    int n = 0;
    double loss = 0.0;
    double accuracy = 0.0;
    double sensitivity = 0.0; ///< recall of the positive class
    double specificity = 0.0;
    double precision = 0.0;
    double f1 = 0.0;
    double auroc = 0.0;
    double auprc = 0.0;
    double ece = 0.0; ///< reliability.ece()
    std::vector<std::vector<int>> confusion; ///< [true class][predicted class]
    Reliability reliability; ///< the bins the ECE is computed from

    /// name → value, for the metric table (NaN as null), with "confusion" and "reliability"
    /// (Reliability::toJson) beside the numbers.
    QJsonObject toJson() const;
};

/// Computes the metrics from class probabilities (row-major N × classes), labels and the
/// positive class (whose probability is the score for AUROC/AUPRC).
ClassificationMetrics classificationMetrics(
    const std::vector<float> &probabilities, const std::vector<int> &labels, int classes, int positiveClass);

} // namespace lepton
