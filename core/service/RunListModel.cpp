// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunListModel.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace lepton {

namespace {
bool sameShown(const RunRecord &a, const RunRecord &b)
{
    return a.name == b.name && a.status == b.status && a.bestEpoch == b.bestEpoch && a.device == b.device
        && a.deviceName == b.deviceName && a.startedAt == b.startedAt && a.message == b.message && a.config == b.config;
}
} // namespace

RunListModel::RunListModel(QObject *parent) : QAbstractTableModel(parent) { }

bool RunListModel::setRuns(std::vector<RunRecord> runs)
{
    bool changed = false;
    for (int r = static_cast<int>(m_rows.size()) - 1; r >= 0; --r) {
        const qint64 id = m_rows[static_cast<std::size_t>(r)].id;
        if (std::any_of(runs.begin(), runs.end(), [id](const RunRecord &x) { return x.id == id; }))
            continue;
        beginRemoveRows(QModelIndex(), r, r);
        m_rows.erase(m_rows.begin() + r);
        endRemoveRows();
        changed = true;
    }
    for (RunRecord &run : runs) {
        const int existing = rowOf(run.id);
        if (existing >= 0) {
            RunRecord &kept = m_rows[static_cast<std::size_t>(existing)];
            if (!sameShown(kept, run)) {
                kept = std::move(run);
                Q_EMIT dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
                changed = true;
            } else {
                kept = std::move(run);
            }
            continue;
        }
        const int row = static_cast<int>(m_rows.size());
        beginInsertRows(QModelIndex(), row, row);
        m_rows.push_back(std::move(run));
        endInsertRows();
        changed = true;
    }
    return changed;
}

const RunRecord *RunListModel::runAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<std::size_t>(row)] : nullptr;
}

int RunListModel::rowOf(qint64 runId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == runId)
            return static_cast<int>(i);
    return -1;
}

bool RunListModel::isResumable(const QString &status)
{
    const std::optional<RunStatus> s = runStatusFromName(status);
    return s && lepton::isResumable(*s);
}

QString RunListModel::variantOf(const RunRecord &run)
{
    return run.config.value(QStringLiteral("train"))
        .toObject()
        .value(QStringLiteral("model"))
        .toObject()
        .value(QStringLiteral("fusion"))
        .toString();
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RunListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    const RunRecord *r = runAt(index.row());
    if (!r || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    if (role == RunIdRole)
        return r->id;
    if (role == StatusRole)
        return runStatusName(r->status);
    if (role == Qt::ToolTipRole && index.column() == Message)
        return r->message;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Id || index.column() == BestEpoch ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case Id:
        return r->id; // a number: 9 sorts before 10
    case Name:
        return r->name;
    case Status:
        return runStatusName(r->status);
    case Variant:
        return variantOf(*r);
    case BestEpoch:
        return r->bestEpoch >= 0 ? QVariant(r->bestEpoch + 1) : QVariant(QString());
    case Device:
        return r->deviceName.isEmpty() ? r->device : r->deviceName;
    case Started: {
        // Local date and time for people; the ISO time to sort by.
        if (role == Qt::EditRole)
            return r->startedAt;
        const QDateTime t = QDateTime::fromString(r->startedAt, Qt::ISODateWithMs);
        return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat) : r->startedAt;
    }
    case Message:
        return r->message;
    default:
        return {};
    }
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id:
        return tr("Run");
    case Name:
        return tr("Name");
    case Status:
        return tr("Status");
    case Variant:
        return tr("Variant");
    case BestEpoch:
        return tr("Best epoch");
    case Device:
        return tr("Device");
    case Started:
        return tr("Started");
    case Message:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace lepton
