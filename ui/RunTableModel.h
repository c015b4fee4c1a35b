// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/RunRepository.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <memory>
#include <vector>

namespace lepton {
class Study;
}

/// The runs of a study as a table: what each run is (name, status, fusion variant, the settings
/// that usually differ), how well it did (best validation AUROC, test AUROC and accuracy) and
/// what it cost (duration, device). Sorting goes through SortRole (numbers as numbers); a
/// QSortFilterProxyModel filters on SearchRole, which holds name, status, variant and tags.
class RunTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Id,
        Name,
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

    /// A run with the values the table shows, read once per reload.
    struct Row
    {
        lepton::RunRecord run;
        QString variant;
        int epochs = 0;
        int batchSize = 0;
        double learningRate = 0.0;
        int imageSize = 0;
        qint64 seed = 0;
        double bestValAuroc = 0.0; ///< NaN: unknown
        double testAuroc = 0.0;
        double testAccuracy = 0.0;
        double seconds = 0.0; ///< from start to end; NaN while running or unknown
        QStringList tags;
        QString notes;
    };

    explicit RunTableModel(QObject *parent = nullptr);

    /// Shows the runs of a study (nothing with a null one) and reads them at once. An error
    /// leaves the table empty and is kept in lastError().
    void setStudy(std::shared_ptr<lepton::Study> study);
    /// Reads the runs again (after training, renaming, deleting).
    bool reload();
    QString lastError() const { return m_error; }

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
    /// Seconds from an ISO start to an ISO end time; NaN when either is missing.
    static double secondsBetween(const QString &startedAt, const QString &endedAt);

private:
    std::shared_ptr<lepton::Study> m_study;
    std::vector<Row> m_rows;
    QString m_error;
};
