// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class BackgroundTask;
class DataView;
class ExperimentsView;
class ImportDialog;
class InspectorView;
class PretrainDialog;
class ReviewView;
class StartPage;
class TemplateEditorDialog;
class TrainingView;
class WorkbenchMenus;
class QLabel;
class QListWidget;
class QStackedWidget;

namespace lepton {
class Study;
class StudySession;
} // namespace lepton

/// The workbench window: a start page while no study is open; with a study, a navigation
/// between the views (Data, Training, Experiments, Inspector, Review), menus and a toolbar, and
/// a status bar with the progress of background work. The open study, its recent list and the
/// following of other writers belong to a StudySession that the window and its views share; a
/// manifest, a folder or a study dropped on the window is imported or opened.
///
/// Errors are shown in a message box that does not block (and in the status bar and
/// errorShown()); questions (cancel a run to close?) are modal QMessageBox questions.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum View { DataPage, TrainingPage, ExperimentsPage, InspectorPage, ReviewPage };

    /// A window on `session` (null: a session of its own). The session must outlive the window.
    explicit MainWindow(lepton::StudySession *session = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a study for writing; a study whose file or folder cannot be written is offered
    /// read-only. `readOnly`: open it read-only from the start (nothing can be changed). On
    /// failure the message is shown and the current study stays open.
    lepton::Status openStudy(const QString &path, bool readOnly = false);
    /// Creates an empty study at `path` (refused when the file exists) and opens it.
    lepton::Status newStudy(const QString &path);
    /// Closes the study; asks first while a run trains (false: the user kept it open).
    bool closeStudy();
    QString studyPath() const;
    lepton::StudySession *session() const { return m_session; }

    /// Generates the demo data and imports it into `demoFolder()/demo-DOMAIN.lepton` in the
    /// background, then opens it (an existing demo study is opened at once).
    lepton::Status createDemoStudy(const QString &domain, int cases);
    void setDemoFolder(const QString &folder) { m_demoFolder = folder; }
    QString demoFolder() const { return m_demoFolder; }

    /// Opens the import dialog (prefilled when paths are given) for the open study.
    ImportDialog *showImportDialog(const QString &manifest = QString(), const QString &events = QString());
    ImportDialog *importDialog() const;
    /// What a drop does with a path: a study is opened; a CSV or a folder with a manifest is
    /// imported (into the open study, or a new one beside it).
    lepton::Status handleDroppedPath(const QString &path);

    void showView(View view);
    View currentView() const;

    /// Off for scripted runs (screenshots): errors go to the status bar, errorShown() and
    /// lastError() only, without a message box. Questions are always asked.
    void setInteractive(bool on);
    /// The last error shown to the user.
    QString lastError() const { return m_lastError; }

    DataView *dataView() const { return m_data; }
    TrainingView *trainingView() const { return m_training; }
    ExperimentsView *experimentsView() const { return m_experiments; }
    InspectorView *inspectorView() const { return m_inspector; }
    ReviewView *reviewView() const { return m_review; }
    /// Asks for a study file and opens it (read-only when asked).
    void chooseStudy(bool readOnly);
    /// Asks for a new study's file, creates it and opens the import dialog.
    void chooseNewStudy();
    /// Creates the demo study chosen on the start page (domain and cases).
    void createChosenDemoStudy();
    /// Checks the study's audit chain and says the result (a failure when it is broken).
    lepton::Status verifyAuditLog();
    /// Opens a case in the Inspector (from any view).
    void inspectCase(qint64 runId, qint64 caseId);

    // The template editor (Training ▸ Template Editor…).
    /// The run the template editor opens for: the shown view's current run (Inspector, Review),
    /// else the Experiments view's; 0: none.
    qint64 templateEditorRun() const;
    /// Opens the template editor for `runId` (0: templateEditorRun()); null when no run with
    /// stored predictions is chosen (the reason is shown).
    TemplateEditorDialog *showTemplateEditor(qint64 runId = 0);
    TemplateEditorDialog *templateEditor() const;
    /// Training ▸ Pretrain Encoder…: the dialog, shown; null (the reason shown) without a study.
    PretrainDialog *showPretrainDialog();
    /// Enables Template Editor… when the current run has stored predictions.
    void updateTemplateEditorAction();

Q_SIGNALS:
    void errorShown(const QString &message);
    void studyOpened(const QString &path);
    void studyClosed();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void connectViews();
    /// Shows a failure (when it is one) and passes it on.
    lepton::Status report(lepton::Status status);
    void showError(const QString &message);
    void noteError(const QString &message);
    bool confirm(const QString &title, const QString &question);
    /// Asks to stop a training run or background task in progress; true when none is left.
    bool stopWorkFor(const QString &what);
    void onStudyChanged();
    void updateActions();
    /// Another window or program wrote to the study: the shown view re-reads what it shows, the
    /// others when they are shown next.
    void onExternalChange();
    void reloadStaleView();

    lepton::StudySession *m_session;
    bool m_trainingStale = false;
    bool m_experimentsStale = false;
    bool m_inspectorStale = false; ///< another process may have predicted or explained the shown case
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
    QPointer<TemplateEditorDialog> m_templateEditor;
    QLabel *m_summary;
    WorkbenchMenus *m_menus = nullptr;
    QString m_demoFolder;
    bool m_interactive = true;
    QString m_lastError;
};
