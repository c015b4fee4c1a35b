// SPDX-License-Identifier: GPL-3.0-or-later
#include "BackgroundTask.h"

#include "store/Study.h"

#include <QThread>
#include <QTimer>

#include <exception>

BackgroundTask::BackgroundTask(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(100);
    connect(m_timer, &QTimer::timeout, this, &BackgroundTask::drainProgress);
}

BackgroundTask::~BackgroundTask()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

bool BackgroundTask::start(const QString &title, Work work)
{
    if (isRunning())
        return false;
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_title = title;
    m_cancel = false;
    m_status = lepton::Status();
    {
        QMutexLocker lock(&m_mutex);
        m_done = m_total = 0;
        m_stage.clear();
        m_fresh = false;
    }
    lepton::ProgressFn progress = [this](qint64 done, qint64 total, const QString &stage) {
        QMutexLocker lock(&m_mutex);
        m_done = done;
        m_total = total;
        m_stage = stage;
        m_fresh = true;
    };
    lepton::CancelFn cancelled = [this] { return m_cancel.load(); };
    m_active = true;
    const int generation = ++m_generation;
    m_thread = QThread::create([this, work = std::move(work), progress, cancelled] {
        // Errors are turned into messages at the core's boundary; this is the last net for the
        // unexpected, so that a failed task reports instead of taking the window down.
        try {
            m_status = work(progress, cancelled);
        } catch (const std::exception &e) {
            m_status = lepton::Status::failure(
                tr("%1 failed unexpectedly: %2").arg(m_title, QString::fromLocal8Bit(e.what())));
        } catch (...) {
            m_status = lepton::Status::failure(tr("%1 failed unexpectedly").arg(m_title));
        }
        lepton::Study::closeThreadConnections();
    });
    // A queued end of an earlier start() must not end this one.
    connect(m_thread, &QThread::finished, this, [this, generation] {
        if (generation == m_generation)
            onThreadFinished();
    });
    m_thread->start();
    m_timer->start();
    Q_EMIT started(title);
    return true;
}

void BackgroundTask::cancel()
{
    m_cancel = true;
}

bool BackgroundTask::isRunning() const
{
    return m_active;
}

bool BackgroundTask::wait(int milliseconds)
{
    return !m_thread || m_thread->wait(QDeadlineTimer(milliseconds));
}

void BackgroundTask::drainProgress()
{
    qint64 done, total;
    QString stage;
    {
        QMutexLocker lock(&m_mutex);
        if (!m_fresh)
            return;
        m_fresh = false;
        done = m_done;
        total = m_total;
        stage = m_stage;
    }
    Q_EMIT progress(done, total, stage);
}

void BackgroundTask::onThreadFinished()
{
    if (!m_active)
        return;
    m_active = false;
    m_timer->stop();
    drainProgress();
    const bool cancelled = m_cancel.load();
    const bool ok = m_status.ok();
    QString message = m_status.error();
    if (!ok && cancelled && message.isEmpty())
        message = tr("%1 was cancelled").arg(m_title);
    Q_EMIT finished(ok, cancelled && !ok, message);
}
