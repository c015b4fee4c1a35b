// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewView.h"

#include "BackgroundTask.h"
#include "CaseExplanationPanel.h"
#include "LatestRead.h"
#include "ReviewDialogs.h"
#include "ReviewQueueModel.h"
#include "ReviewReport.h"

#include "service/ReviewService.h"
#include "store/Study.h"

#include <QComboBox>
#include <QDialog>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace {
const QString kReviewerKey = QStringLiteral("review/reviewer");

QString positionKey(const QString &studyPath, qint64 runId)
{
    return QStringLiteral("review/position/%1/%2")
        .arg(QString::fromLatin1(studyPath.toUtf8().toBase64(QByteArray::Base64UrlEncoding)))
        .arg(runId);
}
} // namespace

ReviewView::ReviewView(QWidget *parent)
    : QWidget(parent),
      m_runs(new QComboBox(this)),
      m_status(new QComboBox(this)),
      m_decision(new QComboBox(this)),
      m_band(new QComboBox(this)),
      m_sort(new QComboBox(this)),
      m_reviewer(new QLineEdit(this)),
      m_progressText(new QLabel(this)),
      m_rule(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_model(new ReviewQueueModel(this)),
      m_queueRead(new LatestRead(this)),
      m_export(new BackgroundTask(this)),
      m_view(new QTableView(this)),
      m_panel(new CaseExplanationPanel(true, this)),
      m_history(new QListWidget(this)),
      m_accept(new QPushButton(tr("&Accept (A)"), this)),
      m_override(new QPushButton(tr("&Override… (O)"), this)),
      m_comment(new QPushButton(tr("&Comment… (C)"), this)),
      m_prev(new QPushButton(tr("◀ &Previous (P)"), this)),
      m_next(new QPushButton(tr("&Next (N) ▶"), this))
{
    m_status->addItem(tr("all cases"), QStringLiteral("all"));
    m_status->addItem(tr("unreviewed"), QStringLiteral("unreviewed"));
    m_status->addItem(tr("referred to review"), QStringLiteral("referred"));
    m_status->addItem(tr("disagrees with label"), QStringLiteral("disagreement"));
    for (const QPointF &band :
        { QPointF(0.0, 1.0), QPointF(0.35, 0.65), QPointF(0.0, 0.2), QPointF(0.2, 0.8), QPointF(0.8, 1.0) })
        m_band->addItem(QString(), band);
    nameBands(QString());
    m_sort->addItem(tr("by case"), QStringLiteral("case"));
    m_sort->addItem(tr("most uncertain first"), QStringLiteral("uncertainty"));
    m_sort->addItem(tr("by probability"), QStringLiteral("probability"));
    m_sort->addItem(tr("by decision"), QStringLiteral("decision"));
    m_reviewer->setToolTip(tr("Who reviews: stored with every review and in the audit log"));
    m_reviewer->setMaximumWidth(160);
    // The filter bar fits a laptop screen: combos shrink to a few characters and elide.
    for (QComboBox *b : { m_runs, m_status, m_decision, m_band, m_sort }) {
        b->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        b->setMinimumContentsLength(b == m_runs ? 14 : 9);
    }
    m_reviewer->setText(QSettings().value(kReviewerKey, lepton::ReviewService::defaultReviewer()).toString());

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Run"), this));
    bar->addWidget(m_runs);
    bar->addWidget(m_status);
    bar->addWidget(new QLabel(tr("Decision"), this));
    bar->addWidget(m_decision);
    bar->addWidget(m_band);
    bar->addWidget(m_sort);
    bar->addStretch();
    bar->addWidget(new QLabel(tr("Reviewer"), this));
    bar->addWidget(m_reviewer);

    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    // Every column fits beside the case at the default 1280 × 800 window, without scrolling
    // sideways: the columns of short values (ids, classes, a probability) take their contents
    // under short headers (the tooltips say them in full), and the review column, the one with
    // long text ("override → … (reviewer)"), takes what is left and elides (its tooltip has it
    // all). Case, Label and Decision come first, so the decision is always in view.
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ReviewQueueModel::Verdict, QHeaderView::Stretch);
    header->setStretchLastSection(true);
    header->setTextElideMode(Qt::ElideRight);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setWordWrap(false);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(8);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_progressText);
    leftLayout->addWidget(m_progress);
    // How the run decides, in words, above the decisions it made.
    m_rule->setObjectName(QStringLiteral("ruleLabel"));
    m_rule->setWordWrap(true);
    m_rule->setTextInteractionFlags(Qt::TextSelectableByMouse);
    leftLayout->addWidget(m_rule);
    leftLayout->addWidget(m_view, 1);

    auto *actions = new QHBoxLayout;
    updateDecisionButtons();
    for (QPushButton *b : { m_prev, m_accept, m_override, m_comment, m_next })
        actions->addWidget(b);
    auto *exportCsvButton = new QPushButton(tr("Export CSV…"), this);
    auto *exportPdfButton = new QPushButton(tr("Export PDF…"), this);
    exportCsvButton->setToolTip(tr("The queue as shown, with decisions and verdicts, as CSV; the export is recorded "
                                   "in the study's audit log"));
    exportPdfButton->setToolTip(tr("The queue as shown, with each case's image and overlay, decision and verdict, as "
                                   "PDF; the export is recorded in the study's audit log"));
    auto *exportRow = new QHBoxLayout;
    exportRow->addWidget(new QLabel(tr("Report of this queue:"), this));
    exportRow->addWidget(exportCsvButton);
    exportRow->addWidget(exportPdfButton);
    exportRow->addStretch();
    leftLayout->addLayout(exportRow);
    connect(exportCsvButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export review report"), QStringLiteral("review-run%1.csv").arg(currentRun()), tr("CSV (*.csv)"));
        if (!path.isEmpty())
            startExport(path, false);
    });
    connect(exportPdfButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export review report"), QStringLiteral("review-run%1.pdf").arg(currentRun()), tr("PDF (*.pdf)"));
        if (!path.isEmpty())
            startExport(path, true);
    });
    for (QPushButton *b : { exportCsvButton, exportPdfButton }) {
        connect(m_export, &BackgroundTask::started, b, [b] { b->setEnabled(false); });
        connect(m_export, &BackgroundTask::finished, b, [b] { b->setEnabled(true); });
    }
    exportCsvButton->setObjectName(QStringLiteral("exportCsvButton"));
    exportPdfButton->setObjectName(QStringLiteral("exportPdfButton"));
    connect(m_export, &BackgroundTask::finished, this, [this](bool ok, bool, const QString &message) {
        if (!ok)
            showError(message);
        Q_EMIT exportFinished(ok, message);
    });
    m_history->setMaximumHeight(90);
    m_history->setToolTip(tr("Every review of this case, oldest first"));

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_panel, 1);
    rightLayout->addLayout(actions);
    rightLayout->addWidget(new QLabel(tr("Reviews of this case"), this));
    rightLayout->addWidget(m_history);

    auto *split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    // In proportion: the queue a little under half, wide enough for its columns at 1280 × 800; the
    // case beside it keeps the width its image and explanation need.
    split->setSizes({ 1000, 1200 });
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    // One-key shortcuts while the view has focus; a text field keeps its letters.
    const struct
    {
        QKeySequence key;
        std::function<void()> run;
    } keys[] = {
        // A refused verdict has been shown already.
        { QKeySequence(Qt::Key_A), [this] { static_cast<void>(accept()); } },
        { QKeySequence(Qt::Key_O), [this] { openOverrideDialog(); } },
        { QKeySequence(Qt::Key_C), [this] { openCommentDialog(); } },
        { QKeySequence(Qt::Key_N), [this] { next(); } },
        { QKeySequence(Qt::Key_P), [this] { previous(); } },
        { QKeySequence(Qt::Key_T), [this] { m_panel->cycleOverlay(); } },
    };
    for (const auto &k : keys) {
        auto *s = new QShortcut(k.key, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, k.run);
    }
    connect(m_accept, &QPushButton::clicked, this, &ReviewView::accept);
    connect(m_override, &QPushButton::clicked, this, &ReviewView::openOverrideDialog);
    connect(m_comment, &QPushButton::clicked, this, &ReviewView::openCommentDialog);
    connect(m_next, &QPushButton::clicked, this, &ReviewView::next);
    connect(m_prev, &QPushButton::clicked, this, &ReviewView::previous);
    connect(m_reviewer, &QLineEdit::editingFinished, this, [this] { setReviewer(m_reviewer->text()); });
    connect(m_runs, &QComboBox::activated, this, [this] { selectRun(currentRun()); });
    for (QComboBox *b : { m_status, m_decision, m_band, m_sort })
        connect(b, &QComboBox::activated, this, &ReviewView::applyFilter);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showCurrent();
        rememberPosition();
    });
    setStudy(nullptr);
}

void ReviewView::nameBands(const QString &positiveClass)
{
    // Every probability names its class: the bands are of p(positive class).
    const QString p = positiveClass.isEmpty() ? QStringLiteral("p") : QStringLiteral("p(%1)").arg(positiveClass);
    const QStringList names { tr("any confidence"), tr("uncertain (%1 0.35–0.65)").arg(p), tr("%1 < 0.2").arg(p),
        tr("%1 0.2–0.8").arg(p), tr("%1 > 0.8").arg(p) };
    for (int i = 0; i < m_band->count() && i < names.size(); ++i)
        m_band->setItemText(i, names[i]);
}

void ReviewView::setReviewer(const QString &name)
{
    const QString trimmed = name.trimmed();
    m_reviewer->setText(trimmed.isEmpty() ? lepton::ReviewService::defaultReviewer() : trimmed);
    QSettings().setValue(kReviewerKey, m_reviewer->text());
}

QString ReviewView::reviewer() const
{
    return m_reviewer->text().trimmed().isEmpty() ? lepton::ReviewService::defaultReviewer()
                                                  : m_reviewer->text().trimmed();
}

void ReviewView::setStudy(std::shared_ptr<lepton::Study> study)
{
    m_study = std::move(study);
    updateDecisionButtons();
    reload();
}

void ReviewView::updateDecisionButtons()
{
    const bool readOnly = m_study && m_study->isReadOnly();
    const QString why = tr("The study is open read-only: reviews cannot be recorded");
    m_accept->setToolTip(readOnly ? why : tr("The decision is right (A)"));
    m_override->setToolTip(readOnly ? why : tr("The decision is wrong: choose the right class and give a reason (O)"));
    m_comment->setToolTip(
        readOnly ? why : tr("Add a note to the case (C); a comment alone does not review it: accept or override too"));
    for (QPushButton *b : { m_accept, m_override, m_comment })
        b->setEnabled(!readOnly);
}

void ReviewView::reload()
{
    const qint64 keep = currentRun();
    {
        QSignalBlocker block(m_runs);
        m_runs->clear();
        if (m_study) {
            auto runs = lepton::ReviewService(*m_study).runs();
            if (!runs)
                showError(runs.error());
            else
                for (const lepton::ReviewRun &run : runs.value())
                    m_runs->addItem(
                        tr("%1: %2 (%3 predictions)").arg(run.id).arg(run.name).arg(run.predictions), run.id);
        }
    }
    const int i = m_runs->findData(keep);
    if (m_runs->count() == 0) {
        m_queueRead->supersede();
        m_model->setQueue(nullptr, 0, {});
        m_rule->clear();
        m_panel->clear(m_study ? tr("No predictions to review yet: predict a run's cases first (Experiments ▸ "
                                    "Predict and explain, or `lepton predict`).")
                               : QString());
        updateProgress();
        return;
    }
    selectRun(m_runs->itemData(i >= 0 ? i : 0).toLongLong());
}

qint64 ReviewView::currentRun() const
{
    return m_runs->currentIndex() >= 0 ? m_runs->currentData().toLongLong() : 0;
}

void ReviewView::selectRun(qint64 runId)
{
    const int i = m_runs->findData(runId);
    if (i < 0)
        return;
    m_runs->setCurrentIndex(i);
    // The decisions this run made, for the filter.
    const QString keepDecision = m_decision->currentData().toString();
    m_decision->clear();
    m_decision->addItem(tr("any"), QString());
    if (auto decisions = lepton::ReviewService(*m_study).decisions(runId))
        for (const QString &d : decisions.value())
            m_decision->addItem(d, d);
    const int d = m_decision->findData(keepDecision);
    m_decision->setCurrentIndex(d >= 0 ? d : 0);
    applyFilter();
}

lepton::ReviewFilter ReviewView::currentFilter() const
{
    lepton::ReviewFilter f;
    const QString status = m_status->currentData().toString();
    f.unreviewedOnly = status == QLatin1String("unreviewed");
    f.referredOnly = status == QLatin1String("referred");
    f.disagreementOnly = status == QLatin1String("disagreement");
    f.decision = m_decision->currentData().toString();
    const QPointF band = m_band->currentData().toPointF();
    f.minProbability = band.x();
    f.maxProbability = band.y();
    f.sort = m_sort->currentData().toString();
    return f;
}

lepton::Status ReviewView::exportReport(const QString &path, bool pdf)
{
    if (!m_study || currentRun() == 0)
        return fail(tr("Choose a run with predictions first."));
    const lepton::Status written = pdf
        ? ReviewReport::writePdf(m_study, currentRun(), currentFilter(), path, reviewer())
        : ReviewReport::writeCsv(m_study, currentRun(), currentFilter(), path, reviewer());
    return written ? written : fail(written.error());
}

bool ReviewView::startExport(const QString &path, bool pdf)
{
    if (!m_study || currentRun() == 0) {
        showError(tr("Choose a run with predictions first."));
        return false;
    }
    // The report reads the whole queue (and, for the PDF, each case's image and explanation).
    return m_export->start(pdf ? tr("Exporting the review report (PDF)") : tr("Exporting the review report (CSV)"),
        [study = m_study, run = currentRun(), filter = currentFilter(), path, actor = reviewer(), pdf](
            const lepton::ProgressFn &, const lepton::CancelFn &) {
            return pdf ? ReviewReport::writePdf(study, run, filter, path, actor)
                       : ReviewReport::writeCsv(study, run, filter, path, actor);
        });
}

bool ReviewView::isExporting() const
{
    return m_export->isRunning();
}

void ReviewView::applyFilter()
{
    if (!m_study || currentRun() == 0)
        return;
    // The queue is counted and sorted in SQL over all the run's predictions: off the GUI thread.
    const lepton::ReviewFilter f = currentFilter();
    const qint64 run = currentRun();
    m_progressText->setText(tr("Reading the queue…"));
    m_queueRead->start<lepton::ReviewQueueStart>(
        m_study,
        [run, f](lepton::Study &study, const lepton::CancelFn &) {
            return lepton::ReviewService(study).openQueue(run, f, ReviewQueueModel::PageSize);
        },
        [this, run, f](const lepton::Result<lepton::ReviewQueueStart> &start) {
            if (!start) {
                m_model->setQueue(nullptr, 0, {});
                showError(start.error());
                updateProgress();
                Q_EMIT queueShown();
                return;
            }
            m_model->setPositiveClass(start->rule.positiveClass);
            nameBands(start->rule.positiveClass);
            m_model->setLoadedQueue(m_study, run, f, start->total, start->firstPage);
            m_rule->setText(start->rule.rule.isEmpty() ? QString() : tr("Rule: %1").arg(start->rule.rule));
            // Resume: the case the reviewer was on, else the first one still to review.
            int row = -1;
            const qint64 last = QSettings().value(positionKey(m_study->path(), run)).toLongLong();
            if (last > 0)
                row = m_model->rowOf(last);
            if (row < 0)
                row = std::max(0, start->firstUnreviewed);
            goToRow(row);
            showProgress(start->reviewed, start->predictions);
            Q_EMIT queueShown();
        });
}

bool ReviewView::isLoading() const
{
    return m_queueRead->isBusy();
}

void ReviewView::goToRow(int row)
{
    if (!m_model->ensureLoaded(row)) {
        m_panel->clear(m_model->totalCount() == 0 ? tr("No case matches these filters.") : QString());
        m_history->clear();
        return;
    }
    m_view->setCurrentIndex(m_model->index(row, 0));
    m_view->scrollTo(m_model->index(row, 0));
    showCurrent();
}

int ReviewView::currentRow() const
{
    return m_view->currentIndex().isValid() ? m_view->currentIndex().row() : -1;
}

qint64 ReviewView::currentPrediction() const
{
    const lepton::ReviewItem *it = m_model->itemAt(currentRow());
    return it ? it->predictionId : 0;
}

void ReviewView::showCurrent()
{
    const lepton::ReviewItem *it = m_model->itemAt(currentRow());
    m_history->clear();
    if (!it || !m_study) {
        m_panel->clear();
        return;
    }
    m_panel->showCase(m_study, currentRun(), it->caseId);
    if (auto history = lepton::ReviewService(*m_study).history(it->predictionId))
        for (const lepton::ReviewRecord &r : history.value())
            m_history->addItem(lepton::ReviewService::historyLine(r));
}

void ReviewView::rememberPosition()
{
    if (m_study && currentPrediction() > 0)
        QSettings().setValue(positionKey(m_study->path(), currentRun()), currentPrediction());
}

void ReviewView::updateProgress()
{
    if (!m_study || currentRun() == 0) {
        m_progressText->setText(tr("Nothing to review."));
        m_progress->setValue(0);
        return;
    }
    auto p = lepton::ReviewService(*m_study).progress(currentRun());
    if (p)
        showProgress(p->first, p->second);
}

void ReviewView::showProgress(int reviewed, int predictions)
{
    m_progressText->setText(tr("%1 of %2 reviewed · %3 in this queue · reviewer %4")
                                .arg(reviewed)
                                .arg(predictions)
                                .arg(m_model->totalCount())
                                .arg(reviewer()));
    m_progress->setRange(0, std::max(1, predictions));
    m_progress->setValue(reviewed);
}

void ReviewView::showError(const QString &message)
{
    Q_EMIT errorOccurred(message);
    if (m_interactive)
        QMessageBox::warning(this, tr("Review"), message);
}

lepton::Status ReviewView::fail(const QString &message)
{
    showError(message);
    return lepton::Status::failure(message);
}

lepton::Status ReviewView::save(const lepton::ReviewVerdict &verdict)
{
    const lepton::ReviewItem *it = m_model->itemAt(currentRow());
    if (!it || !m_study)
        return fail(tr("Select a case to review first."));
    // What the reviewer saw besides the queue's row: the explanation as shown, when the panel
    // has finished showing this case.
    const bool shown = m_panel->shownCase() == it->caseId && m_panel->shownRun() == currentRun();
    QJsonObject seen { { QStringLiteral("explanation_shown"), shown },
        { QStringLiteral("overlay"), m_panel->overlayBox()->currentText() } };
    if (shown)
        seen.insert(QStringLiteral("counterfactual"), m_panel->counterfactualLabel()->text());
    auto id = lepton::ReviewService(*m_study).save(*it, reviewer(), verdict, seen);
    if (!id)
        return fail(id.error());
    const int row = currentRow();
    m_model->refreshRow(row);
    showCurrent();
    updateProgress();
    Q_EMIT reviewSaved(id.value());
    return lepton::Status();
}

lepton::Status ReviewView::accept()
{
    const lepton::Status saved = save({ QStringLiteral("accept"), QString(), QString(), QString() });
    if (saved)
        next();
    return saved;
}

lepton::Status ReviewView::overrideCurrent(const QString &chosenClass, const QString &reason)
{
    const lepton::Status saved = save({ QStringLiteral("override"), chosenClass, reason, QString() });
    if (saved)
        next();
    return saved;
}

lepton::Status ReviewView::comment(const QString &text)
{
    return save({ QStringLiteral("comment"), QString(), QString(), text });
}

void ReviewView::next()
{
    const int row = currentRow();
    if (m_model->ensureLoaded(row + 1))
        goToRow(row + 1);
}

void ReviewView::previous()
{
    if (currentRow() > 0)
        goToRow(currentRow() - 1);
}

QDialog *ReviewView::openOverrideDialog()
{
    const lepton::ReviewItem *it = m_model->itemAt(currentRow());
    if (m_dialog && m_dialog->isVisible())
        return m_dialog; // one question at a time
    if (!it)
        return nullptr;
    // Every class but the decision on screen.
    auto choices = lepton::ReviewService(*m_study).overrideChoices(currentRun(), *it);
    if (!choices) {
        showError(choices.error());
        return nullptr;
    }
    m_dialog = ReviewDialogs::overrideDialog(this, *it, choices.value(), m_model->positiveClass(),
        [this](const QString &chosen, const QString &reason) { return bool(overrideCurrent(chosen, reason)); });
    return m_dialog;
}

QDialog *ReviewView::openCommentDialog()
{
    const lepton::ReviewItem *it = m_model->itemAt(currentRow());
    if (m_dialog && m_dialog->isVisible())
        return m_dialog; // one question at a time
    if (!it)
        return nullptr;
    m_dialog = ReviewDialogs::commentDialog(this, *it, [this](const QString &text) { return bool(comment(text)); });
    return m_dialog;
}
