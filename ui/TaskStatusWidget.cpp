// SPDX-License-Identifier: GPL-3.0-or-later
#include "TaskStatusWidget.h"

#include "BackgroundTask.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

TaskStatusWidget::TaskStatusWidget(BackgroundTask *task, QWidget *parent)
    : QWidget(parent), m_label(new QLabel(this)), m_bar(new QProgressBar(this)), m_cancel(new QToolButton(this))
{
    setObjectName(QStringLiteral("taskStatus"));
    m_bar->setObjectName(QStringLiteral("taskProgress"));
    m_cancel->setObjectName(QStringLiteral("taskCancel"));
    m_bar->setMaximumWidth(220);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Cancel the background work"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    setVisible(false);

    connect(task, &BackgroundTask::progress, this, &TaskStatusWidget::onProgress);
    connect(task, &BackgroundTask::started, this, [this](const QString &title) {
        m_label->setText(title);
        m_bar->setRange(0, 0);
        setVisible(true);
    });
    connect(task, &BackgroundTask::finished, this, [this] { setVisible(false); });
    connect(m_cancel, &QToolButton::clicked, task, &BackgroundTask::cancel);
}

void TaskStatusWidget::onProgress(qint64 done, qint64 total, const QString &stage)
{
    const int percent = total > 0 ? static_cast<int>(100 * done / total) : -1;
    if (percent < 0) {
        m_bar->setRange(0, 0);
    } else {
        m_bar->setRange(0, 100);
        m_bar->setValue(percent);
    }
    m_label->setText(stage);
    Q_EMIT progressChanged(stage, percent);
}
