// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfusionPane.h"

#include "ConfusionMatrixView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

ConfusionPane::ConfusionPane(QWidget *parent)
    : QWidget(parent),
      m_axis(new QComboBox(this)),
      m_matrix(new ConfusionMatrixView(this)),
      m_caption(new QLabel(this)),
      m_stack(new QStackedWidget(this)),
      m_message(new QLabel(this)),
      m_offer(new QPushButton(this)),
      m_cases(new CasePredictionModel(this)),
      m_sorted(new QSortFilterProxyModel(this)),
      m_caseView(new QTableView(this))
{
    m_axis->setObjectName(QStringLiteral("confusionAxisBox"));
    m_axis->addItem(tr("Decision vs label"), int(Axis::Decision));
    m_axis->addItem(tr("Most likely vs label"), int(Axis::MostLikely));
    m_axis->setToolTip(tr("Columns: the decision the run's rule made (what the product shows as the answer), or the "
                          "most likely class"));
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
    m_sorted->setSourceModel(m_cases);
    m_sorted->setSortRole(CasePredictionModel::SortRole);
    m_caseView->setModel(m_sorted);
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
    m_offer->setObjectName(QStringLiteral("predictOfferButton"));
    m_offerTip = tr("Predicts the split with the run's best model in the background, as Predict and explain… "
                    "does (progress and Cancel above the run table); the matrix is refreshed when it ends");
    m_offer->setToolTip(m_offerTip);
    m_offer->hide();
    // The message and the offer under it, centred as one: the page is what the case table replaces.
    auto *messagePage = new QWidget(this);
    auto *messageLayout = new QVBoxLayout(messagePage);
    messageLayout->addStretch();
    messageLayout->addWidget(m_message);
    messageLayout->addWidget(m_offer, 0, Qt::AlignHCenter);
    messageLayout->addStretch();
    m_stack->addWidget(messagePage);
    m_stack->addWidget(m_caseView);

    auto *split = new QSplitter(Qt::Vertical, this);
    auto *top = new QWidget(split);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto *axisRow = new QHBoxLayout;
    axisRow->addWidget(m_axis);
    axisRow->addStretch();
    topLayout->addLayout(axisRow);
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

    connect(m_axis, &QComboBox::currentIndexChanged, this, &ConfusionPane::axisChanged);
    connect(m_matrix, &ConfusionMatrixView::cellClicked, this, &ConfusionPane::cellClicked);
    connect(m_offer, &QPushButton::clicked, this, &ConfusionPane::predictRequested);
    connect(m_caseView, &QTableView::activated, this, [this](const QModelIndex &index) {
        const QModelIndex key = index.siblingAtColumn(CasePredictionModel::Case);
        Q_EMIT caseActivated(key.data(CasePredictionModel::CaseIdRole).toLongLong());
    });
}

ConfusionPane::Axis ConfusionPane::axis() const
{
    return Axis(m_axis->currentData().toInt());
}

void ConfusionPane::setAxis(Axis axis)
{
    m_axis->setCurrentIndex(m_axis->findData(int(axis)));
}

void ConfusionPane::showMatrix(
    const QStringList &classes, const std::vector<std::vector<int>> &counts, const QString &caption, Axis axis)
{
    m_matrix->setColumnTitle(axis == Axis::Decision ? tr("Decision") : tr("Most likely class"));
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
    m_offer->hide();
    m_stack->setCurrentWidget(m_message->parentWidget());
}

void ConfusionPane::showPredictOffer(qint64 runId, const QString &split)
{
    showMessage(tr("Predict the %1 split first (Predict and explain…)").arg(split));
    m_offer->setText(tr("Predict and explain the %1 split of run %2 now").arg(split).arg(runId));
    m_offer->show();
}

void ConfusionPane::setPredictOfferEnabled(bool enabled, const QString &why)
{
    m_offer->setEnabled(enabled);
    m_offer->setToolTip(enabled || why.isEmpty() ? m_offerTip : why);
}

bool ConfusionPane::casesShown() const
{
    return m_stack->currentWidget() == m_caseView;
}

void ConfusionPane::showCases(std::vector<lepton::CasePrediction> cases, const QStringList &classes,
    const QString &positiveClass, const QStringList &decidedClasses)
{
    m_cases->setRows(std::move(cases), classes, positiveClass, decidedClasses, axis());
    m_caseView->resizeColumnsToContents(); // measures at most resizeContentsPrecision() rows
    m_stack->setCurrentWidget(m_caseView);
}
