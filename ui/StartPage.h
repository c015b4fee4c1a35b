// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

/// What the workbench shows with no study open: create the demo study (generated and imported
/// in the background), open or create a study, or pick a recent one. Object names: demoButton,
/// domainBox, casesBox, openButton, newButton, recentList.
class StartPage : public QWidget
{
    Q_OBJECT
public:
    explicit StartPage(QWidget *parent = nullptr);

    void setRecentStudies(const QStringList &paths);
    /// While the demo study is being made: the buttons wait, the bar shows progress.
    void setBusy(bool busy, const QString &stage = QString(), int percent = -1);

    /// The demo the user chose: its domain ("medical", "finance") and number of cases.
    QString demoDomain() const;
    int demoCases() const;

Q_SIGNALS:
    void createDemoRequested(const QString &domain, int cases);
    void openRequested();
    void newRequested();
    void recentChosen(const QString &path);

private:
    QPushButton *m_demo;
    QPushButton *m_open;
    QPushButton *m_new;
    QComboBox *m_domain;
    QSpinBox *m_cases;
    QListWidget *m_recent;
    QProgressBar *m_progress;
    QLabel *m_stage;
};
