// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "BackgroundTask.h"
#include "CasePanel.h"
#include "CaseTableModel.h"
#include "DataView.h"
#include "ExperimentsView.h"
#include "ImportDialog.h"
#include "InspectorView.h"
#include "ReviewView.h"
#include "StartPage.h"
#include "TrainingView.h"

#include "demo/DemoGenerator.h"
#include "data/Importer.h"
#include "store/AuditLog.h"
#include "store/DatasetRepository.h"
#include "store/ExplanationRepository.h"
#include "store/Study.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

namespace {
constexpr int kMaxRecent = 8;
const QString kRecentKey = QStringLiteral("studies/recent");

/// The manifest and events files of a dropped folder: manifest.csv (else the only other CSV)
/// and events.csv when present.
std::pair<QString, QString> manifestInFolder(const QString &folder)
{
    const QDir dir(folder);
    QString manifest, events;
    if (dir.exists(QStringLiteral("events.csv")))
        events = dir.filePath(QStringLiteral("events.csv"));
    if (dir.exists(QStringLiteral("manifest.csv")))
        return { dir.filePath(QStringLiteral("manifest.csv")), events };
    QStringList csvs = dir.entryList({ QStringLiteral("*.csv") }, QDir::Files);
    csvs.removeAll(QStringLiteral("events.csv"));
    if (csvs.size() == 1)
        manifest = dir.filePath(csvs.first());
    return { manifest, events };
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent),
      m_pages(new QStackedWidget(this)),
      m_start(new StartPage(this)),
      m_workspace(new QWidget(this)),
      m_nav(new QListWidget(this)),
      m_views(new QStackedWidget(this)),
      m_data(new DataView(this)),
      m_training(new TrainingView(this)),
      m_experiments(new ExperimentsView(this)),
      m_inspector(new InspectorView(this)),
      m_review(new ReviewView(this)),
      m_task(new BackgroundTask(this)),
      m_summary(new QLabel(this)),
      m_taskLabel(new QLabel(this)),
      m_taskBar(new QProgressBar(this)),
      m_taskCancel(new QToolButton(this)),
      m_watch(new QTimer(this))
{
    setWindowTitle(tr("Lepton Workbench"));
    setAcceptDrops(true);
    m_demoFolder = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                       .filePath(QStringLiteral("Lepton Demo"));

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
    m_views->addWidget(m_data);
    m_views->addWidget(m_training);
    m_views->addWidget(m_experiments);
    m_views->addWidget(m_inspector);
    m_views->addWidget(m_review);
    auto *workLayout = new QHBoxLayout(m_workspace);
    workLayout->setContentsMargins(0, 0, 0, 0);
    workLayout->setSpacing(0);
    workLayout->addWidget(m_nav);
    workLayout->addWidget(m_views, 1);
    m_pages->addWidget(m_start);
    m_pages->addWidget(m_workspace);
    setCentralWidget(m_pages);

    // Status bar: messages left; background work and the case summary right.
    m_taskBar->setMaximumWidth(220);
    m_taskBar->setVisible(false);
    m_taskLabel->setVisible(false);
    m_taskCancel->setText(tr("Cancel"));
    m_taskCancel->setToolTip(tr("Cancel the background work"));
    m_taskCancel->setVisible(false);
    statusBar()->addPermanentWidget(m_summary);
    statusBar()->addPermanentWidget(m_taskLabel);
    statusBar()->addPermanentWidget(m_taskBar);
    statusBar()->addPermanentWidget(m_taskCancel);

    buildMenus();

    connect(m_nav, &QListWidget::currentRowChanged, m_views, &QStackedWidget::setCurrentIndex);
    connect(m_nav, &QListWidget::currentRowChanged, this, &MainWindow::reloadStaleView);
    m_watch->setInterval(2000);
    connect(m_watch, &QTimer::timeout, this, &MainWindow::checkExternalChanges);
    connect(m_start, &StartPage::createDemoRequested, this, &MainWindow::createDemoStudy);
    connect(m_start, &StartPage::openRequested, this, &MainWindow::chooseStudy);
    connect(m_start, &StartPage::newRequested, this, &MainWindow::chooseNewStudy);
    connect(m_start, &StartPage::recentChosen, this, [this](const QString &path) { openStudy(path); });
    connect(m_data, &DataView::errorOccurred, this, &MainWindow::showError);
    connect(m_data, &DataView::summaryChanged, m_summary, &QLabel::setText);
    connect(m_data, &DataView::caseActivated, this, [this](qint64 caseId) {
        auto runs = lepton::ExplanationRepository(*m_study).runsWithPrediction(caseId);
        if (!runs || runs->empty()) {
            showError(tr("No run has predicted this case yet: predict its split first (Experiments ▸ Predict and "
                         "explain), then open it again."));
            return;
        }
        inspectCase(runs->front(), caseId);
    });
    connect(m_data, &DataView::datasetChanged, this, [this](qint64 id) {
        if (id)
            m_training->reload(id);
    });
    // The training view shows its own dialogs; the window only notes them.
    connect(m_training, &TrainingView::errorOccurred, this, [this](const QString &message) {
        m_lastError = message;
        statusBar()->showMessage(message, 10000);
        Q_EMIT errorShown(message);
    });
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
        m_training->reload();
        m_inspector->reload();
        m_review->reload();
    });
    connect(m_experiments, &ExperimentsView::predictionFinished, this, [this] {
        m_inspector->reload();
        m_review->reload();
    });
    connect(m_experiments, &ExperimentsView::progressChanged, this,
        [this](const QString &text, int) { statusBar()->showMessage(text, 5000); });
    connect(m_experiments, &ExperimentsView::errorOccurred, this, [this](const QString &message) {
        m_lastError = message;
        statusBar()->showMessage(message, 10000);
        Q_EMIT errorShown(message);
    });
    connect(m_inspector, &InspectorView::errorOccurred, this, [this](const QString &message) {
        m_lastError = message;
        statusBar()->showMessage(message, 10000);
        Q_EMIT errorShown(message);
    });
    connect(m_review, &ReviewView::errorOccurred, this, [this](const QString &message) {
        m_lastError = message;
        statusBar()->showMessage(message, 10000);
        Q_EMIT errorShown(message);
    });
    connect(m_task, &BackgroundTask::progress, this, &MainWindow::onTaskProgress);
    connect(m_task, &BackgroundTask::started, this, [this](const QString &title) {
        m_taskLabel->setText(title);
        m_taskBar->setRange(0, 0);
        for (QWidget *w : { static_cast<QWidget *>(m_taskLabel), static_cast<QWidget *>(m_taskBar),
                 static_cast<QWidget *>(m_taskCancel) })
            w->setVisible(true);
    });
    connect(m_task, &BackgroundTask::finished, this, [this] {
        for (QWidget *w : { static_cast<QWidget *>(m_taskLabel), static_cast<QWidget *>(m_taskBar),
                 static_cast<QWidget *>(m_taskCancel) })
            w->setVisible(false);
        updateActions();
    });
    connect(m_taskCancel, &QToolButton::clicked, m_task, &BackgroundTask::cancel);

    QSettings settings;
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1280, 800);
    m_start->setRecentStudies(recentStudies());
    refreshRecentMenu();
    setStudy(nullptr);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newStudy = file->addAction(tr("&New Study…"), this, &MainWindow::chooseNewStudy);
    newStudy->setShortcut(QKeySequence::New);
    QAction *open = file->addAction(tr("&Open Study…"), this, &MainWindow::chooseStudy);
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open Study Read-&Only…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Study Read-Only"), QString(), tr("Lepton studies (*.lepton);;All files (*)"));
        if (!path.isEmpty())
            openStudy(path, true);
    });
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    QAction *demo = file->addAction(tr("Create the &Demo Study"), this,
        [this] { createDemoStudy(m_start->domainBox()->currentData().toString(), m_start->casesBox()->value()); });
    demo->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+D")));
    file->addSeparator();
    QAction *import = file->addAction(tr("&Import Data…"), this, [this] { showImportDialog(); });
    import->setShortcut(QKeySequence(QStringLiteral("Ctrl+I")));
    file->addSeparator();
    QAction *close = file->addAction(tr("&Close Study"), this, &MainWindow::closeStudy);
    close->setShortcut(QKeySequence::Close);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    m_studyActions = { close };
    m_importAction = import;

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *find = edit->addAction(tr("&Filter Cases"), this, [this] {
        showView(DataPage);
        m_data->focusFilter();
    });
    find->setShortcut(QKeySequence::Find);
    m_studyActions.append(find);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_nav->count(); ++i) {
        QAction *a = view->addAction(m_nav->item(i)->text(), this, [this, i] { showView(View(i)); });
        a->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)));
        m_studyActions.append(a);
    }
    view->addSeparator();
    QAction *grid = view->addAction(tr("Case &Thumbnails"), this, [this](bool on) { m_data->setGridMode(on); });
    grid->setCheckable(true);
    m_studyActions.append(grid);

    QMenu *training = menuBar()->addMenu(tr("&Training"));
    m_startAction = training->addAction(tr("&Start Run"), this, [this] {
        showView(TrainingPage);
        m_training->startTraining();
    });
    m_startAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Return")));
    m_cancelAction = training->addAction(tr("&Cancel Run"), m_training, &TrainingView::cancelTraining);
    m_cancelAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+.")));
    m_resumeAction = training->addAction(tr("&Resume Selected Run"), this, [this] {
        showView(TrainingPage);
        m_training->resumeSelectedRun();
    });

    QMenu *tools = menuBar()->addMenu(tr("T&ools"));
    QAction *verify = tools->addAction(tr("&Verify Audit Log"), this, &MainWindow::verifyAuditLog);
    verify->setStatusTip(tr("Check that no review, deletion or rename was altered after it was written"));
    m_studyActions.append(verify);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Lepton Workbench"), this, [this] {
        QMessageBox::about(this, tr("About Lepton Workbench"),
            tr("<b>Lepton Workbench %1</b><p>Multimodal deep learning with explainable, reviewable "
               "decisions.</p><p>Licensed under the GNU GPL, version 3 or later.</p>")
                .arg(QStringLiteral(LEPTON_VERSION)));
    });

    QToolBar *bar = addToolBar(tr("Study"));
    bar->setObjectName(QStringLiteral("studyToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addAction(newStudy);
    bar->addAction(open);
    bar->addAction(import);
    bar->addSeparator();
    bar->addAction(m_startAction);
    bar->addAction(m_cancelAction);
}

void MainWindow::updateActions()
{
    const bool open = m_study != nullptr;
    for (QAction *a : std::as_const(m_studyActions))
        a->setEnabled(open);
    const bool training = m_training->isRunning();
    const bool writable = open && !m_study->isReadOnly();
    m_startAction->setEnabled(writable && !training);
    m_cancelAction->setEnabled(training);
    // An import's single write transaction could hold the study longer than a training epoch's
    // write waits: one writer at a time.
    m_importAction->setEnabled(writable && !training);
    m_resumeAction->setEnabled(writable && !training);
    m_nav->setEnabled(open);
}

void MainWindow::showError(const QString &message)
{
    m_lastError = message;
    statusBar()->showMessage(message, 10000);
    Q_EMIT errorShown(message);
    if (m_interactive)
        QMessageBox::warning(this, tr("Lepton Workbench"), message);
}

bool MainWindow::confirm(const QString &title, const QString &question)
{
    if (!m_interactive)
        return m_answer;
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

void MainWindow::chooseStudy()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Study"), QString(), tr("Lepton studies (*.lepton);;All files (*)"));
    if (!path.isEmpty())
        openStudy(path);
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

bool MainWindow::newStudy(const QString &path)
{
    if (QFileInfo::exists(path)) {
        showError(tr("%1 exists already; open it with File ▸ Open, or choose another name.").arg(path));
        return false;
    }
    if (!stopWorkFor(tr("create a new study")))
        return false;
    auto study = lepton::Study::open(path, lepton::Study::Mode::CreateOrOpen);
    if (!study) {
        showError(study.error());
        return false;
    }
    setStudy(study.value());
    addRecent(study.value()->path());
    statusBar()->showMessage(tr("New study %1: import data with File ▸ Import Data (Ctrl+I) or drop a manifest here.")
                                 .arg(QFileInfo(path).fileName()));
    Q_EMIT studyOpened(study.value()->path());
    return true;
}

bool MainWindow::openStudy(const QString &path, bool readOnly)
{
    if (!QFileInfo::exists(path)) {
        showError(tr("%1 does not exist (moved or deleted?). Choose it again with File ▸ Open.").arg(path));
        return false;
    }
    auto study = lepton::Study::open(path, readOnly ? lepton::Study::Mode::ReadOnly : lepton::Study::Mode::ReadWrite);
    const QFileInfo file(path);
    if (!study && !readOnly && (!file.isWritable() || !QFileInfo(file.absolutePath()).isWritable())
        && confirm(tr("Open Read-Only"),
            tr("%1 cannot be written (the file or its folder is read-only).\n\nOpen it read-only? You can look "
               "at everything, but not import, train, review or change runs.")
                .arg(path))) {
        readOnly = true;
        study = lepton::Study::open(path, lepton::Study::Mode::ReadOnly);
    }
    if (!study) {
        showError(study.error());
        return false;
    }
    if (m_study && !stopWorkFor(tr("open another study")))
        return false;
    setStudy(study.value());
    addRecent(study.value()->path());
    statusBar()->clearMessage();
    if (readOnly)
        statusBar()->showMessage(tr("Opened read-only: nothing in the study can be changed."));
    else if (m_data->datasetBox()->count() == 0)
        statusBar()->showMessage(tr("The study has no dataset yet: import one with File ▸ Import Data (Ctrl+I)."));
    Q_EMIT studyOpened(study.value()->path());
    return true;
}

bool MainWindow::closeStudy()
{
    if (!m_study)
        return true;
    if (!stopWorkFor(tr("close the study")))
        return false;
    setStudy(nullptr);
    Q_EMIT studyClosed();
    return true;
}

void MainWindow::setStudy(std::shared_ptr<lepton::Study> study)
{
    // The import dialog belongs to the study it imports into: it goes with it (its destructor
    // cancels a running import and waits, so nothing lands in the study being closed later).
    delete m_import;
    m_study = std::move(study);
    // Training first: the Data view's dataset choice then reaches a view on the same study.
    m_training->setStudy(m_study);
    m_data->setStudy(m_study);
    m_experiments->setStudy(m_study);
    m_inspector->setStudy(m_study);
    m_review->setStudy(m_study);
    m_trainingStale = m_experimentsStale = false;
    m_dataVersion = m_study ? m_study->dataVersion() : -1;
    if (m_study)
        m_watch->start();
    else
        m_watch->stop();
    if (m_study) {
        setWindowTitle(m_study->isReadOnly()
                ? tr("%1 (read-only) — Lepton Workbench").arg(QFileInfo(m_study->path()).fileName())
                : tr("%1 — Lepton Workbench").arg(QFileInfo(m_study->path()).fileName()));
        m_pages->setCurrentWidget(m_workspace);
        if (m_nav->currentRow() < 0)
            showView(DataPage);
    } else {
        setWindowTitle(tr("Lepton Workbench"));
        m_start->setRecentStudies(recentStudies());
        m_pages->setCurrentWidget(m_start);
        m_summary->clear();
    }
    updateActions();
}

void MainWindow::checkExternalChanges()
{
    if (!m_study)
        return;
    const qint64 version = m_study->dataVersion();
    const bool changed = version != m_dataVersion;
    m_dataVersion = version;
    // This window's own background work writes through other connections: not a change from outside.
    const bool busy = m_training->isRunning() || m_task->isRunning() || (m_import && m_import->isRunning());
    if (!changed || busy || version < 0)
        return;
    m_trainingStale = m_experimentsStale = m_dataStale = true;
    reloadStaleView();
}

void MainWindow::reloadStaleView()
{
    if (!m_study)
        return;
    if (m_dataStale && (m_views->currentWidget() == m_data || m_views->currentWidget() == m_training)) {
        // Datasets imported elsewhere join the lists; the dataset shown stays shown.
        m_dataStale = false;
        auto datasets = lepton::DatasetRepository(*m_study).datasets(false);
        QList<qint64> stored, listed;
        if (datasets)
            for (const auto &d : datasets.value())
                stored.append(d.id);
        for (int i = 0; i < m_data->datasetBox()->count(); ++i)
            listed.append(m_data->datasetBox()->itemData(i).toLongLong());
        if (datasets && stored != listed) {
            m_data->reload(m_data->currentDatasetId());
            m_training->reload();
        }
    }
    if (m_trainingStale && m_views->currentWidget() == m_training) {
        m_trainingStale = false;
        m_training->refreshFromStudy();
    } else if (m_experimentsStale && m_views->currentWidget() == m_experiments) {
        m_experimentsStale = false;
        m_experiments->reload();
    }
}

QString MainWindow::studyPath() const
{
    return m_study ? m_study->path() : QString();
}

void MainWindow::showView(View view)
{
    if (!m_study)
        return;
    m_nav->setCurrentRow(int(view));
}

MainWindow::View MainWindow::currentView() const
{
    return View(std::max(0, m_views->currentIndex()));
}

QStringList MainWindow::recentStudies() const
{
    return QSettings().value(kRecentKey).toStringList();
}

void MainWindow::addRecent(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentStudies();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    QSettings().setValue(kRecentKey, recent);
    refreshRecentMenu();
}

void MainWindow::refreshRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentStudies();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent.at(i);
        QAction *a = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()), this,
            [this, path] { openStudy(path); });
        a->setToolTip(path);
        a->setStatusTip(path);
    }
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear the List"), this, [this] {
            QSettings().remove(kRecentKey);
            refreshRecentMenu();
            m_start->setRecentStudies({});
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

bool MainWindow::createDemoStudy(const QString &domain, int cases)
{
    if (m_task->isRunning()) {
        showError(tr("%1 is still running; wait for it or cancel it first.").arg(m_task->title()));
        return false;
    }
    const QString folder = m_demoFolder;
    const QString studyFile = QDir(folder).filePath(QStringLiteral("demo-%1.lepton").arg(domain));
    if (QFileInfo::exists(studyFile)) {
        statusBar()->showMessage(tr("The demo study exists already: opening %1").arg(studyFile), 8000);
        return openStudy(studyFile);
    }
    if (!QDir().mkpath(folder)) {
        showError(
            tr("The folder %1 cannot be created; choose another demo folder or check its permissions.").arg(folder));
        return false;
    }
    m_start->setBusy(true, tr("Generating the demo data…"));
    const bool started = m_task->start(tr("Creating the demo study"),
        [folder, studyFile, domain, cases](const lepton::ProgressFn &progress, const lepton::CancelFn &cancelled) {
            lepton::DemoOptions o;
            o.domain = domain;
            o.cases = cases;
            o.outDir = QDir(folder).filePath(QStringLiteral("data-%1").arg(domain));
            o.progress = [progress](qint64 done, qint64 total, const QString &stage) {
                progress(done, total, QObject::tr("1/2 Generating: %1").arg(stage));
            };
            o.cancelled = cancelled;
            auto demo = lepton::DemoGenerator::generate(o);
            if (!demo)
                return lepton::Status::failure(demo.error());
            lepton::ImportOptions io;
            io.manifestPath = demo->manifestPath;
            io.eventsPath = demo->eventsPath;
            io.name = QStringLiteral("demo-%1").arg(domain);
            io.progress = [progress](qint64 done, qint64 total, const QString &stage) {
                progress(done, total, QObject::tr("2/2 Importing: %1").arg(stage));
            };
            io.cancelled = cancelled;
            lepton::ImportOutcome out = lepton::Importer::run(io);
            if (cancelled())
                return lepton::Status::failure(
                    QObject::tr("Creating the demo study was cancelled; nothing was written."));
            if (!out.dataset)
                return lepton::Status::failure(out.report.toText(5));
            // Only a complete import creates the study file.
            auto study = lepton::Study::open(studyFile, lepton::Study::Mode::CreateOrOpen);
            if (!study)
                return lepton::Status::failure(study.error());
            auto id = lepton::DatasetRepository(*study.value()).save(*out.dataset, out.report);
            return id ? lepton::Status() : lepton::Status::failure(id.error());
        });
    if (!started) {
        m_start->setBusy(false);
        return false;
    }
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_task, &BackgroundTask::finished, this,
        [this, connection, studyFile](bool ok, bool cancelled, const QString &message) {
            disconnect(*connection);
            m_start->setBusy(false);
            if (ok && m_study) {
                // The user opened another study meanwhile: keep it, offer the demo in the list.
                addRecent(studyFile);
                statusBar()->showMessage(tr("The demo study is ready: %1 (File ▸ Open Recent)").arg(studyFile), 10000);
            } else if (ok) {
                openStudy(studyFile);
                statusBar()->showMessage(tr("The demo study is ready: %1").arg(studyFile), 10000);
            } else if (cancelled) {
                statusBar()->showMessage(tr("Creating the demo study was cancelled; nothing was written."), 10000);
            } else {
                showError(tr("The demo study could not be created: %1").arg(message));
            }
        });
    return true;
}

void MainWindow::onTaskProgress(qint64 done, qint64 total, const QString &stage)
{
    const int percent = total > 0 ? static_cast<int>(100 * done / total) : -1;
    if (percent < 0) {
        m_taskBar->setRange(0, 0);
    } else {
        m_taskBar->setRange(0, 100);
        m_taskBar->setValue(percent);
    }
    m_taskLabel->setText(stage);
    if (m_pages->currentWidget() == m_start)
        m_start->setBusy(true, stage, percent);
}

ImportDialog *MainWindow::showImportDialog(const QString &manifest, const QString &events)
{
    if (!m_study) {
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
    m_import = new ImportDialog(m_study, this);
    m_import->setAttribute(Qt::WA_DeleteOnClose, false);
    m_import->setInteractive(m_interactive);
    if (!manifest.isEmpty())
        m_import->setManifestPath(manifest);
    if (!events.isEmpty())
        m_import->setEventsPath(events);
    connect(m_import, &ImportDialog::imported, this, [this](qint64 datasetId) {
        m_data->reload(datasetId);
        m_training->reload(datasetId);
        showView(DataPage);
        statusBar()->showMessage(tr("Dataset %1 imported.").arg(datasetId), 10000);
    });
    m_import->open();
    return m_import;
}

void MainWindow::setInteractive(bool on, bool answer)
{
    m_interactive = on;
    m_answer = answer;
    m_training->setInteractive(on);
    m_review->setInteractive(on);
    m_experiments->setInteractive(on);
    if (m_import)
        m_import->setInteractive(on);
}

bool MainWindow::verifyAuditLog()
{
    if (!m_study)
        return false;
    auto v = lepton::AuditLog(*m_study).verify();
    if (!v) {
        showError(v.error());
        return false;
    }
    if (!v->ok) {
        showError(tr("The audit log is broken at entry %1: %2\n\nThe study was changed outside the workbench "
                     "after that entry was written; keep this file as evidence and restore the study from a backup.")
                      .arg(v->firstBrokenId)
                      .arg(v->reason));
        return false;
    }
    const QString text = tr("The audit log is intact: %n entries, each chained to the one before.", "", v->entries);
    statusBar()->showMessage(text, 10000);
    if (m_interactive)
        QMessageBox::information(this, tr("Audit log"), text);
    return true;
}

void MainWindow::inspectCase(qint64 runId, qint64 caseId)
{
    showView(InspectorPage);
    m_inspector->openCase(runId, caseId);
}

ImportDialog *MainWindow::importDialog() const
{
    return m_import;
}

bool MainWindow::handleDroppedPath(const QString &path)
{
    const QFileInfo info(path);
    if (info.isFile() && info.suffix().compare(QLatin1String("lepton"), Qt::CaseInsensitive) == 0)
        return openStudy(path);
    QString manifest, events;
    if (info.isDir()) {
        std::tie(manifest, events) = manifestInFolder(path);
        if (manifest.isEmpty()) {
            showError(tr("%1 has no manifest: put a manifest.csv (one row per case) in the folder, or drop the "
                         "manifest file itself.")
                          .arg(path));
            return false;
        }
    } else if (info.isFile() && info.suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0) {
        manifest = path;
        const QString sibling = info.dir().filePath(QStringLiteral("events.csv"));
        if (info.fileName() != QLatin1String("events.csv") && QFileInfo::exists(sibling))
            events = sibling;
    } else {
        showError(tr("%1 is neither a study (.lepton), a manifest (.csv) nor a folder with a manifest.").arg(path));
        return false;
    }
    if (!m_study) {
        // No study yet: one beside the manifest, named after it.
        const QFileInfo m(manifest);
        const QString studyFile = m.dir().filePath(m.dir().dirName() + QStringLiteral(".lepton"));
        if (!confirm(tr("Import into a new study"),
                tr("No study is open. Create %1 and import %2 into it?").arg(studyFile, m.fileName())))
            return false;
        if (QFileInfo::exists(studyFile) ? !openStudy(studyFile) : !newStudy(studyFile))
            return false;
    }
    return showImportDialog(manifest, events) != nullptr;
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
                this, [this, path] { handleDroppedPath(path); }, Qt::QueuedConnection);
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
