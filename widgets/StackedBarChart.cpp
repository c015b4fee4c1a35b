// SPDX-License-Identifier: GPL-3.0-or-later
#include "StackedBarChart.h"

#include "QCustomPlotInclude.h"

#include <QVBoxLayout>

namespace {
const QColor kPalette[] = { QColor(0x4e, 0x79, 0xa7), QColor(0xe1, 0x57, 0x59), QColor(0x59, 0xa1, 0x4f),
    QColor(0xf2, 0x8e, 0x2b), QColor(0xb0, 0x7a, 0xa1), QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac) };
}

StackedBarChart::StackedBarChart(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMinimumHeight(120);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_plot->legend->setFont(small);
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 210));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->yAxis->setTickLabelFont(small);
    m_plot->xAxis->setTickLabelFont(small);
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->xAxis->setTicks(false);
    m_plot->xAxis->grid()->setPen(QPen(QColor(220, 220, 220), 0, Qt::DotLine));
}

void StackedBarChart::setTitle(const QString &title)
{
    m_plot->xAxis->setLabel(title);
}

void StackedBarChart::clear()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_categories.clear();
    m_totals.clear();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void StackedBarChart::setCounts(
    const QStringList &categories, const QStringList &groups, const QMap<QString, QMap<QString, int>> &counts)
{
    clear();
    m_categories = categories;
    // Horizontal bars: categories down the side read well with long names.
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < categories.size(); ++i)
        ticker->addTick(categories.size() - i, categories.at(i));
    m_plot->yAxis->setTicker(ticker);
    QCPBars *below = nullptr;
    for (int g = 0; g < groups.size(); ++g) {
        auto *bars = new QCPBars(m_plot->yAxis, m_plot->xAxis);
        bars->setName(groups.at(g));
        const QColor colour = kPalette[g % 7];
        bars->setPen(QPen(colour.darker(120)));
        bars->setBrush(colour);
        bars->setWidth(0.6);
        QVector<double> keys, values;
        for (int i = 0; i < categories.size(); ++i) {
            keys.append(categories.size() - i);
            values.append(counts.value(categories.at(i)).value(groups.at(g)));
        }
        bars->setData(keys, values); // sorted by key inside: stacking looks bars up by key
        if (below)
            bars->moveAbove(below);
        below = bars;
    }
    double widest = 0;
    for (const QString &c : categories) {
        int sum = 0;
        for (const QString &g : groups)
            sum += counts.value(c).value(g);
        m_totals.insert(c, sum);
        widest = std::max(widest, double(sum));
    }
    for (int i = 0; i < categories.size(); ++i) {
        auto *label = new QCPItemText(m_plot);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        label->position->setCoords(m_totals.value(categories.at(i)) + widest * 0.01, categories.size() - i);
        label->setText(QString::number(m_totals.value(categories.at(i))));
        label->setFont(m_plot->xAxis->tickLabelFont());
    }
    m_plot->yAxis->setRange(0.4, categories.size() + 0.6);
    m_plot->xAxis->setRange(0, std::max(1.0, widest * 1.35));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int StackedBarChart::total(const QString &category) const
{
    return m_totals.value(category);
}

int StackedBarChart::groupCount() const
{
    return m_plot->plottableCount();
}
