// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/PredictionQuery.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

/// The cases of a confusion-matrix cell as a table: case, true class, the matrix's column (the
/// decision, or the most likely class), the probability of the positive class (its header names
/// the class), the other of the two (the most likely class only where it differs from the
/// decision), grade, referred. Classes are coloured (ClassColours: the worrying one warm). Setting the rows is one
/// reset, whatever their number, so a cell of thousands of cases costs the GUI thread nothing to show. Qt::UserRole
/// holds the value to sort by; Qt::UserRole + 1 of column 0 the case's id.
class CasePredictionModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Case, TrueClass, MatrixColumn, Probability, OtherColumn, Grade, Referred, ColumnCount };
    /// What the matrix's columns are, so MatrixColumn shows that and OtherColumn the other.
    enum class Axis { Decision, MostLikely };
    static constexpr int SortRole = Qt::UserRole;
    static constexpr int CaseIdRole = Qt::UserRole + 1;

    explicit CasePredictionModel(QObject *parent = nullptr);

    /// Shows `rows`; the probability column is the positive class's (index into `classes`) when
    /// the run has one, else the predicted class's. `decidedClasses` holds the class each row's
    /// decision stands for (in the order of `rows`; ExperimentService::decidedClasses).
    void setRows(std::vector<lepton::CasePrediction> rows, const QStringList &classes, const QString &positiveClass,
        const QStringList &decidedClasses = {}, Axis axis = Axis::Decision);
    void clear();

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    /// The shown probability of a row (calibrated where decided); NaN when unknown.
    double probability(const lepton::CasePrediction &p) const;
    QString decidedClass(int row) const;
    /// The decision as shown: what is done, with its class when the template names it otherwise.
    QString decisionText(int row) const;

    std::vector<lepton::CasePrediction> m_rows;
    QStringList m_classes;
    QString m_positiveClass;
    int m_positive = -1;
    QStringList m_decided;
    Axis m_axis = Axis::Decision;
};
