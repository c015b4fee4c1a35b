// SPDX-License-Identifier: GPL-3.0-or-later
#include "CasePredictionModel.h"

#include <cmath>
#include <limits>

CasePredictionModel::CasePredictionModel(QObject *parent) : QAbstractTableModel(parent) { }

void CasePredictionModel::setRows(
    std::vector<lepton::CasePrediction> rows, const QStringList &classes, const QString &positiveClass)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_classes = classes;
    m_positiveClass = positiveClass;
    m_positive = static_cast<int>(classes.indexOf(positiveClass));
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

void CasePredictionModel::clear()
{
    setRows({}, {}, QString());
}

int CasePredictionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CasePredictionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

double CasePredictionModel::probability(const lepton::CasePrediction &p) const
{
    const std::vector<double> &probs = p.calibrated.empty() ? p.probabilities : p.calibrated;
    const int shown = m_positive >= 0 ? m_positive : static_cast<int>(m_classes.indexOf(p.predicted));
    return shown >= 0 && shown < static_cast<int>(probs.size()) ? probs[static_cast<std::size_t>(shown)]
                                                                : std::numeric_limits<double>::quiet_NaN();
}

QVariant CasePredictionModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= static_cast<int>(m_rows.size()))
        return {};
    const lepton::CasePrediction &p = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    if (role == CaseIdRole)
        return column == Case ? QVariant(p.caseId) : QVariant();
    if (role == Qt::DisplayRole || role == SortRole) {
        switch (column) {
        case Case:
            return p.caseKey;
        case TrueClass:
            return p.label;
        case Predicted:
            return p.predicted;
        case Probability: {
            const double v = probability(p);
            if (role == SortRole)
                return std::isfinite(v) ? v : -1.0;
            return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
        }
        case Decision:
            return p.decision;
        case Grade:
            return p.grade;
        case Referred:
            return p.referred ? tr("yes") : QString();
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && column == Probability)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        if (column == Case)
            return tr("Case %1 (id %2): double-click to open it in the Inspector").arg(p.caseKey).arg(p.caseId);
        if (column == Probability)
            return p.calibrated.empty() ? tr("model probability (not calibrated)") : tr("calibrated");
    }
    return {};
}

QVariant CasePredictionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && section == Probability)
        return tr("Calibrated probability of the positive class where the prediction was decided, else the model's");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Case:
        return tr("Case");
    case TrueClass:
        return tr("True class");
    case Predicted:
        return tr("Predicted");
    case Probability:
        return m_positive >= 0 ? tr("P(%1)").arg(m_positiveClass) : tr("P(predicted)");
    case Decision:
        return tr("Decision");
    case Grade:
        return tr("Grade");
    case Referred:
        return tr("Referred");
    default:
        return {};
    }
}
