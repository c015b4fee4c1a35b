// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunTableModel.h"

#include <QColor>
#include <QDateTime>
#include <QHash>
#include <QLocale>

#include <cmath>

namespace {
QString number(double v, int decimals = 3)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–");
}

QVariant sortable(double v)
{
    // Unknown values sort before every number, whatever the order.
    return std::isfinite(v) ? QVariant(v) : QVariant(-1e300);
}

QColor statusColour(lepton::RunStatus status)
{
    switch (status) {
    case lepton::RunStatus::Completed:
        return QColor(0x2e, 0x7d, 0x32);
    case lepton::RunStatus::Running:
        return QColor(0x15, 0x65, 0xc0);
    case lepton::RunStatus::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case lepton::RunStatus::Cancelled:
    case lepton::RunStatus::Interrupted:
        break;
    }
    return QColor(0x8d, 0x6e, 0x00); // cancelled, interrupted: can be resumed
}
} // namespace

RunTableModel::RunTableModel(QObject *parent) : QAbstractTableModel(parent) { }

void RunTableModel::setRows(std::vector<Row> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

const RunTableModel::Row *RunTableModel::rowAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<std::size_t>(row)] : nullptr;
}

int RunTableModel::rowOf(qint64 runId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].run.id == runId)
            return static_cast<int>(i);
    return -1;
}

qint64 RunTableModel::runIdAt(int row) const
{
    const Row *r = rowAt(row);
    return r ? r->run.id : 0;
}

int RunTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RunTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunTableModel::data(const QModelIndex &index, int role) const
{
    const Row *row = rowAt(index.row());
    if (!row || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    const lepton::RunRecord &r = row->run;
    if (role == RunIdRole)
        return r.id;
    if (role == SearchRole)
        return QStringList { r.name, lepton::runStatusName(r.status), row->variant, r.tags.join(QLatin1Char(' ')),
            row->cvGroup }
            .join(QLatin1Char(' '));
    const int column = index.column();
    if (role == Qt::DisplayRole || role == SortRole) {
        const bool sort = role == SortRole;
        switch (column) {
        case Id:
            return r.id;
        case Name:
            return r.name;
        case CrossValidation:
            if (sort)
                return row->cvGroup.isEmpty()
                    ? QString()
                    : row->cvGroup + QStringLiteral("/%1").arg(row->fold, 3, 10, QLatin1Char('0'));
            return cvText(*row);
        case Status:
            return lepton::runStatusName(r.status);
        case Variant:
            return row->variant;
        case Epochs:
            // The epochs run, and of how many when the run stopped short ("22 of 30").
            if (sort)
                return row->epochsRun >= 0 ? row->epochsRun : row->epochs;
            if (row->epochsRun < 0 || row->epochsRun == row->epochs)
                return row->epochs;
            return tr("%1 of %2").arg(row->epochsRun).arg(row->epochs);
        case BatchSize:
            return row->batchSize;
        case LearningRate:
            return sort ? sortable(row->learningRate) : QVariant(QString::number(row->learningRate, 'g', 4));
        case ImageSize:
            return row->imageSize;
        case Seed:
            return row->seed;
        case BestValAuroc:
            return sort ? sortable(row->bestValAuroc) : QVariant(number(row->bestValAuroc));
        case TestAuroc:
            return sort ? sortable(row->testAuroc) : QVariant(number(row->testAuroc));
        case TestAccuracy:
            return sort ? sortable(row->testAccuracy) : QVariant(number(row->testAccuracy));
        case Duration:
            return sort ? sortable(row->seconds) : QVariant(durationText(row->seconds));
        case Device:
            return r.device;
        case Tags:
            return r.tags.join(QStringLiteral(", "));
        case Started: {
            if (sort)
                return r.startedAt;
            const QDateTime t = QDateTime::fromString(r.startedAt, Qt::ISODateWithMs);
            return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat) : r.startedAt;
        }
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole) {
        switch (column) {
        case Id:
        case Epochs:
        case BatchSize:
        case LearningRate:
        case ImageSize:
        case Seed:
        case BestValAuroc:
        case TestAuroc:
        case TestAccuracy:
        case Duration:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    }
    if (role == Qt::ForegroundRole && column == Status)
        return statusColour(r.status);
    // The folds of one cross-validation share a tint (one of a few, by the group's name).
    if (role == Qt::BackgroundRole && !row->cvGroup.isEmpty()) {
        static const QColor tints[]
            = { QColor(227, 238, 250), QColor(232, 245, 233), QColor(252, 237, 226), QColor(240, 232, 248) };
        return tints[qHash(row->cvGroup) % (sizeof(tints) / sizeof(tints[0]))];
    }
    if (role == Qt::ToolTipRole) {
        QStringList lines { tr("Run %1 “%2”: %3").arg(r.id).arg(r.name, lepton::runStatusName(r.status)) };
        if (!r.message.isEmpty())
            lines << r.message;
        if (!row->cvGroup.isEmpty())
            lines << tr("Cross-validation %1: fold %2 of %3").arg(row->cvGroup).arg(row->fold + 1).arg(row->folds);
        if (!r.deviceName.isEmpty())
            lines << tr("Device: %1 (%2)").arg(r.device, r.deviceName);
        if (!r.tags.isEmpty())
            lines << tr("Tags: %1").arg(r.tags.join(QStringLiteral(", ")));
        if (!r.notes.isEmpty())
            lines << tr("Notes: %1").arg(r.notes);
        return lines.join(QLatin1Char('\n'));
    }
    return {};
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Id:
            return tr("Run");
        case Name:
            return tr("Name");
        case CrossValidation:
            return tr("CV");
        case Status:
            return tr("Status");
        case Variant:
            return tr("Variant");
        case Epochs:
            return tr("Epochs");
        case BatchSize:
            return tr("Batch");
        case LearningRate:
            return tr("LR");
        case ImageSize:
            return tr("Image px");
        case Seed:
            return tr("Seed");
        case BestValAuroc:
            return tr("Best val AUROC");
        case TestAuroc:
            return tr("Test AUROC");
        case TestAccuracy:
            return tr("Test acc");
        case Duration:
            return tr("Duration");
        case Device:
            return tr("Device");
        case Tags:
            return tr("Tags");
        case Started:
            return tr("Started");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case CrossValidation:
            return tr("The cross-validation (lepton train --folds K) the run is a fold of; select one of its runs "
                      "to see the folds' aggregate under Cross-validation");
        case Variant:
            return tr("How the model fuses image, record and history (train.model.fusion)");
        case BestValAuroc:
            return tr("Validation AUROC at the best epoch");
        case TestAuroc:
        case TestAccuracy:
            return tr("The best epoch's model on the test split (final evaluation)");
        case Duration:
            return tr("From start to end of the run");
        case Epochs:
            return tr("Epochs run, of those set (fewer when training stopped early or was cancelled)");
        case Started:
            return tr("When the run started, in local time");
        default:
            return {};
        }
    }
    return {};
}

QString RunTableModel::cvText(const Row &row)
{
    if (row.cvGroup.isEmpty())
        return QString();
    return tr("%1 · fold %2/%3").arg(row.cvGroup).arg(row.fold + 1).arg(row.folds);
}

QString RunTableModel::durationText(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("–");
    if (seconds < 60.0)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const qint64 s = std::llround(seconds);
    return s >= 3600 ? QStringLiteral("%1:%2:%3")
                           .arg(s / 3600)
                           .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
                           .arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}
