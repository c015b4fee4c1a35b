// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrainingSession.h"

#include "store/Study.h"

#include <QThread>
#include <QTimer>

#include <exception>

using lepton::Result;
using lepton::TrainOutcome;

TrainingSession::TrainingSession(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    qRegisterMetaType<lepton::StepInfo>();
    qRegisterMetaType<lepton::EpochInfo>();
    qRegisterMetaType<lepton::TrainOutcome>();
    m_timer->setInterval(50);
    connect(m_timer, &QTimer::timeout, this, &TrainingSession::drain);
}

TrainingSession::~TrainingSession()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

bool TrainingSession::start(
    std::shared_ptr<lepton::Study> study, qint64 datasetId, const lepton::TrainConfig &config, const QString &name)
{
    return launch(std::move(study), [datasetId, config, name](lepton::Study &s, const lepton::TrainCallbacks &cb) {
        return lepton::Trainer::train(s, datasetId, config, cb, name);
    });
}

bool TrainingSession::resume(std::shared_ptr<lepton::Study> study, qint64 runId)
{
    return launch(std::move(study),
        [runId](lepton::Study &s, const lepton::TrainCallbacks &cb) { return lepton::Trainer::resume(s, runId, cb); });
}

bool TrainingSession::launch(std::shared_ptr<lepton::Study> study,
    std::function<Result<TrainOutcome>(lepton::Study &, const lepton::TrainCallbacks &)> work)
{
    if (isRunning() || !study)
        return false;
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_study = std::move(study);
    m_cancel = false;
    m_runId = 0;
    m_result.reset();
    {
        QMutexLocker lock(&m_mutex);
        m_steps.clear();
        m_epochs.clear();
        m_log.clear();
        m_statuses.clear();
        m_startedRun = 0;
    }
    lepton::TrainCallbacks cb;
    cb.step = [this](const lepton::StepInfo &s) {
        QMutexLocker lock(&m_mutex);
        m_steps.append(s);
    };
    cb.epoch = [this](const lepton::EpochInfo &e) {
        QMutexLocker lock(&m_mutex);
        m_epochs.append(e);
    };
    cb.log = [this](const QString &line) {
        QMutexLocker lock(&m_mutex);
        m_log.append(line);
    };
    cb.status = [this](lepton::RunStatus runStatus) {
        const QString status = lepton::runStatusName(runStatus);
        QMutexLocker lock(&m_mutex);
        m_statuses.append(status);
    };
    cb.runStarted = [this](qint64 id) {
        QMutexLocker lock(&m_mutex);
        m_startedRun = id;
    };
    cb.cancelled = [this] { return m_cancel.load(); };
    lepton::Study *target = m_study.get(); // kept alive by m_study until the end is delivered
    m_thread = QThread::create([this, target, work = std::move(work), cb] {
        try {
            m_result = work(*target, cb);
        } catch (const std::exception &e) {
            m_result = Result<TrainOutcome>::failure(
                tr("training stopped unexpectedly: %1").arg(QString::fromLocal8Bit(e.what())));
        }
        // The trainer's connection belongs to this thread: closed here, not at the thread's exit.
        lepton::Study::closeThreadConnections();
    });
    m_thread->setObjectName(QStringLiteral("training"));
    const int generation = ++m_generation;
    // A queued end of an earlier launch() (delivered late after wait()) must not end this one.
    connect(m_thread, &QThread::finished, this, [this, generation] {
        if (generation == m_generation)
            onThreadFinished();
    });
    m_thread->start();
    m_timer->start();
    return true;
}

void TrainingSession::cancel()
{
    m_cancel = true;
}

bool TrainingSession::isRunning() const
{
    // Running until the GUI thread has received the end (the timer stops there).
    return m_timer->isActive();
}

bool TrainingSession::wait(int milliseconds)
{
    if (!m_thread)
        return true;
    if (!m_thread->wait(QDeadlineTimer(milliseconds)))
        return false;
    // Deliver what the worker left and the end, as the event loop would.
    if (m_timer->isActive())
        onThreadFinished();
    return true;
}

void TrainingSession::drain()
{
    QVector<lepton::StepInfo> steps;
    QVector<lepton::EpochInfo> epochs;
    QStringList log, statuses;
    qint64 started = 0;
    {
        QMutexLocker lock(&m_mutex);
        steps.swap(m_steps);
        epochs.swap(m_epochs);
        log.swap(m_log);
        statuses.swap(m_statuses);
        std::swap(started, m_startedRun);
    }
    if (started) {
        m_runId = started;
        Q_EMIT runStarted(started);
    }
    if (!log.isEmpty())
        Q_EMIT logLines(log);
    for (const QString &s : statuses)
        Q_EMIT statusChanged(s);
    // Steps of an epoch come before that epoch's end; epochs are few, steps are batched.
    if (!steps.isEmpty())
        Q_EMIT stepsArrived(steps);
    for (const lepton::EpochInfo &e : epochs)
        Q_EMIT epochFinished(e);
}

void TrainingSession::onThreadFinished()
{
    if (!m_timer->isActive())
        return; // delivered already (wait() got there first)
    m_timer->stop();
    drain();
    const Result<TrainOutcome> result
        = m_result.value_or(Result<TrainOutcome>::failure(tr("training ended without an outcome")));
    // Closing a study must release its file: nothing here holds it after the end.
    m_study.reset();
    if (result)
        Q_EMIT finished(true, result.value(), result->message);
    else
        Q_EMIT finished(false, TrainOutcome {}, result.error());
}
