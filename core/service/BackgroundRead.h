// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Study.h"
#include "util/Result.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThreadPool>

#include <exception>
#include <functional>
#include <memory>

namespace lepton {

/// Runs `work` on a pool thread and hands its result to `done` on `context`'s thread. When
/// `context` is destroyed first, `done` is never called (the work still finishes). Exceptions
/// from `work` become a failure.
template <typename T>
void runInBackground(QObject *context, std::function<Result<T>()> work, std::function<void(const Result<T> &)> done)
{
    using R = Result<T>;
    auto promise = std::make_shared<QPromise<std::shared_ptr<R>>>();
    auto *watcher = new QFutureWatcher<std::shared_ptr<R>>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, done = std::move(done)] {
        const std::shared_ptr<R> result = watcher->future().resultCount() > 0 ? watcher->result() : nullptr;
        watcher->deleteLater();
        done(result ? *result : R::failure(QObject::tr("The work in the background ended without a result.")));
    });
    watcher->setFuture(promise->future());
    promise->start();
    QThreadPool::globalInstance()->start([work = std::move(work), promise] {
        std::shared_ptr<R> result;
        try {
            result = std::make_shared<R>(work());
        } catch (const std::exception &e) {
            result = std::make_shared<R>(
                R::failure(QObject::tr("Unexpected error: %1").arg(QString::fromLocal8Bit(e.what()))));
        }
        promise->addResult(std::move(result));
        promise->finish();
    });
}

/// Runs a read of the study on a pool thread, so a view's event loop never waits for SQLite:
/// `work` gets the study (its own connection on that thread, closed afterwards) and returns a
/// Result; `done` receives it on `context`'s thread. When `context` is destroyed first, `done`
/// is never called (the read still finishes; the study stays open until then).
///
/// Reads only: writes go through the services that own them, on the thread that owns the change.
template <typename T>
void readInBackground(std::shared_ptr<Study> study, QObject *context, std::function<Result<T>(Study &)> work,
    std::function<void(const Result<T> &)> done)
{
    runInBackground<T>(
        context,
        [study = std::move(study), work = std::move(work)]() -> Result<T> {
            if (!study)
                return Result<T>::failure(QObject::tr("No study is open."));
            struct CloseConnection
            {
                // A pool thread serves many reads: its connection is not kept between them.
                ~CloseConnection() { Study::closeThreadConnections(); }
            } closing;
            return work(*study);
        },
        std::move(done));
}

} // namespace lepton
