// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>

#include <vector>

namespace lepton {

/// Temperature scaling: calibrated = softmax(log p / T). One parameter, fitted on the
/// validation split by minimising the negative log-likelihood; it never changes which class
/// ranks first, only how confident the probabilities are. T is kept within [0.25, 20].
struct Calibration
{
    double temperature = 1.0;
    int cases = 0; ///< how many labelled cases it was fitted on
    double nllBefore = 0.0, nllAfter = 0.0;
    double eceBefore = 0.0, eceAfter = 0.0;

    /// Calibrated probabilities of one case from its model probabilities.
    std::vector<double> apply(const float *probabilities, int classes) const;
    std::vector<double> apply(const std::vector<double> &probabilities) const;
    QJsonObject toJson() const;
    static Calibration fromJson(const QJsonObject &json);

    /// Fits T on row-major N × classes probabilities and their labels (-1: unlabelled, skipped).
    /// With fewer than 10 labelled cases T stays 1.
    static Calibration fit(const std::vector<float> &probabilities, const std::vector<int> &labels, int classes);
};

} // namespace lepton
