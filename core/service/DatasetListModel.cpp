// SPDX-License-Identifier: GPL-3.0-or-later
#include "DatasetListModel.h"

#include <algorithm>

namespace lepton {

DatasetListModel::DatasetListModel(QObject *parent) : QAbstractListModel(parent) { }

bool DatasetListModel::setDatasets(std::vector<DatasetSummary> datasets)
{
    std::sort(datasets.begin(), datasets.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    QList<qint64> wanted;
    for (const DatasetSummary &d : datasets)
        wanted.append(d.id);
    const bool changed = wanted != ids();
    // Rows that went, from the bottom up so the rows above keep their numbers.
    for (int r = static_cast<int>(m_rows.size()) - 1; r >= 0; --r) {
        if (wanted.contains(m_rows[static_cast<std::size_t>(r)].id))
            continue;
        beginRemoveRows(QModelIndex(), r, r);
        m_rows.erase(m_rows.begin() + r);
        endRemoveRows();
    }
    // Rows that came, each at its place in id order; the others take the new names.
    for (DatasetSummary &d : datasets) {
        const int existing = rowOf(d.id);
        if (existing >= 0) {
            if (m_rows[static_cast<std::size_t>(existing)].name != d.name) {
                m_rows[static_cast<std::size_t>(existing)] = std::move(d);
                Q_EMIT dataChanged(index(existing), index(existing));
            }
            continue;
        }
        const auto at = std::find_if(m_rows.begin(), m_rows.end(), [&d](const auto &r) { return r.id > d.id; });
        const int row = static_cast<int>(at - m_rows.begin());
        beginInsertRows(QModelIndex(), row, row);
        m_rows.insert(at, std::move(d));
        endInsertRows();
    }
    return changed;
}

QList<qint64> DatasetListModel::ids() const
{
    QList<qint64> out;
    for (const DatasetSummary &d : m_rows)
        out.append(d.id);
    return out;
}

int DatasetListModel::rowOf(qint64 datasetId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == datasetId)
            return static_cast<int>(i);
    return -1;
}

int DatasetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant DatasetListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= static_cast<int>(m_rows.size()))
        return {};
    const DatasetSummary &d = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1: %2").arg(d.id).arg(d.name);
    case Qt::ToolTipRole:
        return d.manifestPath.isEmpty() ? d.name : QStringLiteral("%1\n%2").arg(d.name, d.manifestPath);
    case IdRole:
        return d.id;
    case NameRole:
        return d.name;
    default:
        return {};
    }
}

} // namespace lepton
