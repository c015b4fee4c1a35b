// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>
#include <QPointer>

#include <memory>

class BackgroundTask;
class DataView;
class ExperimentsView;
class ImportDialog;
class InspectorView;
class ReviewView;
class StartPage;
class TrainingView;
class QLabel;
class QListWidget;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QTimer;
class QToolButton;

namespace lepton {
class Study;
}

/// The workbench window: a start page while no study is open; with a study, a navigation
/// between the views (Data, Training, Experiments, Inspector, Review), menus and a toolbar, and
/// a status bar with the progress of background work. Studies are opened, created and
/// remembered (recent list); a manifest, a folder or a study dropped on the window is imported
/// or opened. Errors are dialogs (or, with interactive off, only lastError() and errorShown()).
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum View { DataPage, TrainingPage, ExperimentsPage, InspectorPage, ReviewPage };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a study; on failure shows why and keeps the current one.
    /// Opens a study for writing; a study whose file or folder cannot be written is offered
    /// read-only. `readOnly`: open it read-only from the start (nothing can be changed).
    bool openStudy(const QString &path, bool readOnly = false);
    /// Creates an empty study at `path` (refused when the file exists) and opens it.
    bool newStudy(const QString &path);
    /// Closes the study; asks first while a run trains (false: the user kept it open).
    bool closeStudy();
    QString studyPath() const;
    std::shared_ptr<lepton::Study> study() const { return m_study; }

    /// Generates the demo data and imports it into `demoFolder()/demo-DOMAIN.lepton` in the
    /// background, then opens it (an existing demo study is opened at once).
    bool createDemoStudy(const QString &domain, int cases);
    void setDemoFolder(const QString &folder) { m_demoFolder = folder; }
    QString demoFolder() const { return m_demoFolder; }

    /// Opens the import dialog (prefilled when paths are given) for the open study.
    ImportDialog *showImportDialog(const QString &manifest = QString(), const QString &events = QString());
    ImportDialog *importDialog() const;
    /// What a drop does with a path: a study is opened; a CSV or a folder with a manifest is
    /// imported (into the open study, or a new one beside it).
    bool handleDroppedPath(const QString &path);

    void showView(View view);
    View currentView() const;

    /// Off in tests: errors are not shown as modal dialogs and questions get `answer`.
    void setInteractive(bool on, bool answer = true);
    QString lastError() const { return m_lastError; }
    QStringList recentStudies() const;

    StartPage *startPage() const { return m_start; }
    DataView *dataView() const { return m_data; }
    TrainingView *trainingView() const { return m_training; }
    ExperimentsView *experimentsView() const { return m_experiments; }
    InspectorView *inspectorView() const { return m_inspector; }
    ReviewView *reviewView() const { return m_review; }
    /// Checks the study's audit chain and says the result (a dialog, or errorShown when broken).
    bool verifyAuditLog();
    /// Opens a case in the Inspector (from any view).
    void inspectCase(qint64 runId, qint64 caseId);
    QListWidget *navigation() const { return m_nav; }
    BackgroundTask *backgroundTask() const { return m_task; }
    QProgressBar *taskProgress() const { return m_taskBar; }
    QAction *importAction() const { return m_importAction; }

Q_SIGNALS:
    void errorShown(const QString &message);
    void studyOpened(const QString &path);
    void studyClosed();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    void showError(const QString &message);
    bool confirm(const QString &title, const QString &question);
    /// Asks to stop a training run or background task in progress; true when none is left.
    bool stopWorkFor(const QString &what);
    void chooseStudy();
    void chooseNewStudy();
    void setStudy(std::shared_ptr<lepton::Study> study);
    void addRecent(const QString &path);
    void refreshRecentMenu();
    void onTaskProgress(qint64 done, qint64 total, const QString &stage);
    void updateActions();
    /// Every 2 s: when another window or program has written to the study (its data_version
    /// changed) and this window is not writing itself, the Training and Experiments views re-read
    /// their runs, and the dataset lists take in datasets imported elsewhere (now if shown, else
    /// when shown next).
    void checkExternalChanges();
    void reloadStaleView();

    std::shared_ptr<lepton::Study> m_study;
    QTimer *m_watch;
    qint64 m_dataVersion = -1;
    bool m_trainingStale = false;
    bool m_experimentsStale = false;
    bool m_dataStale = false;
    QStackedWidget *m_pages; // start page | workspace
    StartPage *m_start;
    QWidget *m_workspace;
    QListWidget *m_nav;
    QStackedWidget *m_views;
    DataView *m_data;
    TrainingView *m_training;
    ExperimentsView *m_experiments;
    InspectorView *m_inspector;
    ReviewView *m_review;
    BackgroundTask *m_task;
    QPointer<ImportDialog> m_import;
    QLabel *m_summary;
    QLabel *m_taskLabel;
    QProgressBar *m_taskBar;
    QToolButton *m_taskCancel;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_studyActions; // enabled only with a study open
    QAction *m_startAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_resumeAction = nullptr;
    QString m_demoFolder;
    bool m_interactive = true;
    bool m_answer = true;
    QString m_lastError;
};
