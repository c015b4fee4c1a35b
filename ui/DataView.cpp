// SPDX-License-Identifier: GPL-3.0-or-later
#include "DataView.h"

#include "CasePanel.h"
#include "CaseTableModel.h"
#include "StackedBarChart.h"

#include "service/BackgroundRead.h"
#include "service/DatasetListModel.h"
#include "service/StudySession.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {
constexpr int kThumbnailSide = 96;
}

DataView::DataView(lepton::StudySession *session, QWidget *parent)
    : QWidget(parent),
      m_session(session),
      m_model(new CaseTableModel(this)),
      m_view(new QTableView(this)),
      m_grid(new QListView(this)),
      m_caseStack(new QStackedWidget(this)),
      m_panel(new CasePanel(this)),
      m_balance(new StackedBarChart(this)),
      m_balanceText(new QLabel(this)),
      m_datasets(new QComboBox(this)),
      m_labels(new QComboBox(this)),
      m_splits(new QComboBox(this)),
      m_problems(new QComboBox(this)),
      m_filter(new QLineEdit(this)),
      m_tableButton(new QToolButton(this)),
      m_gridButton(new QToolButton(this))
{
    m_datasets->setObjectName(QStringLiteral("datasetBox"));
    m_labels->setObjectName(QStringLiteral("labelBox"));
    m_splits->setObjectName(QStringLiteral("splitBox"));
    m_problems->setObjectName(QStringLiteral("problemsBox"));
    m_filter->setObjectName(QStringLiteral("filterEdit"));
    m_view->setObjectName(QStringLiteral("caseTable"));
    m_grid->setObjectName(QStringLiteral("caseGrid"));
    m_balance->setObjectName(QStringLiteral("balanceChart"));
    m_datasets->setModel(m_session->datasets());
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->verticalHeader()->hide();
    m_view->setAlternatingRowColors(true);

    // The grid shows the same model: its case column, with thumbnails as decoration.
    m_grid->setModel(m_model);
    m_grid->setSelectionModel(m_view->selectionModel());
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setMovement(QListView::Static);
    m_grid->setUniformItemSizes(true);
    m_grid->setIconSize(QSize(kThumbnailSide, kThumbnailSide));
    m_grid->setGridSize(QSize(kThumbnailSide + 24, kThumbnailSide + 28));
    m_grid->setSpacing(4);
    m_grid->setLayoutMode(QListView::Batched);
    m_grid->setBatchSize(200);
    m_caseStack->addWidget(m_view);
    m_caseStack->addWidget(m_grid);

    // Filter bar.
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    auto label = [this](const QString &text) { return new QLabel(text, this); };
    m_datasets->setMinimumContentsLength(14);
    m_datasets->setToolTip(tr("The dataset whose cases are shown"));
    bar->addWidget(label(tr("Dataset")));
    bar->addWidget(m_datasets);
    bar->addSpacing(8);
    bar->addWidget(label(tr("Label")));
    bar->addWidget(m_labels);
    bar->addWidget(label(tr("Split")));
    m_splits->addItem(tr("any"), QString());
    for (const QString &s : { QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test") })
        m_splits->addItem(s, s);
    bar->addWidget(m_splits);
    bar->addWidget(label(tr("Problems")));
    m_problems->addItem(tr("any"), false);
    m_problems->addItem(tr("with problems"), true);
    m_problems->setToolTip(tr("Cases named by a problem in the import report (e.g. an event row left out)"));
    bar->addWidget(m_problems);
    bar->addSpacing(8);
    m_filter->setPlaceholderText(tr("Filter case ids (Ctrl+F)"));
    m_view->setToolTip(tr("Double-click a case (or press Enter) to see its explanation in the Inspector"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(240);
    bar->addWidget(m_filter, 1);
    bar->addStretch();
    m_tableButton->setText(tr("Table"));
    m_gridButton->setText(tr("Thumbnails"));
    m_tableButton->setToolTip(tr("Show the cases as a table (Ctrl+Shift+T)"));
    m_gridButton->setToolTip(tr("Show the cases as a grid of thumbnails (Ctrl+Shift+G)"));
    m_tableButton->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+T")));
    m_gridButton->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+G")));
    auto *modes = new QButtonGroup(this);
    for (QToolButton *b : { m_tableButton, m_gridButton }) {
        b->setCheckable(true);
        b->setAutoRaise(true);
        modes->addButton(b);
        bar->addWidget(b);
    }
    m_tableButton->setChecked(true);

    // Left: balance at a glance over the cases; right: the case panel.
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_balance->setTitle(tr("cases per split and class"));
    m_balance->setMaximumHeight(170);
    leftLayout->addWidget(m_balance);
    m_balanceText->setWordWrap(true);
    leftLayout->addWidget(m_balanceText);
    leftLayout->addWidget(m_caseStack, 1);
    auto *split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(m_panel);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    // Typing filters after a short pause, so a 100 000-case dataset is not queried per key.
    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(200);
    connect(m_filter, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, &DataView::applyFilter);
    connect(m_labels, &QComboBox::currentIndexChanged, this, &DataView::applyFilter);
    connect(m_splits, &QComboBox::currentIndexChanged, this, &DataView::applyFilter);
    connect(m_problems, &QComboBox::currentIndexChanged, this, &DataView::applyFilter);
    connect(m_datasets, &QComboBox::currentIndexChanged, this, &DataView::selectDataset);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &DataView::showCase);
    for (QAbstractItemView *v : { static_cast<QAbstractItemView *>(m_view), static_cast<QAbstractItemView *>(m_grid) })
        connect(v, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
            if (const lepton::StoredCase *c = m_model->caseAt(index.row()))
                Q_EMIT caseActivated(c->id);
        });
    connect(m_tableButton, &QToolButton::clicked, this, [this] { setGridMode(false); });
    connect(m_gridButton, &QToolButton::clicked, this, [this] { setGridMode(true); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_panel->clear();
        updateSummary();
    });
    // A study opened or closed: its newest dataset, or nothing. A dataset added while none is
    // shown (the first import) is shown; one added beside the shown one leaves it shown.
    connect(m_session, &lepton::StudySession::studyOpened, this, [this] { selectDatasetId(0); });
    connect(m_session, &lepton::StudySession::studyClosed, this, [this] { selectDatasetId(0); });
    connect(m_session->datasets(), &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_datasets->currentIndex() < 0)
            selectDatasetId(0);
    });
    selectDataset(-1);
}

void DataView::selectDatasetId(qint64 datasetId)
{
    int index = m_datasets->count() - 1;
    if (datasetId > 0 && m_datasets->findData(datasetId) >= 0)
        index = m_datasets->findData(datasetId);
    QSignalBlocker block(m_datasets);
    m_datasets->setCurrentIndex(index);
    selectDataset(index);
}

qint64 DataView::currentDatasetId() const
{
    return m_datasets->currentIndex() >= 0 ? m_datasets->currentData().toLongLong() : 0;
}

void DataView::setGridMode(bool grid)
{
    m_model->setThumbnailSize(grid ? kThumbnailSide : 0);
    m_caseStack->setCurrentWidget(grid ? static_cast<QWidget *>(m_grid) : m_view);
    m_gridButton->setChecked(grid);
    m_tableButton->setChecked(!grid);
}

bool DataView::gridMode() const
{
    return m_caseStack->currentWidget() == m_grid;
}

void DataView::focusFilter()
{
    m_filter->setFocus();
    m_filter->selectAll();
}

void DataView::selectDataset(int index)
{
    const qint64 id = m_session->isOpen() && index >= 0 ? m_datasets->itemData(index).toLongLong() : 0;
    if (id && id == m_shownId)
        return; // shown already (the list chose it as it filled, then the session did)
    m_shownId = id;
    m_panel->clear();
    QSignalBlocker block(m_labels);
    m_labels->clear();
    m_labels->addItem(tr("any"), QString());
    m_balance->clear();
    m_balanceText->clear();
    m_current = lepton::DatasetSummary();
    const int generation = ++m_readGeneration;
    if (!id) {
        m_model->setDataset(nullptr, 0);
        updateSummary();
        Q_EMIT datasetChanged(0);
        return;
    }
    // The cases page in at once; the counts read every case: in the background.
    m_model->setDataset(m_session->study(), id);
    applyFilter();
    Q_EMIT datasetChanged(id);
    lepton::readInBackground<lepton::DatasetSummary>(
        m_session->study(), this, [id](lepton::Study &study) { return lepton::StudySession::readDataset(study, id); },
        [this, generation, id](const lepton::Result<lepton::DatasetSummary> &d) {
            if (generation != m_readGeneration)
                return;
            if (!d) {
                Q_EMIT errorOccurred(d.error());
                return;
            }
            showCounts(d.value());
            Q_EMIT datasetShown(id);
        });
}

void DataView::showCounts(const lepton::DatasetSummary &d)
{
    m_current = d;
    {
        QSignalBlocker block(m_labels);
        const QString label = m_labels->currentData().toString();
        for (const QString &c : d.classes)
            m_labels->addItem(c, c);
        m_labels->setCurrentIndex(std::max(0, m_labels->findData(label)));
    }
    const auto *counts = &d.splitClassCounts;
    QStringList splits;
    for (const QString &s : { QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test") })
        if (counts->contains(s))
            splits.append(s);
    if (counts->contains(QString()))
        splits.append(QString());
    QStringList classes = d.classes;
    if (d.classCounts.contains(QString()))
        classes.append(QString());
    // Empty names read as "none" / "unlabelled" on the chart.
    QMap<QString, QMap<QString, int>> named;
    for (auto s = counts->begin(); s != counts->end(); ++s)
        for (auto c = s->begin(); c != s->end(); ++c)
            named[s.key().isEmpty() ? tr("(no split)") : s.key()][c.key().isEmpty() ? tr("unlabelled") : c.key()]
                = c.value();
    for (QString &s : splits)
        if (s.isEmpty())
            s = tr("(no split)");
    for (QString &c : classes)
        if (c.isEmpty())
            c = tr("unlabelled");
    m_balance->setCounts(splits, classes, named);
    QStringList parts;
    for (auto it = d.classCounts.begin(); it != d.classCounts.end(); ++it)
        parts.append(QStringLiteral("%1 %2 (%3 %)")
                         .arg(it.key().isEmpty() ? tr("unlabelled") : it.key())
                         .arg(it.value())
                         .arg(d.caseCount ? 100.0 * it.value() / d.caseCount : 0.0, 0, 'f', 1));
    m_balanceText->setText(tr("%1 cases: %2 · %3 with an image · %4 events")
                               .arg(d.caseCount)
                               .arg(parts.join(QStringLiteral(", ")))
                               .arg(d.imageCount)
                               .arg(d.eventCount));
    updateSummary();
}

void DataView::applyFilter()
{
    lepton::CaseFilter f = m_model->filter();
    f.text = m_filter->text().trimmed();
    f.label = m_labels->currentData().toString();
    f.split = m_splits->currentData().toString();
    f.problemsOnly = m_problems->currentData().toBool();
    m_model->setFilter(f);
    if (!m_model->lastError().isEmpty())
        Q_EMIT errorOccurred(m_model->lastError());
    updateSummary();
}

void DataView::showCase(const QModelIndex &index)
{
    const lepton::StoredCase *c = m_model->caseAt(index.row());
    if (!c || !m_session->isOpen()) {
        m_panel->clear();
        return;
    }
    m_panel->showCase(m_session->study(), currentDatasetId(), *c);
}

void DataView::updateSummary()
{
    QString text;
    // The dataset's counts were read when it was selected: typing a filter costs one query.
    if (m_session->isOpen() && m_datasets->currentIndex() >= 0 && m_current.id == currentDatasetId())
        text = tr("%1 of %2 cases shown · train/val/test %3/%4/%5")
                   .arg(m_model->totalCount())
                   .arg(m_current.caseCount)
                   .arg(m_current.splitCounts.value(QStringLiteral("train")))
                   .arg(m_current.splitCounts.value(QStringLiteral("val")))
                   .arg(m_current.splitCounts.value(QStringLiteral("test")));
    if (text != m_summaryText) {
        m_summaryText = text;
        Q_EMIT summaryChanged(text);
    }
}
