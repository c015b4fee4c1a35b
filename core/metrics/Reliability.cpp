// SPDX-License-Identifier: GPL-3.0-or-later
#include "Reliability.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lepton {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

double numberOf(const QJsonValue &v)
{
    return v.isDouble() ? v.toDouble() : kNaN;
}

} // namespace

Reliability Reliability::fromConfidence(
    const std::vector<double> &confidence, const std::vector<int> &correct, int bins)
{
    Reliability r;
    if (bins < 1)
        return r;
    const std::size_t n = std::min(confidence.size(), correct.size());
    r.m_bins.resize(static_cast<std::size_t>(bins));
    std::vector<double> sumConfidence(r.m_bins.size(), 0.0), sumCorrect(r.m_bins.size(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(confidence[i]))
            continue;
        const double c = std::clamp(confidence[i], 0.0, 1.0);
        const auto b = static_cast<std::size_t>(std::clamp(static_cast<int>(c * bins), 0, bins - 1));
        sumConfidence[b] += c;
        sumCorrect[b] += correct[i] != 0 ? 1.0 : 0.0;
        ++r.m_bins[b].count;
    }
    for (std::size_t b = 0; b < r.m_bins.size(); ++b) {
        ReliabilityBin &bin = r.m_bins[b];
        bin.lower = static_cast<double>(b) / bins;
        bin.upper = static_cast<double>(b + 1) / bins;
        bin.meanConfidence = bin.count > 0 ? sumConfidence[b] / bin.count : kNaN;
        bin.accuracy = bin.count > 0 ? sumCorrect[b] / bin.count : kNaN;
    }
    r.finish();
    return r;
}

Reliability Reliability::fromProbabilities(
    const std::vector<double> &probabilities, const std::vector<int> &labels, int classes, int bins)
{
    std::vector<double> confidence;
    std::vector<int> correct;
    if (classes > 0) {
        const std::size_t k = static_cast<std::size_t>(classes);
        const std::size_t n = std::min(labels.size(), probabilities.size() / k);
        confidence.reserve(n);
        correct.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            if (labels[i] < 0 || labels[i] >= classes)
                continue;
            const double *p = probabilities.data() + i * k;
            const auto predicted = static_cast<int>(std::max_element(p, p + k) - p);
            confidence.push_back(p[predicted]);
            correct.push_back(predicted == labels[i] ? 1 : 0);
        }
    }
    return fromConfidence(confidence, correct, bins);
}

void Reliability::finish()
{
    m_count = 0;
    for (const ReliabilityBin &bin : m_bins)
        m_count += bin.count;
    if (m_count == 0) {
        m_ece = kNaN;
        return;
    }
    double ece = 0.0;
    for (const ReliabilityBin &bin : m_bins)
        if (bin.count > 0)
            ece += static_cast<double>(bin.count) / m_count * std::abs(bin.accuracy - bin.meanConfidence);
    m_ece = ece;
}

QJsonObject Reliability::toJson() const
{
    QJsonArray bins;
    for (const ReliabilityBin &b : m_bins)
        bins.append(QJsonObject { { QStringLiteral("lower"), b.lower }, { QStringLiteral("upper"), b.upper },
            { QStringLiteral("count"), b.count }, { QStringLiteral("confidence"), number(b.meanConfidence) },
            { QStringLiteral("accuracy"), number(b.accuracy) } });
    return QJsonObject { { QStringLiteral("bins"), bins }, { QStringLiteral("n"), m_count },
        { QStringLiteral("ece"), number(m_ece) } };
}

Reliability Reliability::fromJson(const QJsonObject &json)
{
    Reliability r;
    for (const QJsonValue &v : json.value(QStringLiteral("bins")).toArray()) {
        const QJsonObject o = v.toObject();
        ReliabilityBin b;
        b.lower = numberOf(o.value(QStringLiteral("lower")));
        b.upper = numberOf(o.value(QStringLiteral("upper")));
        b.count = std::max(0, o.value(QStringLiteral("count")).toInt());
        b.meanConfidence = b.count > 0 ? numberOf(o.value(QStringLiteral("confidence"))) : kNaN;
        b.accuracy = b.count > 0 ? numberOf(o.value(QStringLiteral("accuracy"))) : kNaN;
        if (b.count > 0 && !(std::isfinite(b.meanConfidence) && std::isfinite(b.accuracy)))
            b.count = 0; // a damaged bin counts as empty rather than poisoning the error
        r.m_bins.push_back(b);
    }
    r.finish();
    return r;
}

} // namespace lepton
