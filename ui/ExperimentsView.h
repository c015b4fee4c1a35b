// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <memory>

class BackgroundTask;
class QAction;
class ConfusionMatrixView;
class CurvePlot;
class RunCurvesPlot;
class RunTableModel;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QStandardItemModel;
class QTabWidget;
class QTableView;

namespace lepton {
class RunRepository;
class Status;
class Study;
struct PredictSummary;
} // namespace lepton

/// The Experiments view: the study's runs in a sortable, filterable table, and for the runs
/// selected there their per-epoch curves laid over each other, their metrics side by side and the
/// settings in which they differ. For the current run (the table's current row) on the test
/// split (or val, when the run has no test evaluation): the confusion matrix, whose cells list
/// their cases from the run's stored predictions; ROC and precision-recall curves (of every
/// selected run, the current one drawn on top); and a reliability diagram of the calibrated
/// probability of the positive class.
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
    /// has no evaluation on it. Empty without a current run.
    QString shownSplit() const { return m_shownSplit; }

    /// Lists the cases of one confusion-matrix cell of the current run (what a click does).
    /// False when there is no such cell.
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

    /// The settings of a JSON object as dotted keys (model.width) and display values; arrays and
    /// nested arrays stay compact JSON.
    static QMap<QString, QString> flattenConfig(const QJsonObject &object, const QString &prefix = QString());

    QTableView *runTable() const { return m_runView; }
    RunTableModel *runModel() const { return m_runs; }
    QSortFilterProxyModel *runProxy() const { return m_proxy; }
    QLineEdit *filterEdit() const { return m_filter; }
    RunCurvesPlot *curvesPlot() const { return m_curves; }
    QTableView *metricsTable() const { return m_metricsView; }
    QStandardItemModel *metricsModel() const { return m_metrics; }
    QTableView *diffTable() const { return m_diffView; }
    QStandardItemModel *diffModel() const { return m_diff; }
    QCheckBox *onlyDifferencesBox() const { return m_onlyDifferences; }
    QLabel *diffSummaryLabel() const { return m_diffSummary; }
    ConfusionMatrixView *confusionMatrix() const { return m_matrix; }
    QLabel *matrixCaption() const { return m_matrixCaption; }
    QTableView *caseTable() const { return m_caseView; }
    QStandardItemModel *caseModel() const { return m_cases; }
    /// Says why no cases are listed (no predictions yet, no cell chosen, an empty cell).
    QLabel *caseMessageLabel() const { return m_caseMessage; }
    /// True when the case table (not the message) is shown.
    bool caseTableShown() const;
    CurvePlot *rocPlot() const { return m_roc; }
    CurvePlot *prPlot() const { return m_pr; }
    CurvePlot *calibrationPlot() const { return m_calibration; }
    QLabel *calibrationCaption() const { return m_calibrationCaption; }
    QComboBox *splitBox() const { return m_split; }
    QTabWidget *compareTabs() const { return m_compareTabs; }
    QTabWidget *runTabs() const { return m_runTabs; }
    QLabel *runTitle() const { return m_runTitle; }
    QPushButton *renameButton() const { return m_renameButton; }
    QPushButton *tagsButton() const { return m_tagsButton; }
    QPushButton *notesButton() const { return m_notesButton; }
    QPushButton *deleteButton() const { return m_deleteButton; }
    QPushButton *predictButton() const { return m_predictButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *progressLabel() const { return m_progressText; }
    BackgroundTask *predictionTask() const { return m_task; }

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
    /// Applies a change to the runs (it writes its own audit entry), then refreshes; false with a message.
    bool changeRun(const std::function<lepton::Status(lepton::RunRepository &)> &change);
    /// What the panels need to know about a run beyond its record.
    struct RunInfo
    {
        qint64 id = 0;
        qint64 datasetId = 0;
        QString name;
        QString label; ///< "#3 name", for legends and column headers
        QStringList classes;
        QString positiveClass;
        int bestEpoch = -1;
        double seconds = 0.0;
        QJsonObject train; ///< config "train"
    };

    QWidget *buildToolbar();
    QWidget *buildComparePane();
    QWidget *buildRunPane();
    void onSelectionChanged();
    void refreshComparison();
    void refreshRunPanel();
    void refreshCurves(const QList<RunInfo> &runs);
    void refreshMetrics(const QList<RunInfo> &runs);
    void refreshDiff(const QList<RunInfo> &runs);
    void refreshRocPr(const QList<RunInfo> &runs, const RunInfo &current);
    void refreshCalibration(const RunInfo &current);
    void showCaseMessage(const QString &message);
    void updateActions();
    bool runInfo(qint64 runId, RunInfo *info) const;
    QList<RunInfo> selectedRuns() const;
    bool confirm(const QString &title, const QString &question);
    void fail(const QString &message);
    void onPredictionProgress(qint64 done, qint64 total, const QString &stage);
    void onPredictionFinished(bool ok, bool cancelled, const QString &message);

    // Interactive front ends of the actions: they ask for values, then call the methods above.
    void renameInteractively();
    void editTagsInteractively();
    void editNotesInteractively();
    void deleteInteractively();
    void predictInteractively();

    std::shared_ptr<lepton::Study> m_study;
    bool m_interactive = true;
    QString m_reviewer;
    QString m_shownSplit;
    qint64 m_panelRun = -1; ///< the run the run panel was last filled for
    bool m_restoring = false; ///< selection changes by the view itself wait for one refresh

    RunTableModel *m_runs;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_runView;
    QLineEdit *m_filter;
    QPushButton *m_renameButton;
    QPushButton *m_tagsButton;
    QPushButton *m_notesButton;
    QPushButton *m_deleteButton;
    QPushButton *m_predictButton;
    QPushButton *m_refreshButton;
    QAction *m_renameAction = nullptr;
    QAction *m_tagsAction = nullptr;
    QAction *m_notesAction = nullptr;
    QAction *m_predictAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QWidget *m_progressRow;
    QProgressBar *m_progress;
    QLabel *m_progressText;
    QPushButton *m_cancelButton;

    QTabWidget *m_compareTabs;
    RunCurvesPlot *m_curves;
    QStandardItemModel *m_metrics;
    QTableView *m_metricsView;
    QStandardItemModel *m_diff;
    QTableView *m_diffView;
    QCheckBox *m_onlyDifferences;
    QLabel *m_diffSummary;

    QLabel *m_runTitle;
    QComboBox *m_split;
    QTabWidget *m_runTabs;
    ConfusionMatrixView *m_matrix;
    QLabel *m_matrixCaption;
    QStackedWidget *m_caseStack;
    QLabel *m_caseMessage;
    QStandardItemModel *m_cases;
    QTableView *m_caseView;
    CurvePlot *m_roc;
    CurvePlot *m_pr;
    CurvePlot *m_calibration;
    QLabel *m_calibrationCaption;

    BackgroundTask *m_task;
    qint64 m_predictingRun = 0;
    QString m_predictingSplit;
    std::shared_ptr<lepton::PredictSummary> m_summary; ///< written by the prediction's thread
};
