// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/ExperimentService.h"

#include <QList>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <memory>

class BackgroundTask;
class LatestRead;
class RunComparisonPane;
class RunListPane;
class RunResultsPane;

namespace lepton {
class Study;
struct PredictSummary;
} // namespace lepton

/// The Experiments view: the study's runs (RunListPane); for the runs selected there their
/// curves, metrics and differing settings side by side (RunComparisonPane); for the current run
/// on the test split (or val) its confusion matrix with each cell's cases, ROC/PR curves and
/// reliability diagram (RunResultsPane). The view composes the panes and forwards the user's
/// intent to lepton::ExperimentService; the reads that grow with the study (a split's stored
/// predictions, a cell's cases) run off the GUI thread, a newer request superseding an older one.
///
/// Runs are renamed, tagged, annotated and deleted here (each change is written to the audit
/// log under the reviewer's name), and "Predict and explain…" predicts a split with a run's best
/// model in the background, with progress and cancel.
///
/// With interactive mode off (tests, scripts) nothing opens a modal dialog: confirmations are
/// answered yes and errors only go to errorOccurred().
class ExperimentsView : public QWidget
{
    Q_OBJECT
public:
    explicit ExperimentsView(QWidget *parent = nullptr);
    ~ExperimentsView() override;

    /// The study whose runs are shown (null: none). Cancels a prediction in progress and waits.
    void setStudy(std::shared_ptr<lepton::Study> study);
    /// Reads the runs again, keeping the selection of runs that still exist.
    void reload();
    /// Off in tests: no modal dialogs; confirmations are answered yes.
    void setInteractive(bool on) { m_interactive = on; }
    bool isInteractive() const { return m_interactive; }
    /// The name written to the audit log for changes made here; empty: the OS user.
    void setReviewer(const QString &name) { m_reviewer = name; }
    /// Who changes are recorded as: the reviewer, else AuditLog::currentUser().
    QString actor() const;

    /// Selects these runs (others are deselected); the first becomes the current run. Runs hidden
    /// by the filter or unknown are skipped.
    void selectRuns(const QList<qint64> &runIds);
    /// The selected runs by id (the order of their colours in the plots and tables).
    QList<qint64> selectedRunIds() const;
    /// The run whose matrix, curves and calibration are shown; 0: none.
    qint64 currentRunId() const;

    /// The split asked for in the run panel ("test" or "val").
    QString requestedSplit() const;
    void setRequestedSplit(const QString &split);
    /// The split the run panel shows: the requested one, or the other one when the current run
    /// has no evaluation on it. Empty until the current run's results have arrived.
    QString shownSplit() const { return m_shown.split; }
    /// True while the current run's results or a cell's cases are being read.
    bool isLoading() const;

    /// Lists the cases of one confusion-matrix cell of the current run (what a click does); the
    /// list arrives when read. False when there is no such cell.
    bool showCell(int trueClass, int predictedClass);

    // Run management without dialogs (the buttons ask for the values, then call these). Each
    // returns false and reports through errorOccurred() when the study refuses.
    bool renameRun(qint64 runId, const QString &name);
    bool setRunTags(qint64 runId, const QStringList &tags);
    bool setRunNotes(qint64 runId, const QString &notes);
    /// Deletes runs after a confirmation (answered yes when not interactive).
    bool deleteRuns(const QList<qint64> &runIds);

    /// Predicts (and explains) a split ("test", "val", "train"; empty: every case) of a dataset
    /// (0: the run's) with a run's best model on a device ("auto", "cpu", "cuda"), in the
    /// background. False when it cannot start (no study, another prediction running).
    bool startPrediction(qint64 runId, const QString &split, bool explain, qint64 datasetId = 0,
        const QString &device = QStringLiteral("auto"));
    bool isPredicting() const;
    void cancelPrediction();
    /// Waits for a prediction in progress to end (tests, closing); true when none runs.
    bool waitForPrediction(int milliseconds);

Q_SIGNALS:
    /// A case was double-clicked (or chosen with Enter) in a confusion-matrix cell's list.
    void caseActivated(qint64 caseId, qint64 runId);
    /// Runs were renamed, tagged, annotated, deleted or predicted.
    void runsChanged();
    void errorOccurred(const QString &message);
    /// For the status bar: a short line and a percentage (-1: unknown).
    void progressChanged(const QString &text, int percent);
    void predictionStarted(qint64 runId);
    void predictionFinished(qint64 runId, bool ok, const QString &message);

private:
    std::vector<lepton::RunSummary> selectedRuns() const;
    void onSelectionChanged();
    void refreshComparison();
    void refreshResults();
    /// The Cross-validation tab: the aggregate of the group the current run is a fold of.
    void refreshCrossValidation();
    void updateActions();
    bool changeRun(const std::function<lepton::Status(lepton::ExperimentService &)> &change);
    bool confirm(const QString &title, const QString &question);
    void fail(const QString &message);
    void onPredictionProgress(qint64 done, qint64 total, const QString &stage);
    void onPredictionFinished(bool ok, bool cancelled, const QString &message);

    // Interactive front ends of the actions: they ask for values, then call the methods above.
    void renameInteractively();
    void editTagsInteractively();
    void editNotesInteractively();
    void predictInteractively();
    /// Takes the confusion pane's offer: predicts and explains the shown split of the shown run.
    void predictShownSplit();

    std::shared_ptr<lepton::Study> m_study;
    bool m_interactive = true;
    QString m_reviewer;
    qint64 m_panelRun = -1; ///< the run whose results were last asked for
    lepton::SplitResults m_shown; ///< what the run panel shows (runId 0: nothing)

    RunListPane *m_runs;
    RunComparisonPane *m_comparison;
    RunResultsPane *m_results;
    LatestRead *m_resultsRead;
    LatestRead *m_cellRead;

    BackgroundTask *m_task;
    qint64 m_predictingRun = 0;
    std::shared_ptr<lepton::PredictSummary> m_summary; ///< written by the prediction's thread
    // The cell clicked while the run had no predictions, listed once the offered prediction has ended.
    struct PendingCell
    {
        qint64 runId = 0;
        QString split;
        int trueClass = -1, predictedClass = -1;
    };
    PendingCell m_offerCell; ///< the cell that showed the offer
    PendingCell m_pendingCell; ///< the cell to list when the results after the prediction arrive
};
