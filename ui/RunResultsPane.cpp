// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunResultsPane.h"

#include "CalibrationPane.h"
#include "ConfusionMatrixView.h"
#include "ConfusionPane.h"
#include "CurvePlot.h"
#include "RunCurvesPlot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace {
QString metricText(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
}
} // namespace

RunResultsPane::RunResultsPane(QWidget *parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_split(new QComboBox(this)),
      m_tabs(new QTabWidget(this)),
      m_confusion(new ConfusionPane(this)),
      m_roc(new CurvePlot(this)),
      m_pr(new CurvePlot(this)),
      m_calibration(new CalibrationPane(this))
{
    m_title->setObjectName(QStringLiteral("runTitle"));
    m_title->setTextFormat(Qt::RichText);
    m_split->setObjectName(QStringLiteral("splitBox"));
    m_split->addItem(tr("test split"), QStringLiteral("test"));
    m_split->addItem(tr("val split"), QStringLiteral("val"));
    m_split->setToolTip(tr("The split whose evaluation and predictions the run panel shows"));

    m_roc->setObjectName(QStringLiteral("rocPlot"));
    m_roc->setKind(CurvePlot::Kind::Roc);
    m_roc->setTitle(tr("ROC"));
    m_pr->setObjectName(QStringLiteral("prPlot"));
    m_pr->setKind(CurvePlot::Kind::PrecisionRecall);
    m_pr->setTitle(tr("Precision–recall"));
    auto *curvesPage = new QSplitter(Qt::Horizontal, this);
    curvesPage->addWidget(m_roc);
    curvesPage->addWidget(m_pr);

    m_tabs->setObjectName(QStringLiteral("runTabs"));
    m_tabs->addTab(m_confusion, tr("Confusion matrix"));
    m_tabs->addTab(curvesPage, tr("ROC and PR"));
    m_tabs->addTab(m_calibration, tr("Calibration"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *head = new QHBoxLayout;
    head->addWidget(m_title, 1);
    head->addWidget(m_split);
    layout->addLayout(head);
    layout->addWidget(m_tabs, 1);

    connect(m_split, &QComboBox::currentIndexChanged, this, &RunResultsPane::splitChanged);
    connect(m_confusion, &ConfusionPane::axisChanged, this, [this] {
        if (!m_hasResults)
            return;
        showMatrix();
        showCaseMessage();
    });
}

QString RunResultsPane::requestedSplit() const
{
    return m_split->currentData().toString();
}

void RunResultsPane::setRequestedSplit(const QString &split)
{
    const int i = m_split->findData(split);
    if (i >= 0)
        m_split->setCurrentIndex(i);
}

void RunResultsPane::showNoRun(bool studyOpen)
{
    m_hasResults = false;
    m_title->setText(tr("<b>Run</b> — select a run in the table"));
    m_confusion->clearMatrix(
        studyOpen ? tr("Select a run to see its confusion matrix") : tr("Open a study to see its runs"));
    m_confusion->showMessage(tr("The cases of a matrix cell are listed here."));
    for (CurvePlot *plot : { m_roc, m_pr }) {
        plot->clear();
        plot->setPlaceholderText(tr("No run selected"));
    }
    m_calibration->clear(tr("No run selected"));
}

void RunResultsPane::showError(const QString &message)
{
    m_hasResults = false;
    m_confusion->clearMatrix(message);
    m_confusion->showMessage(message);
}

void RunResultsPane::showResults(const lepton::RunSummary &current, int index,
    const std::vector<lepton::RunSummary> &runs, const lepton::SplitResults &results)
{
    const qint64 id = current.run.id;
    m_title->setText(tr("<b>Run #%1 “%2”</b> · %3 split%4")
                         .arg(id)
                         .arg(current.run.name.toHtmlEscaped(), results.split,
                             results.fellBack() ? tr(" (no %1 evaluation)").arg(results.requested) : QString()));
    m_current = current;
    m_results = results;
    m_hasResults = true;
    showMatrix();
    showCaseMessage();
    showCurves(current, runs, results);
    m_calibration->showResults(results, current.label(), RunCurvesPlot::runColour(std::max(0, index)));
}

void RunResultsPane::showCaseMessage()
{
    if (m_results.predictionCount == 0)
        m_confusion->showPredictOffer(m_current.run.id, m_results.split);
    else
        m_confusion->showMessage(
            tr("%n stored prediction(s) on the %1 split. Click a cell of the matrix to list its cases.", nullptr,
                m_results.predictionCount)
                .arg(m_results.split));
}

void RunResultsPane::showMatrix()
{
    using Source = lepton::SplitResults::Source;
    using Axis = ConfusionPane::Axis;
    const lepton::SplitResults &results = m_results;
    // The decisions are only in the stored predictions: without them the most likely class is
    // what there is, and the caption says so.
    const bool decisions = m_confusion->axis() == Axis::Decision && !results.decisionConfusion.empty();
    const auto &counts = decisions ? results.decisionConfusion : results.confusion;
    if (counts.empty()) {
        m_confusion->clearMatrix(
            tr("Run %1 has no evaluation on the %2 split (it stopped before its final evaluation).")
                .arg(m_current.run.id)
                .arg(results.requested));
        return;
    }
    QString what;
    if (decisions)
        what = tr("decision vs label · stored predictions");
    else if (m_confusion->axis() == Axis::Decision)
        what = tr("most likely class vs label (the decisions need the split's stored predictions: Predict and "
                  "explain…)");
    else
        what = tr("most likely class vs label · %1")
                   .arg(results.confusionSource == Source::Evaluation ? tr("final evaluation of the best epoch")
                                                                      : tr("stored predictions"));
    int total = 0;
    for (const auto &row : counts)
        for (int c : row)
            total += c;
    m_confusion->showMatrix(m_current.classes, counts,
        tr("%n case(s) of the %1 split · %2 · rows: true class, share of the row in each cell · click a cell to "
           "list its cases",
            nullptr, total)
            .arg(results.split, what),
        decisions ? Axis::Decision : Axis::MostLikely);
}

void RunResultsPane::showCurves(
    const lepton::RunSummary &current, const std::vector<lepton::RunSummary> &runs, const lepton::SplitResults &results)
{
    m_roc->clear();
    m_pr->clear();
    int emphasised = -1;
    for (std::size_t i = 0; i < results.curves.size() && i < runs.size(); ++i) {
        const lepton::RunCurves &c = results.curves[i];
        const QColor colour = RunCurvesPlot::runColour(static_cast<int>(i));
        if (!c.rocX.isEmpty()) {
            const int curve = m_roc->addCurve(
                tr("%1 · AUROC %2").arg(runs[i].label(), metricText(c.auroc)), c.rocX, c.rocY, colour);
            if (c.runId == current.run.id)
                emphasised = curve;
        }
        if (!c.prX.isEmpty())
            m_pr->addCurve(tr("%1 · AUPRC %2").arg(runs[i].label(), metricText(c.auprc)), c.prX, c.prY, colour);
    }
    if (runs.size() > 1) {
        m_roc->setEmphasised(emphasised);
        m_pr->setEmphasised(emphasised);
    }
    // The positive rate of the current run's split: what a classifier without skill reaches.
    const ConfusionMatrixView *matrix = m_confusion->matrix();
    const int positive = static_cast<int>(current.classes.indexOf(current.positiveClass));
    if (positive >= 0 && !results.confusion.empty() && matrix->total() > 0)
        m_pr->setBaseline(double(matrix->rowTotal(positive)) / matrix->total(), tr("positive rate"));
    else
        m_pr->setBaseline(std::numeric_limits<double>::quiet_NaN());
    m_roc->setPlaceholderText(tr("No ROC curve stored for the %1 split").arg(results.split));
    m_pr->setPlaceholderText(tr("No precision-recall curve stored for the %1 split").arg(results.split));
    m_roc->setTitle(tr("ROC · %1 split · positive class “%2”").arg(results.split, current.positiveClass));
    m_pr->setTitle(tr("Precision–recall · %1 split").arg(results.split));
}
