// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "train/TrainConfig.h"

#include <QElapsedTimer>
#include <QWidget>

#include <memory>

class LossPlot;
class TrainingSession;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;
class QTimer;

namespace lepton {
class Study;
struct StepInfo;
struct EpochInfo;
struct TrainOutcome;
} // namespace lepton

/// The Training view: a form for a run (with presets and validation before start), Start /
/// Cancel / Resume driving the core trainer on a worker thread, the live loss plot, a metrics
/// table per epoch, progress with samples/s and ETA, a log, and the study's runs (selecting one
/// shows its stored curves).
///
/// A probe timer measures the longest the GUI thread went without serving events while a run
/// trains (worstGuiGapMs()); the run's log reports it.
class TrainingView : public QWidget
{
    Q_OBJECT
public:
    explicit TrainingView(QWidget *parent = nullptr);
    ~TrainingView() override;

    /// The study to train in (null: none). Refused while a run trains.
    void setStudy(std::shared_ptr<lepton::Study> study);
    /// Re-reads datasets and runs (after an import); selects `datasetId` when given.
    void reload(qint64 datasetId = 0);
    /// Re-reads the study's runs and the selected run's stored curves (another program trains).
    void refreshFromStudy();
    /// Off in tests: errors are not shown as modal dialogs.
    void setInteractive(bool on) { m_interactive = on; }

    /// The form's settings as a config; an empty `problem` when they are valid, else what is
    /// wrong and with which field.
    lepton::TrainConfig configFromForm(QString *problem) const;
    /// Validates the form and starts a run; false (with errorOccurred) when it cannot start.
    bool startTraining();
    /// Continues the run selected in the runs table (cancelled, interrupted or failed).
    bool resumeSelectedRun();
    void cancelTraining();
    bool isRunning() const;
    /// Cancels a run in progress and waits until it has stopped and is recorded (closing).
    void cancelAndWait();
    void applyPreset(int index);
    /// Shows a stored run's curves and epoch table (only its completed epochs, when asked).
    void showRun(qint64 runId, bool completedOnly = false);
    /// The longest time (ms) the GUI thread did not serve its event loop during the last run.
    double worstGuiGapMs() const { return m_worstGap; }

    LossPlot *lossPlot() const { return m_plot; }
    QStandardItemModel *epochModel() const { return m_epochs; }
    QTableView *epochTable() const { return m_epochView; }
    QStandardItemModel *runsModel() const { return m_runs; }
    QTableView *runsView() const { return m_runsView; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *resumeButton() const { return m_resume; }
    QComboBox *datasetBox() const { return m_dataset; }
    QComboBox *presetBox() const { return m_preset; }
    QComboBox *variantBox() const { return m_variant; }
    QComboBox *deviceBox() const { return m_device; }
    QComboBox *templateBox() const { return m_template; }
    QComboBox *metricBox() const { return m_metric; }
    QSpinBox *epochsBox() const { return m_epochsBox; }
    QSpinBox *batchBox() const { return m_batch; }
    QSpinBox *imageSizeBox() const { return m_imageSize; }
    QSpinBox *seedBox() const { return m_seed; }
    QSpinBox *threadsBox() const { return m_threads; }
    QDoubleSpinBox *learningRateBox() const { return m_lr; }
    QCheckBox *augmentBox() const { return m_augment; }
    QLineEdit *nameEdit() const { return m_name; }
    QLabel *problemLabel() const { return m_problem; }
    QLabel *deviceLabel() const { return m_deviceInfo; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *progressLabel() const { return m_progressText; }
    QPlainTextEdit *logView() const { return m_log; }
    TrainingSession *session() const { return m_session; }

Q_SIGNALS:
    void errorOccurred(const QString &message);
    /// Every finished epoch of the run in progress (0-based).
    void epochFinished(int epoch);
    void runStarted(qint64 runId);
    /// A run ended (completed, cancelled or failed), or could not start (runId 0).
    void runFinished(qint64 runId, const QString &status);
    void busyChanged(bool running);
    /// For the status bar: a short line and a percentage (-1: unknown).
    void progressChanged(const QString &text, int percent);

private:
    QWidget *buildForm();
    void fillTemplates();
    void onSteps(const QVector<lepton::StepInfo> &steps);
    void onEpoch(const lepton::EpochInfo &epoch);
    void onFinished(bool ok, const lepton::TrainOutcome &outcome, const QString &message);
    /// Resets progress and the probe for a run; a resumed run keeps the curves it continues.
    void beginRun(int epochs, bool resuming);
    void setRunning(bool running);
    void reloadRuns();
    void updateResumeButton();
    void appendLog(const QString &line);
    void addEpochRow(int epoch, double trainLoss, double valLoss, double valAuroc, double valAccuracy,
        double valSensitivity, double valSpecificity, double valF1, double seconds, bool best);
    double metricValue(double auroc, double accuracy, double f1) const;
    void fail(const QString &message);
    void markCustom();

    std::shared_ptr<lepton::Study> m_study;
    TrainingSession *m_session;
    bool m_interactive = true;
    bool m_applyingPreset = false;

    QComboBox *m_dataset;
    QComboBox *m_preset;
    QLineEdit *m_name;
    QComboBox *m_variant;
    QSpinBox *m_epochsBox;
    QSpinBox *m_batch;
    QDoubleSpinBox *m_lr;
    QSpinBox *m_imageSize;
    QCheckBox *m_augment;
    QSpinBox *m_seed;
    QComboBox *m_template;
    QComboBox *m_device;
    QLabel *m_deviceInfo;
    QSpinBox *m_threads;
    QComboBox *m_metric;
    QLabel *m_problem;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QPushButton *m_resume;

    LossPlot *m_plot;
    QStandardItemModel *m_epochs;
    QTableView *m_epochView;
    QStandardItemModel *m_runs;
    QTableView *m_runsView;
    QPlainTextEdit *m_log;
    QProgressBar *m_progress;
    QLabel *m_progressText;

    // Progress of the run in progress.
    int m_runEpochs = 0;
    int m_lastEpoch = -1;
    QElapsedTimer m_runClock;
    qint64 m_stepsDone = 0;
    qint64 m_stepsTotal = 0;
    qint64 m_stepsAtStart = -1;

    // The GUI-thread stall probe.
    QTimer *m_probe;
    QElapsedTimer m_probeClock;
    double m_worstGap = 0.0;
};
