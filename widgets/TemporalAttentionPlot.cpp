// SPDX-License-Identifier: GPL-3.0-or-later
#include "TemporalAttentionPlot.h"

#include "QCustomPlotInclude.h"

#include <QVBoxLayout>

#include <algorithm>

namespace {
const QColor kPalette[] = { QColor(0x1f, 0x77, 0xb4), QColor(0x2c, 0xa0, 0x2c), QColor(0xff, 0x7f, 0x0e),
    QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0x17, 0xbe, 0xcf) };
const QColor kAttention(0xd6, 0x27, 0x28);
} // namespace

TemporalAttentionPlot::TemporalAttentionPlot(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMinimumHeight(150);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_plot->legend->setVisible(false); // until finish() has put something in it
    m_plot->legend->setFont(small);
    m_plot->legend->setBrush(QColor(255, 255, 255, 210));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->yAxis->setLabel(tr("value (scaled)"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("attention"));
    m_plot->yAxis2->setLabelColor(kAttention);
    m_plot->yAxis2->setTickLabelColor(kAttention);
    for (QCPAxis *a : { m_plot->xAxis, m_plot->yAxis, m_plot->yAxis2 }) {
        a->setTickLabelFont(small);
        a->setLabelFont(small);
    }
}

void TemporalAttentionPlot::clear()
{
    m_plot->clearPlottables();
    m_attention = 0;
    // An empty legend is drawn as a blank box over the axes: shown only with something in it.
    m_plot->legend->setVisible(false);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TemporalAttentionPlot::setTimeLabel(const QString &label)
{
    m_plot->xAxis->setLabel(label);
}

void TemporalAttentionPlot::addSeries(const QString &name, const QVector<double> &times, const QVector<double> &values)
{
    if (values.isEmpty())
        return;
    QVector<double> scaled = values;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const double a = *lo, b = *hi;
    if (b > a)
        for (double &v : scaled)
            v = (v - a) / (b - a);
    QCPGraph *g = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    const QColor colour = kPalette[(m_plot->graphCount() - 1) % 6];
    g->setName(QStringLiteral("%1 (%2 – %3)").arg(name).arg(a, 0, 'g', 4).arg(b, 0, 'g', 4));
    g->setPen(QPen(colour, 1.5));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, 4));
    g->addData(times, scaled, true);
}

void TemporalAttentionPlot::setAttention(const QVector<double> &times, const QVector<double> &weights)
{
    if (times.isEmpty() || times.size() != weights.size())
        return;
    auto *bars = new QCPBars(m_plot->xAxis, m_plot->yAxis2);
    bars->setName(tr("attention"));
    QColor fill = kAttention;
    fill.setAlpha(110);
    bars->setBrush(fill);
    bars->setPen(QPen(kAttention.darker(120)));
    // Bars a little narrower than the smallest gap between events.
    double gap = 1.0;
    if (times.size() > 1) {
        gap = times.last() - times.first();
        for (int i = 1; i < times.size(); ++i)
            if (times[i] > times[i - 1])
                gap = std::min(gap, times[i] - times[i - 1]);
    }
    bars->setWidth(gap * 0.6);
    bars->setData(times, weights);
    m_attention = static_cast<int>(times.size());
}

void TemporalAttentionPlot::finish()
{
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 0);
    m_plot->rescaleAxes();
    m_plot->yAxis->setRange(-0.05, 1.15);
    bool found = false;
    for (int i = 0; i < m_plot->plottableCount(); ++i)
        if (auto *bars = qobject_cast<QCPBars *>(m_plot->plottable(i))) {
            const QCPRange r = bars->getValueRange(found);
            if (found)
                m_plot->yAxis2->setRange(0, std::max(1e-6, r.upper * 1.3));
        }
    const QCPRange x = m_plot->xAxis->range();
    m_plot->xAxis->setRange(x.lower - x.size() * 0.04 - 0.5, x.upper + x.size() * 0.04 + 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int TemporalAttentionPlot::seriesCount() const
{
    return m_plot->graphCount();
}

int TemporalAttentionPlot::attentionCount() const
{
    return m_attention;
}
