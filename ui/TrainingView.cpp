// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrainingView.h"

#include "LossPlot.h"
#include "TrainingSession.h"

#include "decision/DomainTemplate.h"
#include "store/DatasetRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "util/DeviceInfo.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <map>

namespace {

/// Presets: what a user picks before touching single values.
struct Preset
{
    const char *name;
    int epochs;
    int imageSize;
    int batchSize;
    double learningRate;
};
constexpr Preset kPresets[] = {
    { QT_TRANSLATE_NOOP("TrainingView", "Quick look (5 epochs, 64 px)"), 5, 64, 32, 3e-3 },
    { QT_TRANSLATE_NOOP("TrainingView", "Default (30 epochs, 128 px)"), 30, 128, 32, 3e-3 },
    { QT_TRANSLATE_NOOP("TrainingView", "Thorough (60 epochs, 128 px)"), 60, 128, 32, 2e-3 },
};
constexpr int kDefaultPreset = 1;
constexpr int kProbeIntervalMs = 10;

QString fmt(double v, int decimals = 3)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–");
}

QStandardItem *numberItem(double v, int decimals = 3)
{
    auto *item = new QStandardItem(fmt(v, decimals));
    item->setData(std::isfinite(v) ? QVariant(v) : QVariant(), Qt::UserRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QString duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("–");
    const int s = static_cast<int>(std::lround(seconds));
    return s >= 3600 ? QStringLiteral("%1:%2:%3")
                           .arg(s / 3600)
                           .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
                           .arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

TrainingView::TrainingView(QWidget *parent)
    : QWidget(parent),
      m_session(new TrainingSession(this)),
      m_dataset(new QComboBox(this)),
      m_preset(new QComboBox(this)),
      m_name(new QLineEdit(this)),
      m_variant(new QComboBox(this)),
      m_epochsBox(new QSpinBox(this)),
      m_batch(new QSpinBox(this)),
      m_lr(new QDoubleSpinBox(this)),
      m_imageSize(new QSpinBox(this)),
      m_augment(new QCheckBox(tr("flips, small rotations and shifts, brightness/contrast, noise"), this)),
      m_seed(new QSpinBox(this)),
      m_template(new QComboBox(this)),
      m_device(new QComboBox(this)),
      m_deviceInfo(new QLabel(this)),
      m_threads(new QSpinBox(this)),
      m_metric(new QComboBox(this)),
      m_problem(new QLabel(this)),
      m_start(new QPushButton(tr("Start"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_resume(new QPushButton(tr("Resume"), this)),
      m_plot(new LossPlot(this)),
      m_epochs(new QStandardItemModel(this)),
      m_epochView(new QTableView(this)),
      m_runs(new QStandardItemModel(this)),
      m_runsView(new QTableView(this)),
      m_log(new QPlainTextEdit(this)),
      m_progress(new QProgressBar(this)),
      m_progressText(new QLabel(this)),
      m_probe(new QTimer(this))
{
    m_epochs->setHorizontalHeaderLabels({ tr("Epoch"), tr("Train loss"), tr("Val loss"), tr("Val AUROC"), tr("Val acc"),
        tr("Sens"), tr("Spec"), tr("F1"), tr("Seconds"), tr("Best") });
    m_epochView->setModel(m_epochs);
    m_epochView->verticalHeader()->hide();
    m_epochView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_epochView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_epochView->setAlternatingRowColors(true);
    m_epochView->setWordWrap(false);
    m_epochView->verticalHeader()->setDefaultSectionSize(m_epochView->fontMetrics().height() + 6);

    m_runs->setHorizontalHeaderLabels({ tr("Run"), tr("Name"), tr("Status"), tr("Variant"), tr("Best epoch"),
        tr("Device"), tr("Started"), tr("Message") });
    m_runsView->setModel(m_runs);
    m_runsView->verticalHeader()->hide();
    m_runsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_runsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runsView->horizontalHeader()->setStretchLastSection(true);
    m_runsView->setSortingEnabled(true);
    m_runsView->setWordWrap(false);
    m_runsView->verticalHeader()->setDefaultSectionSize(m_runsView->fontMetrics().height() + 6);

    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *tabs = new QTabWidget(this);
    tabs->addTab(m_epochView, tr("Epochs"));
    tabs->addTab(m_runsView, tr("Runs in this study"));
    tabs->addTab(m_log, tr("Log"));

    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_plot);
    right->addWidget(tabs);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);

    auto *progressRow = new QHBoxLayout;
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    progressRow->addWidget(m_progress, 2);
    progressRow->addWidget(m_progressText, 3);

    auto *rightPane = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(rightPane);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(progressRow);
    rightLayout->addWidget(right, 1);

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(buildForm());
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(380);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *split = new QSplitter(this);
    split->addWidget(scroll);
    split->addWidget(rightPane);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_session, &TrainingSession::stepsArrived, this, &TrainingView::onSteps);
    connect(m_session, &TrainingSession::epochFinished, this, &TrainingView::onEpoch);
    connect(m_session, &TrainingSession::logLines, this, [this](const QStringList &lines) {
        for (const QString &l : lines)
            appendLog(l);
    });
    connect(m_session, &TrainingSession::runStarted, this, [this](qint64 id) {
        reloadRuns();
        Q_EMIT runStarted(id);
    });
    connect(m_session, &TrainingSession::finished, this, &TrainingView::onFinished);
    connect(m_runsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &i) {
        updateResumeButton();
        if (!isRunning() && i.isValid())
            showRun(m_runs->item(i.row(), 0)->data(Qt::UserRole).toLongLong());
    });

    // The probe: a timer that should fire every 10 ms; a longer gap means the GUI thread was busy.
    m_probe->setInterval(kProbeIntervalMs);
    m_probe->setTimerType(Qt::PreciseTimer);
    connect(m_probe, &QTimer::timeout, this, [this] {
        const double gap = m_probeClock.nsecsElapsed() / 1e6;
        m_probeClock.restart();
        m_worstGap = std::max(m_worstGap, gap);
    });

    applyPreset(kDefaultPreset);
    setRunning(false);
    setStudy(nullptr);
}

TrainingView::~TrainingView()
{
    // The session's destructor cancels and waits; the run is recorded as cancelled.
}

QWidget *TrainingView::buildForm()
{
    auto *page = new QWidget(this);
    auto *outer = new QVBoxLayout(page);

    auto *runBox = new QGroupBox(tr("Run"), page);
    auto *form = new QFormLayout(runBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_dataset->setToolTip(tr("The dataset to train on (its train and val splits; test is kept for the end)"));
    form->addRow(tr("&Dataset"), m_dataset);
    for (const Preset &p : kPresets)
        m_preset->addItem(tr(p.name));
    m_preset->addItem(tr("Custom"));
    m_preset->setToolTip(tr("Fills the form with tried settings; changing a value makes it Custom"));
    form->addRow(tr("&Preset"), m_preset);
    m_name->setPlaceholderText(tr("e.g. attention seed 1 (default)"));
    form->addRow(tr("&Name"), m_name);
    m_variant->addItem(tr("attention fusion (all modalities)"), QStringLiteral("attention"));
    m_variant->addItem(tr("concatenation fusion"), QStringLiteral("concat"));
    m_variant->addItem(tr("image only"), QStringLiteral("image"));
    m_variant->addItem(tr("record only"), QStringLiteral("record"));
    m_variant->addItem(tr("history only"), QStringLiteral("history"));
    m_variant->setToolTip(tr("How the modalities are fused; the single-modality variants are for ablations"));
    form->addRow(tr("&Variant"), m_variant);
    m_epochsBox->setRange(1, 1000);
    form->addRow(tr("&Epochs"), m_epochsBox);
    m_batch->setRange(1, 4096);
    form->addRow(tr("&Batch size"), m_batch);
    m_lr->setDecimals(5);
    m_lr->setRange(0.00001, 1.0);
    m_lr->setSingleStep(0.0005);
    form->addRow(tr("&Learning rate"), m_lr);
    m_imageSize->setRange(16, 1024);
    m_imageSize->setSingleStep(16);
    m_imageSize->setSuffix(tr(" px"));
    form->addRow(tr("&Image size"), m_imageSize);
    m_augment->setChecked(true);
    form->addRow(tr("&Augmentation"), m_augment);
    m_seed->setRange(0, 2'000'000'000);
    m_seed->setValue(1);
    form->addRow(tr("&Seed"), m_seed);
    fillTemplates();
    m_template->setToolTip(tr("The decision template kept with the run (classes, costs, grades)"));
    form->addRow(tr("&Template"), m_template);

    // Device: CUDA only when this build and machine have it; otherwise greyed, with the reason.
    m_device->addItem(tr("auto"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
    const lepton::CudaAvailability cuda = lepton::cudaAvailability();
    auto *cudaItem = qobject_cast<QStandardItemModel *>(m_device->model())->item(2);
    if (cuda.available) {
        m_deviceInfo->setText(tr("GPU: %1").arg(cuda.name));
        m_device->setItemText(2, tr("CUDA: %1").arg(cuda.name));
    } else {
        cudaItem->setEnabled(false);
        cudaItem->setToolTip(cuda.reason);
        m_deviceInfo->setText(tr("No GPU: %1").arg(cuda.reason));
    }
    m_deviceInfo->setWordWrap(true);
    m_deviceInfo->setStyleSheet(QStringLiteral("color: palette(mid);"));
    form->addRow(tr("De&vice"), m_device);
    form->addRow(QString(), m_deviceInfo);
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    m_threads->setToolTip(tr("LibTorch threads for the computation"));
    form->addRow(tr("T&hreads"), m_threads);
    m_metric->addItem(tr("val AUROC"), QStringLiteral("auroc"));
    m_metric->addItem(tr("val accuracy"), QStringLiteral("accuracy"));
    m_metric->addItem(tr("val F1"), QStringLiteral("f1"));
    m_metric->setToolTip(tr("The metric plotted on the right axis (early stopping always uses val AUROC)"));
    form->addRow(tr("Plotted &metric"), m_metric);
    outer->addWidget(runBox);

    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_problem->hide();
    outer->addWidget(m_problem);

    auto *buttons = new QHBoxLayout;
    m_start->setDefault(true);
    m_start->setToolTip(tr("Start a run with these settings (Ctrl+Enter)"));
    m_cancel->setToolTip(tr("Stop the run; it is kept as cancelled with its last checkpoint (Ctrl+.)"));
    m_resume->setToolTip(tr("Continue the run selected under Runs from its last checkpoint"));
    buttons->addWidget(m_start);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_resume);
    outer->addLayout(buttons);
    outer->addStretch();

    connect(m_start, &QPushButton::clicked, this, &TrainingView::startTraining);
    connect(m_cancel, &QPushButton::clicked, this, &TrainingView::cancelTraining);
    connect(m_resume, &QPushButton::clicked, this, &TrainingView::resumeSelectedRun);
    connect(m_preset, &QComboBox::activated, this, &TrainingView::applyPreset);
    for (QSpinBox *b : { m_epochsBox, m_batch, m_imageSize })
        connect(b, &QSpinBox::valueChanged, this, &TrainingView::markCustom);
    connect(m_lr, &QDoubleSpinBox::valueChanged, this, &TrainingView::markCustom);
    connect(m_template, &QComboBox::activated, this, [this](int index) {
        if (m_template->itemData(index).toString() != QLatin1String("<file>"))
            return;
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Decision template"), QString(), tr("Templates (*.json);;All files (*)"));
        if (file.isEmpty()) {
            m_template->setCurrentIndex(0);
            return;
        }
        auto t = lepton::DomainTemplate::load(file);
        if (!t) {
            m_template->setCurrentIndex(0);
            fail(t.error());
            return;
        }
        m_template->insertItem(index, QFileInfo(file).fileName(), file);
        m_template->setCurrentIndex(index);
    });
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] {
        m_plot->setMetricName(m_metric->currentText());
        if (!isRunning() && m_runsView->currentIndex().isValid())
            showRun(m_runs->item(m_runsView->currentIndex().row(), 0)->data(Qt::UserRole).toLongLong());
    });
    m_plot->setMetricName(m_metric->currentText());
    // Dozens of noisy steps per epoch: a heavier average than the plot's default reads better.
    m_plot->setSmoothing(0.9);
    return page;
}

void TrainingView::fillTemplates()
{
    m_template->addItem(tr("auto (matches the classes)"), QStringLiteral("auto"));
    for (const QString &name : lepton::DomainTemplate::builtinNames())
        m_template->addItem(name, name);
    m_template->addItem(tr("From a file…"), QStringLiteral("<file>"));
}

void TrainingView::applyPreset(int index)
{
    if (index < 0 || index >= int(std::size(kPresets)))
        return;
    const Preset &p = kPresets[index];
    m_applyingPreset = true;
    m_epochsBox->setValue(p.epochs);
    m_imageSize->setValue(p.imageSize);
    m_batch->setValue(p.batchSize);
    m_lr->setValue(p.learningRate);
    m_preset->setCurrentIndex(index);
    m_applyingPreset = false;
}

void TrainingView::markCustom()
{
    if (!m_applyingPreset)
        m_preset->setCurrentIndex(m_preset->count() - 1);
}

void TrainingView::setStudy(std::shared_ptr<lepton::Study> study)
{
    if (isRunning())
        return;
    m_study = std::move(study);
    m_plot->clear();
    m_epochs->removeRows(0, m_epochs->rowCount());
    m_log->clear();
    m_progress->setValue(0);
    m_progressText->setText(
        m_study ? tr("Ready. Choose the settings and press Start (Ctrl+Enter).") : tr("Open a study to train."));
    reload();
}

void TrainingView::reload(qint64 datasetId)
{
    const qint64 keep = datasetId ? datasetId : m_dataset->currentData().toLongLong();
    m_dataset->clear();
    if (m_study) {
        auto datasets = lepton::DatasetRepository(*m_study).datasets(false);
        if (datasets)
            for (const auto &d : datasets.value())
                m_dataset->addItem(tr("%1: %2 (%3 cases)").arg(d.id).arg(d.name).arg(d.caseCount), d.id);
    }
    const int index = m_dataset->findData(keep);
    m_dataset->setCurrentIndex(index >= 0 ? index : m_dataset->count() - 1);
    reloadRuns();
    setRunning(isRunning());
}

void TrainingView::reloadRuns()
{
    const qint64 selected = m_runsView->currentIndex().isValid()
        ? m_runs->item(m_runsView->currentIndex().row(), 0)->data(Qt::UserRole).toLongLong()
        : 0;
    m_runs->removeRows(0, m_runs->rowCount());
    if (!m_study)
        return;
    // Runs whose process has ended (killed, or let go after a failed write) show as interrupted.
    if (!m_study->isReadOnly())
        lepton::RunRepository(*m_study).markInterrupted();
    auto runs = lepton::RunRepository(*m_study).runs();
    if (!runs) {
        appendLog(runs.error());
        return;
    }
    for (const lepton::RunRecord &r : runs.value()) {
        auto *id = new QStandardItem;
        id->setData(r.id, Qt::DisplayRole); // a number: sorts 9 before 10
        id->setData(r.id, Qt::UserRole);
        const QString variant = r.config.value(QStringLiteral("train"))
                                    .toObject()
                                    .value(QStringLiteral("model"))
                                    .toObject()
                                    .value(QStringLiteral("fusion"))
                                    .toString();
        QList<QStandardItem *> row { id, new QStandardItem(r.name), new QStandardItem(r.status),
            new QStandardItem(variant),
            new QStandardItem(r.bestEpoch >= 0 ? QString::number(r.bestEpoch + 1) : QString()),
            new QStandardItem(r.deviceName.isEmpty() ? r.device : r.deviceName), new QStandardItem(r.startedAt),
            new QStandardItem(r.message) };
        row.last()->setToolTip(r.message);
        if (r.bestEpoch >= 0)
            row[4]->setData(r.bestEpoch + 1, Qt::DisplayRole);
        m_runs->appendRow(row);
        if (r.id == selected) {
            QSignalBlocker block(m_runsView->selectionModel());
            m_runsView->setCurrentIndex(m_runs->index(m_runs->rowCount() - 1, 0));
        }
    }
    const QHeaderView *header = m_runsView->horizontalHeader();
    if (header->sortIndicatorSection() >= 0 && header->sortIndicatorSection() < m_runs->columnCount())
        m_runs->sort(header->sortIndicatorSection(), header->sortIndicatorOrder());
    m_runsView->resizeColumnsToContents();
    updateResumeButton();
}

void TrainingView::refreshFromStudy()
{
    if (isRunning())
        return;
    reloadRuns();
    const QModelIndex current = m_runsView->currentIndex();
    if (current.isValid())
        showRun(m_runs->item(current.row(), 0)->data(Qt::UserRole).toLongLong());
}

void TrainingView::updateResumeButton()
{
    bool resumable = false;
    const QModelIndex i = m_runsView->currentIndex();
    if (i.isValid()) {
        const QString status = m_runs->item(i.row(), 2)->text();
        resumable = status == QLatin1String("cancelled") || status == QLatin1String("interrupted")
            || status == QLatin1String("failed");
    }
    m_resume->setEnabled(!isRunning() && m_study && !m_study->isReadOnly() && resumable);
    m_resume->setToolTip(resumable ? tr("Continue the selected run from its last checkpoint")
                                   : tr("Select a cancelled, interrupted or failed run under \"Runs in this study\""));
}

lepton::TrainConfig TrainingView::configFromForm(QString *problem) const
{
    lepton::TrainConfig c;
    c.model.fusion
        = lepton::fusionVariantFromName(m_variant->currentData().toString()).value_or(lepton::FusionVariant::Attention);
    c.epochs = m_epochsBox->value();
    c.batchSize = m_batch->value();
    c.learningRate = m_lr->value();
    c.model.imageSize = m_imageSize->value();
    c.augment.enabled = m_augment->isChecked();
    c.seed = static_cast<std::uint64_t>(m_seed->value());
    c.templateName = m_template->currentData().toString();
    c.device = m_device->currentData().toString();
    c.threads = m_threads->value();
    QString p;
    if (!m_study)
        p = tr("Open or create a study first (File ▸ Open, or the start page).");
    else if (m_dataset->currentIndex() < 0)
        p = tr("The study has no dataset: import one first (File ▸ Import Data, Ctrl+I).");
    else if (c.templateName == QLatin1String("<file>"))
        p = tr("Template: choose a template file.");
    else if (c.device == QLatin1String("cuda") && !lepton::cudaAvailability().available)
        p = tr("Device: %1 Choose auto or CPU.").arg(lepton::cudaAvailability().reason);
    else if (c.model.imageSize % 8 != 0)
        p = tr("Image size: %1 px is not a multiple of 8; the image encoder halves it per stage. Use e.g. %2 px.")
                .arg(c.model.imageSize)
                .arg(std::max(16, c.model.imageSize / 8 * 8));
    if (p.isEmpty())
        p = c.validate();
    if (p.isEmpty())
        p = c.model.validate();
    if (problem)
        *problem = p;
    return c;
}

void TrainingView::fail(const QString &message)
{
    m_problem->setText(message);
    m_problem->setVisible(!message.isEmpty());
    if (message.isEmpty())
        return;
    appendLog(message);
    Q_EMIT errorOccurred(message);
    if (m_interactive)
        QMessageBox::warning(this, tr("Training"), message);
}

bool TrainingView::startTraining()
{
    if (isRunning())
        return false;
    if (m_study && m_study->isReadOnly()) {
        fail(tr("%1 is open read-only: a run cannot be stored. Open it for writing (File ▸ Open Study) to "
                "train.")
                 .arg(m_study->path()));
        return false;
    }
    QString problem;
    const lepton::TrainConfig c = configFromForm(&problem);
    if (!problem.isEmpty()) {
        fail(problem);
        return false;
    }
    m_problem->hide();
    if (!m_session->start(m_study, m_dataset->currentData().toLongLong(), c, m_name->text().trimmed())) {
        fail(tr("The run could not be started."));
        return false;
    }
    beginRun(c.epochs, false);
    appendLog(tr("Starting: %1, %2 epochs, batch %3, learning rate %4, %5 px, seed %6, device %7")
                  .arg(m_variant->currentData().toString())
                  .arg(c.epochs)
                  .arg(c.batchSize)
                  .arg(c.learningRate)
                  .arg(c.model.imageSize)
                  .arg(c.seed)
                  .arg(c.device));
    return true;
}

bool TrainingView::resumeSelectedRun()
{
    const QModelIndex i = m_runsView->currentIndex();
    if (isRunning() || !m_study || !i.isValid())
        return false;
    if (m_study->isReadOnly()) {
        fail(tr("%1 is open read-only: a run cannot be resumed in it. Open it for writing (File ▸ Open Study).")
                 .arg(m_study->path()));
        return false;
    }
    const qint64 runId = m_runs->item(i.row(), 0)->data(Qt::UserRole).toLongLong();
    auto run = lepton::RunRepository(*m_study).run(runId);
    if (!run) {
        fail(run.error());
        return false;
    }
    // A run still marked running may be training in another window or `lepton train` now.
    if (run->status != QLatin1String("cancelled") && run->status != QLatin1String("interrupted")
        && run->status != QLatin1String("failed")) {
        fail(tr("Run %1 is %2; only a cancelled, interrupted or failed run can be resumed.")
                 .arg(runId)
                 .arg(run->status));
        return false;
    }
    showRun(runId, true); // the completed epochs; the resumed ones continue them
    if (!m_session->resume(m_study, runId)) {
        fail(tr("Run %1 could not be resumed.").arg(runId));
        return false;
    }
    beginRun(run->config.value(QStringLiteral("train")).toObject().value(QStringLiteral("epochs")).toInt(), true);
    appendLog(tr("Resuming run %1").arg(runId));
    return true;
}

void TrainingView::beginRun(int epochs, bool resuming)
{
    if (!resuming) {
        m_plot->clear();
        m_plot->setMetricName(m_metric->currentText());
        m_epochs->removeRows(0, m_epochs->rowCount());
    }
    m_runEpochs = epochs;
    m_lastEpoch = m_epochs->rowCount() - 1;
    m_stepsDone = 0;
    m_stepsTotal = 0;
    m_stepsAtStart = -1;
    m_runClock.start();
    m_worstGap = 0.0;
    m_probeClock.start();
    m_probe->start();
    if (!resuming)
        m_progress->setValue(0);
    m_progressText->setText(tr("Preparing the data…"));
    setRunning(true);
}

void TrainingView::cancelTraining()
{
    if (!isRunning())
        return;
    m_session->cancel();
    m_cancel->setEnabled(false);
    m_progressText->setText(tr("Cancelling after the current step…"));
    appendLog(tr("Cancel requested"));
}

void TrainingView::cancelAndWait()
{
    if (!isRunning())
        return;
    cancelTraining();
    m_session->wait(-1);
}

bool TrainingView::isRunning() const
{
    return m_session->isRunning();
}

void TrainingView::setRunning(bool running)
{
    for (QWidget *w : std::initializer_list<QWidget *> { m_dataset, m_preset, m_name, m_variant, m_epochsBox, m_batch,
             m_lr, m_imageSize, m_augment, m_seed, m_template, m_device, m_threads })
        w->setEnabled(!running);
    m_start->setEnabled(!running && m_study && !m_study->isReadOnly());
    m_start->setToolTip(m_study && m_study->isReadOnly() ? tr("The study is open read-only") : QString());
    m_cancel->setEnabled(running);
    updateResumeButton();
    Q_EMIT busyChanged(running);
}

void TrainingView::onSteps(const QVector<lepton::StepInfo> &steps)
{
    QVector<double> x, y;
    x.reserve(steps.size());
    y.reserve(steps.size());
    for (const lepton::StepInfo &s : steps) {
        x.append(s.epoch + double(s.batch + 1) / std::max(1, s.batches));
        y.append(s.loss);
    }
    m_plot->addSteps(x, y);
    const lepton::StepInfo &last = steps.last();
    m_stepsDone = static_cast<qint64>(last.epoch) * last.batches + last.batch + 1;
    m_stepsTotal = static_cast<qint64>(m_runEpochs) * last.batches;
    if (m_stepsAtStart < 0) {
        // The pace is measured from the first step this session saw (a resumed run starts late).
        m_stepsAtStart = m_stepsDone - steps.size();
        m_runClock.restart();
    }
    const double fraction = m_stepsTotal > 0 ? double(m_stepsDone) / m_stepsTotal : 0.0;
    const double elapsed = m_runClock.elapsed() / 1000.0;
    const qint64 doneHere = m_stepsDone - m_stepsAtStart;
    const double eta = doneHere > 0 && elapsed > 0 ? elapsed / doneHere * (m_stepsTotal - m_stepsDone) : NAN;
    const int percent = static_cast<int>(std::lround(100.0 * fraction));
    m_progress->setValue(percent);
    const QString text = tr("Epoch %1/%2 · step %3/%4 · loss %5 · %6 samples/s · ETA %7")
                             .arg(last.epoch + 1)
                             .arg(m_runEpochs)
                             .arg(last.batch + 1)
                             .arg(last.batches)
                             .arg(last.loss, 0, 'f', 4)
                             .arg(last.samplesPerSecond, 0, 'f', 0)
                             .arg(duration(eta));
    m_progressText->setText(text);
    Q_EMIT progressChanged(text, percent);
}

double TrainingView::metricValue(double auroc, double accuracy, double f1) const
{
    const QString m = m_metric->currentData().toString();
    return m == QLatin1String("accuracy") ? accuracy : m == QLatin1String("f1") ? f1 : auroc;
}

void TrainingView::addEpochRow(int epoch, double trainLoss, double valLoss, double valAuroc, double valAccuracy,
    double valSensitivity, double valSpecificity, double valF1, double seconds, bool best)
{
    auto *number = new QStandardItem(QString::number(epoch + 1));
    number->setData(epoch, Qt::UserRole);
    QList<QStandardItem *> row { number, numberItem(trainLoss, 4), numberItem(valLoss, 4), numberItem(valAuroc),
        numberItem(valAccuracy), numberItem(valSensitivity), numberItem(valSpecificity), numberItem(valF1),
        numberItem(seconds, 1), new QStandardItem(best ? QStringLiteral("★") : QString()) };
    if (best) {
        // Only one row carries the star and the highlight: the best so far.
        for (int r = 0; r < m_epochs->rowCount(); ++r) {
            m_epochs->item(r, 9)->setText(QString());
            for (int c = 0; c < m_epochs->columnCount(); ++c)
                m_epochs->item(r, c)->setData(QVariant(), Qt::BackgroundRole);
        }
        for (QStandardItem *i : row)
            i->setBackground(QColor(255, 243, 196));
    }
    m_epochs->appendRow(row);
    m_epochView->scrollToBottom();
}

void TrainingView::onEpoch(const lepton::EpochInfo &e)
{
    m_lastEpoch = e.epoch;
    m_plot->addEpoch(e.epoch + 1, e.val.loss, metricValue(e.val.auroc, e.val.accuracy, e.val.f1), e.best);
    addEpochRow(e.epoch, e.train.loss, e.val.loss, e.val.auroc, e.val.accuracy, e.val.sensitivity, e.val.specificity,
        e.val.f1, e.seconds, e.best);
    appendLog(tr("epoch %1/%2  train loss %3  val loss %4  val AUROC %5  (%6 s)%7")
                  .arg(e.epoch + 1)
                  .arg(e.epochs)
                  .arg(fmt(e.train.loss, 4), fmt(e.val.loss, 4), fmt(e.val.auroc))
                  .arg(e.seconds, 0, 'f', 1)
                  .arg(e.best ? tr("  ★ best") : QString()));
    Q_EMIT epochFinished(e.epoch);
}

void TrainingView::onFinished(bool ok, const lepton::TrainOutcome &outcome, const QString &message)
{
    m_probe->stop();
    setRunning(false);
    const qint64 runId = ok ? outcome.runId : m_session->runId();
    QString status = ok ? outcome.status : QStringLiteral("failed");
    QString text;
    if (ok && outcome.status == QLatin1String("completed"))
        text = tr("Run %1 completed: best epoch %2 of %3 · test AUROC %4 · test accuracy %5")
                   .arg(runId)
                   .arg(outcome.bestEpoch + 1)
                   .arg(outcome.epochsRun)
                   .arg(fmt(outcome.test.auroc), fmt(outcome.test.accuracy));
    else if (ok)
        text = tr("Run %1 %2%3")
                   .arg(runId)
                   .arg(outcome.status, message.isEmpty() ? QString() : QStringLiteral(": ") + message);
    else
        text
            = runId ? tr("Run %1 failed: %2").arg(runId).arg(message) : tr("Training could not start: %1").arg(message);
    appendLog(text);
    appendLog(tr("GUI thread: longest gap between %1 ms probe ticks during the run: %2 ms")
                  .arg(kProbeIntervalMs)
                  .arg(m_worstGap, 0, 'f', 1));
    m_progressText->setText(text);
    if (ok && outcome.status == QLatin1String("completed"))
        m_progress->setValue(100);
    reloadRuns();
    // Keep the finished run selected, so Resume and its stored curves are one click away.
    for (int r = 0; r < m_runs->rowCount(); ++r)
        if (m_runs->item(r, 0)->data(Qt::UserRole).toLongLong() == runId) {
            QSignalBlocker block(m_runsView->selectionModel());
            m_runsView->setCurrentIndex(m_runs->index(r, 0));
        }
    updateResumeButton();
    Q_EMIT progressChanged(text, -1);
    if (!ok || outcome.status == QLatin1String("failed")) {
        m_problem->setText(text);
        m_problem->show();
        Q_EMIT errorOccurred(text);
        if (m_interactive)
            QMessageBox::warning(this, tr("Training"), text);
    }
    Q_EMIT runFinished(runId, status);
}

void TrainingView::showRun(qint64 runId, bool completedOnly)
{
    if (!m_study || isRunning())
        return;
    lepton::RunRepository repo(*m_study);
    auto run = repo.run(runId);
    auto rows = repo.metrics(runId);
    if (!run || !rows) {
        fail(run ? rows.error() : run.error());
        return;
    }
    m_plot->clear();
    m_plot->setMetricName(m_metric->currentText());
    m_epochs->removeRows(0, m_epochs->rowCount());
    // Per-step losses: x = epoch + (i + 1) / steps in that epoch.
    std::map<int, std::vector<double>> stepLoss;
    std::map<int, std::map<QString, double>> train, val;
    for (const lepton::MetricRow &m : rows.value()) {
        if (m.split == QLatin1String("train") && m.step >= 0 && m.name == QLatin1String("loss"))
            stepLoss[m.epoch].push_back(m.value);
        else if (m.step < 0 && m.split == QLatin1String("train"))
            train[m.epoch][m.name] = m.value;
        else if (m.step < 0 && m.split == QLatin1String("val"))
            val[m.epoch][m.name] = m.value;
    }
    // Steps per epoch from the longest epoch: a cancelled epoch's partial steps keep their place
    // instead of stretching over the epoch. Resuming drops an epoch without validation (the
    // trainer repeats it), so then only completed epochs are drawn.
    std::size_t perEpoch = 1;
    for (const auto &[epoch, losses] : stepLoss)
        perEpoch = std::max(perEpoch, losses.size());
    QVector<double> x, y;
    for (const auto &[epoch, losses] : stepLoss) {
        if (completedOnly && !val.count(epoch))
            continue;
        for (std::size_t i = 0; i < losses.size(); ++i) {
            x.append(epoch + double(i + 1) / perEpoch);
            y.append(losses[i]);
        }
    }
    m_plot->addSteps(x, y);
    // The best epoch as the trainer judged it up to each epoch: the stored best is the last star.
    for (const auto &[epoch, v] : val) {
        auto get = [&v](const char *name) {
            auto it = v.find(QString::fromLatin1(name));
            return it == v.end() ? NAN : it->second;
        };
        const bool best = epoch == run->bestEpoch;
        m_plot->addEpoch(epoch + 1, get("loss"), metricValue(get("auroc"), get("accuracy"), get("f1")), best);
        const auto t = train.find(epoch);
        const double trainLoss
            = t == train.end() || !t->second.count(QStringLiteral("loss")) ? NAN : t->second.at(QStringLiteral("loss"));
        addEpochRow(epoch, trainLoss, get("loss"), get("auroc"), get("accuracy"), get("sensitivity"),
            get("specificity"), get("f1"), NAN, best);
    }
    m_progress->setValue(run->status == QLatin1String("completed") ? 100 : 0);
    m_progressText->setText(
        tr("Run %1 “%2”: %3%4")
            .arg(runId)
            .arg(run->name, run->status, run->message.isEmpty() ? QString() : QStringLiteral(" — ") + run->message));
}

void TrainingView::appendLog(const QString &line)
{
    m_log->appendPlainText(
        QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line));
}
