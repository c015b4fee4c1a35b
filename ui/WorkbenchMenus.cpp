// SPDX-License-Identifier: GPL-3.0-or-later
#include "WorkbenchMenus.h"

#include "DataView.h"
#include "MainWindow.h"
#include "TrainingView.h"

#include <QAction>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QToolBar>

WorkbenchMenus::WorkbenchMenus(MainWindow *window) : QObject(window), m_window(window)
{
    MainWindow *w = window;
    QMenu *file = w->menuBar()->addMenu(tr("&File"));
    QAction *newStudy = file->addAction(tr("&New Study…"), w, &MainWindow::chooseNewStudy);
    newStudy->setShortcut(QKeySequence::New);
    QAction *open = file->addAction(tr("&Open Study…"), w, [w] { w->chooseStudy(false); });
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open Study Read-&Only…"), w, [w] { w->chooseStudy(true); });
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    QAction *demo = file->addAction(tr("Create the &Demo Study"), w, &MainWindow::createChosenDemoStudy);
    demo->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+D")));
    file->addSeparator();
    m_importAction = file->addAction(tr("&Import Data…"), w, [w] { w->showImportDialog(); });
    m_importAction->setObjectName(QStringLiteral("importAction"));
    m_importAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+I")));
    file->addSeparator();
    QAction *close = file->addAction(tr("&Close Study"), w, &MainWindow::closeStudy);
    close->setShortcut(QKeySequence::Close);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), w, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    m_studyActions = { close };

    QMenu *edit = w->menuBar()->addMenu(tr("&Edit"));
    QAction *find = edit->addAction(tr("&Filter Cases"), w, [w] {
        w->showView(MainWindow::DataPage);
        w->dataView()->focusFilter();
    });
    find->setShortcut(QKeySequence::Find);
    m_studyActions.append(find);

    QMenu *view = w->menuBar()->addMenu(tr("&View"));
    const QStringList names { tr("&Data"), tr("&Training"), tr("&Experiments"), tr("&Inspector"), tr("&Review") };
    for (int i = 0; i < names.size(); ++i) {
        QAction *a = view->addAction(names.at(i), w, [w, i] { w->showView(MainWindow::View(i)); });
        a->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)));
        m_studyActions.append(a);
    }
    view->addSeparator();
    QAction *grid = view->addAction(tr("Case &Thumbnails"), w, [w](bool on) { w->dataView()->setGridMode(on); });
    grid->setCheckable(true);
    m_studyActions.append(grid);

    QMenu *training = w->menuBar()->addMenu(tr("&Training"));
    m_startAction = training->addAction(tr("&Start Run"), w, [w] {
        w->showView(MainWindow::TrainingPage);
        w->trainingView()->startTraining();
    });
    m_startAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Return")));
    m_cancelAction = training->addAction(tr("&Cancel Run"), w->trainingView(), &TrainingView::cancelTraining);
    m_cancelAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+.")));
    m_resumeAction = training->addAction(tr("&Resume Selected Run"), w, [w] {
        w->showView(MainWindow::TrainingPage);
        w->trainingView()->resumeSelectedRun();
    });
    // The template editor of the current run (Experiments, Inspector or Review view's run).
    m_pretrainAction = training->addAction(tr("&Pretrain Encoder…"), w, [w] { w->showPretrainDialog(); });
    m_pretrainAction->setObjectName(QStringLiteral("pretrainAction"));
    m_pretrainAction->setStatusTip(tr("Learn the image encoder from a dataset's own images, without labels"));
    training->addSeparator();
    m_templateAction = training->addAction(tr("Template &Editor…"), w, [w] { w->showTemplateEditor(); });
    m_templateAction->setObjectName(QStringLiteral("templateEditorAction"));
    m_templateAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+T")));
    m_templateAction->setStatusTip(tr("Edit how the current run decides and preview it on its validation cases"));
    connect(training, &QMenu::aboutToShow, w, &MainWindow::updateTemplateEditorAction);

    QMenu *tools = w->menuBar()->addMenu(tr("T&ools"));
    QAction *verify = tools->addAction(tr("&Verify Audit Log"), w, [w] { (void)w->verifyAuditLog(); });
    verify->setStatusTip(tr("Check that no review, deletion or rename was altered after it was written"));
    m_studyActions.append(verify);

    QMenu *help = w->menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Lepton Workbench"), w, [w] {
        QMessageBox::about(w, tr("About Lepton Workbench"),
            tr("<b>Lepton Workbench %1</b><p>Multimodal deep learning with explainable, reviewable "
               "decisions.</p><p>Licensed under the GNU GPL, version 3 or later.</p>")
                .arg(QStringLiteral(LEPTON_VERSION)));
    });

    QToolBar *bar = w->addToolBar(tr("Study"));
    bar->setObjectName(QStringLiteral("studyToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addAction(newStudy);
    bar->addAction(open);
    bar->addAction(m_importAction);
    bar->addSeparator();
    bar->addAction(m_startAction);
    bar->addAction(m_cancelAction);
}

void WorkbenchMenus::update(bool open, bool writable, bool training)
{
    for (QAction *a : std::as_const(m_studyActions))
        a->setEnabled(open);
    if (!open)
        setTemplateEditorAvailable(false, tr("Open a study to edit a run's decision template"));
    m_startAction->setEnabled(writable && !training);
    m_cancelAction->setEnabled(training);
    // An import's single write transaction could hold the study longer than a training epoch's
    // write waits: one writer at a time.
    m_importAction->setEnabled(writable && !training);
    m_resumeAction->setEnabled(writable && !training);
    m_pretrainAction->setEnabled(writable && !training);
}

void WorkbenchMenus::setTemplateEditorAvailable(bool available, const QString &why)
{
    m_templateAction->setEnabled(available);
    m_templateAction->setToolTip(available ? tr("Edit the current run's template") : why);
}

void WorkbenchMenus::setRecentStudies(const QStringList &recent)
{
    m_recentMenu->clear();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent.at(i);
        QAction *a = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()), this,
            [this, path] { Q_EMIT recentChosen(path); });
        a->setToolTip(path);
        a->setStatusTip(path);
    }
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear the List"), this, &WorkbenchMenus::clearRecentRequested);
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}
