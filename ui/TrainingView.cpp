// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrainingView.h"

#include "LossPlot.h"
#include "TrainingForm.h"
#include "TrainingSession.h"

#include "service/BackgroundRead.h"
#include "service/DatasetListModel.h"
#include "service/RunHistory.h"
#include "service/RunListModel.h"
#include "service/StudySession.h"
#include "store/EncoderRepository.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTime>
#include <QVBoxLayout>

#include <cmath>
#include <utility>

using lepton::RunListModel;

namespace {

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

void tidyTable(QTableView *view)
{
    view->verticalHeader()->hide();
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setWordWrap(false);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
}

} // namespace

TrainingView::TrainingView(lepton::StudySession *session, QWidget *parent)
    : QWidget(parent),
      m_studySession(session),
      m_session(new TrainingSession(this)),
      m_form(new TrainingForm(this)),
      m_plot(new LossPlot(this)),
      m_epochs(new QStandardItemModel(this)),
      m_epochView(new QTableView(this)),
      m_runs(new QSortFilterProxyModel(this)),
      m_runsView(new QTableView(this)),
      m_log(new QPlainTextEdit(this)),
      m_progress(new QProgressBar(this)),
      m_progressText(new QLabel(this))
{
    m_plot->setObjectName(QStringLiteral("lossPlot"));
    m_epochView->setObjectName(QStringLiteral("epochTable"));
    m_runsView->setObjectName(QStringLiteral("runsTable"));
    m_log->setObjectName(QStringLiteral("logView"));
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progressText->setObjectName(QStringLiteral("progressLabel"));
    // A long status ("Run 7 interrupted: …") wraps in the room it has instead of widening the
    // right pane (which squeezed the form and its buttons at 1280×800).
    m_progressText->setWordWrap(true);
    m_progressText->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_progressText->setMinimumWidth(0);

    m_epochs->setHorizontalHeaderLabels({ tr("Epoch"), tr("Train loss"), tr("Val loss"), tr("Val AUROC"), tr("Val acc"),
        tr("Sens"), tr("Spec"), tr("F1"), tr("Seconds"), tr("Best") });
    m_epochView->setModel(m_epochs);
    tidyTable(m_epochView);
    m_epochView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_epochView->setAlternatingRowColors(true);

    // The study's runs: the session's list, sorted here (numbers as numbers).
    m_runs->setSourceModel(m_studySession->runs());
    m_runs->setSortRole(Qt::EditRole);
    m_runsView->setModel(m_runs);
    tidyTable(m_runsView);
    m_runsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runsView->horizontalHeader()->setStretchLastSection(true);
    m_runsView->setSortingEnabled(true);
    m_runsView->sortByColumn(RunListModel::Id, Qt::AscendingOrder);

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
    scroll->setWidget(m_form);
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

    m_form->setDatasetModel(m_studySession->datasets());
    connect(m_form, &TrainingForm::startRequested, this, &TrainingView::startTraining);
    connect(m_form, &TrainingForm::cancelRequested, this, &TrainingView::cancelTraining);
    connect(m_form, &TrainingForm::resumeRequested, this, &TrainingView::resumeSelectedRun);
    connect(m_form, &TrainingForm::errorOccurred, this, &TrainingView::fail);
    connect(m_form, &TrainingForm::metricChanged, this, [this] {
        m_plot->setMetricName(m_form->metricLabel());
        if (!isRunning() && selectedRunId())
            showRun(selectedRunId());
    });
    m_plot->setMetricName(m_form->metricLabel());
    // Dozens of noisy steps per epoch: a heavier average than the plot's default reads better.
    m_plot->setSmoothing(0.9);

    connect(m_session, &TrainingSession::stepsArrived, this, &TrainingView::onSteps);
    connect(m_session, &TrainingSession::epochFinished, this, &TrainingView::onEpoch);
    connect(m_session, &TrainingSession::logLines, this, [this](const QStringList &lines) {
        for (const QString &l : lines)
            appendLog(l);
    });
    connect(m_session, &TrainingSession::runStarted, this, [this](qint64 id) {
        if (const lepton::Status s = m_studySession->refreshRuns(); !s)
            appendLog(s.error());
        Q_EMIT runStarted(id);
    });
    connect(m_session, &TrainingSession::finished, this, &TrainingView::onFinished);
    connect(m_runsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateState();
        if (!isRunning() && selectedRunId())
            showRun(selectedRunId());
    });
    // A run's status changes in the list (another program ended it): Resume follows.
    connect(m_studySession->runs(), &QAbstractItemModel::dataChanged, this, &TrainingView::updateState);
    connect(m_studySession, &lepton::StudySession::studyOpened, this, &TrainingView::onStudyChanged);
    connect(m_studySession, &lepton::StudySession::studyClosed, this, &TrainingView::onStudyChanged);
    onStudyChanged();
}

TrainingView::~TrainingView()
{
    // The session's destructor cancels and waits; the run is recorded as cancelled.
}

void TrainingView::onStudyChanged()
{
    ++m_readGeneration; // a stored run of the study before is not drawn
    m_plot->clear();
    m_epochs->removeRows(0, m_epochs->rowCount());
    m_log->clear();
    m_progress->setValue(0);
    m_progressText->setText(m_studySession->isOpen() ? tr("Ready. Choose the settings and press Start (Ctrl+Enter).")
                                                     : tr("Open a study to train."));
    m_form->selectDataset(m_studySession->datasets()->ids().value(m_studySession->datasets()->rowCount() - 1));
    refreshEncoders();
    updateState();
}

void TrainingView::refreshEncoders()
{
    QList<QPair<QString, QString>> offered;
    if (m_studySession->isOpen()) {
        auto encoders = lepton::EncoderRepository(*m_studySession->study()).list();
        if (!encoders) {
            fail(encoders.error());
            return;
        }
        for (const lepton::StoredEncoder &e : encoders.value())
            offered.append({ e.name,
                tr("%1: %2 parameters, %3 channel(s)%4, %5 features on a %6 map; SHA-256 %7…, imported %8 by %9")
                    .arg(e.name)
                    .arg(e.parameters)
                    .arg(e.channels)
                    .arg(e.inputSize > 0 ? tr(" at %1 px").arg(e.inputSize) : QString())
                    .arg(e.features)
                    .arg(e.mapSize, e.sha256.left(12), e.importedAt.left(10), e.importedBy) });
    }
    m_form->setStudyEncoders(offered);
}

void TrainingView::showEvent(QShowEvent *event)
{
    // An encoder imported from the command line while the workbench is open shows up here.
    if (!isRunning())
        refreshEncoders();
    QWidget::showEvent(event);
}

void TrainingView::selectDataset(qint64 datasetId)
{
    if (!isRunning())
        m_form->selectDataset(datasetId);
}

qint64 TrainingView::selectedRunId() const
{
    const QModelIndex i = m_runsView->currentIndex();
    return i.isValid() ? i.data(RunListModel::RunIdRole).toLongLong() : 0;
}

void TrainingView::selectRun(qint64 runId)
{
    for (int r = 0; r < m_runs->rowCount(); ++r)
        if (m_runs->index(r, 0).data(RunListModel::RunIdRole).toLongLong() == runId) {
            QSignalBlocker block(m_runsView->selectionModel());
            m_runsView->setCurrentIndex(m_runs->index(r, 0));
        }
}

void TrainingView::refreshSelectedRun()
{
    if (!isRunning() && selectedRunId())
        showRun(selectedRunId());
}

void TrainingView::updateState()
{
    const bool writable = m_studySession->isOpen() && !m_studySession->isReadOnly();
    const QModelIndex i = m_runsView->currentIndex();
    const bool resumable = i.isValid() && RunListModel::isResumable(i.data(RunListModel::StatusRole).toString());
    m_form->setState(isRunning(), writable, writable && resumable,
        m_studySession->isReadOnly() ? tr("The study is open read-only") : QString());
}

void TrainingView::fail(const QString &message)
{
    m_form->showProblem(message);
    if (message.isEmpty())
        return;
    appendLog(message);
    Q_EMIT errorOccurred(message);
}

bool TrainingView::startTraining()
{
    if (isRunning())
        return false;
    if (m_studySession->isReadOnly()) {
        fail(tr("%1 is open read-only: a run cannot be stored. Open it for writing (File ▸ Open Study) to "
                "train.")
                 .arg(m_studySession->path()));
        return false;
    }
    const lepton::Result<lepton::TrainConfig> c = m_form->config(m_studySession->isOpen());
    if (!c) {
        fail(c.error());
        return false;
    }
    m_form->showProblem(QString());
    if (!m_session->start(m_studySession->study(), m_form->datasetId(), c.value(), m_form->runName())) {
        fail(tr("The run could not be started."));
        return false;
    }
    ++m_readGeneration; // a stored run still being read is not drawn over the new one
    m_awaitingHistory = false;
    beginRun(c->epochs, false);
    appendLog(tr("Starting: %1, %2 epochs, batch %3, learning rate %4, %5 px, seed %6, device %7")
                  .arg(m_form->variant())
                  .arg(c->epochs)
                  .arg(c->batchSize)
                  .arg(c->learningRate)
                  .arg(c->model.imageSize)
                  .arg(c->seed)
                  .arg(c->device));
    return true;
}

bool TrainingView::resumeSelectedRun()
{
    const qint64 runId = selectedRunId();
    if (isRunning() || !m_studySession->isOpen() || !runId)
        return false;
    if (m_studySession->isReadOnly()) {
        fail(tr("%1 is open read-only: a run cannot be resumed in it. Open it for writing (File ▸ Open Study).")
                 .arg(m_studySession->path()));
        return false;
    }
    // One row: quick. A run still marked running may be training in another window or program.
    auto run = lepton::RunHistory::resumable(*m_studySession->study(), runId);
    if (!run) {
        fail(run.error());
        return false;
    }
    if (!m_session->resume(m_studySession->study(), runId)) {
        fail(tr("Run %1 could not be resumed.").arg(runId));
        return false;
    }
    // The completed epochs are read in the background; the resumed ones continue them.
    showRun(runId, true);
    m_awaitingHistory = true;
    beginRun(lepton::RunHistory::configuredEpochs(run.value()), true);
    appendLog(tr("Resuming run %1").arg(runId));
    return true;
}

void TrainingView::beginRun(int epochs, bool resuming)
{
    if (!resuming) {
        m_plot->clear();
        m_plot->setMetricName(m_form->metricLabel());
        m_epochs->removeRows(0, m_epochs->rowCount());
        m_progress->setValue(0);
    }
    m_runEpochs = epochs;
    m_stepsDone = 0;
    m_stepsTotal = 0;
    m_stepsAtStart = -1;
    m_runClock.start();
    m_progressText->setText(tr("Preparing the data…"));
    updateState();
    Q_EMIT busyChanged(true);
}

void TrainingView::cancelTraining()
{
    if (!isRunning())
        return;
    m_session->cancel();
    m_form->setCancelEnabled(false);
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

void TrainingView::onSteps(const QVector<lepton::StepInfo> &steps)
{
    if (m_awaitingHistory) {
        m_heldSteps += steps;
        return;
    }
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
    const QString m = m_form->metricKey();
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
    if (m_awaitingHistory) {
        m_heldEpochs.append(e);
        return;
    }
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
    if (m_awaitingHistory) {
        // The run ended before its history was read: what it reported is drawn without it.
        ++m_readGeneration;
        releaseHeldReports();
    }
    const qint64 runId = ok ? outcome.runId : m_session->runId();
    const QString status = lepton::runStatusName(ok ? outcome.status : lepton::RunStatus::Failed);
    QString text;
    if (ok && outcome.status == lepton::RunStatus::Completed)
        text = tr("Run %1 completed: best epoch %2 of %3 · test AUROC %4 · test accuracy %5")
                   .arg(runId)
                   .arg(outcome.bestEpoch + 1)
                   .arg(outcome.epochsRun)
                   .arg(fmt(outcome.test.auroc), fmt(outcome.test.accuracy));
    else if (ok)
        text = tr("Run %1 %2%3").arg(runId).arg(status, message.isEmpty() ? QString() : QStringLiteral(": ") + message);
    else
        text
            = runId ? tr("Run %1 failed: %2").arg(runId).arg(message) : tr("Training could not start: %1").arg(message);
    appendLog(text);
    m_progressText->setText(text);
    if (ok && outcome.status == lepton::RunStatus::Completed)
        m_progress->setValue(100);
    if (const lepton::Status s = m_studySession->refreshRuns(); !s)
        appendLog(s.error());
    // Keep the finished run selected, so Resume and its stored curves are one click away.
    selectRun(runId);
    updateState();
    Q_EMIT busyChanged(false);
    Q_EMIT progressChanged(text, -1);
    if (!ok || outcome.status == lepton::RunStatus::Failed) {
        m_form->showProblem(text);
        Q_EMIT errorOccurred(text);
    }
    Q_EMIT runFinished(runId, status);
}

void TrainingView::showRun(qint64 runId, bool completedOnly)
{
    if (!m_studySession->isOpen() || (isRunning() && !completedOnly))
        return;
    const int generation = ++m_readGeneration;
    lepton::readInBackground<lepton::TrainingCurves>(
        m_studySession->study(), this,
        [runId, completedOnly](
            lepton::Study &study) { return lepton::RunHistory::curves(study, runId, completedOnly); },
        [this, generation](const lepton::Result<lepton::TrainingCurves> &curves) {
            if (generation != m_readGeneration)
                return; // another run was chosen meanwhile
            if (!curves) {
                releaseHeldReports();
                fail(curves.error());
                return;
            }
            drawRun(curves.value());
        });
}

void TrainingView::drawRun(const lepton::TrainingCurves &c)
{
    m_plot->clear();
    m_plot->setMetricName(m_form->metricLabel());
    m_epochs->removeRows(0, m_epochs->rowCount());
    m_plot->addSteps(c.stepX, c.stepLoss);
    // The best epoch as the trainer judged it up to each epoch: the stored best is the last star.
    for (const lepton::EpochSummary &e : c.epochs) {
        m_plot->addEpoch(e.epoch + 1, e.valLoss, metricValue(e.valAuroc, e.valAccuracy, e.valF1), e.best);
        // The stored seconds: a redraw (the 2 s refresh) keeps what the live rows showed.
        addEpochRow(e.epoch, e.trainLoss, e.valLoss, e.valAuroc, e.valAccuracy, e.valSensitivity, e.valSpecificity,
            e.valF1, e.seconds, e.best);
    }
    if (m_awaitingHistory) {
        // A resumed run: its history is drawn, now what it has sent meanwhile.
        releaseHeldReports();
    } else {
        m_progress->setValue(c.run.status == lepton::RunStatus::Completed ? 100 : 0);
        m_progressText->setText(tr("Run %1 “%2”: %3%4")
                                    .arg(c.run.id)
                                    .arg(c.run.name, lepton::runStatusName(c.run.status),
                                        c.run.message.isEmpty() ? QString() : QStringLiteral(" — ") + c.run.message));
    }
    Q_EMIT runShown(c.run.id);
}

void TrainingView::releaseHeldReports()
{
    m_awaitingHistory = false;
    const QVector<lepton::StepInfo> steps = std::exchange(m_heldSteps, {});
    const QVector<lepton::EpochInfo> epochs = std::exchange(m_heldEpochs, {});
    if (!steps.isEmpty())
        onSteps(steps);
    for (const lepton::EpochInfo &e : epochs)
        onEpoch(e);
}

void TrainingView::appendLog(const QString &line)
{
    m_log->appendPlainText(
        QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line));
}
