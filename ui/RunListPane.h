// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RunTableModel.h"

#include <QList>
#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

/// The top of the Experiments view: the runs in a sortable, filterable table (several can be
/// selected), the buttons and context-menu actions on them, and a progress row for a prediction.
/// It shows what it is given and says what the user asked for; the view does the work.
///
/// Children by objectName: runTable, runFilter, renameButton, tagsButton, notesButton,
/// deleteButton, predictButton, refreshButton, cancelButton, predictionProgress, predictionText.
class RunListPane : public QWidget
{
    Q_OBJECT
public:
    explicit RunListPane(QWidget *parent = nullptr);

    /// Shows these runs, keeping the selection (and the current run) of those that remain;
    /// selectionChanged() follows once.
    void setRows(std::vector<RunTableModel::Row> rows);
    /// The run with this id, or nullptr.
    const RunTableModel::Row *run(qint64 runId) const;

    /// Selects these runs (others are deselected); the first becomes the current one. Runs hidden
    /// by the filter or unknown are skipped. selectionChanged() follows once.
    void selectRuns(const QList<qint64> &runIds);
    /// The selected runs by id, ascending (the order of their colours).
    QList<qint64> selectedRunIds() const;
    /// The current (or else the first selected) run; 0: none.
    qint64 currentRunId() const;

    /// Which actions are offered: on the current run (rename, tags, notes), deleting the
    /// selection, predicting with the current run, reading again.
    void setActionsEnabled(bool currentRun, bool remove, bool predict, bool refresh);
    /// Shows the progress row: `percent` in 0–100, or -1 for busy.
    void showProgress(const QString &text, int percent);
    /// Hides the bar and Cancel, keeping `text` in view until the next prediction.
    void showOutcome(const QString &text);
    /// Cancel was pressed: it stays visible, disabled, with `text`.
    void showCancelling(const QString &text);

    RunTableModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }

Q_SIGNALS:
    /// The selection changed (by the user, the filter or selectRuns()).
    void selectionChanged();
    /// The user moved the current row among the selected ones.
    void currentRunChanged();
    void renameRequested();
    void tagsRequested();
    void notesRequested();
    void deleteRequested();
    void predictRequested();
    void refreshRequested();
    void cancelRequested();

private:
    QWidget *buildToolbar();
    QAction *addRunAction(const QString &text, const QKeySequence &key, void (RunListPane::*signal)());

    RunTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QPushButton *m_rename, *m_tags, *m_notes, *m_delete, *m_predict, *m_refresh;
    QAction *m_renameAction = nullptr, *m_tagsAction = nullptr, *m_notesAction = nullptr;
    QAction *m_predictAction = nullptr, *m_deleteAction = nullptr;
    QWidget *m_progressRow;
    QProgressBar *m_progress;
    QLabel *m_progressText;
    QPushButton *m_cancel;
    bool m_restoring = false; ///< selection changes made here wait for one selectionChanged()
};
