// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Study.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>

/// Reads of the study off the GUI thread where only the latest request counts: starting a read
/// supersedes the ones before it (their cancel callback turns true and their results are
/// dropped), so a view that asks again while a slow read runs shows only the newest answer.
///
/// The work runs on a thread of this object's own pool with that thread's connection to the
/// study (closed when the work ends); `done` runs on the owner's thread and takes the result. The destructor
/// supersedes everything and waits for running reads, so no read outlives its view.
class LatestRead : public QObject
{
    Q_OBJECT
public:
    explicit LatestRead(QObject *parent = nullptr);
    ~LatestRead() override;

    template <typename T>
    void start(std::shared_ptr<lepton::Study> study,
        std::function<lepton::Result<T>(lepton::Study &, const lepton::CancelFn &)> work,
        std::function<void(lepton::Result<T>)> done);

    /// Drops the pending read's result (and asks it to stop).
    void supersede();
    /// True from start() until its result was delivered (or it was superseded).
    bool isBusy() const { return m_busy; }

Q_SIGNALS:
    /// After `done` of the latest read ran.
    void delivered();

private:
    int next();
    void deliver(int generation, const std::function<void()> &done);
    void run(std::function<void()> job) { m_pool.start(std::move(job)); }

    std::shared_ptr<std::atomic_int> m_latest;
    bool m_busy = false;
    QThreadPool m_pool;
};

template <typename T>
void LatestRead::start(std::shared_ptr<lepton::Study> study,
    std::function<lepton::Result<T>(lepton::Study &, const lepton::CancelFn &)> work,
    std::function<void(lepton::Result<T>)> done)
{
    const int generation = next();
    m_busy = true;
    std::shared_ptr<std::atomic_int> latest = m_latest;
    run([this, study = std::move(study), work = std::move(work), done = std::move(done), generation, latest] {
        const lepton::CancelFn superseded = [latest, generation] { return latest->load() != generation; };
        auto result
            = std::make_shared<lepton::Result<T>>(superseded() ? lepton::Result<T>::failure(QStringLiteral("cancelled"))
                    : study                                    ? work(*study, superseded)
                            : lepton::Result<T>::failure(QStringLiteral("No study is open.")));
        // A pool thread serves many reads: its connection is not kept between them.
        lepton::Study::closeThreadConnections();
        if (!superseded())
            deliver(generation, [done, result] { done(std::move(*result)); });
    });
}
