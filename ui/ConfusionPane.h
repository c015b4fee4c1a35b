// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/PredictionQuery.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class CasePredictionModel;
class ConfusionMatrixView;
class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

/// A run's confusion matrix on a split with, below it, the cases of the cell the user chose (or a
/// message saying why none are listed). Double-clicking a case (or Enter) asks for it to be opened.
///
/// Children by objectName: confusionMatrix, matrixCaption, caseMessage, caseTable.
class ConfusionPane : public QWidget
{
    Q_OBJECT
public:
    explicit ConfusionPane(QWidget *parent = nullptr);

    /// Shows counts [true][predicted] of `classes` with a caption.
    void showMatrix(const QStringList &classes, const std::vector<std::vector<int>> &counts, const QString &caption);
    /// No matrix: the placeholder says why.
    void clearMatrix(const QString &placeholder);
    /// Lists a cell's cases; `positiveClass` (when the run has one) is the probability column.
    void showCases(std::vector<lepton::CasePrediction> cases, const QStringList &classes, const QString &positiveClass);
    /// Shows `message` instead of the case list.
    void showMessage(const QString &message);
    /// True when the case table (not the message) is shown.
    bool casesShown() const;

    ConfusionMatrixView *matrix() const { return m_matrix; }

Q_SIGNALS:
    /// A cell was clicked or chosen with the keyboard.
    void cellClicked(int trueClass, int predictedClass);
    /// A listed case was double-clicked or chosen with Enter.
    void caseActivated(qint64 caseId);

private:
    ConfusionMatrixView *m_matrix;
    QLabel *m_caption;
    QStackedWidget *m_stack;
    QLabel *m_message;
    CasePredictionModel *m_cases;
    QSortFilterProxyModel *m_sorted;
    QTableView *m_caseView;
};
