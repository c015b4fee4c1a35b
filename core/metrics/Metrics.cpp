// SPDX-License-Identifier: GPL-3.0-or-later
#include "Metrics.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lepton {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double a, double b)
{
    return b > 0.0 ? a / b : kNaN;
}

/// Indices sorted by descending score.
std::vector<std::size_t> descending(const std::vector<double> &scores, std::size_t n)
{
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    return order;
}

/// Walks thresholds from high to low, calling fn(threshold, tp, fp) after each group of ties.
template <typename Fn> void sweep(const std::vector<double> &scores, const std::vector<int> &labels, Fn fn)
{
    const std::size_t n = std::min(scores.size(), labels.size());
    const auto order = descending(scores, n);
    double tp = 0, fp = 0;
    std::size_t i = 0;
    while (i < n) {
        const double t = scores[order[i]];
        while (i < n && scores[order[i]] == t) {
            (labels[order[i]] == 1 ? tp : fp) += 1.0;
            ++i;
        }
        fn(t, tp, fp);
    }
}

} // namespace

double auroc(const std::vector<double> &scores, const std::vector<int> &labels)
{
    const std::size_t n = std::min(scores.size(), labels.size());
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    // Average ranks over ties, then the rank-sum of the positives.
    double rankSumPos = 0.0;
    double positives = 0.0;
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i;
        while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            ++j;
        const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k) {
            if (labels[order[k]] == 1) {
                rankSumPos += rank;
                positives += 1.0;
            }
        }
        i = j + 1;
    }
    const double negatives = static_cast<double>(n) - positives;
    if (positives == 0.0 || negatives == 0.0)
        return kNaN;
    return (rankSumPos - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

double auprc(const std::vector<double> &scores, const std::vector<int> &labels)
{
    const double positives = static_cast<double>(std::count(labels.begin(), labels.end(), 1));
    if (positives == 0.0)
        return kNaN;
    double ap = 0.0, lastRecall = 0.0;
    sweep(scores, labels, [&](double, double tp, double fp) {
        const double recall = tp / positives;
        ap += (recall - lastRecall) * (tp / (tp + fp));
        lastRecall = recall;
    });
    return ap;
}

double expectedCalibrationError(const std::vector<double> &confidence, const std::vector<int> &correct, int bins)
{
    return Reliability::fromConfidence(confidence, correct, bins).ece();
}

std::vector<CurvePoint> rocCurve(const std::vector<double> &scores, const std::vector<int> &labels)
{
    const double pos = static_cast<double>(std::count(labels.begin(), labels.end(), 1));
    const double neg = static_cast<double>(std::min(scores.size(), labels.size())) - pos;
    std::vector<CurvePoint> out { { std::numeric_limits<double>::infinity(), 0.0, 0.0 } };
    if (pos == 0 || neg == 0)
        return {};
    sweep(scores, labels, [&](double t, double tp, double fp) { out.push_back({ t, fp / neg, tp / pos }); });
    return out;
}

std::vector<CurvePoint> prCurve(const std::vector<double> &scores, const std::vector<int> &labels)
{
    const double pos = static_cast<double>(std::count(labels.begin(), labels.end(), 1));
    std::vector<CurvePoint> out;
    if (pos == 0)
        return out;
    sweep(scores, labels, [&](double t, double tp, double fp) { out.push_back({ t, tp / pos, tp / (tp + fp) }); });
    return out;
}

QJsonObject ClassificationMetrics::toJson() const
{
    auto v = [](double x) { return std::isfinite(x) ? QJsonValue(x) : QJsonValue(); };
    QJsonArray matrix;
    for (const auto &row : confusion) {
        QJsonArray r;
        for (int c : row)
            r.append(c);
        matrix.append(r);
    }
    return QJsonObject { { QStringLiteral("n"), n }, { QStringLiteral("loss"), v(loss) },
        { QStringLiteral("accuracy"), v(accuracy) }, { QStringLiteral("sensitivity"), v(sensitivity) },
        { QStringLiteral("specificity"), v(specificity) }, { QStringLiteral("precision"), v(precision) },
        { QStringLiteral("f1"), v(f1) }, { QStringLiteral("auroc"), v(auroc) }, { QStringLiteral("auprc"), v(auprc) },
        { QStringLiteral("ece"), v(ece) }, { QStringLiteral("confusion"), matrix },
        { QStringLiteral("reliability"), reliability.toJson() } };
}

ClassificationMetrics classificationMetrics(
    const std::vector<float> &probabilities, const std::vector<int> &labels, int classes, int positiveClass)
{
    ClassificationMetrics m;
    const std::size_t n
        = classes > 0 ? std::min(labels.size(), probabilities.size() / static_cast<std::size_t>(classes)) : 0;
    m.n = static_cast<int>(n);
    m.confusion.assign(static_cast<std::size_t>(std::max(classes, 0)),
        std::vector<int>(static_cast<std::size_t>(std::max(classes, 0)), 0));
    if (n == 0) {
        m.loss = m.accuracy = m.sensitivity = m.specificity = m.precision = m.f1 = m.auroc = m.auprc = m.ece = kNaN;
        m.reliability = Reliability::fromConfidence({}, {});
        return m;
    }
    std::vector<double> score(n), confidence(n);
    std::vector<int> binary(n), correct(n);
    double tp = 0, fp = 0, tn = 0, fn = 0, right = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const float *p = probabilities.data() + i * static_cast<std::size_t>(classes);
        const int predicted = static_cast<int>(std::max_element(p, p + classes) - p);
        const int label = labels[i];
        if (label >= 0 && label < classes)
            ++m.confusion[static_cast<std::size_t>(label)][static_cast<std::size_t>(predicted)];
        score[i] = p[positiveClass];
        confidence[i] = p[predicted];
        binary[i] = label == positiveClass ? 1 : 0;
        correct[i] = predicted == label ? 1 : 0;
        right += correct[i];
        const bool predPos = predicted == positiveClass;
        if (binary[i])
            (predPos ? tp : fn) += 1.0;
        else
            (predPos ? fp : tn) += 1.0;
    }
    m.accuracy = right / static_cast<double>(n);
    m.sensitivity = ratio(tp, tp + fn);
    m.specificity = ratio(tn, tn + fp);
    m.precision = ratio(tp, tp + fp);
    m.f1 = ratio(2.0 * tp, 2.0 * tp + fp + fn);
    m.auroc = auroc(score, binary);
    m.auprc = auprc(score, binary);
    m.reliability = Reliability::fromConfidence(confidence, correct);
    m.ece = m.reliability.ece();
    return m;
}

} // namespace lepton
