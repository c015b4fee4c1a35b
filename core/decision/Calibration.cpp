// SPDX-License-Identifier: GPL-3.0-or-later
#include "Calibration.h"

#include "metrics/Metrics.h"

#include <algorithm>
#include <cmath>

namespace lepton {
namespace {

constexpr double kFloor = 1e-12;

/// softmax(beta · log p), the calibrated probabilities at inverse temperature beta.
void scaled(const float *p, int classes, double beta, std::vector<double> &out)
{
    out.resize(static_cast<std::size_t>(classes));
    double top = -std::numeric_limits<double>::infinity();
    for (int c = 0; c < classes; ++c) {
        out[static_cast<std::size_t>(c)] = beta * std::log(std::max<double>(p[c], kFloor));
        top = std::max(top, out[static_cast<std::size_t>(c)]);
    }
    double sum = 0.0;
    for (double &v : out) {
        v = std::exp(v - top);
        sum += v;
    }
    for (double &v : out)
        v /= sum;
}

struct Labelled
{
    std::vector<const float *> rows;
    std::vector<int> labels;
};

double nll(const Labelled &d, int classes, double beta)
{
    std::vector<double> q;
    double total = 0.0;
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
        scaled(d.rows[i], classes, beta, q);
        total -= std::log(std::max(q[static_cast<std::size_t>(d.labels[i])], kFloor));
    }
    return total / std::max<std::size_t>(1, d.rows.size());
}

double ece(const Labelled &d, int classes, double beta)
{
    std::vector<double> confidence, q;
    std::vector<int> correct;
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
        scaled(d.rows[i], classes, beta, q);
        const auto top = std::max_element(q.begin(), q.end());
        confidence.push_back(*top);
        correct.push_back(static_cast<int>(top - q.begin()) == d.labels[i] ? 1 : 0);
    }
    return expectedCalibrationError(confidence, correct);
}

} // namespace

std::vector<double> Calibration::apply(const float *probabilities, int classes) const
{
    std::vector<double> out;
    scaled(probabilities, classes, 1.0 / temperature, out);
    return out;
}

std::vector<double> Calibration::apply(const std::vector<double> &probabilities) const
{
    std::vector<float> p(probabilities.begin(), probabilities.end());
    return apply(p.data(), static_cast<int>(p.size()));
}

QJsonObject Calibration::toJson() const
{
    return QJsonObject { { QStringLiteral("method"), QStringLiteral("temperature") },
        { QStringLiteral("temperature"), temperature }, { QStringLiteral("cases"), cases },
        { QStringLiteral("nll_before"), nllBefore }, { QStringLiteral("nll_after"), nllAfter },
        { QStringLiteral("ece_before"), eceBefore }, { QStringLiteral("ece_after"), eceAfter } };
}

Calibration Calibration::fromJson(const QJsonObject &json)
{
    Calibration c;
    c.temperature = json.value(QStringLiteral("temperature")).toDouble(1.0);
    if (!(c.temperature > 0.0) || !std::isfinite(c.temperature))
        c.temperature = 1.0;
    c.cases = json.value(QStringLiteral("cases")).toInt();
    c.nllBefore = json.value(QStringLiteral("nll_before")).toDouble();
    c.nllAfter = json.value(QStringLiteral("nll_after")).toDouble();
    c.eceBefore = json.value(QStringLiteral("ece_before")).toDouble();
    c.eceAfter = json.value(QStringLiteral("ece_after")).toDouble();
    return c;
}

Calibration Calibration::fit(const std::vector<float> &probabilities, const std::vector<int> &labels, int classes)
{
    Labelled d;
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= 0 && labels[i] < classes)
            d.rows.push_back(probabilities.data() + i * static_cast<std::size_t>(classes)),
                d.labels.push_back(labels[i]);
    Calibration c;
    c.cases = static_cast<int>(d.rows.size());
    c.nllBefore = nll(d, classes, 1.0);
    c.eceBefore = ece(d, classes, 1.0);
    double beta = 1.0;
    if (c.cases >= 10) {
        // The NLL is convex in beta = 1/T: golden-section search on [0.05, 4]. T stays ≥ 0.25: a
        // validation split that the model separates perfectly would otherwise sharpen every
        // probability to 0 or 1.
        const double g = (std::sqrt(5.0) - 1.0) / 2.0;
        double a = 0.05, b = 4.0;
        double x1 = b - g * (b - a), x2 = a + g * (b - a);
        double f1 = nll(d, classes, x1), f2 = nll(d, classes, x2);
        for (int i = 0; i < 60 && b - a > 1e-5; ++i) {
            if (f1 < f2) {
                b = x2, x2 = x1, f2 = f1;
                x1 = b - g * (b - a), f1 = nll(d, classes, x1);
            } else {
                a = x1, x1 = x2, f1 = f2;
                x2 = a + g * (b - a), f2 = nll(d, classes, x2);
            }
        }
        beta = (a + b) / 2.0;
        if (nll(d, classes, beta) > c.nllBefore) // never worse than leaving it alone
            beta = 1.0;
    }
    c.temperature = 1.0 / beta;
    c.nllAfter = nll(d, classes, beta);
    c.eceAfter = ece(d, classes, beta);
    return c;
}

} // namespace lepton
