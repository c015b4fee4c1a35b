// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QVector>
#include <QWidget>

class QCustomPlot;

/// A case's event history with the model's temporal attention: each numeric event field as a
/// line scaled to its own range (left axis), and the attention on each event as bars (right axis),
/// so one sees which time steps the model weighed.
class TemporalAttentionPlot : public QWidget
{
    Q_OBJECT
public:
    explicit TemporalAttentionPlot(QWidget *parent = nullptr);

    void clear();
    void addSeries(const QString &name, const QVector<double> &times, const QVector<double> &values);
    /// Attention weights at event times (same length).
    void setAttention(const QVector<double> &times, const QVector<double> &weights);
    void setTimeLabel(const QString &label);
    void finish();
    int seriesCount() const;
    int attentionCount() const;
    QCustomPlot *plot() const { return m_plot; }

private:
    QCustomPlot *m_plot;
    int m_attention = 0;
};
