// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExperimentsView.h"

#include "BackgroundTask.h"
#include "ConfusionMatrixView.h"
#include "ConfusionPane.h"
#include "LatestRead.h"
#include "PredictDialog.h"
#include "RunComparisonPane.h"
#include "RunListPane.h"
#include "RunResultsPane.h"

#include "explain/PredictionService.h"
#include "store/AuditLog.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace {
const QString kCancelled = QStringLiteral("cancelled");

/// A confusion cell's cases with the class each one's decision stands for.
struct CellRows
{
    std::vector<lepton::CasePrediction> cases;
    QStringList decided;
};
} // namespace

ExperimentsView::ExperimentsView(QWidget *parent)
    : QWidget(parent),
      m_runs(new RunListPane(this)),
      m_comparison(new RunComparisonPane(this)),
      m_results(new RunResultsPane(this)),
      m_resultsRead(new LatestRead(this)),
      m_cellRead(new LatestRead(this)),
      m_task(new BackgroundTask(this))
{
    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(m_comparison);
    bottom->addWidget(m_results);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    bottom->setChildrenCollapsible(false);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_runs);
    split->addWidget(bottom);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setChildrenCollapsible(false);
    split->setSizes({ 240, 720 });
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_runs, &RunListPane::selectionChanged, this, &ExperimentsView::onSelectionChanged);
    connect(m_runs, &RunListPane::currentRunChanged, this, [this] {
        if (currentRunId() != m_panelRun)
            refreshResults();
        refreshCrossValidation();
        updateActions();
    });
    connect(m_runs, &RunListPane::renameRequested, this, &ExperimentsView::renameInteractively);
    connect(m_runs, &RunListPane::tagsRequested, this, &ExperimentsView::editTagsInteractively);
    connect(m_runs, &RunListPane::notesRequested, this, &ExperimentsView::editNotesInteractively);
    connect(m_runs, &RunListPane::predictRequested, this, &ExperimentsView::predictInteractively);
    connect(m_runs, &RunListPane::deleteRequested, this, [this] { deleteRuns(selectedRunIds()); });
    connect(m_runs, &RunListPane::refreshRequested, this, &ExperimentsView::reload);
    connect(m_runs, &RunListPane::cancelRequested, this, &ExperimentsView::cancelPrediction);
    connect(m_comparison, &RunComparisonPane::selectRunsRequested, this, &ExperimentsView::selectRuns);
    connect(m_results, &RunResultsPane::splitChanged, this, &ExperimentsView::refreshResults);
    connect(m_results->confusion(), &ConfusionPane::cellClicked, this, &ExperimentsView::showCell);
    connect(m_results->confusion(), &ConfusionPane::predictRequested, this, &ExperimentsView::predictShownSplit);
    connect(m_results->confusion(), &ConfusionPane::caseActivated, this,
        [this](qint64 caseId) { Q_EMIT caseActivated(caseId, m_shown.runId); });
    connect(m_task, &BackgroundTask::progress, this, &ExperimentsView::onPredictionProgress);
    connect(m_task, &BackgroundTask::finished, this, &ExperimentsView::onPredictionFinished);

    setStudy(nullptr);
}

ExperimentsView::~ExperimentsView()
{
    // The task's destructor cancels the prediction and waits, the reads' destructors wait for
    // theirs; what was stored stays stored.
}

QString ExperimentsView::actor() const
{
    return m_reviewer.trimmed().isEmpty() ? lepton::AuditLog::currentUser() : m_reviewer.trimmed();
}

void ExperimentsView::setStudy(std::shared_ptr<lepton::Study> study)
{
    if (m_task->isRunning()) {
        m_task->cancel();
        m_task->wait(-1);
    }
    m_resultsRead->supersede();
    m_cellRead->supersede();
    m_study = std::move(study);
    m_panelRun = -1;
    reload();
}

void ExperimentsView::reload()
{
    std::vector<lepton::RunSummary> rows;
    if (m_study) {
        auto runs = lepton::ExperimentService(*m_study).runs();
        if (runs)
            rows = runs.take();
        else
            fail(runs.error());
    }
    m_panelRun = -1;
    m_runs->setRows(std::move(rows)); // restores the selection; onSelectionChanged() follows
}

void ExperimentsView::selectRuns(const QList<qint64> &runIds)
{
    m_panelRun = -1;
    m_runs->selectRuns(runIds);
}

QList<qint64> ExperimentsView::selectedRunIds() const
{
    return m_runs->selectedRunIds();
}

qint64 ExperimentsView::currentRunId() const
{
    return m_runs->currentRunId();
}

QString ExperimentsView::requestedSplit() const
{
    return m_results->requestedSplit();
}

void ExperimentsView::setRequestedSplit(const QString &split)
{
    m_results->setRequestedSplit(split); // refreshes through the signal when it changes
}

bool ExperimentsView::isLoading() const
{
    return m_resultsRead->isBusy() || m_cellRead->isBusy();
}

std::vector<lepton::RunSummary> ExperimentsView::selectedRuns() const
{
    std::vector<lepton::RunSummary> out;
    for (qint64 id : selectedRunIds())
        if (const lepton::RunSummary *run = m_runs->run(id))
            out.push_back(*run);
    return out;
}

void ExperimentsView::onSelectionChanged()
{
    refreshComparison();
    refreshResults();
    refreshCrossValidation();
    updateActions();
}

void ExperimentsView::refreshCrossValidation()
{
    const lepton::RunSummary *current = m_runs->run(currentRunId());
    if (!m_study || !current) {
        m_comparison->clearCrossValidation(QString());
        return;
    }
    if (current->cvGroup.isEmpty()) {
        m_comparison->clearCrossValidation(
            tr("Run %1 is not a fold of a cross-validation (lepton train --folds K).").arg(current->run.id));
        return;
    }
    auto aggregate = lepton::ExperimentService(*m_study).cvAggregate(current->run.id);
    if (!aggregate) {
        m_comparison->clearCrossValidation(
            tr("Run %1 is fold %2 of %3 of %4, which has no stored aggregate (its training did not finish).")
                .arg(current->run.id)
                .arg(current->fold + 1)
                .arg(current->folds)
                .arg(current->cvGroup));
        return;
    }
    // Selecting the whole group (every selected run is one of its folds) brings the tab forward.
    const QList<qint64> selected = selectedRunIds();
    bool wholeGroup = selected.size() > 1;
    for (qint64 id : selected)
        wholeGroup = wholeGroup && aggregate->runs.contains(id);
    m_comparison->showCrossValidation(aggregate.value(), wholeGroup);
}

void ExperimentsView::refreshComparison()
{
    const std::vector<lepton::RunSummary> runs = selectedRuns();
    if (!m_study || runs.empty()) {
        m_comparison->clear(
            m_study ? tr("Select runs in the table to compare their curves") : tr("Open a study to see its runs"));
        return;
    }
    auto comparison = lepton::ExperimentService(*m_study).compare(runs);
    if (!comparison) {
        m_comparison->clear(comparison.error());
        fail(comparison.error());
        return;
    }
    QStringList labels;
    for (const lepton::RunSummary &run : runs)
        labels.append(run.label());
    // Two or more folds of one cross-validation: their mean curve with a ± SD band too.
    QString group = runs.size() >= 2 ? runs.front().cvGroup : QString();
    for (const lepton::RunSummary &run : runs)
        if (run.cvGroup != group)
            group.clear();
    m_comparison->showComparison(comparison.value(), labels, group);
}

void ExperimentsView::refreshResults()
{
    const qint64 id = currentRunId();
    m_panelRun = id;
    m_cellRead->supersede();
    m_offerCell = PendingCell(); // the offer shown next is for no clicked cell until one is clicked
    const lepton::RunSummary *current = m_runs->run(id);
    if (!m_study || !id || !current) {
        m_resultsRead->supersede();
        m_shown = lepton::SplitResults();
        m_results->showNoRun(m_study != nullptr);
        return;
    }
    const std::vector<lepton::RunSummary> runs = selectedRuns();
    const QList<qint64> ids = selectedRunIds();
    const int index = static_cast<int>(ids.indexOf(id));
    const lepton::RunSummary run = *current;
    const QString split = requestedSplit();
    m_resultsRead->start<lepton::SplitResults>(
        m_study,
        [run, runs, split](lepton::Study &study, const lepton::CancelFn &cancelled) {
            return lepton::ExperimentService(study).splitResults(run, runs, split, cancelled);
        },
        [this, run, runs, index](lepton::Result<lepton::SplitResults> results) {
            if (!results) {
                m_shown = lepton::SplitResults();
                m_results->showError(results.error());
                fail(results.error());
                return;
            }
            m_shown = results.take();
            m_results->showResults(run, index, runs, m_shown);
            // The prediction the pane offered has ended: list the cell the user had clicked, once (not
            // when the user has moved on to another run meanwhile).
            if (m_pendingCell.runId != 0 && !m_task->isRunning()) {
                const PendingCell cell = m_pendingCell;
                m_pendingCell = PendingCell();
                if (cell.runId == m_shown.runId && cell.split == m_shown.split && m_shown.predictionCount > 0)
                    showCell(cell.trueClass, cell.predictedClass);
            }
        });
}

bool ExperimentsView::showCell(int trueClass, int predictedClass)
{
    const lepton::RunSummary *run = m_runs->run(m_shown.runId);
    if (!m_study || !run || m_shown.runId != m_panelRun || trueClass < 0 || predictedClass < 0
        || trueClass >= run->classes.size() || predictedClass >= run->classes.size())
        return false;
    ConfusionPane *pane = m_results->confusion();
    pane->matrix()->setCurrentCell(trueClass, predictedClass);
    const QString split = m_shown.split;
    if (m_shown.predictionCount == 0) {
        m_cellRead->supersede();
        m_offerCell = { m_shown.runId, split, trueClass, predictedClass };
        pane->showPredictOffer(m_shown.runId, split);
        return true;
    }
    const lepton::RunSummary summary = *run;
    // The cell of the matrix shown: by decision, unless only the most likely one could be shown.
    const bool byDecision = pane->axis() == ConfusionPane::Axis::Decision && !m_shown.decisionConfusion.empty();
    const lepton::ConfusionAxis axis = byDecision ? lepton::ConfusionAxis::Decision : lepton::ConfusionAxis::MostLikely;
    m_cellRead->start<CellRows>(
        m_study,
        [summary, split, trueClass, predictedClass, axis](
            lepton::Study &study, const lepton::CancelFn &cancelled) -> lepton::Result<CellRows> {
            lepton::ExperimentService service(study);
            auto cases = service.cellCases(summary, split, trueClass, predictedClass, cancelled, axis);
            if (!cases)
                return lepton::Result<CellRows>::failure(cases.error());
            CellRows rows;
            rows.decided = service.decidedClasses(summary, cases.value());
            rows.cases = cases.take();
            return rows;
        },
        [this, pane, summary, split, trueClass, predictedClass, byDecision](lepton::Result<CellRows> rows) {
            if (!rows) {
                pane->showMessage(rows.error());
                fail(rows.error());
            } else if (rows->cases.empty()) {
                pane->showMessage(
                    (byDecision ? tr("No stored prediction of the %1 split is true %2 and decided %3.")
                                : tr("No stored prediction of the %1 split is true %2 and most likely %3."))
                        .arg(split, summary.classes.at(trueClass), summary.classes.at(predictedClass)));
            } else {
                CellRows taken = rows.take();
                pane->showCases(std::move(taken.cases), summary.classes, summary.positiveClass, taken.decided);
            }
        });
    return true;
}

void ExperimentsView::updateActions()
{
    const QList<qint64> selected = selectedRunIds();
    // A study opened read-only is looked at, never changed.
    const bool writable = m_study && !m_study->isReadOnly();
    const bool one = writable && currentRunId() != 0;
    const bool busy = m_task->isRunning();
    const lepton::RunSummary *run = m_runs->run(currentRunId());
    m_runs->setActionsEnabled(one, writable && !selected.isEmpty() && !(busy && selected.contains(m_predictingRun)),
        one && !busy && run && run->run.status != lepton::RunStatus::Running, m_study != nullptr);
    // The offer under the matrix predicts as the Predict button does, so it follows the same rules.
    const bool canPredict = one && !busy && run && run->run.status != lepton::RunStatus::Running;
    m_results->confusion()->setPredictOfferEnabled(canPredict,
        !writable  ? tr("The study is open read-only: nothing can be predicted into it")
            : busy ? tr("A prediction is running; wait for it to end or cancel it")
                   : tr("The run is still training"));
}

bool ExperimentsView::confirm(const QString &title, const QString &question)
{
    if (!m_interactive)
        return true;
    return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Yes;
}

void ExperimentsView::fail(const QString &message)
{
    if (message.isEmpty() || message == kCancelled)
        return;
    Q_EMIT errorOccurred(message);
    if (m_interactive)
        QMessageBox::warning(this, tr("Experiments"), message);
}

bool ExperimentsView::changeRun(const std::function<lepton::Status(lepton::ExperimentService &)> &change)
{
    if (!m_study)
        return false;
    lepton::ExperimentService service(*m_study);
    const lepton::Status st = change(service);
    if (!st) {
        fail(st.error());
        return false;
    }
    reload();
    Q_EMIT runsChanged();
    return true;
}

bool ExperimentsView::renameRun(qint64 runId, const QString &name)
{
    return changeRun([&](lepton::ExperimentService &s) { return s.rename(runId, name, actor()); });
}

bool ExperimentsView::setRunTags(qint64 runId, const QStringList &tags)
{
    return changeRun([&](lepton::ExperimentService &s) { return s.setTags(runId, tags, actor()); });
}

bool ExperimentsView::setRunNotes(qint64 runId, const QString &notes)
{
    return changeRun([&](lepton::ExperimentService &s) { return s.setNotes(runId, notes, actor()); });
}

bool ExperimentsView::deleteRuns(const QList<qint64> &runIds)
{
    if (!m_study || runIds.isEmpty())
        return false;
    if (m_task->isRunning() && runIds.contains(m_predictingRun)) {
        fail(tr("Run %1 is predicting; cancel the prediction before deleting the run.").arg(m_predictingRun));
        return false;
    }
    QStringList names;
    for (qint64 id : runIds) {
        const lepton::RunSummary *run = m_runs->run(id);
        names.append(run ? tr("#%1 “%2”").arg(id).arg(run->run.name) : tr("#%1").arg(id));
    }
    const QString question = tr("Delete %n run(s) (%1) with their metrics, checkpoints, predictions, explanations "
                                "and reviews?\n\nThe audit log keeps a record of the deletion. This cannot be undone.",
        nullptr, static_cast<int>(runIds.size()))
                                 .arg(names.join(QStringLiteral(", ")));
    if (!confirm(tr("Delete runs"), question))
        return false;
    const lepton::Status st = lepton::ExperimentService(*m_study).remove(runIds, actor());
    if (!st)
        fail(st.error());
    reload();
    Q_EMIT runsChanged();
    return st.ok();
}

void ExperimentsView::renameInteractively()
{
    const qint64 id = currentRunId();
    const lepton::RunSummary *run = m_runs->run(id);
    if (!run || !m_interactive)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Rename run"), tr("New name of run %1:").arg(id), QLineEdit::Normal, run->run.name, &ok);
    if (ok && name.trimmed() != run->run.name)
        renameRun(id, name);
}

void ExperimentsView::editTagsInteractively()
{
    const qint64 id = currentRunId();
    const lepton::RunSummary *run = m_runs->run(id);
    if (!run || !m_interactive)
        return;
    bool ok = false;
    const QString tags = QInputDialog::getText(this, tr("Tags"),
        tr("Tags of run %1, separated by commas (e.g. baseline, candidate):").arg(id), QLineEdit::Normal,
        run->run.tags.join(QStringLiteral(", ")), &ok);
    if (ok)
        setRunTags(id, tags.split(QLatin1Char(','), Qt::SkipEmptyParts));
}

void ExperimentsView::editNotesInteractively()
{
    const qint64 id = currentRunId();
    const lepton::RunSummary *run = m_runs->run(id);
    if (!run || !m_interactive)
        return;
    bool ok = false;
    const QString notes
        = QInputDialog::getMultiLineText(this, tr("Notes"), tr("Notes on run %1:").arg(id), run->run.notes, &ok);
    if (ok && notes != run->run.notes)
        setRunNotes(id, notes);
}

void ExperimentsView::predictInteractively()
{
    const qint64 id = currentRunId();
    const lepton::RunSummary *run = m_runs->run(id);
    if (!run || !m_study)
        return;
    if (!m_interactive) {
        startPrediction(id, requestedSplit(), true);
        return;
    }
    auto datasets = lepton::ExperimentService(*m_study).datasets();
    PredictDialog dialog(id, run->run.name, run->run.datasetId,
        datasets ? datasets.value() : std::vector<lepton::DatasetSummary>(), requestedSplit(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    startPrediction(id, dialog.split(), dialog.explain(), dialog.datasetId(), dialog.device());
}

void ExperimentsView::predictShownSplit()
{
    const qint64 runId = m_shown.runId;
    if (!m_study || runId == 0 || runId != currentRunId() || m_shown.split.isEmpty())
        return;
    // Explained as well, as Predict and explain… does by default: the cases listed here open in the
    // Inspector, which needs the explanations. No dialog: the button's text says what it does.
    if (!startPrediction(runId, m_shown.split, true)) {
        fail(tr("The %1 split of run %2 cannot be predicted now: another prediction is running.")
                 .arg(m_shown.split)
                 .arg(runId));
        return;
    }
    m_pendingCell = m_offerCell.runId == runId && m_offerCell.split == m_shown.split ? m_offerCell : PendingCell();
}

bool ExperimentsView::startPrediction(
    qint64 runId, const QString &split, bool explain, qint64 datasetId, const QString &device)
{
    if (!m_study || m_task->isRunning())
        return false;
    lepton::PredictOptions options;
    options.runId = runId;
    options.datasetId = datasetId;
    options.split = split;
    options.explain = explain;
    options.device = device;
    auto summary = std::make_shared<lepton::PredictSummary>();
    m_summary = summary;
    std::shared_ptr<lepton::Study> study = m_study;
    const QString what = split.isEmpty() ? tr("every case") : tr("the %1 split").arg(split);
    const QString title = explain ? tr("Predicting and explaining %1 with run %2").arg(what).arg(runId)
                                  : tr("Predicting %1 with run %2").arg(what).arg(runId);
    const bool started = m_task->start(title,
        [study, options, summary](const lepton::ProgressFn &progress, const lepton::CancelFn &cancelled) mutable {
            options.progress = progress;
            options.cancelled = cancelled;
            auto result = lepton::PredictionService::run(*study, options);
            if (!result)
                return lepton::Status::failure(result.error());
            *summary = result.value();
            return lepton::Status();
        });
    if (!started)
        return false;
    m_predictingRun = runId;
    m_runs->showProgress(title + QStringLiteral("…"), -1);
    updateActions();
    Q_EMIT predictionStarted(runId);
    Q_EMIT progressChanged(title, -1);
    return true;
}

bool ExperimentsView::isPredicting() const
{
    return m_task->isRunning();
}

void ExperimentsView::cancelPrediction()
{
    if (!m_task->isRunning())
        return;
    m_task->cancel();
    m_runs->showCancelling(tr("Cancelling…"));
}

bool ExperimentsView::waitForPrediction(int milliseconds)
{
    if (!m_task->wait(milliseconds))
        return false;
    // The end arrives as a queued signal; let it through so the view is up to date.
    QElapsedTimer clock;
    clock.start();
    while (m_task->isRunning() && (milliseconds < 0 || clock.elapsed() < milliseconds))
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return !m_task->isRunning();
}

void ExperimentsView::onPredictionProgress(qint64 done, qint64 total, const QString &stage)
{
    const int percent = total > 0 ? static_cast<int>(100 * done / total) : -1;
    const QString text = total > 0 ? tr("%1: %2 of %3 cases").arg(stage).arg(done).arg(total) : stage;
    m_runs->showProgress(text, percent);
    Q_EMIT progressChanged(text, percent);
}

void ExperimentsView::onPredictionFinished(bool ok, bool cancelled, const QString &message)
{
    const qint64 runId = m_predictingRun;
    m_predictingRun = 0;
    if (!ok || cancelled || (m_summary && m_summary->cancelled))
        m_pendingCell = PendingCell(); // nothing new to list
    QString text;
    if (ok && m_summary && m_summary->cancelled) {
        text = m_summary->explained > 0
            ? tr("Cancelled; the explanations of %n case(s) are kept, no predictions were stored.", nullptr,
                m_summary->explained)
            : tr("Cancelled; nothing was stored.");
        cancelled = true;
    } else if (ok && m_summary) {
        text = tr("Run %1: stored %n prediction(s)", nullptr, m_summary->predicted).arg(runId);
        if (m_summary->explained > 0)
            text += tr(", %n explained", nullptr, m_summary->explained);
        text += tr(" · %n referred to review", nullptr, m_summary->referred);
    } else {
        text = cancelled ? tr("Cancelled; nothing was stored.") : tr("Prediction failed: %1").arg(message);
    }
    // The outcome stays in view until the next prediction; the bar and Cancel have done their job.
    m_runs->showOutcome(text);
    reload();
    updateActions();
    Q_EMIT progressChanged(text, -1);
    if (ok && !cancelled)
        Q_EMIT runsChanged();
    if (!ok && !cancelled)
        fail(text);
    Q_EMIT predictionFinished(runId, ok && !cancelled, ok ? text : message);
}
