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
class Study;
}

/// The Data view: the cases of a dataset as a table or a thumbnail grid (paged from the study,
/// filtered by text, label, split and import problems, sorted in SQL), the class balance per
/// split, and a case panel with the image, record fields and event history.
class DataView : public QWidget
{
    Q_OBJECT
public:
    explicit DataView(QWidget *parent = nullptr);

    /// Shows the study's datasets (the newest selected), or nothing for a null study.
    void setStudy(std::shared_ptr<lepton::Study> study);
    /// Re-reads the dataset list (after an import) and selects `datasetId` (0: the newest).
    void reload(qint64 datasetId = 0);
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
    /// A case was double-clicked (or Enter pressed on it): open it elsewhere (the Inspector).
    void caseActivated(qint64 caseId);

private:
    void selectDataset(int index);
    void applyFilter();
    void showCase(const QModelIndex &index);
    void updateSummary();

    std::shared_ptr<lepton::Study> m_study;
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
