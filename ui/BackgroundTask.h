// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Progress.h"
#include "util/Result.h"

#include <QMutex>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>

class QThread;
class QTimer;

/// Runs one piece of long work (import, demo data, prediction) on its own thread. The work gets
/// the core's progress and cancel callbacks; progress reaches the GUI thread batched by a timer
/// (never one queued signal per item), and the end arrives as one finished() signal.
///
/// The owner may cancel at any time; the destructor cancels and waits, so a task never outlives
/// the objects its work refers to.
class BackgroundTask : public QObject
{
    Q_OBJECT
public:
    using Work = std::function<lepton::Status(const lepton::ProgressFn &, const lepton::CancelFn &)>;

    explicit BackgroundTask(QObject *parent = nullptr);
    ~BackgroundTask() override;

    /// Starts `work` on a new thread; false (and nothing started) while another work runs.
    bool start(const QString &title, Work work);
    /// Asks the work to stop at its next cancel check; finished() follows with cancelled = true.
    void cancel();
    bool isRunning() const;
    bool isCancelled() const { return m_cancel.load(); }
    QString title() const { return m_title; }
    /// Waits for the work to end (for tests and shutdown); true when it has ended.
    bool wait(int milliseconds);

Q_SIGNALS:
    void started(const QString &title);
    /// At most ten times a second while the work reports progress.
    void progress(qint64 done, qint64 total, const QString &stage);
    /// ok: the work succeeded; otherwise `message` says why (cancelled: the user asked to stop).
    void finished(bool ok, bool cancelled, const QString &message);

private:
    void drainProgress();
    void onThreadFinished();

    QThread *m_thread = nullptr;
    QTimer *m_timer;
    QString m_title;
    std::atomic_bool m_cancel { false };
    bool m_active = false; ///< from start() until finished() is emitted
    int m_generation = 0; ///< which start() a queued thread end belongs to
    lepton::Status m_status;

    mutable QMutex m_mutex; // guards the latest progress below
    qint64 m_done = 0, m_total = 0;
    QString m_stage;
    bool m_fresh = false;
};
