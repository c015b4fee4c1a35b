// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <vector>

namespace lepton {

/// Counts of true class × predicted class over cases given by class index, and which cases fall
/// in each cell (by their position in the input), so a view can list a cell's cases without
/// counting again. Pure computation: no study, no threads.
class ConfusionMatrix
{
public:
    ConfusionMatrix() = default;

    /// Tallies pairs (truth[i], predicted[i]). A pair with an index outside [0, classes) (an
    /// unlabelled case, a class the run does not know) is left out; extra values of the longer
    /// vector are ignored.
    static ConfusionMatrix tally(const std::vector<int> &truth, const std::vector<int> &predicted, int classes);

    int classCount() const { return m_classes; }
    /// Cases that are `trueClass` and were predicted `predictedClass`; 0 outside the matrix.
    int count(int trueClass, int predictedClass) const;
    /// Cases of a true class (a row).
    int rowTotal(int trueClass) const;
    /// Cases counted.
    int total() const { return m_total; }
    /// Positions (in the tallied input) of the cases of a cell, ascending; empty outside the matrix.
    const std::vector<std::size_t> &cases(int trueClass, int predictedClass) const;
    /// [true class][predicted class], the form ClassificationMetrics and the confusion view use.
    std::vector<std::vector<int>> counts() const;

private:
    int m_classes = 0;
    int m_total = 0;
    std::vector<std::vector<std::size_t>> m_cells; ///< row-major classes × classes
};

} // namespace lepton
