// SPDX-License-Identifier: GPL-3.0-or-later
#include "SeriesPlot.h"

#include "QCustomPlotInclude.h"

#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {
const QColor kPalette[] = { QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
    QColor(0xff, 0x7f, 0x0e), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b) };
}

SeriesPlot::SeriesPlot(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMinimumHeight(kRowHeight * 2);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->plotLayout()->setRowSpacing(0);
    clear();
}

void SeriesPlot::clear()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->legend->setVisible(false);
    // The legend lives in the first axis rect's inset; take it out before the rects go.
    if (m_plot->legend->layout())
        m_plot->legend->layout()->take(m_plot->legend);
    m_plot->plotLayout()->clear();
    m_rects.clear();
    m_plot->setMinimumHeight(kRowHeight * 2);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QCPAxisRect *SeriesPlot::addRect()
{
    auto *rect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(m_rects.size(), 0, rect);
    rect->setRangeDrag(m_smallMultiples ? Qt::Horizontal : Qt::Horizontal | Qt::Vertical);
    rect->setRangeZoom(m_smallMultiples ? Qt::Horizontal : Qt::Horizontal | Qt::Vertical);
    rect->setMargins(QMargins(0, 0, 0, 0));
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    for (QCPAxis *a : rect->axes()) {
        a->setTickLabelFont(small);
        a->setLabelFont(small);
    }
    connect(rect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
        [this, rect] { syncX(rect); });
    m_rects.append(rect);
    return rect;
}

void SeriesPlot::syncX(QCPAxisRect *source)
{
    if (m_syncing)
        return;
    m_syncing = true;
    const QCPRange range = source->axis(QCPAxis::atBottom)->range();
    for (QCPAxisRect *r : std::as_const(m_rects))
        if (r != source)
            r->axis(QCPAxis::atBottom)->setRange(range);
    m_syncing = false;
}

void SeriesPlot::addSeries(const QString &name, const QVector<double> &x, const QVector<double> &y)
{
    const QColor colour = kPalette[seriesCount() % 6];
    QVector<double> values = y;
    QString label = name;
    QCPAxisRect *rect = nullptr;
    if (m_smallMultiples) {
        rect = addRect();
        rect->axis(QCPAxis::atLeft)->ticker()->setTickCount(3);
        // The field's name inside its plot, top left: long names fit, the axis keeps its units.
        auto *title = new QCPItemText(m_plot);
        title->setClipAxisRect(rect);
        title->position->setType(QCPItemPosition::ptAxisRectRatio);
        title->position->setAxisRect(rect);
        title->position->setCoords(0.01, 0.02);
        title->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        title->setText(name);
        title->setColor(colour.darker(110));
        title->setBrush(QColor(255, 255, 255, 190));
        QFont small = font();
        small.setPointSizeF(small.pointSizeF() * 0.85);
        title->setFont(small);
        m_plot->setMinimumHeight(kRowHeight * std::max(2, int(m_rects.size())));
    } else {
        rect = m_rects.isEmpty() ? addRect() : m_rects.first();
        if (!values.isEmpty()) {
            const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
            const double a = *lo, b = *hi;
            if (b > a)
                for (double &v : values)
                    v = (v - a) / (b - a);
            label = QStringLiteral("%1 (%2 – %3)").arg(name).arg(a, 0, 'g', 4).arg(b, 0, 'g', 4);
        }
        rect->axis(QCPAxis::atLeft)->setLabel(m_yLabel);
        if (!m_plot->legend->layout()) {
            rect->insetLayout()->addElement(m_plot->legend, Qt::AlignTop | Qt::AlignLeft);
            QFont small = font();
            small.setPointSizeF(small.pointSizeF() * 0.85);
            m_plot->legend->setFont(small);
            m_plot->legend->setBrush(QColor(255, 255, 255, 200));
        }
        m_plot->legend->setVisible(true);
    }
    QCPGraph *g = m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    g->setName(label);
    g->setPen(QPen(colour, 1.5));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, 4));
    g->addData(x, values, true);
}

void SeriesPlot::setAxisLabels(const QString &x, const QString &y)
{
    m_xLabel = x;
    m_yLabel = y;
}

int SeriesPlot::seriesCount() const
{
    return m_plot->graphCount();
}

void SeriesPlot::finish()
{
    // One time range for all: the plots line up.
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        bool found = false;
        const QCPRange r = m_plot->graph(i)->getKeyRange(found);
        if (found) {
            lo = std::min(lo, r.lower);
            hi = std::max(hi, r.upper);
        }
    }
    for (int i = 0; i < m_rects.size(); ++i) {
        QCPAxis *x = m_rects.at(i)->axis(QCPAxis::atBottom);
        if (lo <= hi)
            x->setRange(lo - (hi - lo) * 0.02 - 1e-9, hi + (hi - lo) * 0.02 + 1e-9);
        // Only the lowest plot carries the time labels.
        const bool last = i == m_rects.size() - 1;
        x->setTickLabels(last);
        x->setLabel(last ? m_xLabel : QString());
    }
    // Each value axis fits its series, with room above for the field's name.
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        QCPGraph *g = m_plot->graph(i);
        g->rescaleValueAxis(false, false);
        QCPAxis *v = g->valueAxis();
        const QCPRange r = v->range();
        const double pad = r.size() > 0 ? r.size() : std::max(1.0, std::abs(r.center()) * 0.1);
        v->setRange(r.lower - pad * 0.1, r.upper + pad * (m_smallMultiples ? 0.45 : 0.1));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}
