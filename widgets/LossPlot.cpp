// SPDX-License-Identifier: GPL-3.0-or-later
#include "LossPlot.h"

#include "QCustomPlotInclude.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {
const QColor kRawColour(0xae, 0xc7, 0xe8); // light version of the smoothed curve's blue
const QColor kSmoothedColour(0x1f, 0x77, 0xb4);
const QColor kValLossColour(0xff, 0x7f, 0x0e);
const QColor kMetricColour(0x2c, 0xa0, 0x2c);
const QColor kBestColour(0xd6, 0x27, 0x28);

// Empty plots and empty axes show these ranges.
const QCPRange kDefaultXRange(0.0, 1.0);
const QCPRange kDefaultLossRange(0.0, 1.0);
const QCPRange kDefaultLogLossRange(0.01, 1.0);
const QCPRange kDefaultMetricRange(0.0, 1.0);

// Exports of a widget that was never shown (or is tiny) use this size.
const QSize kMinimumExportSize(480, 240);
const QSize kFallbackExportSize(1000, 500);

QCPRange paddedRange(double lo, double hi, double fraction)
{
    double span = hi - lo;
    if (span <= 0.0)
        span = std::max(std::abs(hi) * 0.2, 1e-3);
    return { lo - fraction * span, hi + fraction * span };
}
} // namespace

void LossPlot::Bounds::addX(double x)
{
    xMin = hasX ? std::min(xMin, x) : x;
    xMax = hasX ? std::max(xMax, x) : x;
    hasX = true;
}

void LossPlot::Bounds::addLoss(double loss)
{
    lossMin = hasLoss ? std::min(lossMin, loss) : loss;
    lossMax = hasLoss ? std::max(lossMax, loss) : loss;
    hasLoss = true;
    if (loss > 0.0) {
        lossMinPositive = hasPositiveLoss ? std::min(lossMinPositive, loss) : loss;
        lossMaxPositive = hasPositiveLoss ? std::max(lossMaxPositive, loss) : loss;
        hasPositiveLoss = true;
    }
}

void LossPlot::Bounds::addMetric(double metric)
{
    metricMin = hasMetric ? std::min(metricMin, metric) : metric;
    metricMax = hasMetric ? std::max(metricMax, metric) : metric;
    hasMetric = true;
}

LossPlot::LossPlot(QWidget *parent)
    : QWidget(parent),
      m_plot(new QCustomPlot(this)),
      m_metricName(tr("val metric")),
      m_bestX(std::numeric_limits<double>::quiet_NaN())
{
    m_plot->setMinimumHeight(180);
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    QCPAxisRect *rect = m_plot->axisRect();
    rect->setRangeDragAxes({ m_plot->xAxis }, { m_plot->yAxis, m_plot->yAxis2 });
    rect->setRangeZoomAxes({ m_plot->xAxis }, { m_plot->yAxis, m_plot->yAxis2 });

    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(tr("loss"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(m_metricName);
    m_plot->yAxis2->setLabelColor(kMetricColour);
    m_plot->yAxis2->setTickLabelColor(kMetricColour);
    m_plot->yAxis2->setBasePen(QPen(kMetricColour));
    m_plot->yAxis2->setTickPen(QPen(kMetricColour));
    m_plot->yAxis2->setSubTickPen(QPen(kMetricColour));

    // The raw curve is drawn first (underneath) and cheaply: thin, not antialiased; QCustomPlot's
    // adaptive sampling keeps 100 000+ points fast.
    m_raw = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_raw->setName(tr("train loss (per step)"));
    m_raw->setPen(QPen(kRawColour, 1.0));
    m_raw->setAntialiased(false);
    m_raw->setAdaptiveSampling(true);

    m_smoothed = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_smoothed->setPen(QPen(kSmoothedColour, 2.0));
    m_smoothed->setAdaptiveSampling(true);
    updateSmoothedName();

    m_valLoss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_valLoss->setName(tr("val loss"));
    m_valLoss->setPen(QPen(kValLossColour, 1.5));
    m_valLoss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kValLossColour, Qt::white, 6));

    m_metric = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_metric->setName(m_metricName);
    m_metric->setPen(QPen(kMetricColour, 1.5));
    m_metric->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, kMetricColour, kMetricColour, 6));

    // Best-epoch marker: x in epochs, y spanning the axis rect whatever the loss scale.
    QPen bestPen(kBestColour, 1.2, Qt::DashLine);
    m_bestLine = new QCPItemStraightLine(m_plot);
    m_bestLine->setPen(bestPen);
    m_bestLine->point1->setTypeX(QCPItemPosition::ptPlotCoords);
    m_bestLine->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_bestLine->point2->setTypeX(QCPItemPosition::ptPlotCoords);
    m_bestLine->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_bestLine->setVisible(false);
    m_bestLabel = new QCPItemText(m_plot);
    m_bestLabel->position->setTypeX(QCPItemPosition::ptPlotCoords);
    m_bestLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_bestLabel->setColor(kBestColour);
    m_bestLabel->setBrush(QColor(255, 255, 255, 220));
    m_bestLabel->setPadding(QMargins(4, 2, 4, 2));
    m_bestLabel->setVisible(false);

    // Legend in its own row above the axis rect, so it never hides the curves.
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(small);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setColumnSpacing(16);
    m_plot->legend->setMargins(QMargins(8, 4, 8, 0));
    // Centred: empty elements on both sides take the width the legend does not need (its maximum
    // size follows its contents, set before each replot).
    m_plot->legend->setSizeConstraintRect(QCPLayoutElement::scrOuterRect);
    auto *legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, legendRow);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->plotLayout()->setRowSpacing(0);
    legendRow->addElement(0, 0, new QCPLayoutElement(m_plot));
    legendRow->addElement(0, 1, m_plot->legend);
    legendRow->addElement(0, 2, new QCPLayoutElement(m_plot));
    legendRow->setColumnSpacing(0);

    // Control row.
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("smoothingSlider"));
    m_slider->setRange(0, qRound(kMaxSmoothing * 100));
    m_slider->setValue(qRound(m_smoothing * 100));
    m_slider->setMaximumWidth(180);
    m_slider->setToolTip(tr("Exponential moving average of the train loss (0: none)"));
    m_smoothingValue = new QLabel(this);
    m_smoothingValue->setMinimumWidth(m_smoothingValue->fontMetrics().horizontalAdvance(QStringLiteral("0.00")));
    m_smoothingValue->setText(QString::number(m_smoothing, 'f', 2));
    auto *smoothingLabel = new QLabel(tr("Smoothing"), this);
    smoothingLabel->setBuddy(m_slider);
    m_logBox = new QCheckBox(tr("Log scale"), this);
    m_logBox->setObjectName(QStringLiteral("logScaleBox"));
    m_logBox->setToolTip(tr("Logarithmic scale for the losses"));
    m_resetButton = new QPushButton(tr("Reset zoom"), this);
    m_resetButton->setObjectName(QStringLiteral("resetZoomButton"));
    m_resetButton->setToolTip(tr("Show all data and follow new points again (or double-click the plot)"));
    m_exportButton = new QPushButton(tr("Export…"), this);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setToolTip(tr("Save the plot as PNG or PDF"));

    auto *controls = new QHBoxLayout;
    controls->addWidget(smoothingLabel);
    controls->addWidget(m_slider);
    controls->addWidget(m_smoothingValue);
    controls->addSpacing(12);
    controls->addWidget(m_logBox);
    controls->addStretch(1);
    controls->addWidget(m_resetButton);
    controls->addWidget(m_exportButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot, 1);
    layout->addLayout(controls);

    connect(m_slider, &QSlider::valueChanged, this, [this](int value) { setSmoothing(value / 100.0); });
    connect(m_logBox, &QCheckBox::toggled, this, &LossPlot::setLogScale);
    connect(m_resetButton, &QPushButton::clicked, this, &LossPlot::resetZoom);
    connect(m_exportButton, &QPushButton::clicked, this, &LossPlot::exportInteractively);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, &LossPlot::resetZoom);
    connect(m_plot, &QCustomPlot::beforeReplot, this, &LossPlot::updateBeforeReplot);
    for (QCPAxis *axis : { m_plot->xAxis, m_plot->yAxis, m_plot->yAxis2 })
        connect(axis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this, &LossPlot::onRangeChanged);

    applyAutoRanges();
}

void LossPlot::clear()
{
    m_raw->data()->clear();
    m_smoothed->data()->clear();
    m_valLoss->data()->clear();
    m_metric->data()->clear();
    m_bounds = Bounds();
    m_emaSum = 0.0;
    m_emaWeight = 0.0;
    m_bestX = std::numeric_limits<double>::quiet_NaN();
    m_userZoomed = false;
    applyAutoRanges();
    scheduleReplot();
}

void LossPlot::addSteps(const QVector<double> &x, const QVector<double> &loss)
{
    const int n = std::min(x.size(), loss.size());
    QVector<double> keys, values;
    keys.reserve(n);
    values.reserve(n);
    bool sorted = true;
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(loss[i]))
            continue;
        if (!keys.isEmpty() && x[i] < keys.last())
            sorted = false;
        keys.append(x[i]);
        values.append(loss[i]);
        m_bounds.addX(x[i]);
        m_bounds.addLoss(loss[i]);
    }
    if (keys.isEmpty())
        return;

    // Points that arrive out of order (a resumed run, say) invalidate the running average.
    const bool inOrder = sorted && (m_raw->data()->isEmpty() || keys.first() >= (m_raw->data()->constEnd() - 1)->key);
    m_raw->addData(keys, values, sorted);
    if (inOrder)
        appendSmoothed(keys, values);
    else
        recomputeSmoothed();
    applyAutoRanges();
    scheduleReplot();
}

void LossPlot::addEpoch(double x, double valLoss, double metric, bool best)
{
    if (!std::isfinite(x))
        return;
    bool added = false;
    if (std::isfinite(valLoss)) {
        m_valLoss->addData(x, valLoss);
        m_bounds.addLoss(valLoss);
        added = true;
    }
    if (std::isfinite(metric)) {
        m_metric->addData(x, metric);
        m_bounds.addMetric(metric);
        added = true;
    }
    if (added || best)
        m_bounds.addX(x);
    if (best)
        m_bestX = x;
    applyAutoRanges();
    scheduleReplot();
}

void LossPlot::setMetricName(const QString &name)
{
    m_metricName = name;
    m_metric->setName(name);
    m_plot->yAxis2->setLabel(name);
    scheduleReplot();
}

void LossPlot::setSmoothing(double factor)
{
    if (!std::isfinite(factor))
        factor = 0.0;
    factor = std::clamp(factor, 0.0, kMaxSmoothing);
    {
        const QSignalBlocker blocker(m_slider);
        m_slider->setValue(qRound(factor * 100));
    }
    m_smoothingValue->setText(QString::number(factor, 'f', 2));
    if (factor == m_smoothing)
        return;
    m_smoothing = factor;
    updateSmoothedName();
    recomputeSmoothed();
    scheduleReplot();
}

void LossPlot::setLogScale(bool on)
{
    {
        const QSignalBlocker blocker(m_logBox);
        m_logBox->setChecked(on);
    }
    if (on == m_logScale)
        return;
    m_logScale = on;
    // Switching the scale may sanitise the range (no zero or negative bounds on a log axis); that is
    // not a user zoom.
    m_settingRanges = true;
    if (on) {
        m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
        m_plot->yAxis->setScaleType(QCPAxis::stLinear);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_settingRanges = false;
    applyAutoRanges();
    scheduleReplot();
}

void LossPlot::resetZoom()
{
    m_userZoomed = false;
    applyAutoRanges();
    scheduleReplot();
}

bool LossPlot::exportTo(const QString &path, QString *error)
{
    const QString shown = QDir::toNativeSeparators(path);
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QFileInfo info(path);
    const QString suffix = info.suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf"))
        return fail(
            tr("Cannot export the plot to \"%1\": unknown file type; use a name ending in .png or .pdf.").arg(shown));
    if (!info.absoluteDir().exists())
        return fail(tr("Cannot write \"%1\": the folder %2 does not exist.")
                        .arg(shown, QDir::toNativeSeparators(info.absolutePath())));

    QSize size = m_plot->size();
    if (size.width() < kMinimumExportSize.width() || size.height() < kMinimumExportSize.height())
        size = kFallbackExportSize;
    updateBeforeReplot();
    // PNG at twice the resolution so it stays sharp in documents and on high-density screens.
    const bool ok = suffix == QLatin1String("png")
        ? m_plot->savePng(path, size.width(), size.height(), 2.0)
        : m_plot->savePdf(path, size.width(), size.height(), QCP::epAllowCosmetic, QStringLiteral("Lepton Workbench"),
            tr("Training curves"));
    if (!ok)
        return fail(tr("Cannot write \"%1\": check that the folder is writable and the disk is not full.").arg(shown));
    return true;
}

void LossPlot::replotNow()
{
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

int LossPlot::stepPointCount() const
{
    return m_raw->dataCount();
}

int LossPlot::epochPointCount() const
{
    return m_valLoss->dataCount();
}

void LossPlot::exportInteractively()
{
    const QString png = QStringLiteral("*.png");
    const QString pdf = QStringLiteral("*.pdf");
    const QString filters = tr("PNG image (%1);;PDF document (%2)").arg(png, pdf);
    QString start = m_lastExportPath;
    if (start.isEmpty()) {
        QString folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
        if (folder.isEmpty())
            folder = QDir::homePath();
        start = QDir(folder).filePath(QStringLiteral("training-curves.png"));
    }
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), start, filters, &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(pdf) ? QStringLiteral(".pdf") : QStringLiteral(".png");
    QString error;
    if (exportTo(path, &error))
        m_lastExportPath = path;
    else
        QMessageBox::warning(this, tr("Export plot"), error);
}

void LossPlot::appendSmoothed(const QVector<double> &x, const QVector<double> &loss)
{
    const double f = m_smoothing;
    QVector<double> values;
    values.reserve(loss.size());
    for (double v : loss) {
        m_emaSum = f * m_emaSum + (1.0 - f) * v;
        m_emaWeight = f * m_emaWeight + (1.0 - f);
        values.append(m_emaSum / m_emaWeight);
    }
    m_smoothed->addData(x, values, true);
}

void LossPlot::recomputeSmoothed()
{
    const double f = m_smoothing;
    m_emaSum = 0.0;
    m_emaWeight = 0.0;
    QVector<QCPGraphData> points;
    points.reserve(m_raw->dataCount());
    for (auto it = m_raw->data()->constBegin(); it != m_raw->data()->constEnd(); ++it) {
        m_emaSum = f * m_emaSum + (1.0 - f) * it->value;
        m_emaWeight = f * m_emaWeight + (1.0 - f);
        points.append(QCPGraphData(it->key, m_emaSum / m_emaWeight));
    }
    m_smoothed->data()->set(points, true);
}

void LossPlot::updateSmoothedName()
{
    m_smoothed->setName(tr("train loss (smoothed %1)").arg(m_smoothing, 0, 'f', 2));
}

void LossPlot::applyAutoRanges()
{
    if (m_userZoomed)
        return;
    m_settingRanges = true;
    const Bounds &b = m_bounds;

    // Epochs start at 0; a little room on the right keeps the last markers whole.
    if (b.hasX) {
        const double lo = std::min(0.0, b.xMin);
        const double hi = std::max(b.xMax, lo + 1e-3);
        m_plot->xAxis->setRange(lo, hi + 0.02 * (hi - lo));
    } else {
        m_plot->xAxis->setRange(kDefaultXRange);
    }

    if (m_logScale) {
        if (b.hasPositiveLoss) {
            // A twentieth of the shown decades (at least a factor 1.1) as margin on each side.
            const double factor = std::max(1.1, std::pow(b.lossMaxPositive / b.lossMinPositive, 0.05));
            m_plot->yAxis->setRange(b.lossMinPositive / factor, b.lossMaxPositive * factor);
        } else {
            m_plot->yAxis->setRange(kDefaultLogLossRange);
        }
    } else if (b.hasLoss) {
        QCPRange range = paddedRange(b.lossMin, b.lossMax, 0.05);
        if (b.lossMin >= 0.0)
            range.lower = std::max(0.0, range.lower); // losses are rarely negative: no axis below 0
        m_plot->yAxis->setRange(range);
    } else {
        m_plot->yAxis->setRange(kDefaultLossRange);
    }

    // Most metrics live in [0, 1]; widen only when a value leaves it.
    if (b.hasMetric && (b.metricMin < 0.0 || b.metricMax > 1.0))
        m_plot->yAxis2->setRange(paddedRange(std::min(0.0, b.metricMin), std::max(1.0, b.metricMax), 0.05));
    else
        m_plot->yAxis2->setRange(kDefaultMetricRange);
    m_settingRanges = false;
}

void LossPlot::updateBeforeReplot()
{
    m_plot->legend->setMaximumSize(m_plot->legend->minimumOuterSizeHint());
    updateMarkerLabel();
}

void LossPlot::updateMarkerLabel()
{
    const bool visible = std::isfinite(m_bestX);
    m_bestLine->setVisible(visible);
    m_bestLabel->setVisible(visible);
    if (!visible)
        return;
    m_bestLine->point1->setCoords(m_bestX, 0.0);
    m_bestLine->point2->setCoords(m_bestX, 1.0);
    m_bestLabel->position->setCoords(m_bestX, 0.0);
    m_bestLabel->setText(tr("best (epoch %1)").arg(m_bestX, 0, 'g', 6));
    // Text to the right of the line, unless that would run off the right edge.
    const QCPRange range = m_plot->xAxis->range();
    const bool rightHalf = range.size() > 0.0 && (m_bestX - range.lower) / range.size() > 0.6;
    m_bestLabel->setPositionAlignment(Qt::AlignTop | (rightHalf ? Qt::AlignRight : Qt::AlignLeft));
}

void LossPlot::scheduleReplot()
{
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::onRangeChanged()
{
    if (!m_settingRanges)
        m_userZoomed = true;
}
