// SPDX-License-Identifier: GPL-3.0-or-later
#include "LatestRead.h"

#include <QMetaObject>

LatestRead::LatestRead(QObject *parent) : QObject(parent), m_latest(std::make_shared<std::atomic_int>(0))
{
    // Two threads: one read runs while a superseded one winds down.
    m_pool.setMaxThreadCount(2);
}

LatestRead::~LatestRead()
{
    supersede();
    m_pool.clear();
    m_pool.waitForDone();
}

int LatestRead::next()
{
    return ++*m_latest;
}

void LatestRead::supersede()
{
    next();
    m_busy = false;
}

void LatestRead::deliver(int generation, const std::function<void()> &done)
{
    // Called on a pool thread; the owner's thread runs `done` when this is still the latest read.
    QMetaObject::invokeMethod(
        this,
        [this, generation, done] {
            if (m_latest->load() != generation)
                return;
            m_busy = false;
            done();
            Q_EMIT delivered();
        },
        Qt::QueuedConnection);
}
