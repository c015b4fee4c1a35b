// SPDX-License-Identifier: GPL-3.0-or-later
#include "DecisionPolicy.h"

#include <algorithm>

namespace lepton {

std::vector<double> expectedCosts(const DomainTemplate &t, const std::vector<double> &p)
{
    const std::size_t k = p.size();
    std::vector<double> out(k, 0.0);
    for (std::size_t decided = 0; decided < k; ++decided)
        for (std::size_t truth = 0; truth < k && truth < t.cost.size(); ++truth)
            out[decided] += p[truth] * t.cost[truth][decided];
    return out;
}

Decision decide(const DomainTemplate &t, const std::vector<double> &p)
{
    Decision d;
    const int positive = std::max(0, t.positiveIndex());
    d.positiveProbability = positive < static_cast<int>(p.size()) ? p[static_cast<std::size_t>(positive)] : 0.0;
    const std::vector<double> costs = expectedCosts(t, p);
    if (t.rule == DomainTemplate::Rule::MinimiseExpectedCost) {
        // Ties go to the lower class index, so the same probabilities always decide alike.
        d.decidedClass = static_cast<int>(std::min_element(costs.begin(), costs.end()) - costs.begin());
    } else if (p.size() == 2) {
        d.decidedClass = d.positiveProbability >= t.threshold ? positive : 1 - positive;
    } else {
        d.decidedClass = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    }
    d.decidedClassName = t.classes.value(d.decidedClass);
    d.action = t.decisionLabel(d.decidedClassName);
    d.expectedCost = costs.empty() ? 0.0 : costs[static_cast<std::size_t>(d.decidedClass)];
    for (const RiskGrade &g : t.grades)
        if (d.positiveProbability < g.below || &g == &t.grades.back()) {
            d.grade = g.name;
            break;
        }
    d.referred = t.abstainEnabled && d.positiveProbability >= t.abstainLow && d.positiveProbability <= t.abstainHigh;
    return d;
}

} // namespace lepton
