// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QMap>
#include <QString>
#include <QVector>
#include <QWidget>

#include <utility>

class QCPGraph;
class QCPItemText;
class QComboBox;
class QCustomPlot;

/// Per-epoch curves of several training runs laid over each other, one colour per run with a
/// legend, for one metric at a time chosen above the plot (e.g. validation loss or AUROC).
/// Each run's best epoch is marked with a larger point.
class RunCurvesPlot : public QWidget
{
    Q_OBJECT
public:
    /// One run's values per metric: metric key → (epoch, value) pairs, epochs counted from 1.
    struct Run
    {
        QString label;
        QColor colour;
        QMap<QString, QVector<std::pair<double, double>>> metrics;
        double bestEpoch = -1.0; ///< marked on every metric's curve; < 0: none
        /// Per metric, a spread per point (same order as `metrics`): drawn as a shaded band of
        /// value ± spread around the curve (a cross-validation's mean ± SD). Empty: no band.
        QMap<QString, QVector<double>> spread;
    };

    explicit RunCurvesPlot(QWidget *parent = nullptr);

    /// The metrics offered by the chooser as (key, title) in order; keeps the chosen key when it
    /// is still offered, else chooses the first.
    void setMetricChoices(const QVector<std::pair<QString, QString>> &choices);
    /// Chooses the metric shown by its key; false when it is not offered.
    bool setMetric(const QString &key);
    QString metric() const;

    /// Replaces the runs shown.
    void setRuns(const QVector<Run> &runs);
    void clear();
    /// What the empty plot says.
    void setPlaceholderText(const QString &text);

    /// Curves drawn for the chosen metric: one per run that has values for it.
    int graphCount() const;
    /// Shaded bands drawn for the chosen metric.
    int bandCount() const { return m_bands; }
    int runCount() const { return static_cast<int>(m_runs.size()); }

    /// A colour for the n-th run of a comparison, from a palette whose neighbours differ clearly.
    static QColor runColour(int index);

    void replotNow();
    QCustomPlot *plot() const { return m_plot; }
    QComboBox *metricBox() const { return m_metricBox; }

    QSize sizeHint() const override { return { 560, 340 }; }

Q_SIGNALS:
    void metricChanged(const QString &key);

private:
    void rebuild();

    QCustomPlot *m_plot;
    QComboBox *m_metricBox;
    QCPItemText *m_placeholder;
    QVector<QCPGraph *> m_graphs;
    QVector<Run> m_runs;
    int m_bands = 0;
};
