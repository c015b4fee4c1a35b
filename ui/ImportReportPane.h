// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class ImportReportModel;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace lepton {
class ImportReport;
}

/// The import dialog's Report tab: a summary of the outcome (what was imported, de-identified,
/// dropped, how many problems), the problems as a sortable table, and Export Report. Object
/// names: summaryLabel, reportView, exportButton.
class ImportReportPane : public QWidget
{
    Q_OBJECT
public:
    explicit ImportReportPane(QWidget *parent = nullptr);

    /// Shows a report under `summary` (rich text: the outcome's first line).
    void setReport(const lepton::ImportReport &report, const QString &summary);
    void clear();
    bool hasReport() const { return m_haveReport; }
    /// Problems listed.
    int rowCount() const;
    /// The report as CSV (header row, one row per problem).
    QString toCsv() const;
    void setExportEnabled(bool enabled);

    QTableView *view() const { return m_view; }
    QLabel *summaryLabel() const { return m_summary; }

Q_SIGNALS:
    void exportRequested();

private:
    ImportReportModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QLabel *m_summary;
    QPushButton *m_export;
    bool m_haveReport = false;
};
