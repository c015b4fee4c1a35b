// SPDX-License-Identifier: GPL-3.0-or-later
#include "CurvePlot.h"

#include "QCustomPlotInclude.h"

#include <QContextMenuEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {
const QColor kReference(0x9a, 0xa0, 0xa6);
constexpr double kMinDisc = 3.0; // radius in pixels of the lightest weighted point
constexpr double kMaxDisc = 11.0;
const QSize kFallbackExportSize(900, 720);
} // namespace

CurvePlot::CurvePlot(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMinimumSize(220, 200);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);

    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(small);
    m_plot->legend->setBrush(QColor(255, 255, 255, 225));
    m_plot->legend->setBorderPen(QPen(QColor(0xc8, 0xcc, 0xd0)));
    m_plot->xAxis->setTickLabelFont(small);
    m_plot->yAxis->setTickLabelFont(small);
    for (QCPAxis *axis : { m_plot->xAxis, m_plot->yAxis }) {
        axis->setRange(-0.02, 1.02);
        axis->grid()->setPen(QPen(QColor(0xe4, 0xe6, 0xe9), 0, Qt::SolidLine));
    }

    const auto unitLine = [this](QCPItemStraightLine *line) {
        line->setPen(QPen(kReference, 1.0, Qt::DashLine));
        line->setSelectable(false);
        line->setVisible(false);
    };
    m_diagonal = new QCPItemStraightLine(m_plot);
    unitLine(m_diagonal);
    m_diagonal->point1->setCoords(0.0, 0.0);
    m_diagonal->point2->setCoords(1.0, 1.0);
    m_baseline = new QCPItemStraightLine(m_plot);
    unitLine(m_baseline);
    m_baselineLabel = new QCPItemText(m_plot);
    m_baselineLabel->setColor(kReference);
    m_baselineLabel->setFont(small);
    m_baselineLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    m_baselineLabel->setVisible(false);

    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setPositionAlignment(Qt::AlignCenter);
    m_placeholder->setColor(palette().color(QPalette::Disabled, QPalette::Text));
    m_placeholder->setText(tr("No curve"));

    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_plot->xAxis->setRange(-0.02, 1.02);
        m_plot->yAxis->setRange(-0.02, 1.02);
        scheduleReplot();
    });
    connect(m_plot, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QMenu menu(this);
        menu.addAction(tr("Reset zoom"), this, [this] {
            m_plot->xAxis->setRange(-0.02, 1.02);
            m_plot->yAxis->setRange(-0.02, 1.02);
            scheduleReplot();
        });
        menu.addAction(tr("Export…"), this, &CurvePlot::exportInteractively);
        menu.exec(m_plot->mapToGlobal(pos));
    });
    setKind(Kind::Generic);
}

void CurvePlot::setKind(Kind kind)
{
    m_kind = kind;
    QCPLayoutInset *inset = m_plot->axisRect()->insetLayout();
    switch (kind) {
    case Kind::Roc:
        setAxisLabels(tr("False-positive rate (1 − specificity)"), tr("True-positive rate (sensitivity)"));
        inset->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
        break;
    case Kind::PrecisionRecall:
        setAxisLabels(tr("Recall (sensitivity)"), tr("Precision"));
        inset->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignLeft);
        break;
    case Kind::Reliability:
        setAxisLabels(tr("Mean predicted probability"), tr("Observed frequency"));
        inset->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
        break;
    case Kind::Generic:
        inset->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
        break;
    }
    m_diagonal->setVisible(kind == Kind::Roc || kind == Kind::Reliability);
    if (kind != Kind::PrecisionRecall)
        setBaseline(std::nan(""));
    scheduleReplot();
}

void CurvePlot::setAxisLabels(const QString &x, const QString &y)
{
    m_plot->xAxis->setLabel(x);
    m_plot->yAxis->setLabel(y);
    scheduleReplot();
}

void CurvePlot::setTitle(const QString &title)
{
    if (title.isEmpty()) {
        if (m_title) {
            m_plot->plotLayout()->remove(m_title);
            m_plot->plotLayout()->simplify();
            m_title = nullptr;
        }
    } else {
        if (!m_title) {
            m_plot->plotLayout()->insertRow(0);
            QFont bold = font();
            bold.setBold(true);
            m_title = new QCPTextElement(m_plot, title, bold);
            m_plot->plotLayout()->addElement(0, 0, m_title);
        }
        m_title->setText(title);
    }
    scheduleReplot();
}

void CurvePlot::clear()
{
    for (QCPCurve *c : std::as_const(m_curves))
        m_plot->removePlottable(c);
    m_curves.clear();
    // Weighted-point discs and their anchors; the reference lines and labels stay.
    const QList<QCPAbstractItem *> keep { m_diagonal, m_baseline, m_baselineLabel, m_placeholder };
    for (int i = m_plot->itemCount() - 1; i >= 0; --i)
        if (!keep.contains(m_plot->item(i)))
            m_plot->removeItem(i);
    m_weightMarkers = 0;
    m_plot->xAxis->setRange(-0.02, 1.02);
    m_plot->yAxis->setRange(-0.02, 1.02);
    updatePlaceholder();
    scheduleReplot();
}

int CurvePlot::addCurve(const QString &name, const QVector<double> &x, const QVector<double> &y, const QColor &colour,
    const QVector<double> &weights)
{
    auto *curve = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
    curve->setName(name);
    curve->setPen(QPen(colour, 2.0));
    const bool weighted = !weights.isEmpty();
    const int n = static_cast<int>(std::min(x.size(), y.size()));
    QVector<double> t, px, py, pw;
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
            continue;
        t.append(t.size());
        px.append(x[i]);
        py.append(y[i]);
        pw.append(i < weights.size() && std::isfinite(weights[i]) ? std::max(0.0, weights[i]) : 0.0);
    }
    curve->setData(t, px, py, true);
    if (weighted) {
        // Discs with an area proportional to the weight: a bin of few cases looks light.
        curve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, Qt::white, 5));
        const double heaviest = pw.isEmpty() ? 0.0 : *std::max_element(pw.begin(), pw.end());
        for (int i = 0; i < px.size(); ++i) {
            if (heaviest <= 0.0 || pw[i] <= 0.0)
                continue;
            const double r = kMinDisc + (kMaxDisc - kMinDisc) * std::sqrt(pw[i] / heaviest);
            auto *anchor = new QCPItemTracer(m_plot);
            anchor->setStyle(QCPItemTracer::tsNone);
            anchor->position->setType(QCPItemPosition::ptPlotCoords);
            anchor->position->setCoords(px[i], py[i]);
            auto *disc = new QCPItemEllipse(m_plot);
            for (QCPItemPosition *corner : { disc->topLeft, disc->bottomRight }) {
                corner->setType(QCPItemPosition::ptAbsolute);
                corner->setParentAnchor(anchor->position);
            }
            disc->topLeft->setCoords(-r, -r);
            disc->bottomRight->setCoords(r, r);
            QColor fill = colour;
            fill.setAlpha(110);
            disc->setPen(QPen(colour.darker(115), 1.0));
            disc->setBrush(fill);
            disc->setSelectable(false);
            ++m_weightMarkers;
        }
    } else if (px.size() <= 30) {
        curve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, Qt::white, 5));
    }
    m_curves.append(curve);
    updatePlaceholder();
    scheduleReplot();
    return static_cast<int>(m_curves.size()) - 1;
}

void CurvePlot::setEmphasised(int index)
{
    for (int i = 0; i < m_curves.size(); ++i) {
        QPen pen = m_curves[i]->pen();
        pen.setWidthF(index < 0 ? 2.0 : i == index ? 3.0 : 1.5);
        m_curves[i]->setPen(pen);
    }
    // The emphasised curve on a layer of its own above the others, so no other curve hides it.
    if (!m_plot->layer(QStringLiteral("emphasis")))
        m_plot->addLayer(QStringLiteral("emphasis"), m_plot->layer(QStringLiteral("main")), QCustomPlot::limAbove);
    for (int i = 0; i < m_curves.size(); ++i)
        m_curves[i]->setLayer(i == index ? QStringLiteral("emphasis") : QStringLiteral("main"));
    scheduleReplot();
}

void CurvePlot::setBaseline(double y, const QString &label)
{
    const bool visible = std::isfinite(y);
    m_baseline->setVisible(visible);
    m_baselineLabel->setVisible(visible && !label.isEmpty());
    if (visible) {
        m_baseline->point1->setCoords(0.0, y);
        m_baseline->point2->setCoords(1.0, y);
        m_baselineLabel->position->setCoords(1.0, y);
        m_baselineLabel->setText(label);
    }
    scheduleReplot();
}

void CurvePlot::setPlaceholderText(const QString &text)
{
    m_placeholder->setText(text);
    updatePlaceholder();
    scheduleReplot();
}

int CurvePlot::pointCount(int curve) const
{
    return curve >= 0 && curve < m_curves.size() ? m_curves[curve]->dataCount() : 0;
}

QString CurvePlot::curveName(int curve) const
{
    return curve >= 0 && curve < m_curves.size() ? m_curves[curve]->name() : QString();
}

bool CurvePlot::hasDiagonal() const
{
    return m_diagonal->visible();
}

void CurvePlot::updatePlaceholder()
{
    m_placeholder->setVisible(m_curves.isEmpty());
    m_plot->legend->setVisible(!m_curves.isEmpty());
}

bool CurvePlot::exportTo(const QString &path, QString *error)
{
    const QString shown = QDir::toNativeSeparators(path);
    const QString suffix = QFileInfo(path).suffix().toLower();
    QString problem;
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf"))
        problem = tr("Cannot export the plot to \"%1\": use a name ending in .png or .pdf.").arg(shown);
    QSize size = m_plot->size();
    if (size.width() < 300 || size.height() < 240)
        size = kFallbackExportSize;
    if (problem.isEmpty()) {
        const bool ok = suffix == QLatin1String("png")
            ? m_plot->savePng(path, size.width(), size.height(), 2.0)
            : m_plot->savePdf(path, size.width(), size.height(), QCP::epAllowCosmetic,
                QStringLiteral("Lepton Workbench"), m_plot->xAxis->label());
        if (!ok)
            problem = tr("Cannot write \"%1\": check that the folder exists and is writable.").arg(shown);
    }
    if (error)
        *error = problem;
    return problem.isEmpty();
}

void CurvePlot::exportInteractively()
{
    QString start = m_lastExportPath;
    if (start.isEmpty()) {
        QString folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
        start = QDir(folder.isEmpty() ? QDir::homePath() : folder).filePath(QStringLiteral("curves.png"));
    }
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Export plot"), start, tr("PNG image (*.png);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    QString error;
    if (exportTo(path, &error))
        m_lastExportPath = path;
    else
        QMessageBox::warning(this, tr("Export plot"), error);
}

void CurvePlot::replotNow()
{
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

void CurvePlot::scheduleReplot()
{
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}
