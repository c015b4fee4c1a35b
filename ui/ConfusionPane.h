// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CasePredictionModel.h"

#include "store/PredictionQuery.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class ConfusionMatrixView;
class QComboBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

/// A run's confusion matrix on a split with, below it, the cases of the cell the user chose (or a
/// message saying why none are listed). Double-clicking a case (or Enter) asks for it to be opened.
/// A choice above the matrix says what its columns are: the decision (the default: the answer the
/// product shows) or the most likely class, each against the label.
///
/// Children by objectName: confusionAxisBox, confusionMatrix, matrixCaption, caseMessage, predictOfferButton,
/// caseTable.
class ConfusionPane : public QWidget
{
    Q_OBJECT
public:
    using Axis = CasePredictionModel::Axis;

    explicit ConfusionPane(QWidget *parent = nullptr);

    /// What the matrix's columns are (the choice above it); axisChanged() follows a change.
    Axis axis() const;
    void setAxis(Axis axis);

    /// Shows counts [true][column] of `classes` with a caption; `axis` names the columns (it may
    /// differ from axis() when the chosen matrix cannot be shown).
    void showMatrix(
        const QStringList &classes, const std::vector<std::vector<int>> &counts, const QString &caption, Axis axis);
    /// No matrix: the placeholder says why.
    void clearMatrix(const QString &placeholder);
    /// Lists a cell's cases; `positiveClass` (when the run has one) is the probability column;
    /// `decidedClasses` the class each case's decision stands for; the columns follow axis().
    void showCases(std::vector<lepton::CasePrediction> cases, const QStringList &classes, const QString &positiveClass,
        const QStringList &decidedClasses);
    /// Shows `message` instead of the case list.
    void showMessage(const QString &message);
    /// For a run without stored predictions on `split`, whose cells cannot list cases yet: says to
    /// predict the split first, with a button under it that offers to do it now (predictRequested()).
    void showPredictOffer(qint64 runId, const QString &split);
    /// Whether the offer can be taken now (not while a prediction runs, nor in a read-only study);
    /// `why` is its tooltip when it cannot.
    void setPredictOfferEnabled(bool enabled, const QString &why = QString());
    QPushButton *predictOfferButton() const { return m_offer; }
    /// True when the case table (not the message) is shown.
    bool casesShown() const;

    ConfusionMatrixView *matrix() const { return m_matrix; }

Q_SIGNALS:
    /// The user chose the other kind of matrix.
    void axisChanged();
    /// A cell was clicked or chosen with the keyboard.
    void cellClicked(int trueClass, int predictedClass);
    /// A listed case was double-clicked or chosen with Enter.
    void caseActivated(qint64 caseId);
    /// The user took the offer to predict the split (see showPredictOffer()).
    void predictRequested();

private:
    QComboBox *m_axis;
    ConfusionMatrixView *m_matrix;
    QLabel *m_caption;
    QStackedWidget *m_stack;
    QLabel *m_message;
    QPushButton *m_offer;
    QString m_offerTip; ///< the offer's tooltip while it can be taken
    CasePredictionModel *m_cases;
    QSortFilterProxyModel *m_sorted;
    QTableView *m_caseView;
};
