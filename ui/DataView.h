// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/DatasetRepository.h"

#include <QWidget>

#include <memory>

class CasePanel;
class CaseTableModel;
class StackedBarChart;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace lepton {
class StudySession;
}

/// The Data view: the cases of a dataset as a table or a thumbnail grid (paged from the study,
/// filtered by text, label, split and import problems, sorted in SQL), the class balance per
/// split, and a case panel with the image, record fields and event history.
///
/// The datasets are the session's shared list; a dataset's counts are read in the background
/// (they count every case), and datasetShown() says when they are on screen. Widgets carry object
/// names for tests and scripts (datasetBox, labelBox, splitBox, problemsBox, filterEdit, caseTable,
/// caseGrid, balanceChart).
class DataView : public QWidget
{
    Q_OBJECT
public:
    /// Shows the datasets of `session`'s study (the newest selected when a study opens).
    explicit DataView(lepton::StudySession *session, QWidget *parent = nullptr);

    /// Shows a dataset of the session's list (0: the newest).
    void selectDatasetId(qint64 datasetId = 0);
    qint64 currentDatasetId() const;
    /// "n of m cases shown · …" for the status bar.
    QString summary() const { return m_summaryText; }
    /// Shows the grid of thumbnails instead of the table (or back).
    void setGridMode(bool grid);
    bool gridMode() const;
    void focusFilter();

    QTableView *caseView() const { return m_view; }
    QListView *gridView() const { return m_grid; }
    CaseTableModel *caseModel() const { return m_model; }
    CasePanel *casePanel() const { return m_panel; }
    QLineEdit *filterEdit() const { return m_filter; }
    QComboBox *datasetBox() const { return m_datasets; }
    QComboBox *labelBox() const { return m_labels; }
    QComboBox *splitBox() const { return m_splits; }
    QComboBox *problemsBox() const { return m_problems; }
    StackedBarChart *balanceChart() const { return m_balance; }

Q_SIGNALS:
    void errorOccurred(const QString &message);
    void summaryChanged(const QString &summary);
    void datasetChanged(qint64 datasetId);
    /// The dataset's counts, classes and balance chart are shown (read in the background).
    void datasetShown(qint64 datasetId);
    /// A case was double-clicked (or Enter pressed on it): open it elsewhere (the Inspector).
    void caseActivated(qint64 caseId);

private:
    void selectDataset(int index);
    void applyFilter();
    void showCase(const QModelIndex &index);
    void updateSummary();
    void showCounts(const lepton::DatasetSummary &d);

    lepton::StudySession *m_session;
    int m_readGeneration = 0; ///< a dataset's counts read before another was chosen are dropped
    qint64 m_shownId = 0; ///< the dataset shown (0: none)
    CaseTableModel *m_model;
    QTableView *m_view;
    QListView *m_grid;
    QStackedWidget *m_caseStack;
    CasePanel *m_panel;
    StackedBarChart *m_balance;
    QLabel *m_balanceText;
    QComboBox *m_datasets;
    QComboBox *m_labels;
    QComboBox *m_splits;
    QComboBox *m_problems;
    QLineEdit *m_filter;
    QToolButton *m_tableButton;
    QToolButton *m_gridButton;
    QString m_summaryText;
    lepton::DatasetSummary m_current; ///< the selected dataset's counts
};
