// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExperimentsView.h"

#include "BackgroundTask.h"
#include "ConfusionMatrixView.h"
#include "CurvePlot.h"
#include "PredictionQuery.h"
#include "RunCurvesPlot.h"
#include "RunTableModel.h"

#include "explain/PredictionService.h"
#include "store/AuditLog.h"
#include "store/DatasetRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kCalibrationBins = 10;
const QColor kDifferent(255, 246, 204); // a setting that differs between the runs
const QColor kBestValue(232, 245, 233); // the best value of a metric across runs

/// What the metrics table shows, in order: where the value comes from, its key, how to print it
/// and which direction is better.
struct MetricDef
{
    const char *title;
    const char *source; ///< "val" (at the best epoch), "test" (final evaluation), "run"
    const char *key;
    int decimals;
    int better; ///< +1 higher is better, -1 lower, 0 neither
};
constexpr MetricDef kMetricRows[] = {
    { QT_TRANSLATE_NOOP("ExperimentsView", "Best epoch"), "run", "best_epoch", 0, 0 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Val AUROC"), "val", "auroc", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Val AUPRC"), "val", "auprc", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Val accuracy"), "val", "accuracy", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Val sensitivity"), "val", "sensitivity", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Val specificity"), "val", "specificity", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Val F1"), "val", "f1", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Val loss"), "val", "loss", 4, -1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test AUROC"), "test", "auroc", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test AUPRC"), "test", "auprc", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test accuracy"), "test", "accuracy", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test sensitivity"), "test", "sensitivity", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test specificity"), "test", "specificity", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test precision"), "test", "precision", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test F1"), "test", "f1", 3, 1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test ECE"), "test", "ece", 4, -1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test loss"), "test", "loss", 4, -1 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Test cases"), "test", "n", 0, 0 },
    { QT_TRANSLATE_NOOP("ExperimentsView", "Duration"), "run", "duration", 0, -1 },
};

QIcon swatch(const QColor &colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setPen(colour.darker(130));
    p.setBrush(colour);
    p.drawRoundedRect(QRectF(0.5, 0.5, 11, 11), 2, 2);
    return QIcon(pixmap);
}

QString jsonText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 10);
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
        return QStringLiteral("null");
    default:
        return QString();
    }
}

std::vector<std::vector<int>> matrixFromJson(const QJsonArray &rows)
{
    std::vector<std::vector<int>> m;
    for (const QJsonValue &row : rows) {
        std::vector<int> r;
        for (const QJsonValue &v : row.toArray())
            r.push_back(v.toInt());
        m.push_back(std::move(r));
    }
    return m;
}

QVector<double> doubles(const QJsonArray &a)
{
    QVector<double> out;
    out.reserve(a.size());
    for (const QJsonValue &v : a)
        out.append(v.isDouble() ? v.toDouble() : kNaN);
    return out;
}

QTableView *makeTable(QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}

QStandardItem *valueItem(const QString &text, const QVariant &sortValue = QVariant())
{
    auto *item = new QStandardItem(text);
    item->setData(sortValue.isValid() ? sortValue : QVariant(text), Qt::UserRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

ExperimentsView::ExperimentsView(QWidget *parent)
    : QWidget(parent),
      m_runs(new RunTableModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_runView(makeTable(this)),
      m_filter(new QLineEdit(this)),
      m_renameButton(new QPushButton(tr("Rename…"), this)),
      m_tagsButton(new QPushButton(tr("Tags…"), this)),
      m_notesButton(new QPushButton(tr("Notes…"), this)),
      m_deleteButton(new QPushButton(tr("Delete…"), this)),
      m_predictButton(new QPushButton(tr("Predict and explain…"), this)),
      m_refreshButton(new QPushButton(tr("Refresh"), this)),
      m_progressRow(new QWidget(this)),
      m_progress(new QProgressBar(this)),
      m_progressText(new QLabel(this)),
      m_cancelButton(new QPushButton(tr("Cancel"), this)),
      m_compareTabs(new QTabWidget(this)),
      m_curves(new RunCurvesPlot(this)),
      m_metrics(new QStandardItemModel(this)),
      m_metricsView(makeTable(this)),
      m_diff(new QStandardItemModel(this)),
      m_diffView(makeTable(this)),
      m_onlyDifferences(new QCheckBox(tr("Only settings that differ"), this)),
      m_diffSummary(new QLabel(this)),
      m_runTitle(new QLabel(this)),
      m_split(new QComboBox(this)),
      m_runTabs(new QTabWidget(this)),
      m_matrix(new ConfusionMatrixView(this)),
      m_matrixCaption(new QLabel(this)),
      m_caseStack(new QStackedWidget(this)),
      m_caseMessage(new QLabel(this)),
      m_cases(new QStandardItemModel(this)),
      m_caseView(makeTable(this)),
      m_roc(new CurvePlot(this)),
      m_pr(new CurvePlot(this)),
      m_calibration(new CurvePlot(this)),
      m_calibrationCaption(new QLabel(this)),
      m_task(new BackgroundTask(this))
{
    m_proxy->setSourceModel(m_runs);
    m_proxy->setSortRole(RunTableModel::SortRole);
    m_proxy->setFilterRole(RunTableModel::SearchRole);
    m_proxy->setFilterKeyColumn(RunTableModel::Id);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_runView->setObjectName(QStringLiteral("runTable"));
    m_runView->setModel(m_proxy);
    m_runView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_runView->setSortingEnabled(true);
    m_runView->sortByColumn(RunTableModel::Id, Qt::DescendingOrder); // newest first
    m_runView->verticalHeader()->hide();
    m_runView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_runView->horizontalHeader()->setStretchLastSection(true);
    m_runView->setToolTip(tr("Select several runs (Ctrl or Shift + click) to compare them"));

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(buildToolbar());
    topLayout->addWidget(m_progressRow);
    topLayout->addWidget(m_runView, 1);

    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(buildComparePane());
    bottom->addWidget(buildRunPane());
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    bottom->setChildrenCollapsible(false);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setChildrenCollapsible(false);
    split->setSizes({ 240, 720 });
    m_runView->setMinimumHeight(m_runView->verticalHeader()->defaultSectionSize() * 4);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    // Actions on the runs: buttons, the table's context menu and shortcuts share them.
    const auto action = [this](const QString &text, const QKeySequence &key, void (ExperimentsView::*slot)()) {
        auto *a = new QAction(text, this);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        m_runView->addAction(a);
        return a;
    };
    m_renameAction = action(tr("Rename…"), QKeySequence(Qt::Key_F2), &ExperimentsView::renameInteractively);
    m_tagsAction = action(tr("Edit tags…"), QKeySequence(), &ExperimentsView::editTagsInteractively);
    m_notesAction = action(tr("Edit notes…"), QKeySequence(), &ExperimentsView::editNotesInteractively);
    m_predictAction = action(tr("Predict and explain…"), QKeySequence(), &ExperimentsView::predictInteractively);
    auto *separator = new QAction(this);
    separator->setSeparator(true);
    m_runView->addAction(separator);
    m_deleteAction = action(tr("Delete…"), QKeySequence::Delete, &ExperimentsView::deleteInteractively);
    m_runView->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_renameButton, &QPushButton::clicked, m_renameAction, &QAction::trigger);
    connect(m_tagsButton, &QPushButton::clicked, m_tagsAction, &QAction::trigger);
    connect(m_notesButton, &QPushButton::clicked, m_notesAction, &QAction::trigger);
    connect(m_predictButton, &QPushButton::clicked, m_predictAction, &QAction::trigger);
    connect(m_deleteButton, &QPushButton::clicked, m_deleteAction, &QAction::trigger);
    connect(m_refreshButton, &QPushButton::clicked, this, &ExperimentsView::reload);
    connect(m_cancelButton, &QPushButton::clicked, this, &ExperimentsView::cancelPrediction);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text.trimmed());
        onSelectionChanged();
    });
    connect(m_runView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (!m_restoring)
            onSelectionChanged();
    });
    connect(m_runView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        if (!m_restoring && currentRunId() != m_panelRun)
            refreshRunPanel();
    });
    connect(m_split, &QComboBox::currentIndexChanged, this, [this] {
        m_panelRun = -1;
        refreshRunPanel();
    });
    connect(m_onlyDifferences, &QCheckBox::toggled, this, [this] { refreshDiff(selectedRuns()); });
    connect(m_matrix, &ConfusionMatrixView::cellClicked, this, &ExperimentsView::showCell);
    connect(m_caseView, &QTableView::activated, this, [this](const QModelIndex &index) {
        const QStandardItem *item = m_cases->item(index.row(), 0);
        if (item)
            Q_EMIT caseActivated(item->data(Qt::UserRole + 1).toLongLong(), m_panelRun);
    });
    connect(m_task, &BackgroundTask::progress, this, &ExperimentsView::onPredictionProgress);
    connect(m_task, &BackgroundTask::finished, this, &ExperimentsView::onPredictionFinished);

    m_progressRow->hide();
    setStudy(nullptr);
}

ExperimentsView::~ExperimentsView()
{
    // The task's destructor cancels the prediction and waits; what was stored stays stored.
}

QWidget *ExperimentsView::buildToolbar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_filter->setObjectName(QStringLiteral("runFilter"));
    m_filter->setPlaceholderText(tr("Filter runs by name, status, variant or tag"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMinimumWidth(260);
    row->addWidget(m_filter, 1);
    row->addSpacing(12);
    m_renameButton->setToolTip(tr("Give the current run a new name (F2)"));
    m_tagsButton->setToolTip(tr("Tag the current run, e.g. baseline, candidate"));
    m_notesButton->setToolTip(tr("Write notes on the current run"));
    m_deleteButton->setToolTip(tr("Delete the selected runs with everything stored for them (Del)"));
    m_predictButton->setToolTip(
        tr("Predict a split with the current run's best model and explain each case; runs in the background"));
    m_refreshButton->setToolTip(tr("Read the runs from the study again"));
    for (QPushButton *b : { m_renameButton, m_tagsButton, m_notesButton, m_deleteButton })
        row->addWidget(b);
    row->addSpacing(12);
    row->addWidget(m_predictButton);
    row->addWidget(m_refreshButton);

    auto *progress = new QHBoxLayout(m_progressRow);
    progress->setContentsMargins(0, 0, 0, 0);
    m_progress->setRange(0, 100);
    m_progress->setTextVisible(true);
    m_progress->setMaximumWidth(320);
    m_cancelButton->setToolTip(tr("Stop the prediction; predictions are stored only when it completes"));
    progress->addWidget(m_progress, 1);
    progress->addWidget(m_progressText, 2);
    progress->addWidget(m_cancelButton);
    return bar;
}

QWidget *ExperimentsView::buildComparePane()
{
    m_curves->setMetricChoices({ { QStringLiteral("val:loss"), tr("Validation loss") },
        { QStringLiteral("val:auroc"), tr("Validation AUROC") },
        { QStringLiteral("val:accuracy"), tr("Validation accuracy") },
        { QStringLiteral("val:f1"), tr("Validation F1") }, { QStringLiteral("train:loss"), tr("Train loss") },
        { QStringLiteral("train:accuracy"), tr("Train accuracy") } });

    m_metricsView->setObjectName(QStringLiteral("metricsTable"));
    m_metricsView->setModel(m_metrics);
    m_metricsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_metricsView->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_metricsView->setToolTip(tr("Validation values at each run's best epoch; test values of its final evaluation. "
                                 "The best value of a row is highlighted."));

    m_diffView->setObjectName(QStringLiteral("diffTable"));
    m_diffView->setModel(m_diff);
    m_diffView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_onlyDifferences->setChecked(true);
    m_diffSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *diffPage = new QWidget(this);
    auto *diffLayout = new QVBoxLayout(diffPage);
    auto *diffTop = new QHBoxLayout;
    diffTop->addWidget(m_diffSummary, 1);
    diffTop->addWidget(m_onlyDifferences);
    diffLayout->addLayout(diffTop);
    diffLayout->addWidget(m_diffView, 1);

    auto *curvesPage = new QWidget(this);
    auto *curvesLayout = new QVBoxLayout(curvesPage);
    curvesLayout->addWidget(m_curves);

    m_compareTabs->setObjectName(QStringLiteral("compareTabs"));
    m_compareTabs->addTab(curvesPage, tr("Curves"));
    m_compareTabs->addTab(m_metricsView, tr("Metrics"));
    m_compareTabs->addTab(diffPage, tr("Config diff"));

    auto *pane = new QWidget(this);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("<b>Compare the selected runs</b>"), pane);
    title->setMinimumHeight(m_split->sizeHint().height());
    layout->addWidget(title);
    layout->addWidget(m_compareTabs, 1);
    return pane;
}

QWidget *ExperimentsView::buildRunPane()
{
    m_split->setObjectName(QStringLiteral("splitBox"));
    m_split->addItem(tr("test split"), QStringLiteral("test"));
    m_split->addItem(tr("val split"), QStringLiteral("val"));
    m_split->setToolTip(tr("The split whose evaluation and predictions the run panel shows"));

    m_matrix->setObjectName(QStringLiteral("confusionMatrix"));
    m_matrixCaption->setWordWrap(true);
    m_matrixCaption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_caseMessage->setObjectName(QStringLiteral("caseMessage"));
    m_caseMessage->setAlignment(Qt::AlignCenter);
    m_caseMessage->setWordWrap(true);
    m_caseMessage->setMargin(12);
    m_caseMessage->setForegroundRole(QPalette::PlaceholderText);
    m_caseView->setObjectName(QStringLiteral("caseTable"));
    m_caseView->setModel(m_cases);
    m_caseView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_caseView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_caseView->setSortingEnabled(true);
    m_caseView->verticalHeader()->hide();
    m_caseView->horizontalHeader()->setStretchLastSection(true);
    m_caseView->setToolTip(tr("Double-click a case (or press Enter) to open it in the Inspector"));
    m_cases->setSortRole(Qt::UserRole);
    m_caseStack->addWidget(m_caseMessage);
    m_caseStack->addWidget(m_caseView);

    auto *matrixPage = new QSplitter(Qt::Vertical, this);
    auto *matrixTop = new QWidget(matrixPage);
    auto *matrixLayout = new QVBoxLayout(matrixTop);
    matrixLayout->setContentsMargins(0, 0, 0, 0);
    matrixLayout->addWidget(m_matrix, 1);
    matrixLayout->addWidget(m_matrixCaption);
    matrixPage->addWidget(matrixTop);
    matrixPage->addWidget(m_caseStack);
    matrixPage->setStretchFactor(0, 1);
    matrixPage->setStretchFactor(1, 1);
    matrixPage->setSizes({ 1000, 800 }); // in proportion: the matrix a little above half
    matrixPage->setChildrenCollapsible(false);

    m_roc->setObjectName(QStringLiteral("rocPlot"));
    m_roc->setKind(CurvePlot::Kind::Roc);
    m_roc->setTitle(tr("ROC"));
    m_pr->setObjectName(QStringLiteral("prPlot"));
    m_pr->setKind(CurvePlot::Kind::PrecisionRecall);
    m_pr->setTitle(tr("Precision–recall"));
    auto *curvesPage = new QSplitter(Qt::Horizontal, this);
    curvesPage->addWidget(m_roc);
    curvesPage->addWidget(m_pr);

    m_calibration->setObjectName(QStringLiteral("calibrationPlot"));
    m_calibration->setKind(CurvePlot::Kind::Reliability);
    m_calibrationCaption->setWordWrap(true);
    auto *calibrationPage = new QWidget(this);
    auto *calibrationLayout = new QVBoxLayout(calibrationPage);
    calibrationLayout->addWidget(m_calibration, 1);
    calibrationLayout->addWidget(m_calibrationCaption);

    m_runTabs->setObjectName(QStringLiteral("runTabs"));
    m_runTabs->addTab(matrixPage, tr("Confusion matrix"));
    m_runTabs->addTab(curvesPage, tr("ROC and PR"));
    m_runTabs->addTab(calibrationPage, tr("Calibration"));

    auto *pane = new QWidget(this);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *head = new QHBoxLayout;
    m_runTitle->setTextFormat(Qt::RichText);
    head->addWidget(m_runTitle, 1);
    head->addWidget(m_split);
    layout->addLayout(head);
    layout->addWidget(m_runTabs, 1);
    return pane;
}

QString ExperimentsView::actor() const
{
    return m_reviewer.trimmed().isEmpty() ? lepton::AuditLog::currentUser() : m_reviewer.trimmed();
}

void ExperimentsView::setStudy(std::shared_ptr<lepton::Study> study)
{
    if (m_task->isRunning()) {
        m_task->cancel();
        m_task->wait(-1);
    }
    m_study = std::move(study);
    m_runs->setStudy(m_study);
    m_runView->resizeColumnsToContents();
    m_panelRun = -1;
    if (!m_runs->lastError().isEmpty())
        fail(m_runs->lastError());
    onSelectionChanged();
}

void ExperimentsView::reload()
{
    const QList<qint64> selected = selectedRunIds();
    const qint64 current = currentRunId();
    m_restoring = true;
    m_runs->reload();
    m_restoring = false;
    if (!m_runs->lastError().isEmpty())
        fail(m_runs->lastError());
    QList<qint64> keep;
    if (current && m_runs->rowOf(current) >= 0)
        keep.append(current);
    for (qint64 id : selected)
        if (id != current && m_runs->rowOf(id) >= 0)
            keep.append(id);
    m_panelRun = -1;
    selectRuns(keep);
    m_runView->resizeColumnsToContents();
}

void ExperimentsView::selectRuns(const QList<qint64> &runIds)
{
    QItemSelectionModel *selection = m_runView->selectionModel();
    m_restoring = true;
    selection->clearSelection();
    bool first = true;
    for (qint64 id : runIds) {
        const int row = m_runs->rowOf(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_runs->index(row, 0));
        if (!index.isValid())
            continue;
        selection->select(index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        if (first) {
            selection->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
            m_runView->scrollTo(index);
            first = false;
        }
    }
    if (first)
        selection->setCurrentIndex(QModelIndex(), QItemSelectionModel::NoUpdate);
    m_restoring = false;
    m_panelRun = -1;
    onSelectionChanged();
}

QList<qint64> ExperimentsView::selectedRunIds() const
{
    QList<qint64> ids;
    const QModelIndexList rows = m_runView->selectionModel()->selectedRows(RunTableModel::Id);
    for (const QModelIndex &i : rows)
        ids.append(i.data(RunTableModel::RunIdRole).toLongLong());
    // By id, not by the table's order: a run keeps its colour when the table is sorted again.
    std::sort(ids.begin(), ids.end());
    return ids;
}

qint64 ExperimentsView::currentRunId() const
{
    const QModelIndex current = m_runView->selectionModel()->currentIndex();
    if (current.isValid() && m_runView->selectionModel()->isRowSelected(current.row(), QModelIndex()))
        return current.data(RunTableModel::RunIdRole).toLongLong();
    const QList<qint64> ids = selectedRunIds();
    return ids.isEmpty() ? 0 : ids.first();
}

QString ExperimentsView::requestedSplit() const
{
    return m_split->currentData().toString();
}

void ExperimentsView::setRequestedSplit(const QString &split)
{
    const int i = m_split->findData(split);
    if (i >= 0)
        m_split->setCurrentIndex(i); // refreshes through the signal when it changes
}

bool ExperimentsView::runInfo(qint64 runId, RunInfo *info) const
{
    const RunTableModel::Row *row = m_runs->rowAt(m_runs->rowOf(runId));
    if (!row)
        return false;
    const lepton::RunRecord &r = row->run;
    info->id = r.id;
    info->datasetId = r.datasetId;
    info->name = r.name;
    info->label = QStringLiteral("#%1 %2").arg(r.id).arg(r.name);
    info->bestEpoch = r.bestEpoch;
    info->seconds = row->seconds;
    info->train = r.config.value(QStringLiteral("train")).toObject();
    for (const QJsonValue &c :
        r.config.value(QStringLiteral("feature_spec")).toObject().value(QStringLiteral("classes")).toArray())
        info->classes.append(c.toString());
    if (info->classes.isEmpty() && m_study) {
        auto dataset = lepton::DatasetRepository(*m_study).dataset(r.datasetId);
        if (dataset)
            info->classes = dataset->classes;
    }
    info->positiveClass = r.config.value(QStringLiteral("positive_class")).toString();
    if (info->positiveClass.isEmpty())
        info->positiveClass = info->train.value(QStringLiteral("positive_class")).toString();
    return true;
}

QList<ExperimentsView::RunInfo> ExperimentsView::selectedRuns() const
{
    QList<RunInfo> out;
    for (qint64 id : selectedRunIds()) {
        RunInfo info;
        if (runInfo(id, &info))
            out.append(info);
    }
    return out;
}

void ExperimentsView::onSelectionChanged()
{
    refreshComparison();
    refreshRunPanel();
    updateActions();
}

void ExperimentsView::refreshComparison()
{
    const QList<RunInfo> runs = selectedRuns();
    refreshCurves(runs);
    refreshMetrics(runs);
    refreshDiff(runs);
}

void ExperimentsView::refreshCurves(const QList<RunInfo> &runs)
{
    QVector<RunCurvesPlot::Run> series;
    if (m_study) {
        lepton::RunRepository repo(*m_study);
        for (int i = 0; i < runs.size(); ++i) {
            RunCurvesPlot::Run run;
            run.label = runs[i].label;
            run.colour = RunCurvesPlot::runColour(i);
            run.bestEpoch = runs[i].bestEpoch >= 0 ? runs[i].bestEpoch + 1.0 : -1.0;
            auto rows = repo.metrics(runs[i].id, QString(), true);
            if (!rows) {
                fail(rows.error());
                continue;
            }
            for (const lepton::MetricRow &m : rows.value())
                if (m.step < 0 && (m.split == QLatin1String("val") || m.split == QLatin1String("train")))
                    run.metrics[m.split + QLatin1Char(':') + m.name].append({ m.epoch + 1.0, m.value });
            series.append(run);
        }
    }
    m_curves->setPlaceholderText(
        m_study ? tr("Select runs in the table to compare their curves") : tr("Open a study to see its runs"));
    m_curves->setRuns(series);
}

void ExperimentsView::refreshMetrics(const QList<RunInfo> &runs)
{
    m_metrics->clear();
    if (!m_study || runs.isEmpty())
        return;
    lepton::RunRepository repo(*m_study);
    constexpr int rowCount = static_cast<int>(sizeof(kMetricRows) / sizeof(kMetricRows[0]));
    m_metrics->setRowCount(rowCount);
    m_metrics->setColumnCount(static_cast<int>(runs.size()));
    for (int r = 0; r < rowCount; ++r)
        m_metrics->setVerticalHeaderItem(r, new QStandardItem(tr(kMetricRows[r].title)));
    std::vector<std::vector<double>> values(static_cast<std::size_t>(rowCount));
    for (int c = 0; c < runs.size(); ++c) {
        const RunInfo &run = runs[c];
        auto *header = new QStandardItem(run.label);
        header->setIcon(swatch(RunCurvesPlot::runColour(c)));
        m_metrics->setHorizontalHeaderItem(c, header);
        std::map<QString, double> val, test;
        if (auto rows = repo.metrics(run.id, QStringLiteral("val"), true); rows)
            for (const lepton::MetricRow &m : rows.value())
                if (m.epoch == run.bestEpoch)
                    val[m.name] = m.value;
        if (auto artifact = repo.artifact(run.id, QStringLiteral("test"), QStringLiteral("confusion")); artifact) {
            for (auto it = artifact->begin(); it != artifact->end(); ++it)
                if (it.value().isDouble())
                    test[it.key()] = it.value().toDouble();
        } else if (auto rows = repo.metrics(run.id, QStringLiteral("final_test"), true); rows) {
            for (const lepton::MetricRow &m : rows.value())
                test[m.name] = m.value;
        }
        for (int r = 0; r < rowCount; ++r) {
            const MetricDef &def = kMetricRows[r];
            const QString key = QString::fromLatin1(def.key);
            double v = kNaN;
            if (qstrcmp(def.source, "val") == 0 && val.count(key))
                v = val[key];
            else if (qstrcmp(def.source, "test") == 0 && test.count(key))
                v = test[key];
            else if (key == QLatin1String("best_epoch") && run.bestEpoch >= 0)
                v = run.bestEpoch + 1;
            else if (key == QLatin1String("duration"))
                v = run.seconds;
            values[static_cast<std::size_t>(r)].push_back(v);
            const QString text = !std::isfinite(v) ? QStringLiteral("–")
                : key == QLatin1String("duration") ? RunTableModel::durationText(v)
                                                   : QString::number(v, 'f', def.decimals);
            m_metrics->setItem(r, c, valueItem(text, std::isfinite(v) ? QVariant(v) : QVariant()));
        }
    }
    // The best value of each row that has a direction, when runs differ in it.
    for (int r = 0; r < rowCount && runs.size() > 1; ++r) {
        const int better = kMetricRows[r].better;
        const auto &row = values[static_cast<std::size_t>(r)];
        double best = kNaN;
        for (double v : row)
            if (std::isfinite(v) && (!std::isfinite(best) || (better > 0 ? v > best : v < best)))
                best = v;
        const bool allEqual = std::all_of(row.begin(), row.end(), [&](double v) { return v == best; });
        if (better == 0 || !std::isfinite(best) || allEqual)
            continue;
        for (int c = 0; c < runs.size(); ++c) {
            if (row[static_cast<std::size_t>(c)] != best)
                continue;
            QStandardItem *item = m_metrics->item(r, c);
            QFont f = item->font();
            f.setBold(true);
            item->setFont(f);
            item->setBackground(kBestValue);
        }
    }
}

QMap<QString, QString> ExperimentsView::flattenConfig(const QJsonObject &object, const QString &prefix)
{
    QMap<QString, QString> out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key();
        if (it.value().isObject())
            out.insert(flattenConfig(it.value().toObject(), key));
        else
            out.insert(key, jsonText(it.value()));
    }
    return out;
}

void ExperimentsView::refreshDiff(const QList<RunInfo> &runs)
{
    m_diff->clear();
    if (runs.isEmpty()) {
        m_diffSummary->setText(tr("Select two or more runs to see the settings in which they differ."));
        return;
    }
    std::vector<QMap<QString, QString>> flat;
    std::set<QString> keys;
    for (const RunInfo &run : runs) {
        flat.push_back(flattenConfig(run.train));
        for (auto it = flat.back().cbegin(); it != flat.back().cend(); ++it)
            keys.insert(it.key());
    }
    const QString missing = QStringLiteral("–");
    int differing = 0;
    const bool onlyDifferences = m_onlyDifferences->isChecked() && runs.size() > 1;
    m_diff->setColumnCount(static_cast<int>(runs.size()));
    for (int c = 0; c < runs.size(); ++c) {
        auto *header = new QStandardItem(runs[c].label);
        header->setIcon(swatch(RunCurvesPlot::runColour(c)));
        m_diff->setHorizontalHeaderItem(c, header);
    }
    for (const QString &key : keys) {
        QStringList values;
        for (const auto &f : flat)
            values.append(f.value(key, missing));
        const bool differs
            = std::any_of(values.begin(), values.end(), [&](const QString &v) { return v != values[0]; });
        differing += differs ? 1 : 0;
        if (onlyDifferences && !differs)
            continue;
        QList<QStandardItem *> row;
        for (const QString &v : values) {
            auto *item = new QStandardItem(v);
            item->setToolTip(v);
            if (differs && runs.size() > 1)
                item->setBackground(kDifferent);
            row.append(item);
        }
        m_diff->appendRow(row);
        auto *name = new QStandardItem(key);
        if (differs && runs.size() > 1) {
            QFont f = name->font();
            f.setBold(true);
            name->setFont(f);
        }
        m_diff->setVerticalHeaderItem(m_diff->rowCount() - 1, name);
    }
    if (runs.size() == 1)
        m_diffSummary->setText(tr("The %n setting(s) of run %1. Select more runs to see what differs.", nullptr,
            static_cast<int>(keys.size()))
                                   .arg(runs[0].id));
    else if (differing == 0)
        m_diffSummary->setText(tr("The selected runs have the same %n setting(s).", nullptr, int(keys.size())));
    else
        m_diffSummary->setText(tr("%1 of %n setting(s) differ between the %2 runs.", nullptr, int(keys.size()))
                                   .arg(differing)
                                   .arg(runs.size()));
}

void ExperimentsView::showCaseMessage(const QString &message)
{
    m_cases->clear();
    m_caseMessage->setText(message);
    m_caseStack->setCurrentWidget(m_caseMessage);
}

bool ExperimentsView::caseTableShown() const
{
    return m_caseStack->currentWidget() == m_caseView;
}

void ExperimentsView::refreshRunPanel()
{
    const qint64 id = currentRunId();
    m_panelRun = id;
    const QList<RunInfo> runs = selectedRuns();
    RunInfo current;
    if (!m_study || !id || !runInfo(id, &current)) {
        m_shownSplit.clear();
        m_runTitle->setText(tr("<b>Run</b> — select a run in the table"));
        m_matrix->setPlaceholderText(
            m_study ? tr("Select a run to see its confusion matrix") : tr("Open a study to see its runs"));
        m_matrix->clear();
        m_matrixCaption->clear();
        showCaseMessage(tr("The cases of a matrix cell are listed here."));
        m_roc->clear();
        m_pr->clear();
        m_roc->setPlaceholderText(tr("No run selected"));
        m_pr->setPlaceholderText(tr("No run selected"));
        m_calibration->clear();
        m_calibration->setPlaceholderText(tr("No run selected"));
        m_calibrationCaption->clear();
        return;
    }

    lepton::RunRepository repo(*m_study);
    const QString requested = requestedSplit();
    const QString other = requested == QLatin1String("test") ? QStringLiteral("val") : QStringLiteral("test");
    auto confusion = repo.artifact(id, requested, QStringLiteral("confusion"));
    m_shownSplit = requested;
    if (!confusion) {
        auto fallback = repo.artifact(id, other, QStringLiteral("confusion"));
        if (fallback) {
            confusion = fallback;
            m_shownSplit = other;
        }
    }
    const bool fellBack = m_shownSplit != requested;
    m_runTitle->setText(tr("<b>Run #%1 “%2”</b> · %3 split%4")
                            .arg(id)
                            .arg(current.name.toHtmlEscaped(), m_shownSplit,
                                fellBack ? tr(" (no %1 evaluation)").arg(requested) : QString()));

    // The matrix: the final evaluation's, else counted from stored predictions.
    PredictionQuery predictions(*m_study);
    PredictionFilter filter;
    filter.runId = id;
    filter.datasetId = current.datasetId;
    filter.split = m_shownSplit;
    auto stored = predictions.count(filter);
    const int predicted = stored ? stored.value() : 0;
    std::vector<std::vector<int>> counts;
    QString source;
    if (confusion) {
        counts = matrixFromJson(confusion->value(QStringLiteral("confusion")).toArray());
        source = tr("final evaluation of the best epoch");
    } else if (predicted > 0) {
        auto rows = predictions.list(filter);
        counts.assign(static_cast<std::size_t>(current.classes.size()),
            std::vector<int>(static_cast<std::size_t>(current.classes.size()), 0));
        if (rows)
            for (const CasePrediction &p : rows.value()) {
                const auto t = current.classes.indexOf(p.label), q = current.classes.indexOf(p.predicted);
                if (t >= 0 && q >= 0)
                    ++counts[static_cast<std::size_t>(t)][static_cast<std::size_t>(q)];
            }
        source = tr("stored predictions");
    }
    if (counts.empty()) {
        m_matrix->setPlaceholderText(
            tr("Run %1 has no evaluation on the %2 split (it stopped before its final evaluation).")
                .arg(id)
                .arg(requested));
        m_matrix->clear();
        m_matrixCaption->clear();
    } else {
        m_matrix->setMatrix(current.classes, counts);
        m_matrixCaption->setText(tr("%n case(s) of the %1 split · %2 · rows: true class, share of the row in "
                                    "each cell · click a cell to list its cases",
            nullptr, m_matrix->total())
                                     .arg(m_shownSplit, source));
    }
    if (predicted == 0)
        showCaseMessage(tr("Predict the %1 split first (Predict and explain…)").arg(m_shownSplit));
    else
        showCaseMessage(tr("%n stored prediction(s) on the %1 split. Click a cell of the matrix to list its cases.",
            nullptr, predicted)
                            .arg(m_shownSplit));

    refreshRocPr(runs, current);
    refreshCalibration(current);
}

bool ExperimentsView::showCell(int trueClass, int predictedClass)
{
    RunInfo run;
    if (!m_study || !runInfo(m_panelRun, &run) || trueClass < 0 || predictedClass < 0 || trueClass >= run.classes.size()
        || predictedClass >= run.classes.size())
        return false;
    m_matrix->setCurrentCell(trueClass, predictedClass);
    PredictionQuery query(*m_study);
    PredictionFilter filter;
    filter.runId = run.id;
    filter.datasetId = run.datasetId;
    filter.split = m_shownSplit;
    auto any = query.count(filter);
    if (!any) {
        fail(any.error());
        return false;
    }
    if (any.value() == 0) {
        showCaseMessage(tr("Predict the %1 split first (Predict and explain…)").arg(m_shownSplit));
        return true;
    }
    filter.label = run.classes.at(trueClass);
    filter.predicted = run.classes.at(predictedClass);
    auto rows = query.list(filter);
    if (!rows) {
        fail(rows.error());
        return false;
    }
    if (rows->empty()) {
        showCaseMessage(tr("No stored prediction of the %1 split is true %2 and predicted %3.")
                            .arg(m_shownSplit, filter.label, filter.predicted));
        return true;
    }
    const int positive = static_cast<int>(run.classes.indexOf(run.positiveClass));
    m_cases->clear();
    m_cases->setHorizontalHeaderLabels({ tr("Case"), tr("True class"), tr("Predicted"),
        positive >= 0 ? tr("P(%1)").arg(run.positiveClass) : tr("P(predicted)"), tr("Decision"), tr("Grade"),
        tr("Referred") });
    m_cases->horizontalHeaderItem(3)->setToolTip(
        tr("Calibrated probability of the positive class where the prediction was decided, else the model's"));
    for (const CasePrediction &p : rows.value()) {
        const bool calibrated = !p.calibrated.empty();
        const std::vector<double> &probs = calibrated ? p.calibrated : p.probabilities;
        const int shown = positive >= 0 ? positive : static_cast<int>(run.classes.indexOf(p.predicted));
        const double prob = shown >= 0 && shown < static_cast<int>(probs.size()) ? probs[shown] : kNaN;
        auto *key = new QStandardItem(p.caseKey);
        key->setData(p.caseKey, Qt::UserRole);
        key->setData(p.caseId, Qt::UserRole + 1);
        key->setToolTip(tr("Case %1 (id %2): double-click to open it in the Inspector").arg(p.caseKey).arg(p.caseId));
        auto *probability = valueItem(std::isfinite(prob) ? QString::number(prob, 'f', 3) : QStringLiteral("–"),
            std::isfinite(prob) ? QVariant(prob) : QVariant(-1.0));
        probability->setToolTip(calibrated ? tr("calibrated") : tr("model probability (not calibrated)"));
        auto text = [](const QString &s) {
            auto *item = new QStandardItem(s);
            item->setData(s, Qt::UserRole);
            return item;
        };
        m_cases->appendRow({ key, text(p.label), text(p.predicted), probability, text(p.decision), text(p.grade),
            text(p.referred ? tr("yes") : QString()) });
    }
    m_caseView->resizeColumnsToContents();
    m_caseStack->setCurrentWidget(m_caseView);
    return true;
}

void ExperimentsView::refreshRocPr(const QList<RunInfo> &runs, const RunInfo &current)
{
    m_roc->clear();
    m_pr->clear();
    lepton::RunRepository repo(*m_study);
    int emphasised = -1;
    for (int i = 0; i < runs.size(); ++i) {
        const RunInfo &run = runs[i];
        const QColor colour = RunCurvesPlot::runColour(i);
        auto confusion = repo.artifact(run.id, m_shownSplit, QStringLiteral("confusion"));
        const QJsonObject metrics = confusion ? confusion.value() : QJsonObject();
        const auto metricText = [&metrics](const char *name) {
            const QJsonValue v = metrics.value(QLatin1String(name));
            return v.isDouble() ? QString::number(v.toDouble(), 'f', 3) : QStringLiteral("–");
        };
        auto roc = repo.artifact(run.id, m_shownSplit, QStringLiteral("roc"));
        auto pr = repo.artifact(run.id, m_shownSplit, QStringLiteral("pr"));
        if (roc) {
            const int index = m_roc->addCurve(tr("%1 · AUROC %2").arg(run.label, metricText("auroc")),
                doubles(roc->value(QStringLiteral("x")).toArray()), doubles(roc->value(QStringLiteral("y")).toArray()),
                colour);
            if (run.id == current.id)
                emphasised = index;
        }
        if (pr)
            m_pr->addCurve(tr("%1 · AUPRC %2").arg(run.label, metricText("auprc")),
                doubles(pr->value(QStringLiteral("x")).toArray()), doubles(pr->value(QStringLiteral("y")).toArray()),
                colour);
    }
    if (runs.size() > 1) {
        m_roc->setEmphasised(emphasised);
        m_pr->setEmphasised(emphasised);
    }
    // The positive rate of the current run's split: what a classifier without skill reaches.
    const int positive = static_cast<int>(current.classes.indexOf(current.positiveClass));
    if (positive >= 0 && m_matrix->total() > 0)
        m_pr->setBaseline(double(m_matrix->rowTotal(positive)) / m_matrix->total(), tr("positive rate"));
    else
        m_pr->setBaseline(kNaN);
    m_roc->setPlaceholderText(tr("No ROC curve stored for the %1 split").arg(m_shownSplit));
    m_pr->setPlaceholderText(tr("No precision-recall curve stored for the %1 split").arg(m_shownSplit));
    m_roc->setTitle(tr("ROC · %1 split · positive class “%2”").arg(m_shownSplit, current.positiveClass));
    m_pr->setTitle(tr("Precision–recall · %1 split").arg(m_shownSplit));
}

void ExperimentsView::refreshCalibration(const RunInfo &current)
{
    m_calibration->clear();
    m_calibrationCaption->clear();
    const int positive = static_cast<int>(current.classes.indexOf(current.positiveClass));
    if (positive < 0) {
        m_calibration->setPlaceholderText(tr("The run names no positive class"));
        return;
    }
    PredictionFilter filter;
    filter.runId = current.id;
    filter.datasetId = current.datasetId;
    filter.split = m_shownSplit;
    auto rows = PredictionQuery(*m_study).list(filter);
    if (!rows) {
        fail(rows.error());
        return;
    }
    // Equal-width bins of the positive class's probability: mean prediction against how often
    // the case really was positive.
    std::vector<double> sum(kCalibrationBins, 0.0), hits(kCalibrationBins, 0.0), n(kCalibrationBins, 0.0);
    int used = 0, calibrated = 0;
    for (const CasePrediction &p : rows.value()) {
        if (p.label.isEmpty())
            continue;
        const std::vector<double> &probs = p.calibrated.empty() ? p.probabilities : p.calibrated;
        if (positive >= static_cast<int>(probs.size()) || !std::isfinite(probs[positive]))
            continue;
        const double prob = std::clamp(probs[positive], 0.0, 1.0);
        const int bin = std::min(kCalibrationBins - 1, static_cast<int>(prob * kCalibrationBins));
        sum[bin] += prob;
        hits[bin] += p.label == current.positiveClass ? 1.0 : 0.0;
        n[bin] += 1.0;
        ++used;
        calibrated += p.calibrated.empty() ? 0 : 1;
    }
    if (used == 0) {
        m_calibration->setPlaceholderText(tr("Predict the %1 split first (Predict and explain…)").arg(m_shownSplit));
        m_calibration->setTitle(QString());
        return;
    }
    QVector<double> x, y, w;
    double ece = 0.0;
    for (int b = 0; b < kCalibrationBins; ++b) {
        if (n[b] == 0.0)
            continue;
        x.append(sum[b] / n[b]);
        y.append(hits[b] / n[b]);
        w.append(n[b]);
        ece += n[b] / used * std::abs(sum[b] / n[b] - hits[b] / n[b]);
    }
    const bool allCalibrated = calibrated == used;
    m_calibration->setTitle(
        tr("Reliability · %1 split · positive class “%2”").arg(m_shownSplit, current.positiveClass));
    m_calibration->addCurve(tr("%1 · %2 · ECE %3")
                                .arg(current.label, allCalibrated ? tr("calibrated") : tr("model probabilities"))
                                .arg(ece, 0, 'f', 3),
        x, y, RunCurvesPlot::runColour(std::max(0, static_cast<int>(selectedRunIds().indexOf(current.id)))), w);
    m_calibrationCaption->setText(
        tr("%n labelled case(s) in %1 equal-width bins of the %2 probability of “%3”; a disc's area grows with its "
           "cases. On the diagonal, a predicted probability of p means the class is present p of the time.",
            nullptr, used)
            .arg(kCalibrationBins)
            .arg(allCalibrated ? tr("calibrated") : tr("model's"), current.positiveClass));
}

void ExperimentsView::updateActions()
{
    const QList<qint64> selected = selectedRunIds();
    // A study opened read-only is looked at, never changed.
    const bool writable = m_study && !m_study->isReadOnly();
    const bool one = writable && currentRunId() != 0;
    const bool busy = m_task->isRunning();
    m_renameButton->setEnabled(one);
    m_tagsButton->setEnabled(one);
    m_notesButton->setEnabled(one);
    m_deleteButton->setEnabled(writable && !selected.isEmpty() && !(busy && selected.contains(m_predictingRun)));
    const RunTableModel::Row *row = m_runs->rowAt(m_runs->rowOf(currentRunId()));
    m_predictButton->setEnabled(one && !busy && row && row->run.status != QLatin1String("running"));
    m_refreshButton->setEnabled(m_study != nullptr);
    m_renameAction->setEnabled(one);
    m_tagsAction->setEnabled(one);
    m_notesAction->setEnabled(one);
    m_predictAction->setEnabled(m_predictButton->isEnabled());
    m_deleteAction->setEnabled(m_deleteButton->isEnabled());
}

bool ExperimentsView::confirm(const QString &title, const QString &question)
{
    if (!m_interactive)
        return true;
    return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Yes;
}

void ExperimentsView::fail(const QString &message)
{
    if (message.isEmpty())
        return;
    Q_EMIT errorOccurred(message);
    if (m_interactive)
        QMessageBox::warning(this, tr("Experiments"), message);
}

bool ExperimentsView::changeRun(const std::function<lepton::Status(lepton::RunRepository &)> &change)
{
    if (!m_study)
        return false;
    lepton::RunRepository runs(*m_study);
    const lepton::Status st = change(runs);
    if (!st) {
        fail(st.error());
        return false;
    }
    reload();
    Q_EMIT runsChanged();
    return true;
}

bool ExperimentsView::renameRun(qint64 runId, const QString &name)
{
    return changeRun([&](lepton::RunRepository &runs) { return runs.rename(runId, name, actor()); });
}

bool ExperimentsView::setRunTags(qint64 runId, const QStringList &tags)
{
    return changeRun([&](lepton::RunRepository &runs) { return runs.setTags(runId, tags, actor()); });
}

bool ExperimentsView::setRunNotes(qint64 runId, const QString &notes)
{
    return changeRun([&](lepton::RunRepository &runs) { return runs.setNotes(runId, notes, actor()); });
}

bool ExperimentsView::deleteRuns(const QList<qint64> &runIds)
{
    if (!m_study || runIds.isEmpty())
        return false;
    if (m_task->isRunning() && runIds.contains(m_predictingRun)) {
        fail(tr("Run %1 is predicting; cancel the prediction before deleting the run.").arg(m_predictingRun));
        return false;
    }
    QStringList names;
    for (qint64 id : runIds) {
        const RunTableModel::Row *row = m_runs->rowAt(m_runs->rowOf(id));
        names.append(row ? tr("#%1 “%2”").arg(id).arg(row->run.name) : tr("#%1").arg(id));
    }
    const QString question = tr("Delete %n run(s) (%1) with their metrics, checkpoints, predictions, explanations "
                                "and reviews?\n\nThe audit log keeps a record of the deletion. This cannot be undone.",
        nullptr, static_cast<int>(runIds.size()))
                                 .arg(names.join(QStringLiteral(", ")));
    if (!confirm(tr("Delete runs"), question))
        return false;
    lepton::RunRepository repo(*m_study);
    bool ok = true;
    for (qint64 id : runIds) {
        const lepton::Status st = repo.remove(id, actor());
        if (!st) {
            fail(st.error());
            ok = false;
            break;
        }
    }
    reload();
    Q_EMIT runsChanged();
    return ok;
}

void ExperimentsView::renameInteractively()
{
    const qint64 id = currentRunId();
    const RunTableModel::Row *row = m_runs->rowAt(m_runs->rowOf(id));
    if (!row)
        return;
    if (!m_interactive)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Rename run"), tr("New name of run %1:").arg(id), QLineEdit::Normal, row->run.name, &ok);
    if (ok && name.trimmed() != row->run.name)
        renameRun(id, name);
}

void ExperimentsView::editTagsInteractively()
{
    const qint64 id = currentRunId();
    const RunTableModel::Row *row = m_runs->rowAt(m_runs->rowOf(id));
    if (!row || !m_interactive)
        return;
    bool ok = false;
    const QString tags = QInputDialog::getText(this, tr("Tags"),
        tr("Tags of run %1, separated by commas (e.g. baseline, candidate):").arg(id), QLineEdit::Normal,
        row->tags.join(QStringLiteral(", ")), &ok);
    if (ok)
        setRunTags(id, tags.split(QLatin1Char(','), Qt::SkipEmptyParts));
}

void ExperimentsView::editNotesInteractively()
{
    const qint64 id = currentRunId();
    const RunTableModel::Row *row = m_runs->rowAt(m_runs->rowOf(id));
    if (!row || !m_interactive)
        return;
    bool ok = false;
    const QString notes
        = QInputDialog::getMultiLineText(this, tr("Notes"), tr("Notes on run %1:").arg(id), row->notes, &ok);
    if (ok && notes != row->notes)
        setRunNotes(id, notes);
}

void ExperimentsView::deleteInteractively()
{
    deleteRuns(selectedRunIds());
}

void ExperimentsView::predictInteractively()
{
    const qint64 id = currentRunId();
    const RunTableModel::Row *row = m_runs->rowAt(m_runs->rowOf(id));
    if (!row || !m_study)
        return;
    if (!m_interactive) {
        startPrediction(id, requestedSplit(), true);
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Predict and explain"));
    auto *form = new QFormLayout;
    auto *split = new QComboBox(&dialog);
    split->addItem(tr("test"), QStringLiteral("test"));
    split->addItem(tr("val"), QStringLiteral("val"));
    split->addItem(tr("train"), QStringLiteral("train"));
    split->addItem(tr("every case"), QString());
    split->setCurrentIndex(std::max(0, split->findData(requestedSplit())));
    auto *dataset = new QComboBox(&dialog);
    if (auto datasets = lepton::DatasetRepository(*m_study).datasets(false); datasets)
        for (const lepton::DatasetSummary &d : datasets.value())
            dataset->addItem(d.id == row->run.datasetId
                    ? tr("%1 (the run's, %n case(s))", nullptr, d.caseCount).arg(d.name)
                    : tr("%1 (%n case(s))", nullptr, d.caseCount).arg(d.name),
                d.id);
    dataset->setCurrentIndex(std::max(0, dataset->findData(row->run.datasetId)));
    dataset->setToolTip(tr("A new manifest is imported first (File ▸ Import Data), then predicted here"));
    auto *device = new QComboBox(&dialog);
    device->addItem(tr("auto"), QStringLiteral("auto"));
    device->addItem(tr("CPU"), QStringLiteral("cpu"));
    device->addItem(tr("CUDA"), QStringLiteral("cuda"));
    auto *explain = new QCheckBox(
        tr("Also explain each case (attention, Grad-CAM, attributions, counterfactual; slower)"), &dialog);
    explain->setChecked(true);
    auto *runLabel = new QLabel(tr("#%1 “%2”").arg(id).arg(row->run.name), &dialog);
    runLabel->setTextFormat(Qt::PlainText);
    form->addRow(tr("Run"), runLabel);
    form->addRow(tr("&Dataset"), dataset);
    form->addRow(tr("&Split"), split);
    form->addRow(tr("De&vice"), device);
    form->addRow(QString(), explain);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addLayout(form);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    startPrediction(id, split->currentData().toString(), explain->isChecked(), dataset->currentData().toLongLong(),
        device->currentData().toString());
}

bool ExperimentsView::startPrediction(
    qint64 runId, const QString &split, bool explain, qint64 datasetId, const QString &device)
{
    if (!m_study || m_task->isRunning())
        return false;
    lepton::PredictOptions options;
    options.runId = runId;
    options.datasetId = datasetId;
    options.split = split;
    options.explain = explain;
    options.device = device;
    auto summary = std::make_shared<lepton::PredictSummary>();
    m_summary = summary;
    std::shared_ptr<lepton::Study> study = m_study;
    const QString what = split.isEmpty() ? tr("every case") : tr("the %1 split").arg(split);
    const QString title = explain ? tr("Predicting and explaining %1 with run %2").arg(what).arg(runId)
                                  : tr("Predicting %1 with run %2").arg(what).arg(runId);
    const bool started = m_task->start(title,
        [study, options, summary](const lepton::ProgressFn &progress, const lepton::CancelFn &cancelled) mutable {
            options.progress = progress;
            options.cancelled = cancelled;
            auto result = lepton::PredictionService::run(*study, options);
            if (!result)
                return lepton::Status::failure(result.error());
            *summary = result.value();
            return lepton::Status();
        });
    if (!started)
        return false;
    m_predictingRun = runId;
    m_predictingSplit = split;
    m_progress->setRange(0, 0);
    m_progressText->setText(title + QStringLiteral("…"));
    m_cancelButton->setEnabled(true);
    m_progress->show();
    m_cancelButton->show();
    m_progressRow->show();
    updateActions();
    Q_EMIT predictionStarted(runId);
    Q_EMIT progressChanged(title, -1);
    return true;
}

bool ExperimentsView::isPredicting() const
{
    return m_task->isRunning();
}

void ExperimentsView::cancelPrediction()
{
    if (!m_task->isRunning())
        return;
    m_task->cancel();
    m_cancelButton->setEnabled(false);
    m_progressText->setText(tr("Cancelling…"));
}

bool ExperimentsView::waitForPrediction(int milliseconds)
{
    if (!m_task->wait(milliseconds))
        return false;
    // The end arrives as a queued signal; let it through so the view is up to date.
    QElapsedTimer clock;
    clock.start();
    while (m_task->isRunning() && (milliseconds < 0 || clock.elapsed() < milliseconds))
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return !m_task->isRunning();
}

void ExperimentsView::onPredictionProgress(qint64 done, qint64 total, const QString &stage)
{
    const int percent = total > 0 ? static_cast<int>(100 * done / total) : -1;
    if (percent < 0) {
        m_progress->setRange(0, 0);
    } else {
        m_progress->setRange(0, 100);
        m_progress->setValue(percent);
    }
    const QString text = total > 0 ? tr("%1: %2 of %3 cases").arg(stage).arg(done).arg(total) : stage;
    m_progressText->setText(text);
    Q_EMIT progressChanged(text, percent);
}

void ExperimentsView::onPredictionFinished(bool ok, bool cancelled, const QString &message)
{
    const qint64 runId = m_predictingRun;
    m_predictingRun = 0;
    m_progress->setRange(0, 100);
    QString text;
    if (ok && m_summary && m_summary->cancelled) {
        text = m_summary->explained > 0
            ? tr("Cancelled; the explanations of %n case(s) are kept, no predictions were stored.", nullptr,
                m_summary->explained)
            : tr("Cancelled; nothing was stored.");
        cancelled = true;
    } else if (ok && m_summary) {
        m_progress->setValue(100);
        text = tr("Run %1: stored %n prediction(s)", nullptr, m_summary->predicted).arg(runId);
        if (m_summary->explained > 0)
            text += tr(", %n explained", nullptr, m_summary->explained);
        text += tr(" · %n referred to review", nullptr, m_summary->referred);
    } else {
        text = cancelled ? tr("Cancelled; nothing was stored.") : tr("Prediction failed: %1").arg(message);
    }
    // The outcome stays in view until the next prediction; the bar and Cancel have done their job.
    m_progressText->setText(text);
    m_progress->hide();
    m_cancelButton->hide();
    reload();
    updateActions();
    Q_EMIT progressChanged(text, -1);
    if (ok && !cancelled)
        Q_EMIT runsChanged();
    if (!ok && !cancelled)
        fail(text);
    Q_EMIT predictionFinished(runId, ok && !cancelled, ok ? text : message);
}
