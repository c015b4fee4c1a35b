// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseTableModel.h"

#include "CaseImages.h"

#include "service/CaseViewService.h"
#include "store/Study.h"

#include <QColor>
#include <QPainter>

#include <cmath>

CaseTableModel::CaseTableModel(QObject *parent) : QAbstractTableModel(parent) { }

void CaseTableModel::setDataset(std::shared_ptr<lepton::Study> study, qint64 datasetId)
{
    m_study = std::move(study);
    m_datasetId = datasetId;
    m_thumbs.clear();
    m_problems.clear();
    if (m_study) {
        auto problems = lepton::CaseListService(*m_study).problemCounts(datasetId);
        if (problems)
            m_problems = problems.value();
    }
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
        auto count = lepton::CaseListService(*m_study).count(m_datasetId, m_filter);
        if (count)
            m_total = count.value();
        else
            m_error = count.error();
    }
    endResetModel();
    if (canFetchMore(QModelIndex()))
        fetchMore(QModelIndex());
}

void CaseTableModel::setThumbnailSize(int side)
{
    if (side == m_thumbSide)
        return;
    m_thumbSide = side;
    m_thumbs.clear();
    if (!m_rows.empty())
        Q_EMIT dataChanged(
            index(0, CaseId), index(static_cast<int>(m_rows.size()) - 1, CaseId), { Qt::DecorationRole });
}

void CaseTableModel::sort(int column, Qt::SortOrder order)
{
    static const char *columns[] = { "case_key", "label", "split", "image_size", "problems", "source_line" };
    m_filter.sortColumn = column >= 0 && column < ColumnCount ? QString::fromLatin1(columns[column]) : QString();
    m_filter.descending = order == Qt::DescendingOrder;
    reload();
}

QImage CaseTableModel::thumbnail(const lepton::StoredCase &c) const
{
    if (QImage *cached = m_thumbs.object(c.id))
        return *cached;
    QImage image(m_thumbSide, m_thumbSide, QImage::Format_Grayscale8);
    image.fill(QColor(235, 235, 235));
    auto say = [&image](const QString &text) {
        QPainter p(&image);
        p.setPen(QColor(110, 110, 110));
        p.drawText(image.rect(), Qt::AlignCenter | Qt::TextWordWrap, text);
    };
    if (c.imagePath.isEmpty()) {
        say(tr("no image"));
    } else {
        auto small = lepton::CaseViewService::thumbnail(c.imagePath, m_thumbSide);
        if (small)
            image = CaseImages::toQImage(small.value());
        else
            say(tr("unreadable image"));
    }
    m_thumbs.insert(c.id, new QImage(image));
    return image;
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
    if (!c)
        return QVariant();
    if (role == Qt::DecorationRole && index.column() == CaseId && m_thumbSide > 0)
        return thumbnail(*c);
    if (role == Qt::ForegroundRole && index.column() == Problems && m_problems.contains(c->caseKey))
        return QColor(0xb0, 0x4a, 0x00);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
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
    case Problems: {
        const int n = m_problems.value(c->caseKey);
        if (role == Qt::ToolTipRole)
            return n ? tr("The import report lists %n problem(s) for this case (e.g. event rows left out).", "", n)
                     : QVariant();
        return n ? QVariant(n) : QVariant();
    }
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
    case Problems:
        return tr("Problems");
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
    auto page
        = lepton::CaseListService(*m_study).page(m_datasetId, m_filter, static_cast<int>(m_rows.size()), PageSize);
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
