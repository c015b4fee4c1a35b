// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/CaseView.h"

#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace lepton {

class Study;

/// Loads case views (CaseViewService::load) off the calling thread, newest request first: a
/// request supersedes every older one, whose result is never delivered (a request still queued
/// is dropped unread). Results arrive on the loader's thread as loaded() or failed().
///
/// The work holds its own reference to the study, so closing the study while a case loads is
/// safe; the destructor waits for the work in progress (one case at most).
class CaseViewLoader : public QObject
{
    Q_OBJECT
public:
    explicit CaseViewLoader(QObject *parent = nullptr);
    ~CaseViewLoader() override;

    /// Starts loading the case; returns the request's ticket (increasing). A null study fails at once.
    quint64 request(std::shared_ptr<Study> study, const CaseViewRequest &request);
    /// Forgets every request: nothing more is delivered until the next one.
    void cancel();
    /// True from a request until its result is delivered (or it is superseded or cancelled).
    bool isLoading() const { return m_pending; }
    quint64 latestTicket() const { return m_latest.load(); }
    /// Waits until the work in progress has ended (its result may still be on its way): for tests
    /// and shutdown.
    bool waitForDone(int milliseconds = -1);

Q_SIGNALS:
    void loaded(quint64 ticket, const lepton::CaseView &view);
    void failed(quint64 ticket, const QString &message);

private:
    QThreadPool m_pool;
    std::atomic<quint64> m_latest { 0 };
    bool m_pending = false;
};

} // namespace lepton
