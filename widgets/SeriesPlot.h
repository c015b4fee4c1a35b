// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QVector>
#include <QWidget>

class QCustomPlot;

/// A small line plot of named series over a shared x axis (e.g. an event history per field).
/// Each series gets its own colour and, since fields have different units, is scaled to its own
/// range unless normalise is off.
class SeriesPlot : public QWidget
{
    Q_OBJECT
public:
    explicit SeriesPlot(QWidget *parent = nullptr);

    void clear();
    void addSeries(const QString &name, const QVector<double> &x, const QVector<double> &y);
    void setAxisLabels(const QString &x, const QString &y);
    void setNormalise(bool on) { m_normalise = on; }
    int seriesCount() const;
    /// Replots after a batch of addSeries().
    void finish();

private:
    QCustomPlot *m_plot;
    bool m_normalise = true;
};
