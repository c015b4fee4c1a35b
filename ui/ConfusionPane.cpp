// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfusionPane.h"

#include "ConfusionMatrixView.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

ConfusionPane::ConfusionPane(QWidget *parent)
    : QWidget(parent),
      m_matrix(new ConfusionMatrixView(this)),
      m_caption(new QLabel(this)),
      m_stack(new QStackedWidget(this)),
      m_message(new QLabel(this)),
      m_cases(new QStandardItemModel(this)),
      m_caseView(new QTableView(this))
{
    m_matrix->setObjectName(QStringLiteral("confusionMatrix"));
    m_caption->setObjectName(QStringLiteral("matrixCaption"));
    m_caption->setWordWrap(true);
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setObjectName(QStringLiteral("caseMessage"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setMargin(12);
    m_message->setForegroundRole(QPalette::PlaceholderText);
    m_caseView->setObjectName(QStringLiteral("caseTable"));
    m_caseView->setModel(m_cases);
    m_caseView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_caseView->setAlternatingRowColors(true);
    m_caseView->setWordWrap(false);
    m_caseView->verticalHeader()->setDefaultSectionSize(m_caseView->fontMetrics().height() + 6);
    m_caseView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_caseView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_caseView->setSortingEnabled(true);
    m_caseView->verticalHeader()->hide();
    m_caseView->horizontalHeader()->setStretchLastSection(true);
    m_caseView->setToolTip(tr("Double-click a case (or press Enter) to open it in the Inspector"));
    m_cases->setSortRole(Qt::UserRole);
    m_stack->addWidget(m_message);
    m_stack->addWidget(m_caseView);

    auto *split = new QSplitter(Qt::Vertical, this);
    auto *top = new QWidget(split);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_matrix, 1);
    topLayout->addWidget(m_caption);
    split->addWidget(top);
    split->addWidget(m_stack);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setSizes({ 1000, 800 }); // in proportion: the matrix a little above half
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_matrix, &ConfusionMatrixView::cellClicked, this, &ConfusionPane::cellClicked);
    connect(m_caseView, &QTableView::activated, this, [this](const QModelIndex &index) {
        if (const QStandardItem *item = m_cases->item(index.row(), 0))
            Q_EMIT caseActivated(item->data(Qt::UserRole + 1).toLongLong());
    });
}

void ConfusionPane::showMatrix(
    const QStringList &classes, const std::vector<std::vector<int>> &counts, const QString &caption)
{
    m_matrix->setMatrix(classes, counts);
    m_caption->setText(caption);
}

void ConfusionPane::clearMatrix(const QString &placeholder)
{
    m_matrix->setPlaceholderText(placeholder);
    m_matrix->clear();
    m_caption->clear();
}

void ConfusionPane::showMessage(const QString &message)
{
    m_cases->clear();
    m_message->setText(message);
    m_stack->setCurrentWidget(m_message);
}

bool ConfusionPane::casesShown() const
{
    return m_stack->currentWidget() == m_caseView;
}

void ConfusionPane::showCases(
    const std::vector<lepton::CasePrediction> &cases, const QStringList &classes, const QString &positiveClass)
{
    const int positive = static_cast<int>(classes.indexOf(positiveClass));
    m_cases->clear();
    m_cases->setHorizontalHeaderLabels({ tr("Case"), tr("True class"), tr("Predicted"),
        positive >= 0 ? tr("P(%1)").arg(positiveClass) : tr("P(predicted)"), tr("Decision"), tr("Grade"),
        tr("Referred") });
    m_cases->horizontalHeaderItem(3)->setToolTip(
        tr("Calibrated probability of the positive class where the prediction was decided, else the model's"));
    const auto text = [](const QString &s) {
        auto *item = new QStandardItem(s);
        item->setData(s, Qt::UserRole);
        return item;
    };
    for (const lepton::CasePrediction &p : cases) {
        const bool calibrated = !p.calibrated.empty();
        const std::vector<double> &probs = calibrated ? p.calibrated : p.probabilities;
        const int shown = positive >= 0 ? positive : static_cast<int>(classes.indexOf(p.predicted));
        const double prob = shown >= 0 && shown < static_cast<int>(probs.size())
            ? probs[static_cast<std::size_t>(shown)]
            : std::numeric_limits<double>::quiet_NaN();
        auto *key = new QStandardItem(p.caseKey);
        key->setData(p.caseKey, Qt::UserRole);
        key->setData(p.caseId, Qt::UserRole + 1);
        key->setToolTip(tr("Case %1 (id %2): double-click to open it in the Inspector").arg(p.caseKey).arg(p.caseId));
        auto *probability = new QStandardItem(std::isfinite(prob) ? QString::number(prob, 'f', 3) : QStringLiteral("–"));
        probability->setData(std::isfinite(prob) ? QVariant(prob) : QVariant(-1.0), Qt::UserRole);
        probability->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        probability->setToolTip(calibrated ? tr("calibrated") : tr("model probability (not calibrated)"));
        m_cases->appendRow({ key, text(p.label), text(p.predicted), probability, text(p.decision), text(p.grade),
            text(p.referred ? tr("yes") : QString()) });
    }
    m_caseView->resizeColumnsToContents();
    m_stack->setCurrentWidget(m_caseView);
}
