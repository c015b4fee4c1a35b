// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunListPane.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

RunListPane::RunListPane(QWidget *parent)
    : QWidget(parent),
      m_model(new RunTableModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView(this)),
      m_filter(new QLineEdit(this)),
      m_rename(new QPushButton(tr("Rename…"), this)),
      m_tags(new QPushButton(tr("Tags…"), this)),
      m_notes(new QPushButton(tr("Notes…"), this)),
      m_delete(new QPushButton(tr("Delete…"), this)),
      m_predict(new QPushButton(tr("Predict and explain…"), this)),
      m_refresh(new QPushButton(tr("Refresh"), this)),
      m_progressRow(new QWidget(this)),
      m_progress(new QProgressBar(this)),
      m_progressText(new QLabel(this)),
      m_cancel(new QPushButton(tr("Cancel"), this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunTableModel::SortRole);
    m_proxy->setFilterRole(RunTableModel::SearchRole);
    m_proxy->setFilterKeyColumn(RunTableModel::Id);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setObjectName(QStringLiteral("runTable"));
    m_table->setModel(m_proxy);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunTableModel::Id, Qt::DescendingOrder); // newest first
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Select several runs (Ctrl or Shift + click) to compare them"));
    m_table->setMinimumHeight(m_table->verticalHeader()->defaultSectionSize() * 4);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildToolbar());
    layout->addWidget(m_progressRow);
    layout->addWidget(m_table, 1);

    // Actions on the runs: buttons, the table's context menu and shortcuts share them.
    m_renameAction = addRunAction(tr("Rename…"), QKeySequence(Qt::Key_F2), &RunListPane::renameRequested);
    m_tagsAction = addRunAction(tr("Edit tags…"), QKeySequence(), &RunListPane::tagsRequested);
    m_notesAction = addRunAction(tr("Edit notes…"), QKeySequence(), &RunListPane::notesRequested);
    m_predictAction = addRunAction(tr("Predict and explain…"), QKeySequence(), &RunListPane::predictRequested);
    auto *separator = new QAction(this);
    separator->setSeparator(true);
    m_table->addAction(separator);
    m_deleteAction = addRunAction(tr("Delete…"), QKeySequence::Delete, &RunListPane::deleteRequested);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_rename, &QPushButton::clicked, m_renameAction, &QAction::trigger);
    connect(m_tags, &QPushButton::clicked, m_tagsAction, &QAction::trigger);
    connect(m_notes, &QPushButton::clicked, m_notesAction, &QAction::trigger);
    connect(m_predict, &QPushButton::clicked, m_predictAction, &QAction::trigger);
    connect(m_delete, &QPushButton::clicked, m_deleteAction, &QAction::trigger);
    connect(m_refresh, &QPushButton::clicked, this, &RunListPane::refreshRequested);
    connect(m_cancel, &QPushButton::clicked, this, &RunListPane::cancelRequested);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text.trimmed());
        Q_EMIT selectionChanged();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (!m_restoring)
            Q_EMIT selectionChanged();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        if (!m_restoring)
            Q_EMIT currentRunChanged();
    });
    m_progressRow->hide();
}

QAction *RunListPane::addRunAction(const QString &text, const QKeySequence &key, void (RunListPane::*signal)())
{
    auto *a = new QAction(text, this);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(a, &QAction::triggered, this, signal);
    m_table->addAction(a);
    return a;
}

QWidget *RunListPane::buildToolbar()
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
    m_rename->setToolTip(tr("Give the current run a new name (F2)"));
    m_tags->setToolTip(tr("Tag the current run, e.g. baseline, candidate"));
    m_notes->setToolTip(tr("Write notes on the current run"));
    m_delete->setToolTip(tr("Delete the selected runs with everything stored for them (Del)"));
    m_predict->setToolTip(
        tr("Predict a split with the current run's best model and explain each case; runs in the background"));
    m_refresh->setToolTip(tr("Read the runs from the study again"));
    const std::pair<QPushButton *, const char *> named[] = { { m_rename, "renameButton" }, { m_tags, "tagsButton" },
        { m_notes, "notesButton" }, { m_delete, "deleteButton" }, { m_predict, "predictButton" },
        { m_refresh, "refreshButton" }, { m_cancel, "cancelButton" } };
    for (const auto &[button, name] : named)
        button->setObjectName(QString::fromLatin1(name));
    for (QPushButton *b : { m_rename, m_tags, m_notes, m_delete })
        row->addWidget(b);
    row->addSpacing(12);
    row->addWidget(m_predict);
    row->addWidget(m_refresh);

    auto *progress = new QHBoxLayout(m_progressRow);
    progress->setContentsMargins(0, 0, 0, 0);
    m_progress->setObjectName(QStringLiteral("predictionProgress"));
    m_progress->setRange(0, 100);
    m_progress->setTextVisible(true);
    m_progress->setMaximumWidth(320);
    m_progressText->setObjectName(QStringLiteral("predictionText"));
    m_cancel->setToolTip(tr("Stop the prediction; predictions are stored only when it completes"));
    progress->addWidget(m_progress, 1);
    progress->addWidget(m_progressText, 2);
    progress->addWidget(m_cancel);
    return bar;
}

void RunListPane::setRows(std::vector<RunTableModel::Row> rows)
{
    const QList<qint64> selected = selectedRunIds();
    const qint64 current = currentRunId();
    m_restoring = true;
    m_model->setRows(std::move(rows));
    m_restoring = false;
    QList<qint64> keep;
    if (current && m_model->rowOf(current) >= 0)
        keep.append(current);
    for (qint64 id : selected)
        if (id != current && m_model->rowOf(id) >= 0)
            keep.append(id);
    m_table->resizeColumnsToContents();
    selectRuns(keep);
}

const RunTableModel::Row *RunListPane::run(qint64 runId) const
{
    return m_model->rowAt(m_model->rowOf(runId));
}

void RunListPane::selectRuns(const QList<qint64> &runIds)
{
    QItemSelectionModel *selection = m_table->selectionModel();
    m_restoring = true;
    selection->clearSelection();
    bool first = true;
    for (qint64 id : runIds) {
        const int row = m_model->rowOf(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        if (!index.isValid())
            continue;
        selection->select(index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        if (first) {
            selection->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
            m_table->scrollTo(index);
            first = false;
        }
    }
    if (first)
        selection->setCurrentIndex(QModelIndex(), QItemSelectionModel::NoUpdate);
    m_restoring = false;
    Q_EMIT selectionChanged();
}

QList<qint64> RunListPane::selectedRunIds() const
{
    QList<qint64> ids;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows(RunTableModel::Id);
    for (const QModelIndex &i : rows)
        ids.append(i.data(RunTableModel::RunIdRole).toLongLong());
    // By id, not by the table's order: a run keeps its colour when the table is sorted again.
    std::sort(ids.begin(), ids.end());
    return ids;
}

qint64 RunListPane::currentRunId() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (current.isValid() && m_table->selectionModel()->isRowSelected(current.row(), QModelIndex()))
        return current.data(RunTableModel::RunIdRole).toLongLong();
    const QList<qint64> ids = selectedRunIds();
    return ids.isEmpty() ? 0 : ids.first();
}

void RunListPane::setActionsEnabled(bool currentRun, bool remove, bool predict, bool refresh)
{
    for (QPushButton *b : { m_rename, m_tags, m_notes })
        b->setEnabled(currentRun);
    for (QAction *a : { m_renameAction, m_tagsAction, m_notesAction })
        a->setEnabled(currentRun);
    m_delete->setEnabled(remove);
    m_deleteAction->setEnabled(remove);
    m_predict->setEnabled(predict);
    m_predictAction->setEnabled(predict);
    m_refresh->setEnabled(refresh);
}

void RunListPane::showProgress(const QString &text, int percent)
{
    if (percent < 0) {
        m_progress->setRange(0, 0);
    } else {
        m_progress->setRange(0, 100);
        m_progress->setValue(percent);
    }
    m_progressText->setText(text);
    m_cancel->setEnabled(true);
    m_progress->show();
    m_cancel->show();
    m_progressRow->show();
}

void RunListPane::showCancelling(const QString &text)
{
    m_cancel->setEnabled(false);
    m_progressText->setText(text);
}

void RunListPane::showOutcome(const QString &text)
{
    m_progress->setRange(0, 100);
    m_progressText->setText(text);
    m_progress->hide();
    m_cancel->hide();
    m_progressRow->show();
}
