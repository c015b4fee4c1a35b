// SPDX-License-Identifier: GPL-3.0-or-later
#include "SeriesPlot.h"

#include "QCustomPlotInclude.h"

#include <QVBoxLayout>

#include <algorithm>

namespace {
const QColor kPalette[] = { QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
    QColor(0xff, 0x7f, 0x0e), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b) };
}

SeriesPlot::SeriesPlot(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->legend->setVisible(true);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_plot->legend->setFont(small);
    m_plot->legend->setBrush(QColor(255, 255, 255, 200));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->setMinimumHeight(140);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

void SeriesPlot::clear()
{
    m_plot->clearGraphs();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SeriesPlot::addSeries(const QString &name, const QVector<double> &x, const QVector<double> &y)
{
    QVector<double> values = y;
    QString label = name;
    if (m_normalise && !values.isEmpty()) {
        const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
        const double a = *lo, b = *hi;
        if (b > a)
            for (double &v : values)
                v = (v - a) / (b - a);
        label = QStringLiteral("%1 (%2 – %3)").arg(name).arg(a, 0, 'g', 4).arg(b, 0, 'g', 4);
    }
    QCPGraph *g = m_plot->addGraph();
    g->setName(label);
    const QColor colour = kPalette[(m_plot->graphCount() - 1) % 6];
    g->setPen(QPen(colour, 1.5));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, 4));
    g->addData(x, values, true);
}

void SeriesPlot::setAxisLabels(const QString &x, const QString &y)
{
    m_plot->xAxis->setLabel(x);
    m_plot->yAxis->setLabel(y);
}

int SeriesPlot::seriesCount() const
{
    return m_plot->graphCount();
}

void SeriesPlot::finish()
{
    m_plot->rescaleAxes();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}
