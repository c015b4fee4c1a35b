// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/DatasetRepository.h"

#include <QAbstractListModel>

#include <vector>

namespace lepton {

/// The datasets of the open study as a list ("3: demo-medical"), for the dataset choosers of the
/// Data and Training views. Qt::UserRole (IdRole) holds the dataset's id, NameRole its name.
///
/// setDatasets() changes the list by removing and inserting rows, never by a reset, so a view's
/// current row (a QComboBox's choice) stays on the same dataset when others are added or removed.
class DatasetListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role { IdRole = Qt::UserRole, NameRole };

    explicit DatasetListModel(QObject *parent = nullptr);

    /// Replaces the list with `datasets` (ordered by id); true when the ids listed changed.
    bool setDatasets(std::vector<DatasetSummary> datasets);
    /// The ids listed, in order.
    QList<qint64> ids() const;
    /// The row of a dataset, or -1.
    int rowOf(qint64 datasetId) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    std::vector<DatasetSummary> m_rows;
};

} // namespace lepton
