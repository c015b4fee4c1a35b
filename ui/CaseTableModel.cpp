// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseTableModel.h"

#include "store/Study.h"

CaseTableModel::CaseTableModel(QObject *parent) : QAbstractTableModel(parent) { }

void CaseTableModel::setDataset(std::shared_ptr<lepton::Study> study, qint64 datasetId)
{
    m_study = std::move(study);
    m_datasetId = datasetId;
    reload();
}

void CaseTableModel::setFilter(const lepton::CaseFilter &filter)
{
    m_filter = filter;
    reload();
}

void CaseTableModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_total = 0;
    m_error.clear();
    if (m_study) {
        lepton::DatasetRepository repo(*m_study);
        auto count = repo.caseCount(m_datasetId, m_filter);
        if (count)
            m_total = count.value();
        else
            m_error = count.error();
    }
    endResetModel();
    if (canFetchMore(QModelIndex()))
        fetchMore(QModelIndex());
}

const lepton::StoredCase *CaseTableModel::caseAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<std::size_t>(row)] : nullptr;
}

int CaseTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CaseTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CaseTableModel::data(const QModelIndex &index, int role) const
{
    const lepton::StoredCase *c = caseAt(index.row());
    if (!c || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return QVariant();
    switch (index.column()) {
    case CaseId:
        return c->caseKey;
    case Label:
        return c->label.isEmpty() ? tr("(unlabelled)") : c->label;
    case Split:
        return c->split.isEmpty() ? tr("(none)") : c->split;
    case Image:
        if (c->imagePath.isEmpty())
            return tr("none");
        return role == Qt::ToolTipRole ? c->imagePath : QStringLiteral("%1×%2").arg(c->imageWidth).arg(c->imageHeight);
    case SourceLine:
        return c->sourceLine;
    }
    return QVariant();
}

QVariant CaseTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case CaseId:
        return tr("Case");
    case Label:
        return tr("Label");
    case Split:
        return tr("Split");
    case Image:
        return tr("Image");
    case SourceLine:
        return tr("Manifest line");
    }
    return QVariant();
}

bool CaseTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_study && static_cast<int>(m_rows.size()) < m_total;
}

void CaseTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    lepton::DatasetRepository repo(*m_study);
    auto page = repo.cases(m_datasetId, m_filter, static_cast<int>(m_rows.size()), PageSize);
    if (!page || page->empty()) {
        m_error = page ? tr("the study changed while reading") : page.error();
        m_total = static_cast<int>(m_rows.size());
        return;
    }
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + static_cast<int>(page->size()) - 1);
    for (auto &c : page.value())
        m_rows.push_back(std::move(c));
    endInsertRows();
}
