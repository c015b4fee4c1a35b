// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QObject>

class MainWindow;
class QAction;
class QMenu;

/// The workbench window's menus (File, Edit, View, Training, Tools, Help) and its toolbar. Each
/// action calls the window's public functions; update() enables them for the window's state.
class WorkbenchMenus : public QObject
{
    Q_OBJECT
public:
    /// Builds the menus and the toolbar into `window`.
    explicit WorkbenchMenus(MainWindow *window);

    /// Enables what the state allows: a study is open, it can be written, a run trains.
    void update(bool open, bool writable, bool training);
    /// Training ▸ Template Editor…: enabled for a run with stored predictions; else disabled
    /// with `why` as its tooltip.
    void setTemplateEditorAvailable(bool available, const QString &why);
    QAction *templateEditorAction() const { return m_templateAction; }
    /// Lists the recent studies under File ▸ Open Recent.
    void setRecentStudies(const QStringList &paths);

Q_SIGNALS:
    void recentChosen(const QString &path);
    void clearRecentRequested();

private:
    MainWindow *m_window;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_studyActions; // enabled only with a study open
    QAction *m_startAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_resumeAction = nullptr;
    QAction *m_templateAction = nullptr; // Training ▸ Template Editor…
    QAction *m_pretrainAction = nullptr; // Training ▸ Pretrain Encoder…
};
