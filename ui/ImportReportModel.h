// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/ImportReport.h"

#include <QAbstractTableModel>

/// The problems of an import report as a table, one row per problem. SortRole gives keys that
/// sort by meaning (fatal before excluded before warning, lines as numbers); the File column
/// shows the file name, with the full path as its tooltip.
class ImportReportModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Severity, Kind, File, Line, ColumnName, Case, Reason, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit ImportReportModel(QObject *parent = nullptr);

    void setReport(const lepton::ImportReport &report);
    void clear();
    const lepton::ImportReport &report() const { return m_report; }

    /// The most frequent reasons rows were excluded, most frequent first, at most `count`: the
    /// kind with how many rows it excluded and one of its reasons ("image-missing (12 rows): …").
    static QStringList topExclusionReasons(const lepton::ImportReport &report, int count = 3);

    /// The report as CSV text: a header row, then one row per problem in report order.
    QString toCsv() const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    lepton::ImportReport m_report;
};
