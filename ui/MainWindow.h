// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>

#include <memory>

class CasePanel;
class CaseTableModel;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace lepton {
class Study;
}

/// The workbench window: opens a study and shows the cases of its datasets with a case panel.
/// Errors are dialogs (or, with interactive off, only lastError() and errorShown()).
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a study; on failure shows why and keeps the current one.
    bool openStudy(const QString &path);
    QString studyPath() const;
    /// Off in tests: errors are not shown as modal dialogs.
    void setInteractive(bool on) { m_interactive = on; }
    QString lastError() const { return m_lastError; }

    QTableView *caseView() const { return m_view; }
    CaseTableModel *caseModel() const { return m_model; }
    CasePanel *casePanel() const { return m_panel; }
    QLineEdit *filterEdit() const { return m_filter; }
    QComboBox *datasetBox() const { return m_datasets; }
    QComboBox *labelBox() const { return m_labels; }
    QComboBox *splitBox() const { return m_splits; }

Q_SIGNALS:
    void errorShown(const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void showError(const QString &message);
    void chooseStudy();
    void selectDataset(int index);
    void applyFilter();
    void showCurrentCase();
    void updateSummary();

    std::shared_ptr<lepton::Study> m_study;
    CaseTableModel *m_model;
    QTableView *m_view;
    CasePanel *m_panel;
    QComboBox *m_datasets;
    QComboBox *m_labels;
    QComboBox *m_splits;
    QLineEdit *m_filter;
    QLabel *m_summary;
    bool m_interactive = true;
    QString m_lastError;
};
