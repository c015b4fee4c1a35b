// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/ExperimentService.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

/// The runs of a study as a table: what each run is (name, status, fusion variant, the settings
/// that usually differ), how well it did (best validation AUROC, test AUROC and accuracy) and
/// what it cost (duration, device). Sorting goes through SortRole (numbers as numbers); a
/// QSortFilterProxyModel filters on SearchRole, which holds name, status, variant, tags and the
/// cross-validation group. The runs of one cross-validation share a group (the CV column) and a
/// background tint, so the folds that belong together stand out.
/// The rows come from ExperimentService::runs(); the model only shows them.
class RunTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Id,
        Name,
        CrossValidation, ///< "cv-… · fold 1/3" for a fold of a cross-validation, else empty
        Status,
        Variant,
        Epochs,
        BatchSize,
        LearningRate,
        ImageSize,
        Seed,
        BestValAuroc,
        TestAuroc,
        TestAccuracy,
        Duration,
        Device,
        Tags,
        Started,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< the value to sort by (numbers, ISO times)
        SearchRole, ///< name, status, variant and tags of the row's run, for filtering
        RunIdRole ///< the run's id (every column)
    };

    /// A run with the values the table shows.
    using Row = lepton::RunSummary;

    explicit RunTableModel(QObject *parent = nullptr);

    /// Shows these runs (a reset: views restore their selection by run id).
    void setRows(std::vector<Row> rows);

    const Row *rowAt(int row) const;
    /// The model row of a run, or -1.
    int rowOf(qint64 runId) const;
    qint64 runIdAt(int row) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// "12.3 s" under a minute, else "m:ss" or "h:mm:ss"; "–" for an unknown duration.
    static QString durationText(double seconds);
    /// "cv-20261207-022151 · fold 1/3" for a fold of a cross-validation; empty for a run of its own.
    static QString cvText(const Row &row);

private:
    std::vector<Row> m_rows;
};
