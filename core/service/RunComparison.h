// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <map>
#include <vector>

namespace lepton {

/// What is compared of one run: its stored results, read by ExperimentService::compare.
struct RunResults
{
    qint64 runId = 0;
    int bestEpoch = -1; ///< 0-based; -1: none
    double seconds = 0.0; ///< duration; NaN: unknown
    std::map<QString, double> val; ///< validation metrics at the best epoch
    std::map<QString, double> test; ///< the final evaluation on the test split
    QJsonObject train; ///< the run's "train" settings
    /// Per-epoch curves by "split:metric" ("val:loss", "train:auroc"): (epoch + 1, value).
    std::map<QString, std::vector<QPointF>> curves;
};

/// One row of the metrics table: a metric of every compared run, in their order.
struct ComparedMetric
{
    QString key; ///< "val:auroc", "test:ece", "run:best_epoch", "run:duration"
    const char *title = ""; ///< English, marked for translation in the context "RunComparison"
    int decimals = 3;
    int better = 0; ///< +1 higher is better, -1 lower, 0 neither
    std::vector<double> values; ///< NaN: unknown
    /// The runs holding the best value, when the row has a direction and the runs differ in it.
    std::vector<bool> best;
};

/// One setting (a dotted key of the "train" config) of every compared run.
struct ConfigDifference
{
    QString key;
    QStringList values; ///< "–" where a run lacks the setting
    bool differs = false;
};

/// Several runs side by side: their metrics (validation at each run's best epoch, test from the
/// final evaluation, best epoch and duration) with the best of each row marked, and their
/// settings with those that differ marked. Pure computation over RunResults; no study.
class RunComparison
{
public:
    /// Compares runs in the order given.
    static RunComparison of(const std::vector<RunResults> &runs);

    int runCount() const { return static_cast<int>(m_runs.size()); }
    const std::vector<RunResults> &runs() const { return m_runs; }
    const std::vector<ComparedMetric> &metrics() const { return m_metrics; }
    /// Every setting of any run, by key.
    const std::vector<ConfigDifference> &settings() const { return m_settings; }
    /// How many settings differ (0 with fewer than two runs).
    int differingSettings() const;

    /// The settings of a JSON object as dotted keys (model.width) and display values; arrays and
    /// nested arrays stay compact JSON.
    static QMap<QString, QString> flattenConfig(const QJsonObject &object, const QString &prefix = QString());

private:
    std::vector<RunResults> m_runs;
    std::vector<ComparedMetric> m_metrics;
    std::vector<ConfigDifference> m_settings;
};

} // namespace lepton
