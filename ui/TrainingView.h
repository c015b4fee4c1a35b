// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "train/Trainer.h"

#include <QElapsedTimer>
#include <QVector>
#include <QWidget>

class LossPlot;
class TrainingForm;
class TrainingSession;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace lepton {
class StudySession;
struct TrainingCurves;
} // namespace lepton

/// The Training view: the form (TrainingForm) with Start / Cancel / Resume driving the core
/// trainer on a worker thread (TrainingSession), the live loss plot, a metrics table per epoch,
/// progress with samples/s and ETA, a log, and the study's runs (the session's shared run list;
/// selecting one shows its stored curves, read in the background).
///
/// Widgets carry object names for tests and scripts: the form's (see TrainingForm), lossPlot,
/// epochTable, runsTable, logView, progressBar, progressLabel.
class TrainingView : public QWidget
{
    Q_OBJECT
public:
    /// The view trains in `session`'s study and lists its runs and datasets.
    explicit TrainingView(lepton::StudySession *session, QWidget *parent = nullptr);
    ~TrainingView() override;

    /// Chooses a dataset in the form (after an import, or when the Data view shows another).
    void selectDataset(qint64 datasetId);
    /// Shows the selected run's stored curves again (another program trains in the study).
    void refreshSelectedRun();
    /// Offers the study's image encoders (imported or pretrained) in the form.
    void refreshEncoders();
    /// Validates the form and starts a run; false (with errorOccurred) when it cannot start.
    bool startTraining();
    /// Continues the run selected in the runs table (cancelled, interrupted or failed).
    bool resumeSelectedRun();
    void cancelTraining();
    bool isRunning() const;
    /// Cancels a run in progress and waits until it has stopped and is recorded (closing).
    void cancelAndWait();
    /// Shows a stored run's curves and epoch table (only its completed epochs, when asked). The
    /// study is read in the background; runShown() follows.
    void showRun(qint64 runId, bool completedOnly = false);
    /// The form, for the window's menu actions and scripts.
    TrainingForm *form() const { return m_form; }
    TrainingSession *session() const { return m_session; }

Q_SIGNALS:
    void errorOccurred(const QString &message);
    /// Every finished epoch of the run in progress (0-based).
    void epochFinished(int epoch);
    void runStarted(qint64 runId);
    /// A run ended (completed, cancelled or failed), or could not start (runId 0).
    void runFinished(qint64 runId, const QString &status);
    /// A stored run's curves are shown (after showRun() or selecting a run).
    void runShown(qint64 runId);
    void busyChanged(bool running);
    /// For the status bar: a short line and a percentage (-1: unknown).
    void progressChanged(const QString &text, int percent);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void onStudyChanged();
    void onSteps(const QVector<lepton::StepInfo> &steps);
    void onEpoch(const lepton::EpochInfo &epoch);
    void onFinished(bool ok, const lepton::TrainOutcome &outcome, const QString &message);
    /// Draws a stored run read by showRun(); then what a resumed run sent meanwhile.
    void drawRun(const lepton::TrainingCurves &curves);
    /// Draws what a resumed run reported while its history was read.
    void releaseHeldReports();
    /// Resets progress for a run; a resumed run keeps the curves it continues.
    void beginRun(int epochs, bool resuming);
    void updateState();
    qint64 selectedRunId() const;
    void selectRun(qint64 runId);
    void appendLog(const QString &line);
    void addEpochRow(int epoch, double trainLoss, double valLoss, double valAuroc, double valAccuracy,
        double valSensitivity, double valSpecificity, double valF1, double seconds, bool best);
    double metricValue(double auroc, double accuracy, double f1) const;
    void fail(const QString &message);

    lepton::StudySession *m_studySession;
    TrainingSession *m_session;
    TrainingForm *m_form;
    LossPlot *m_plot;
    QStandardItemModel *m_epochs;
    QTableView *m_epochView;
    QSortFilterProxyModel *m_runs;
    QTableView *m_runsView;
    QPlainTextEdit *m_log;
    QProgressBar *m_progress;
    QLabel *m_progressText;

    // Progress of the run in progress.
    int m_runEpochs = 0;
    QElapsedTimer m_runClock;
    qint64 m_stepsDone = 0;
    qint64 m_stepsTotal = 0;
    qint64 m_stepsAtStart = -1;

    // A stored run being read: later reads replace earlier ones; a resumed run's first reports
    // wait for its history.
    int m_readGeneration = 0;
    bool m_awaitingHistory = false;
    QVector<lepton::StepInfo> m_heldSteps;
    QVector<lepton::EpochInfo> m_heldEpochs;
};
