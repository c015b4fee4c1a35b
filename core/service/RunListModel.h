// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/RunRepository.h"

#include <QAbstractTableModel>

#include <vector>

namespace lepton {

/// The runs of the open study as a table (run, name, status, variant, best epoch, device,
/// started, message), shared by the views that list runs. RunIdRole holds the run's id in every
/// column; Qt::EditRole holds the value to sort by (numbers as numbers, start times as ISO); the
/// start time shows as a local date and time.
///
/// setRuns() updates rows in place, removes and inserts them, never resets, so a view's
/// selection stays on the same run while runs are added or change status.
class RunListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Name, Status, Variant, BestEpoch, Device, Started, Message, ColumnCount };
    enum Role { RunIdRole = Qt::UserRole + 1, StatusRole };

    explicit RunListModel(QObject *parent = nullptr);

    /// Replaces the list with `runs`; true when anything shown changed.
    bool setRuns(std::vector<RunRecord> runs);
    /// The run at a row (nullptr outside).
    const RunRecord *runAt(int row) const;
    /// The row of a run, or -1.
    int rowOf(qint64 runId) const;
    /// Whether a run of this status can be resumed (cancelled, interrupted or failed).
    static bool isResumable(const QString &status);
    /// The fusion variant stored in a run's config ("attention", "concat", …).
    static QString variantOf(const RunRecord &run);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<RunRecord> m_rows;
};

} // namespace lepton
