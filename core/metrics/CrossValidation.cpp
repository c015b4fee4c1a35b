// SPDX-License-Identifier: GPL-3.0-or-later
#include "CrossValidation.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace lepton {

double studentT975(int df)
{
    // Two-sided 95 % critical values (standard tables).
    static const double t[]
        = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
              2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
    if (df < 1)
        return std::nan("");
    return df <= 30 ? t[df - 1] : 1.96;
}

QJsonObject aggregateMetrics(const std::vector<QJsonObject> &perRun)
{
    QStringList keys;
    for (const QJsonObject &o : perRun)
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.value().isDouble() && !keys.contains(it.key()))
                keys.append(it.key());
    QJsonObject out;
    for (const QString &k : keys) {
        std::vector<double> v;
        QJsonArray values;
        for (const QJsonObject &o : perRun) {
            const QJsonValue x = o.value(k);
            if (x.isDouble() && std::isfinite(x.toDouble())) {
                v.push_back(x.toDouble());
                values.append(x.toDouble());
            } else
                values.append(QJsonValue());
        }
        QJsonObject a { { QStringLiteral("n"), int(v.size()) }, { QStringLiteral("values"), values } };
        if (!v.empty()) {
            double mean = 0;
            for (double x : v)
                mean += x;
            mean /= double(v.size());
            a.insert(QStringLiteral("mean"), mean);
            if (v.size() >= 2) {
                double ss = 0;
                for (double x : v)
                    ss += (x - mean) * (x - mean);
                const double sd = std::sqrt(ss / double(v.size() - 1));
                const double half = studentT975(int(v.size()) - 1) * sd / std::sqrt(double(v.size()));
                // Proportions (every value in [0, 1]: AUROC, accuracy, …) keep their interval in [0, 1].
                const bool proportion = std::all_of(v.begin(), v.end(), [](double x) { return x >= 0.0 && x <= 1.0; });
                a.insert(QStringLiteral("sd"), sd);
                a.insert(QStringLiteral("lo"), proportion ? std::max(0.0, mean - half) : mean - half);
                a.insert(QStringLiteral("hi"), proportion ? std::min(1.0, mean + half) : mean + half);
            }
        }
        out.insert(k, a);
    }
    return out;
}

} // namespace lepton
