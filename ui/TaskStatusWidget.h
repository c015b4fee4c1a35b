// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class BackgroundTask;
class QLabel;
class QProgressBar;
class QToolButton;

/// The status bar's part for background work (demo study, import): what runs, its progress and
/// a Cancel button, shown only while `task` works.
class TaskStatusWidget : public QWidget
{
    Q_OBJECT
public:
    explicit TaskStatusWidget(BackgroundTask *task, QWidget *parent = nullptr);

Q_SIGNALS:
    /// The progress as the task reported it (-1 percent: unknown), for a second display.
    void progressChanged(const QString &stage, int percent);

private:
    void onProgress(qint64 done, qint64 total, const QString &stage);

    QLabel *m_label;
    QProgressBar *m_bar;
    QToolButton *m_cancel;
};
