// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunComparison.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace lepton {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The rows of the metrics table, in order: where the value comes from, its key, how to print it
/// and which direction is better.
struct MetricDef
{
    const char *title;
    const char *source; ///< "val" (at the best epoch), "test" (final evaluation), "run"
    const char *key;
    int decimals;
    int better;
};
constexpr MetricDef kMetricRows[] = {
    { QT_TRANSLATE_NOOP("RunComparison", "Best epoch"), "run", "best_epoch", 0, 0 },
    { QT_TRANSLATE_NOOP("RunComparison", "Val AUROC"), "val", "auroc", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Val AUPRC"), "val", "auprc", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Val accuracy"), "val", "accuracy", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Val sensitivity"), "val", "sensitivity", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Val specificity"), "val", "specificity", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Val F1"), "val", "f1", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Val loss"), "val", "loss", 4, -1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test AUROC"), "test", "auroc", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test AUPRC"), "test", "auprc", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test accuracy"), "test", "accuracy", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test sensitivity"), "test", "sensitivity", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test specificity"), "test", "specificity", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test precision"), "test", "precision", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test F1"), "test", "f1", 3, 1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test ECE"), "test", "ece", 4, -1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test loss"), "test", "loss", 4, -1 },
    { QT_TRANSLATE_NOOP("RunComparison", "Test cases"), "test", "n", 0, 0 },
    { QT_TRANSLATE_NOOP("RunComparison", "Duration"), "run", "duration", 0, -1 },
};

QString jsonText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 10);
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
        return QStringLiteral("null");
    default:
        return QString();
    }
}

double valueOf(const MetricDef &def, const RunResults &run)
{
    const QString key = QString::fromLatin1(def.key);
    const std::map<QString, double> *source = qstrcmp(def.source, "val") == 0 ? &run.val
        : qstrcmp(def.source, "test") == 0                                    ? &run.test
                                                                              : nullptr;
    if (source) {
        const auto it = source->find(key);
        return it != source->end() ? it->second : kNaN;
    }
    if (key == QLatin1String("best_epoch"))
        return run.bestEpoch >= 0 ? run.bestEpoch + 1.0 : kNaN;
    if (key == QLatin1String("duration"))
        return run.seconds;
    return kNaN;
}

} // namespace

RunComparison RunComparison::of(const std::vector<RunResults> &runs)
{
    RunComparison c;
    c.m_runs = runs;
    if (runs.empty())
        return c;
    for (const MetricDef &def : kMetricRows) {
        ComparedMetric m;
        m.key = QString::fromLatin1(def.source) + QLatin1Char(':') + QString::fromLatin1(def.key);
        m.title = def.title;
        m.decimals = def.decimals;
        m.better = def.better;
        for (const RunResults &run : runs)
            m.values.push_back(valueOf(def, run));
        m.best.assign(m.values.size(), false);
        // The best value of a row with a direction, when the runs differ in it.
        double best = kNaN;
        for (double v : m.values)
            if (std::isfinite(v) && (!std::isfinite(best) || (m.better > 0 ? v > best : v < best)))
                best = v;
        const bool allEqual = std::all_of(m.values.begin(), m.values.end(), [&](double v) { return v == best; });
        if (m.better != 0 && std::isfinite(best) && !allEqual && runs.size() > 1)
            for (std::size_t i = 0; i < m.values.size(); ++i)
                m.best[i] = m.values[i] == best;
        c.m_metrics.push_back(std::move(m));
    }

    std::vector<QMap<QString, QString>> flat;
    std::set<QString> keys;
    for (const RunResults &run : runs) {
        flat.push_back(flattenConfig(run.train));
        for (auto it = flat.back().cbegin(); it != flat.back().cend(); ++it)
            keys.insert(it.key());
    }
    const QString missing = QStringLiteral("–");
    for (const QString &key : keys) {
        ConfigDifference d;
        d.key = key;
        for (const auto &f : flat)
            d.values.append(f.value(key, missing));
        d.differs = std::any_of(d.values.begin(), d.values.end(), [&](const QString &v) { return v != d.values[0]; });
        c.m_settings.push_back(std::move(d));
    }
    return c;
}

int RunComparison::differingSettings() const
{
    return static_cast<int>(
        std::count_if(m_settings.begin(), m_settings.end(), [](const ConfigDifference &d) { return d.differs; }));
}

QMap<QString, QString> RunComparison::flattenConfig(const QJsonObject &object, const QString &prefix)
{
    QMap<QString, QString> out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key();
        if (it.value().isObject())
            out.insert(flattenConfig(it.value().toObject(), key));
        else
            out.insert(key, jsonText(it.value()));
    }
    return out;
}

} // namespace lepton
