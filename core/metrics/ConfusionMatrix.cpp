// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfusionMatrix.h"

#include <algorithm>

namespace lepton {

ConfusionMatrix ConfusionMatrix::tally(const std::vector<int> &truth, const std::vector<int> &predicted, int classes)
{
    ConfusionMatrix m;
    m.m_classes = std::max(classes, 0);
    m.m_cells.resize(static_cast<std::size_t>(m.m_classes) * static_cast<std::size_t>(m.m_classes));
    const std::size_t n = std::min(truth.size(), predicted.size());
    for (std::size_t i = 0; i < n; ++i) {
        const int t = truth[i], p = predicted[i];
        if (t < 0 || p < 0 || t >= m.m_classes || p >= m.m_classes)
            continue;
        m.m_cells[static_cast<std::size_t>(t) * static_cast<std::size_t>(m.m_classes) + static_cast<std::size_t>(p)]
            .push_back(i);
        ++m.m_total;
    }
    return m;
}

const std::vector<std::size_t> &ConfusionMatrix::cases(int trueClass, int predictedClass) const
{
    static const std::vector<std::size_t> none;
    if (trueClass < 0 || predictedClass < 0 || trueClass >= m_classes || predictedClass >= m_classes)
        return none;
    return m_cells[static_cast<std::size_t>(trueClass) * static_cast<std::size_t>(m_classes)
        + static_cast<std::size_t>(predictedClass)];
}

int ConfusionMatrix::count(int trueClass, int predictedClass) const
{
    return static_cast<int>(cases(trueClass, predictedClass).size());
}

int ConfusionMatrix::rowTotal(int trueClass) const
{
    int sum = 0;
    for (int p = 0; p < m_classes; ++p)
        sum += count(trueClass, p);
    return sum;
}

std::vector<std::vector<int>> ConfusionMatrix::counts() const
{
    std::vector<std::vector<int>> out(
        static_cast<std::size_t>(m_classes), std::vector<int>(static_cast<std::size_t>(m_classes), 0));
    for (int t = 0; t < m_classes; ++t)
        for (int p = 0; p < m_classes; ++p)
            out[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)] = count(t, p);
    return out;
}

} // namespace lepton
