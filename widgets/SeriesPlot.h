// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QVector>
#include <QWidget>

class QCPAxisRect;
class QCustomPlot;

/// Line plots of named series over a shared x axis (e.g. an event history per field). By default
/// each series gets a small plot of its own, stacked, with its name and its own units on the y
/// axis and the x axes kept in step (zoom or drag one, all follow). With small multiples off, the
/// series share one plot, each scaled to its own range (the range in the legend).
class SeriesPlot : public QWidget
{
    Q_OBJECT
public:
    explicit SeriesPlot(QWidget *parent = nullptr);

    void clear();
    void addSeries(const QString &name, const QVector<double> &x, const QVector<double> &y);
    void setAxisLabels(const QString &x, const QString &y);
    void setSmallMultiples(bool on) { m_smallMultiples = on; }
    bool smallMultiples() const { return m_smallMultiples; }
    int seriesCount() const;
    /// The plots shown: one per series with small multiples, else one.
    int plotCount() const { return static_cast<int>(m_rects.size()); }
    /// Replots after a batch of addSeries().
    void finish();

    /// Room for each small plot; the widget asks for this much height per series.
    static constexpr int kRowHeight = 80;

private:
    QCPAxisRect *addRect();
    void syncX(QCPAxisRect *source);

    QCustomPlot *m_plot;
    QVector<QCPAxisRect *> m_rects;
    QString m_xLabel, m_yLabel;
    bool m_smallMultiples = true;
    bool m_syncing = false;
};
