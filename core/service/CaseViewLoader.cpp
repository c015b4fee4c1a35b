// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseViewLoader.h"

#include "service/CaseViewService.h"
#include "store/Study.h"

#include <exception>

namespace lepton {

CaseViewLoader::CaseViewLoader(QObject *parent) : QObject(parent)
{
    // One case at a time: a newer request waits for the current read rather than competing with it.
    m_pool.setMaxThreadCount(1);
}

CaseViewLoader::~CaseViewLoader()
{
    cancel();
    m_pool.waitForDone();
}

quint64 CaseViewLoader::request(std::shared_ptr<Study> study, const CaseViewRequest &request)
{
    const quint64 ticket = ++m_latest;
    m_pool.clear(); // older requests not yet started are dropped unread
    m_pending = true;
    if (!study) {
        QMetaObject::invokeMethod(
            this,
            [this, ticket] {
                if (ticket != m_latest.load())
                    return;
                m_pending = false;
                Q_EMIT failed(ticket, tr("No study is open."));
            },
            Qt::QueuedConnection);
        return ticket;
    }
    m_pool.start([this, ticket, study = std::move(study), request] {
        if (ticket != m_latest.load())
            return; // superseded before it started
        Result<CaseView> result = Result<CaseView>::failure(QString());
        try {
            result = CaseViewService(*study).load(request);
        } catch (const std::exception &e) {
            result = Result<CaseView>::failure(
                tr("Case %1 could not be read: %2").arg(request.caseId).arg(QString::fromLocal8Bit(e.what())));
        }
        Study::closeThreadConnections();
        // Delivered on the loader's thread; dropped there when a newer request came meanwhile, and
        // by Qt when the loader is gone.
        QMetaObject::invokeMethod(
            this,
            [this, ticket, result = std::move(result)] {
                if (ticket != m_latest.load())
                    return;
                m_pending = false;
                if (result)
                    Q_EMIT loaded(ticket, result.value());
                else
                    Q_EMIT failed(ticket, result.error());
            },
            Qt::QueuedConnection);
    });
    return ticket;
}

void CaseViewLoader::cancel()
{
    ++m_latest;
    m_pool.clear();
    m_pending = false;
}

bool CaseViewLoader::waitForDone(int milliseconds)
{
    return m_pool.waitForDone(milliseconds);
}

} // namespace lepton
