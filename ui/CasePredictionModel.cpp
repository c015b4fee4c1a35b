// SPDX-License-Identifier: GPL-3.0-or-later
#include "CasePredictionModel.h"

#include "ClassColours.h"

#include <cmath>
#include <limits>

CasePredictionModel::CasePredictionModel(QObject *parent) : QAbstractTableModel(parent) { }

void CasePredictionModel::setRows(std::vector<lepton::CasePrediction> rows, const QStringList &classes,
    const QString &positiveClass, const QStringList &decidedClasses, Axis axis)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_decided = decidedClasses;
    m_axis = axis;
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

QString CasePredictionModel::decidedClass(int row) const
{
    const lepton::CasePrediction &p = m_rows[static_cast<std::size_t>(row)];
    if (row < m_decided.size() && !m_decided.at(row).isEmpty())
        return m_decided.at(row);
    return p.decision.isEmpty() || !m_classes.contains(p.decision) ? p.predicted : p.decision;
}

QString CasePredictionModel::decisionText(int row) const
{
    const lepton::CasePrediction &p = m_rows[static_cast<std::size_t>(row)];
    const QString decided = decidedClass(row);
    return p.decision.isEmpty() || p.decision == decided ? decided : tr("%1 (%2)").arg(p.decision, decided);
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
        case MatrixColumn:
            return m_axis == Axis::Decision ? decisionText(index.row()) : p.predicted;
        case OtherColumn:
            // The most likely class only where it differs from the decision.
            if (m_axis == Axis::MostLikely)
                return decisionText(index.row());
            return p.predicted == decidedClass(index.row()) ? QString() : p.predicted;
        case Probability: {
            const double v = probability(p);
            if (role == SortRole)
                return std::isfinite(v) ? v : -1.0;
            return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
        }
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
    if (role == Qt::ForegroundRole && (column == TrueClass || column == MatrixColumn || column == OtherColumn)) {
        const bool decision = (column == MatrixColumn) == (m_axis == Axis::Decision);
        const QString c = column == TrueClass ? p.label : decision ? decidedClass(index.row()) : p.predicted;
        return c.isEmpty() ? QVariant() : QVariant(classColour(c, m_positiveClass));
    }
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
        return tr("Label");
    case MatrixColumn:
        return m_axis == Axis::Decision ? tr("Decision") : tr("Most likely");
    case Probability:
        return m_positive >= 0 ? tr("p(%1)").arg(m_positiveClass) : tr("p(most likely)");
    case OtherColumn:
        return m_axis == Axis::Decision ? tr("Most likely (where it differs)") : tr("Decision");
    case Grade:
        return tr("Grade");
    case Referred:
        return tr("Referred");
    default:
        return {};
    }
}
