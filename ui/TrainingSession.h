// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "train/Trainer.h"

#include <QMutex>
#include <QObject>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QThread;
class QTimer;

namespace lepton {
class Study;
}

/// Drives the core trainer (the same one `lepton train` uses) on a worker thread for the
/// workbench. The trainer's callbacks only queue what they report; a timer on the GUI thread
/// drains the queue every 50 ms and emits it in batches, so the GUI thread gets a few signals
/// a second however fast the steps come, and the training thread never waits for the GUI.
///
/// cancel() asks the trainer to stop at its next step; the run is then recorded `cancelled` with
/// its last checkpoint. The destructor cancels and waits.
class TrainingSession : public QObject
{
    Q_OBJECT
public:
    explicit TrainingSession(QObject *parent = nullptr);
    ~TrainingSession() override;

    /// Starts a new run; false (nothing started) while one runs.
    bool start(
        std::shared_ptr<lepton::Study> study, qint64 datasetId, const lepton::TrainConfig &config, const QString &name);
    /// Continues a cancelled, interrupted or failed run from its last checkpoint.
    bool resume(std::shared_ptr<lepton::Study> study, qint64 runId);
    void cancel();
    bool isRunning() const;
    bool isCancelling() const { return m_cancel.load(); }
    /// Blocks until the worker has ended and its last reports are delivered (close, tests).
    bool wait(int milliseconds);
    qint64 runId() const { return m_runId; }

Q_SIGNALS:
    void runStarted(qint64 runId);
    void stepsArrived(const QVector<lepton::StepInfo> &steps);
    void epochFinished(const lepton::EpochInfo &epoch);
    void statusChanged(const QString &status);
    void logLines(const QStringList &lines);
    /// The end: ok with the outcome (status completed, cancelled or failed), or a message when
    /// the run could not start or failed.
    void finished(bool ok, const lepton::TrainOutcome &outcome, const QString &message);

private:
    bool launch(std::shared_ptr<lepton::Study> study,
        std::function<lepton::Result<lepton::TrainOutcome>(lepton::Study &, const lepton::TrainCallbacks &)> work);
    void drain();
    void onThreadFinished();

    QThread *m_thread = nullptr;
    QTimer *m_timer;
    std::atomic_bool m_cancel { false };
    std::shared_ptr<lepton::Study> m_study;
    qint64 m_runId = 0;
    int m_generation = 0; ///< which launch() a queued thread end belongs to
    std::optional<lepton::Result<lepton::TrainOutcome>> m_result;

    QMutex m_mutex; // guards the queues below, filled by the training thread
    QVector<lepton::StepInfo> m_steps;
    QVector<lepton::EpochInfo> m_epochs;
    QStringList m_log;
    QStringList m_statuses;
    qint64 m_startedRun = 0;
};

Q_DECLARE_METATYPE(lepton::StepInfo)
Q_DECLARE_METATYPE(lepton::EpochInfo)
Q_DECLARE_METATYPE(lepton::TrainOutcome)
