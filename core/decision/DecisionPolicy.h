// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/DomainTemplate.h"

#include <vector>

namespace lepton {

/// What the policy made of one case's calibrated probabilities.
struct Decision
{
    int decidedClass = -1;
    QString decidedClassName;
    QString action; ///< what is done: the template's label for the decided class
    QString grade;
    double positiveProbability = 0.0;
    double expectedCost = 0.0; ///< of the decision taken, under the calibrated probabilities
    bool referred = false; ///< inside the abstention band: a person decides
};

/// Applies a bound template (DomainTemplate::boundTo) to calibrated class probabilities, given
/// in the template's class order: the cost-minimising (or threshold) decision, its expected
/// cost, the risk grade, and referral when the probability lies in the abstention band.
Decision decide(const DomainTemplate &bound, const std::vector<double> &calibrated);

/// Expected cost of deciding each class: Σ_true p(true) · cost[true][decided].
std::vector<double> expectedCosts(const DomainTemplate &bound, const std::vector<double> &calibrated);

} // namespace lepton
