// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "CasePanel.h"
#include "CaseTableModel.h"

#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent),
      m_model(new CaseTableModel(this)),
      m_view(new QTableView(this)),
      m_panel(new CasePanel(this)),
      m_datasets(new QComboBox(this)),
      m_labels(new QComboBox(this)),
      m_splits(new QComboBox(this)),
      m_filter(new QLineEdit(this)),
      m_summary(new QLabel(this))
{
    setWindowTitle(tr("Lepton Workbench"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->verticalHeader()->hide();

    auto *split = new QSplitter(this);
    split->addWidget(m_view);
    split->addWidget(m_panel);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    setCentralWidget(split);

    auto *bar = addToolBar(tr("Cases"));
    bar->setObjectName(QStringLiteral("casesToolBar"));
    bar->addWidget(new QLabel(tr(" Dataset "), this));
    m_datasets->setMinimumContentsLength(16);
    bar->addWidget(m_datasets);
    bar->addWidget(new QLabel(tr("  Label "), this));
    bar->addWidget(m_labels);
    bar->addWidget(new QLabel(tr("  Split "), this));
    m_splits->addItem(tr("any"), QString());
    for (const QString &s : { QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test") })
        m_splits->addItem(s, s);
    bar->addWidget(m_splits);
    bar->addSeparator();
    m_filter->setPlaceholderText(tr("Filter case ids (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(260);
    bar->addWidget(m_filter);
    statusBar()->addPermanentWidget(m_summary);
    buildMenus();

    // Typing filters after a short pause, so a 100 000-case dataset is not queried per key.
    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(200);
    connect(m_filter, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, &MainWindow::applyFilter);
    connect(m_labels, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    connect(m_splits, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    connect(m_datasets, &QComboBox::currentIndexChanged, this, &MainWindow::selectDataset);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::showCurrentCase);

    QSettings settings;
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1200, 760);
    statusBar()->showMessage(tr("Open a study with File ▸ Open (Ctrl+O)."));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Study…"), this, &MainWindow::chooseStudy);
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *find = edit->addAction(tr("&Filter Cases"), m_filter, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Lepton Workbench"), this, [this] {
        QMessageBox::about(this, tr("About Lepton Workbench"),
            tr("<b>Lepton Workbench %1</b><p>Multimodal deep learning with explainable, reviewable "
               "decisions.</p><p>Licensed under the GNU GPL, version 3 or later.</p>")
                .arg(QStringLiteral(LEPTON_VERSION)));
    });
}

void MainWindow::showError(const QString &message)
{
    m_lastError = message;
    statusBar()->showMessage(message, 10000);
    Q_EMIT errorShown(message);
    if (m_interactive)
        QMessageBox::warning(this, tr("Lepton Workbench"), message);
}

void MainWindow::chooseStudy()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Study"), QString(), tr("Lepton studies (*.lepton);;All files (*)"));
    if (!path.isEmpty())
        openStudy(path);
}

bool MainWindow::openStudy(const QString &path)
{
    auto study = lepton::Study::open(path, lepton::Study::Mode::ReadWrite);
    if (!study) {
        showError(study.error());
        return false;
    }
    lepton::DatasetRepository repo(*study.value());
    auto datasets = repo.datasets();
    if (!datasets) {
        showError(datasets.error());
        return false;
    }
    m_study = study.value();
    statusBar()->clearMessage();
    setWindowTitle(tr("%1 — Lepton Workbench").arg(QFileInfo(path).fileName()));
    QSignalBlocker block(m_datasets);
    m_datasets->clear();
    for (const auto &d : datasets.value())
        m_datasets->addItem(QStringLiteral("%1: %2").arg(d.id).arg(d.name), d.id);
    m_datasets->setCurrentIndex(m_datasets->count() - 1);
    selectDataset(m_datasets->currentIndex());
    if (datasets->empty())
        statusBar()->showMessage(tr("The study has no dataset yet; import one with `lepton import`."));
    return true;
}

QString MainWindow::studyPath() const
{
    return m_study ? m_study->path() : QString();
}

void MainWindow::selectDataset(int index)
{
    m_panel->clear();
    QSignalBlocker block(m_labels);
    m_labels->clear();
    m_labels->addItem(tr("any"), QString());
    if (!m_study || index < 0) {
        m_model->setDataset(nullptr, 0);
        updateSummary();
        return;
    }
    lepton::DatasetRepository repo(*m_study);
    auto d = repo.dataset(m_datasets->itemData(index).toLongLong());
    if (d)
        for (const QString &c : d->classes)
            m_labels->addItem(c, c);
    m_model->setDataset(m_study, m_datasets->itemData(index).toLongLong());
    applyFilter();
}

void MainWindow::applyFilter()
{
    lepton::CaseFilter f;
    f.text = m_filter->text().trimmed();
    f.label = m_labels->currentData().toString();
    f.split = m_splits->currentData().toString();
    m_model->setFilter(f);
    if (!m_model->lastError().isEmpty())
        showError(m_model->lastError());
    updateSummary();
}

void MainWindow::showCurrentCase()
{
    const lepton::StoredCase *c = m_model->caseAt(m_view->currentIndex().row());
    if (!c || !m_study) {
        m_panel->clear();
        return;
    }
    m_panel->showCase(m_study, m_datasets->currentData().toLongLong(), *c);
}

void MainWindow::updateSummary()
{
    if (!m_study || m_datasets->currentIndex() < 0) {
        m_summary->setText(QString());
        return;
    }
    lepton::DatasetRepository repo(*m_study);
    auto d = repo.dataset(m_datasets->currentData().toLongLong());
    if (!d) {
        m_summary->setText(QString());
        return;
    }
    QStringList classes;
    for (auto it = d->classCounts.begin(); it != d->classCounts.end(); ++it)
        classes.append(QStringLiteral("%1 %2").arg(it.key().isEmpty() ? tr("unlabelled") : it.key()).arg(it.value()));
    m_summary->setText(tr("%1 of %2 cases shown · %3 · train/val/test %4/%5/%6 · %7 images · %8 events")
                           .arg(m_model->totalCount())
                           .arg(d->caseCount)
                           .arg(classes.join(QStringLiteral(", ")))
                           .arg(d->splitCounts.value(QStringLiteral("train")))
                           .arg(d->splitCounts.value(QStringLiteral("val")))
                           .arg(d->splitCounts.value(QStringLiteral("test")))
                           .arg(d->imageCount)
                           .arg(d->eventCount));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}
