// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "BackgroundTask.h"
#include "DataView.h"
#include "ExperimentsView.h"
#include "ImportDialog.h"
#include "InspectorView.h"
#include "PretrainDialog.h"
#include "ReviewView.h"
#include "RunListPane.h"
#include "StartPage.h"
#include "TaskStatusWidget.h"
#include "TemplateEditorDialog.h"
#include "TrainingView.h"
#include "WorkbenchMenus.h"

#include "service/DatasetListModel.h"
#include "service/StudyImport.h"
#include "service/StudySession.h"
#include "service/TemplateEditorService.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>

using lepton::Status;

MainWindow::MainWindow(lepton::StudySession *session, QWidget *parent)
    : QMainWindow(parent),
      m_session(session ? session : new lepton::StudySession(this)),
      m_pages(new QStackedWidget(this)),
      m_start(new StartPage(this)),
      m_workspace(new QWidget(this)),
      m_nav(new QListWidget(this)),
      m_views(new QStackedWidget(this)),
      m_data(new DataView(m_session, this)),
      m_training(new TrainingView(m_session, this)),
      m_experiments(new ExperimentsView(this)),
      m_inspector(new InspectorView(this)),
      m_review(new ReviewView(this)),
      m_task(new BackgroundTask(this)),
      m_summary(new QLabel(this))
{
    setWindowTitle(tr("Lepton Workbench"));
    setAcceptDrops(true);
    m_demoFolder = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                       .filePath(QStringLiteral("Lepton Demo"));
    m_start->setObjectName(QStringLiteral("startPage"));
    m_nav->setObjectName(QStringLiteral("navigation"));
    m_task->setObjectName(QStringLiteral("backgroundTask"));

    // Navigation between the views, on the left as in most workbenches.
    const struct
    {
        QString name;
        QString tip;
    } views[] = {
        { tr("Data"), tr("Cases, images, records and histories (Ctrl+1)") },
        { tr("Training"), tr("Train a model with live curves (Ctrl+2)") },
        { tr("Experiments"), tr("Compare runs (Ctrl+3)") },
        { tr("Inspector"), tr("Why the model decided as it did (Ctrl+4)") },
        { tr("Review"), tr("Accept or override case decisions (Ctrl+5)") },
    };
    for (const auto &v : views) {
        auto *item = new QListWidgetItem(v.name, m_nav);
        item->setToolTip(v.tip);
        item->setSizeHint(QSize(120, 36));
    }
    m_nav->setFixedWidth(130);
    m_nav->setFrameShape(QFrame::NoFrame);
    QFont navFont = m_nav->font();
    navFont.setPointSizeF(navFont.pointSizeF() * 1.1);
    m_nav->setFont(navFont);
    for (QWidget *view : std::initializer_list<QWidget *> { m_data, m_training, m_experiments, m_inspector, m_review })
        m_views->addWidget(view);
    auto *workLayout = new QHBoxLayout(m_workspace);
    workLayout->setContentsMargins(0, 0, 0, 0);
    workLayout->setSpacing(0);
    workLayout->addWidget(m_nav);
    workLayout->addWidget(m_views, 1);
    m_pages->addWidget(m_start);
    m_pages->addWidget(m_workspace);
    setCentralWidget(m_pages);

    // Status bar: messages left; background work and the case summary right.
    auto *taskStatus = new TaskStatusWidget(m_task, this);
    statusBar()->addPermanentWidget(m_summary);
    statusBar()->addPermanentWidget(taskStatus);
    connect(taskStatus, &TaskStatusWidget::progressChanged, this, [this](const QString &stage, int percent) {
        if (m_pages->currentWidget() == m_start)
            m_start->setBusy(true, stage, percent);
    });

    m_menus = new WorkbenchMenus(this);
    // openStudy() shows its own failures: nothing more to do with them here and below.
    connect(m_menus, &WorkbenchMenus::recentChosen, this, [this](const QString &path) { (void)openStudy(path); });
    connect(m_menus, &WorkbenchMenus::clearRecentRequested, m_session, &lepton::StudySession::clearRecent);
    connectViews();

    // The session: this window's own writes (training, import, demo) are not another writer's.
    m_session->setOwnWorkCheck(
        [this] { return m_training->isRunning() || m_task->isRunning() || (m_import && m_import->isRunning()); });
    connect(m_session, &lepton::StudySession::studyOpened, this, [this](const QString &path) {
        onStudyChanged();
        Q_EMIT studyOpened(path);
    });
    connect(m_session, &lepton::StudySession::studyClosed, this, [this] {
        onStudyChanged();
        Q_EMIT studyClosed();
    });
    connect(m_session, &lepton::StudySession::externalChange, this, &MainWindow::onExternalChange);
    connect(m_session, &lepton::StudySession::errorOccurred, this, &MainWindow::noteError);
    connect(m_session, &lepton::StudySession::recentChanged, this, [this](const QStringList &recent) {
        m_menus->setRecentStudies(recent);
        m_start->setRecentStudies(recent);
    });

    QSettings settings;
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1280, 800);
    m_menus->setRecentStudies(m_session->recentStudies());
    onStudyChanged();
}

MainWindow::~MainWindow()
{
    // The session may outlive the window: it must not ask a window that has gone.
    m_session->setOwnWorkCheck({});
}

void MainWindow::connectViews()
{
    connect(m_nav, &QListWidget::currentRowChanged, m_views, &QStackedWidget::setCurrentIndex);
    connect(m_nav, &QListWidget::currentRowChanged, this, &MainWindow::reloadStaleView);
    connect(m_start, &StartPage::createDemoRequested, this, &MainWindow::createDemoStudy);
    connect(m_start, &StartPage::openRequested, this, [this] { chooseStudy(false); });
    connect(m_start, &StartPage::newRequested, this, &MainWindow::chooseNewStudy);
    connect(m_start, &StartPage::recentChosen, this, [this](const QString &path) { (void)openStudy(path); });
    connect(m_data, &DataView::errorOccurred, this, &MainWindow::showError);
    connect(m_data, &DataView::summaryChanged, m_summary, &QLabel::setText);
    connect(m_data, &DataView::caseActivated, this, [this](qint64 caseId) {
        auto runs = m_session->runsWithPrediction(caseId);
        if (!runs || runs->empty()) {
            showError(tr("No run has predicted this case yet: predict its split first (Experiments ▸ Predict and "
                         "explain), then open it again."));
            return;
        }
        inspectCase(runs->front(), caseId);
    });
    connect(m_data, &DataView::datasetChanged, m_training, &TrainingView::selectDataset);
    connect(m_training, &TrainingView::errorOccurred, this, &MainWindow::showError);
    connect(m_training, &TrainingView::progressChanged, this,
        [this](const QString &text, int) { statusBar()->showMessage(text); });
    connect(m_training, &TrainingView::busyChanged, this, &MainWindow::updateActions);
    connect(m_training, &TrainingView::runFinished, this, [this] {
        m_experiments->reload();
        m_inspector->reload();
        m_review->reload();
    });
    connect(m_experiments, &ExperimentsView::caseActivated, this,
        [this](qint64 caseId, qint64 runId) { inspectCase(runId, caseId); });
    connect(m_experiments, &ExperimentsView::runsChanged, this, [this] {
        if (const Status s = m_session->refreshRuns(); !s)
            noteError(s.error());
        m_inspector->reload();
        m_review->reload();
    });
    connect(m_experiments, &ExperimentsView::predictionFinished, this, [this](qint64 runId) {
        m_inspector->reload();
        // Also after a failure or cancel: explanations finished before it are kept and should show.
        m_inspector->refreshCase(runId);
        m_review->reload();
    });
    connect(m_experiments, &ExperimentsView::progressChanged, this,
        [this](const QString &text, int) { statusBar()->showMessage(text, 5000); });
    // These views show their own dialogs; the window only notes their errors.
    connect(m_experiments, &ExperimentsView::errorOccurred, this, &MainWindow::noteError);
    connect(m_inspector, &InspectorView::errorOccurred, this, &MainWindow::noteError);
    connect(m_review, &ReviewView::errorOccurred, this, &MainWindow::noteError);
    connect(m_task, &BackgroundTask::finished, this, &MainWindow::updateActions);

    // The template editor follows the current run of the shown view.
    connect(m_nav, &QListWidget::currentRowChanged, this, &MainWindow::updateTemplateEditorAction);
    if (auto *runs = m_experiments->findChild<RunListPane *>())
        connect(runs, &RunListPane::currentRunChanged, this, &MainWindow::updateTemplateEditorAction);
    connect(m_experiments, &ExperimentsView::predictionFinished, this, &MainWindow::updateTemplateEditorAction);
}

void MainWindow::updateActions()
{
    const bool open = m_session->isOpen();
    m_menus->update(open, open && !m_session->isReadOnly(), m_training->isRunning());
    m_nav->setEnabled(open);
    updateTemplateEditorAction();
}

Status MainWindow::report(Status status)
{
    if (!status)
        showError(status.error());
    return status;
}

void MainWindow::noteError(const QString &message)
{
    m_lastError = message;
    statusBar()->showMessage(message, 10000);
    Q_EMIT errorShown(message);
}

void MainWindow::showError(const QString &message)
{
    noteError(message);
    if (!m_interactive)
        return;
    // Window-modal but not blocking: the work that failed is not held up by the message.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Lepton Workbench"), message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

bool MainWindow::confirm(const QString &title, const QString &question)
{
    return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
        == QMessageBox::Yes;
}

bool MainWindow::stopWorkFor(const QString &what)
{
    if (m_training->isRunning()) {
        if (!confirm(tr("Training in progress"),
                tr("A training run is in progress. Cancel it and %1?\n\nThe run is kept in the study as "
                   "cancelled, with the checkpoint of its last complete epoch; it can be resumed.")
                    .arg(what)))
            return false;
        m_training->cancelAndWait();
    }
    if (m_task->isRunning()) {
        if (!confirm(tr("Work in progress"), tr("%1 is still running. Cancel it and %2?").arg(m_task->title(), what)))
            return false;
        m_task->cancel();
        m_task->wait(-1);
    }
    if (m_experiments->isPredicting()) {
        if (!confirm(tr("Prediction in progress"),
                tr("Cases are being predicted and explained. Cancel it and %1? What is explained so far is kept.")
                    .arg(what)))
            return false;
        m_experiments->cancelPrediction();
        m_experiments->waitForPrediction(-1);
    }
    if (m_import && m_import->isRunning()) {
        if (!confirm(tr("Import in progress"), tr("An import is running. Cancel it and %1?").arg(what)))
            return false;
        m_import->cancelImport();
    }
    return true;
}

void MainWindow::createChosenDemoStudy()
{
    (void)createDemoStudy(m_start->demoDomain(), m_start->demoCases());
}

void MainWindow::chooseStudy(bool readOnly)
{
    const QString path = QFileDialog::getOpenFileName(this, readOnly ? tr("Open Study Read-Only") : tr("Open Study"),
        QString(), tr("Lepton studies (*.lepton);;All files (*)"));
    if (!path.isEmpty())
        (void)openStudy(path, readOnly); // a failure is shown
}

void MainWindow::chooseNewStudy()
{
    QString path = QFileDialog::getSaveFileName(
        this, tr("New Study"), QStringLiteral("study.lepton"), tr("Lepton studies (*.lepton)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(".lepton")))
        path += QStringLiteral(".lepton");
    if (newStudy(path))
        showImportDialog();
}

Status MainWindow::newStudy(const QString &path)
{
    if (QFileInfo::exists(path))
        return report(
            Status::failure(tr("%1 exists already; open it with File ▸ Open, or choose another name.").arg(path)));
    if (!stopWorkFor(tr("create a new study")))
        return Status::failure(tr("The work in progress was kept; no study was created."));
    delete m_import; // it belongs to the study it imports into
    if (const Status s = m_session->create(path); !s)
        return report(s);
    statusBar()->showMessage(tr("New study %1: import data with File ▸ Import Data (Ctrl+I) or drop a manifest here.")
                                 .arg(QFileInfo(path).fileName()));
    return {};
}

Status MainWindow::openStudy(const QString &path, bool readOnly)
{
    if (!QFileInfo::exists(path))
        return report(
            Status::failure(tr("%1 does not exist (moved or deleted?). Choose it again with File ▸ Open.").arg(path)));
    if (m_session->isOpen() && !stopWorkFor(tr("open another study")))
        return Status::failure(tr("The work in progress was kept; %1 was not opened.").arg(path));
    // The import dialog belongs to the study it imports into: it goes with it (its destructor
    // cancels a running import and waits, so nothing lands in the study being closed later).
    delete m_import;
    Status opened = m_session->open(path, readOnly);
    if (!opened && !readOnly && lepton::StudySession::cannotBeWritten(path)
        && confirm(tr("Open Read-Only"),
            tr("%1 cannot be written (the file or its folder is read-only).\n\nOpen it read-only? You can look "
               "at everything, but not import, train, review or change runs.")
                .arg(path))) {
        readOnly = true;
        opened = m_session->open(path, true);
    }
    if (!opened)
        return report(opened);
    statusBar()->clearMessage();
    if (readOnly)
        statusBar()->showMessage(tr("Opened read-only: nothing in the study can be changed."));
    else if (m_session->datasets()->rowCount() == 0)
        statusBar()->showMessage(tr("The study has no dataset yet: import one with File ▸ Import Data (Ctrl+I)."));
    return {};
}

bool MainWindow::closeStudy()
{
    if (!m_session->isOpen())
        return true;
    if (!stopWorkFor(tr("close the study")))
        return false;
    delete m_import;
    m_session->close();
    return true;
}

void MainWindow::onStudyChanged()
{
    const std::shared_ptr<lepton::Study> study = m_session->study();
    m_experiments->setStudy(study);
    m_inspector->setStudy(study);
    m_review->setStudy(study);
    m_trainingStale = m_experimentsStale = m_inspectorStale = false;
    if (study) {
        setWindowTitle(study->isReadOnly()
                ? tr("%1 (read-only) — Lepton Workbench").arg(QFileInfo(study->path()).fileName())
                : tr("%1 — Lepton Workbench").arg(QFileInfo(study->path()).fileName()));
        m_pages->setCurrentWidget(m_workspace);
        if (m_nav->currentRow() < 0)
            showView(DataPage);
    } else {
        setWindowTitle(tr("Lepton Workbench"));
        m_start->setRecentStudies(m_session->recentStudies());
        m_pages->setCurrentWidget(m_start);
        m_summary->clear();
    }
    updateActions();
}

void MainWindow::onExternalChange()
{
    // The dataset and run lists are the session's: refreshed already. What each view read
    // itself is read again when it is shown.
    m_trainingStale = m_experimentsStale = m_inspectorStale = true;
    reloadStaleView();
}

void MainWindow::reloadStaleView()
{
    if (!m_session->isOpen())
        return;
    if (m_trainingStale && m_views->currentWidget() == m_training) {
        m_trainingStale = false;
        m_training->refreshSelectedRun();
    } else if (m_experimentsStale && m_views->currentWidget() == m_experiments) {
        m_experimentsStale = false;
        m_experiments->reload();
    } else if (m_inspectorStale && m_views->currentWidget() == m_inspector) {
        // `lepton predict` or `lepton explain` in another process: both panes are read again.
        m_inspectorStale = false;
        m_inspector->reload();
        m_inspector->refreshCase();
    }
}

QString MainWindow::studyPath() const
{
    return m_session->path();
}

void MainWindow::showView(View view)
{
    if (!m_session->isOpen())
        return;
    m_nav->setCurrentRow(int(view));
}

MainWindow::View MainWindow::currentView() const
{
    return View(std::max(0, m_views->currentIndex()));
}

Status MainWindow::createDemoStudy(const QString &domain, int cases)
{
    if (m_task->isRunning())
        return report(Status::failure(tr("%1 is still running; wait for it or cancel it first.").arg(m_task->title())));
    const QString folder = m_demoFolder;
    const QString studyFile = QDir(folder).filePath(QStringLiteral("demo-%1.lepton").arg(domain));
    if (QFileInfo::exists(studyFile)) {
        statusBar()->showMessage(tr("The demo study exists already: opening %1").arg(studyFile), 8000);
        return openStudy(studyFile);
    }
    if (!QDir().mkpath(folder))
        return report(Status::failure(
            tr("The folder %1 cannot be created; choose another demo folder or check its permissions.").arg(folder)));
    m_start->setBusy(true, tr("Generating the demo data…"));
    const bool started = m_task->start(tr("Creating the demo study"),
        [folder, studyFile, domain, cases](const lepton::ProgressFn &progress, const lepton::CancelFn &cancelled) {
            return lepton::StudyImport::createDemoStudy(folder, studyFile, domain, cases, progress, cancelled);
        });
    if (!started) {
        m_start->setBusy(false);
        return report(Status::failure(tr("The demo study could not be started: other work is running.")));
    }
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_task, &BackgroundTask::finished, this,
        [this, connection, studyFile](bool ok, bool cancelled, const QString &message) {
            disconnect(*connection);
            m_start->setBusy(false);
            if (ok && m_session->isOpen()) {
                // The user opened another study meanwhile: keep it, offer the demo in the list.
                m_session->addRecent(studyFile);
                statusBar()->showMessage(tr("The demo study is ready: %1 (File ▸ Open Recent)").arg(studyFile), 10000);
            } else if (ok) {
                if (openStudy(studyFile))
                    statusBar()->showMessage(tr("The demo study is ready: %1").arg(studyFile), 10000);
            } else if (cancelled) {
                statusBar()->showMessage(tr("Creating the demo study was cancelled; nothing was written."), 10000);
            } else {
                showError(tr("The demo study could not be created: %1").arg(message));
            }
        });
    return {};
}

ImportDialog *MainWindow::showImportDialog(const QString &manifest, const QString &events)
{
    if (!m_session->isOpen()) {
        showError(tr("Open or create a study first (File ▸ Open or File ▸ New Study); the data is imported into it."));
        return nullptr;
    }
    if (m_training->isRunning()) {
        showError(tr("A training run is writing to the study; import when it has finished (or cancel it)."));
        return nullptr;
    }
    if (m_import && m_import->isRunning()) {
        m_import->raise();
        return m_import;
    }
    delete m_import;
    m_import = new ImportDialog(m_session->study(), this);
    m_import->setAttribute(Qt::WA_DeleteOnClose, false);
    if (!manifest.isEmpty())
        m_import->setManifestPath(manifest);
    if (!events.isEmpty())
        m_import->setEventsPath(events);
    connect(m_import, &ImportDialog::imported, this, [this](qint64 datasetId) {
        if (const Status s = m_session->refreshDatasets(); !s)
            showError(s.error());
        m_data->selectDatasetId(datasetId);
        m_training->selectDataset(datasetId);
        showView(DataPage);
        statusBar()->showMessage(tr("Dataset %1 imported.").arg(datasetId), 10000);
    });
    m_import->open();
    return m_import;
}

void MainWindow::setInteractive(bool on)
{
    m_interactive = on;
    m_review->setInteractive(on);
    m_experiments->setInteractive(on);
}

Status MainWindow::verifyAuditLog()
{
    auto v = m_session->verifyAuditLog();
    if (!v)
        return report(Status::failure(v.error()));
    if (!v->ok)
        return report(Status::failure(
            tr("The audit log is broken at entry %1: %2\n\nThe study was changed outside the workbench after that "
               "entry was written; keep this file as evidence and restore the study from a backup.")
                .arg(v->firstBrokenId)
                .arg(v->reason)));
    const QString text = tr("The audit log is intact: %n entries, each chained to the one before.", "", v->entries);
    statusBar()->showMessage(text, 10000);
    if (m_interactive) {
        auto *box = new QMessageBox(QMessageBox::Information, tr("Audit log"), text, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    return {};
}

void MainWindow::inspectCase(qint64 runId, qint64 caseId)
{
    showView(InspectorPage);
    m_inspector->openCase(runId, caseId);
}

// --- The template editor ------------------------------------------------------------------------

qint64 MainWindow::templateEditorRun() const
{
    if (!m_session->isOpen())
        return 0;
    if (currentView() == InspectorPage && m_inspector->currentRun() > 0)
        return m_inspector->currentRun();
    if (currentView() == ReviewPage && m_review->currentRun() > 0)
        return m_review->currentRun();
    return m_experiments->currentRunId();
}

void MainWindow::updateTemplateEditorAction()
{
    if (!m_menus)
        return;
    const qint64 run = templateEditorRun();
    if (run <= 0) {
        m_menus->setTemplateEditorAvailable(false, tr("Select a run in the Experiments view first"));
        return;
    }
    auto predicted = lepton::TemplateEditorService::hasPredictions(*m_session->study(), run);
    m_menus->setTemplateEditorAvailable(predicted && predicted.value(),
        predicted ? tr("Run #%1 has no stored predictions: predict its validation split first (Experiments ▸ "
                       "Predict and explain)")
                        .arg(run)
                  : predicted.error());
}

TemplateEditorDialog *MainWindow::templateEditor() const
{
    return m_templateEditor;
}

TemplateEditorDialog *MainWindow::showTemplateEditor(qint64 runId)
{
    const qint64 run = runId > 0 ? runId : templateEditorRun();
    if (run <= 0 || !m_session->isOpen()) {
        showError(tr("Select a run with stored predictions first (Experiments view), then open the template editor."));
        return nullptr;
    }
    if (m_templateEditor && m_templateEditor->runId() == run) {
        m_templateEditor->raise();
        m_templateEditor->activateWindow();
        return m_templateEditor;
    }
    if (m_templateEditor)
        m_templateEditor->close();
    m_templateEditor = new TemplateEditorDialog(m_session->study(), run, m_experiments->actor(), this);
    m_templateEditor->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_templateEditor, &TemplateEditorDialog::applied, this, [this, run] {
        if (const Status s = m_session->refreshRuns(); !s)
            noteError(s.error());
        m_experiments->reload();
        m_inspector->reload();
        // The template decides: the shown decisions change with it.
        m_inspector->refreshCase(run);
        m_review->reload();
    });
    m_templateEditor->show();
    return m_templateEditor;
}

PretrainDialog *MainWindow::showPretrainDialog()
{
    if (!m_session->isOpen() || m_session->isReadOnly()) {
        showError(tr("Open a study you can write to first: the pretrained encoder is stored in it."));
        return nullptr;
    }
    auto datasets = lepton::DatasetRepository(*m_session->study()).datasets();
    if (!datasets) {
        showError(datasets.error());
        return nullptr;
    }
    auto *dialog = new PretrainDialog(m_session->study(), datasets.value(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PretrainDialog::encoderStored, m_training, &TrainingView::refreshEncoders);
    dialog->show();
    return dialog;
}

ImportDialog *MainWindow::importDialog() const
{
    return m_import;
}

Status MainWindow::handleDroppedPath(const QString &path)
{
    const QFileInfo info(path);
    if (info.isFile() && info.suffix().compare(QLatin1String("lepton"), Qt::CaseInsensitive) == 0)
        return openStudy(path);
    QString manifest, events;
    if (info.isDir()) {
        std::tie(manifest, events) = lepton::StudyImport::filesInFolder(path);
        if (manifest.isEmpty())
            return report(Status::failure(tr("%1 has no manifest: put a manifest.csv (one row per case) in the "
                                             "folder, or drop the manifest file itself.")
                                              .arg(path)));
    } else if (info.isFile() && info.suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0) {
        manifest = path;
        const QString sibling = info.dir().filePath(QStringLiteral("events.csv"));
        if (info.fileName() != QLatin1String("events.csv") && QFileInfo::exists(sibling))
            events = sibling;
    } else {
        return report(Status::failure(
            tr("%1 is neither a study (.lepton), a manifest (.csv) nor a folder with a manifest.").arg(path)));
    }
    if (!m_session->isOpen()) {
        // No study yet: one beside the manifest, named after it.
        const QFileInfo m(manifest);
        const QString studyFile = m.dir().filePath(m.dir().dirName() + QStringLiteral(".lepton"));
        if (!confirm(tr("Import into a new study"),
                tr("No study is open. Create %1 and import %2 into it?").arg(studyFile, m.fileName())))
            return Status::failure(tr("Nothing was imported: no study was created."));
        if (const Status s = QFileInfo::exists(studyFile) ? openStudy(studyFile) : newStudy(studyFile); !s)
            return s;
    }
    if (!showImportDialog(manifest, events))
        return Status::failure(m_lastError);
    return {};
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!event->mimeData()->hasUrls())
        return;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile()) {
            event->acceptProposedAction();
            return;
        }
}

void MainWindow::dropEvent(QDropEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile()) {
            event->acceptProposedAction();
            // Dialogs must not open inside the drop handler of the drag source's event loop.
            const QString path = url.toLocalFile();
            QMetaObject::invokeMethod(
                this, [this, path] { (void)handleDroppedPath(path); }, Qt::QueuedConnection);
            return;
        }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!stopWorkFor(tr("quit"))) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}
