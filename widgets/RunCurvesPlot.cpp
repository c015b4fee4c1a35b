// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunCurvesPlot.h"

#include "QCustomPlotInclude.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {
// Tableau 10: distinct hues that stay apart for the first several runs.
const QColor kPalette[] = { QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59),
    QColor(0x76, 0xb7, 0xb2), QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48), QColor(0xb0, 0x7a, 0xa1),
    QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac) };
} // namespace

QColor RunCurvesPlot::runColour(int index)
{
    constexpr int n = static_cast<int>(sizeof(kPalette) / sizeof(kPalette[0]));
    const QColor base = kPalette[((index % n) + n) % n];
    // After the palette's first round, darker shades keep the colours apart.
    return index >= n ? base.darker(100 + 30 * (index / n)) : base;
}

RunCurvesPlot::RunCurvesPlot(QWidget *parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_metricBox(new QComboBox(this))
{
    m_metricBox->setObjectName(QStringLiteral("metricBox"));
    m_metricBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *label = new QLabel(tr("&Metric"), this);
    label->setBuddy(m_metricBox);
    auto *controls = new QHBoxLayout;
    controls->addWidget(label);
    controls->addWidget(m_metricBox);
    controls->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);

    m_plot->setMinimumHeight(180);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel(tr("epoch"));
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_plot->legend->setFont(small);
    m_plot->legend->setBrush(QColor(255, 255, 255, 225));
    m_plot->legend->setBorderPen(QPen(QColor(0xc8, 0xcc, 0xd0)));
    m_plot->xAxis->setTickLabelFont(small);
    m_plot->yAxis->setTickLabelFont(small);
    for (QCPAxis *axis : { m_plot->xAxis, m_plot->yAxis })
        axis->grid()->setPen(QPen(QColor(0xe4, 0xe6, 0xe9), 0, Qt::SolidLine));
    QSharedPointer<QCPAxisTickerFixed> epochs(new QCPAxisTickerFixed);
    epochs->setTickStep(1.0);
    epochs->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_plot->xAxis->setTicker(epochs);

    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setPositionAlignment(Qt::AlignCenter);
    m_placeholder->setColor(palette().color(QPalette::Disabled, QPalette::Text));
    m_placeholder->setText(tr("Select runs to compare their curves"));

    connect(m_metricBox, &QComboBox::currentIndexChanged, this, [this] {
        rebuild();
        Q_EMIT metricChanged(metric());
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { rebuild(); });
    rebuild();
}

void RunCurvesPlot::setMetricChoices(const QVector<std::pair<QString, QString>> &choices)
{
    const QString chosen = metric();
    {
        QSignalBlocker block(m_metricBox);
        m_metricBox->clear();
        for (const auto &[key, title] : choices)
            m_metricBox->addItem(title, key);
        const int keep = m_metricBox->findData(chosen);
        m_metricBox->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    rebuild();
}

bool RunCurvesPlot::setMetric(const QString &key)
{
    const int i = m_metricBox->findData(key);
    if (i < 0)
        return false;
    m_metricBox->setCurrentIndex(i); // rebuilds through the signal when it changes
    return true;
}

QString RunCurvesPlot::metric() const
{
    return m_metricBox->currentData().toString();
}

void RunCurvesPlot::setRuns(const QVector<Run> &runs)
{
    m_runs = runs;
    rebuild();
}

void RunCurvesPlot::clear()
{
    setRuns({});
}

void RunCurvesPlot::setPlaceholderText(const QString &text)
{
    m_placeholder->setText(text);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int RunCurvesPlot::graphCount() const
{
    return static_cast<int>(m_graphs.size());
}

void RunCurvesPlot::rebuild()
{
    m_plot->clearGraphs();
    m_graphs.clear();
    m_bands = 0;
    for (int i = m_plot->itemCount() - 1; i >= 0; --i)
        if (m_plot->item(i) != m_placeholder)
            m_plot->removeItem(i);

    const QString key = metric();
    double xMax = 1.0, yMin = 0.0, yMax = 0.0;
    bool any = false;
    for (const Run &run : std::as_const(m_runs)) {
        const auto points = run.metrics.value(key);
        QVector<double> x, y;
        for (const auto &[epoch, value] : points) {
            if (!std::isfinite(epoch) || !std::isfinite(value))
                continue;
            x.append(epoch);
            y.append(value);
            xMax = std::max(xMax, epoch);
            yMin = any ? std::min(yMin, value) : value;
            yMax = any ? std::max(yMax, value) : value;
            any = true;
        }
        if (x.isEmpty())
            continue;
        const QVector<double> spread = run.spread.value(key);
        if (spread.size() == points.size() && x.size() == points.size()) {
            // The band first, under the curve: value − spread to value + spread, not in the legend.
            QVector<double> lo(x.size()), hi(x.size());
            for (int i = 0; i < x.size(); ++i) {
                lo[i] = y[i] - spread[i];
                hi[i] = y[i] + spread[i];
                yMin = std::min(yMin, lo[i]);
                yMax = std::max(yMax, hi[i]);
            }
            QColor fill = run.colour;
            fill.setAlpha(60);
            QCPGraph *lower = m_plot->addGraph();
            QCPGraph *upper = m_plot->addGraph();
            for (QCPGraph *edge : { lower, upper }) {
                edge->setPen(QPen(fill, 1.0));
                edge->removeFromLegend();
            }
            lower->setData(x, lo, true);
            upper->setData(x, hi, true);
            upper->setBrush(fill);
            upper->setChannelFillGraph(lower);
            ++m_bands;
        }
        QCPGraph *graph = m_plot->addGraph();
        graph->setName(run.label);
        graph->setPen(QPen(run.colour, 2.0));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, run.colour, Qt::white, 5));
        graph->setData(x, y, true);
        m_graphs.append(graph);
        if (run.bestEpoch >= 0 && x.contains(run.bestEpoch)) {
            auto *best = new QCPItemTracer(m_plot);
            best->setGraph(graph);
            best->setGraphKey(run.bestEpoch);
            best->setStyle(QCPItemTracer::tsCircle);
            best->setSize(11);
            best->setPen(QPen(run.colour.darker(130), 1.5));
            best->setBrush(run.colour);
        }
    }
    m_placeholder->setVisible(m_graphs.isEmpty());
    m_plot->legend->setVisible(!m_graphs.isEmpty());
    m_plot->yAxis->setLabel(m_metricBox->currentText());
    m_plot->xAxis->setRange(0.5, xMax + 0.5);
    if (any) {
        // Metrics that live in [0, 1] (AUROC, accuracy) keep a little room above and below.
        const double span = std::max(yMax - yMin, 1e-3);
        m_plot->yAxis->setRange(yMin - 0.08 * span, yMax + 0.08 * span);
    } else {
        m_plot->yAxis->setRange(0.0, 1.0);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunCurvesPlot::replotNow()
{
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}
