// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewQueueModel.h"

#include "ClassColours.h"

#include "store/Study.h"

#include <QColor>
#include <QFont>

ReviewQueueModel::ReviewQueueModel(QObject *parent) : QAbstractTableModel(parent) { }

void ReviewQueueModel::setQueue(std::shared_ptr<lepton::Study> study, qint64 runId, const lepton::ReviewFilter &filter)
{
    beginResetModel();
    m_study = std::move(study);
    m_runId = runId;
    m_filter = filter;
    m_rows.clear();
    m_total = 0;
    m_error.clear();
    if (m_study && runId > 0) {
        auto n = lepton::ReviewService(*m_study).count(runId, filter);
        if (n)
            m_total = n.value();
        else
            m_error = n.error();
    }
    endResetModel();
    if (canFetchMore({}))
        fetchMore({});
}

void ReviewQueueModel::setLoadedQueue(std::shared_ptr<lepton::Study> study, qint64 runId,
    const lepton::ReviewFilter &filter, int total, std::vector<lepton::ReviewItem> firstPage)
{
    beginResetModel();
    m_study = std::move(study);
    m_runId = runId;
    m_filter = filter;
    m_rows = std::move(firstPage);
    m_total = std::max(total, int(m_rows.size()));
    m_error.clear();
    endResetModel();
}

void ReviewQueueModel::setPositiveClass(const QString &positiveClass)
{
    if (positiveClass == m_positiveClass)
        return;
    m_positiveClass = positiveClass;
    Q_EMIT headerDataChanged(Qt::Horizontal, Probability, Probability);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

void ReviewQueueModel::refreshRow(int row)
{
    if (row < 0 || row >= int(m_rows.size()) || !m_study)
        return;
    auto item = lepton::ReviewService(*m_study).item(m_rows[std::size_t(row)].predictionId);
    if (!item)
        return;
    m_rows[std::size_t(row)] = item.value();
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

const lepton::ReviewItem *ReviewQueueModel::itemAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[std::size_t(row)] : nullptr;
}

bool ReviewQueueModel::ensureLoaded(int row)
{
    while (row >= int(m_rows.size()) && canFetchMore({})) {
        const std::size_t before = m_rows.size();
        fetchMore({});
        if (m_rows.size() == before)
            break;
    }
    return row < int(m_rows.size());
}

int ReviewQueueModel::rowOf(qint64 predictionId)
{
    for (int r = 0;; ++r) {
        if (!ensureLoaded(r))
            return -1;
        if (m_rows[std::size_t(r)].predictionId == predictionId)
            return r;
    }
}

int ReviewQueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ReviewQueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReviewQueueModel::data(const QModelIndex &index, int role) const
{
    const lepton::ReviewItem *it = itemAt(index.row());
    if (!it)
        return {};
    // The most likely class is shown only where it differs from the decision.
    const bool differs = !it->decidedClass.isEmpty() && it->predicted != it->decidedClass;
    if (role == Qt::FontRole && (!it->reviewed || (index.column() == Decision && it->referred))) {
        QFont font;
        font.setBold(!it->reviewed); // still to review (a comment alone does not review a case)
        font.setItalic(index.column() == Decision && it->referred);
        return font;
    }
    if (role == Qt::ForegroundRole && index.column() == Decision)
        return classColour(it->decidedClass, m_positiveClass);
    if (role == Qt::ForegroundRole && index.column() == MostLikely && differs)
        return classColour(it->predicted, m_positiveClass);
    if (role == Qt::TextAlignmentRole && index.column() == Probability)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const bool tip = role == Qt::ToolTipRole;
    switch (index.column()) {
    case Case:
        return it->caseKey;
    case Label:
        return it->label.isEmpty() ? tr("(unlabelled)") : it->label;
    case Decision: {
        // What is done, with the class it stands for when the template names it otherwise.
        QString text = it->decision.isEmpty()  ? it->decidedClass
            : it->decision == it->decidedClass ? it->decision
                                               : tr("%1 (%2)").arg(it->decision, it->decidedClass);
        if (tip && it->referred)
            text = tr("%1 — referred to review").arg(text);
        return text;
    }
    case Probability:
        return tip && !m_positiveClass.isEmpty() ? tr("p(%1) = %2").arg(m_positiveClass).arg(it->probability, 0, 'f', 3)
                                                 : QString::number(it->probability, 'f', 3);
    case MostLikely:
        if (!differs)
            return tip ? tr("The most likely class is the decision") : QString();
        return tip ? tr("%1 is more likely, but %2 is decided (the rule weighs the costs of errors)")
                         .arg(it->predicted, it->decidedClass)
                   : it->predicted;
    case Verdict: {
        if (!it->latest)
            return tr("to review");
        if (!it->reviewed) // comments only
            return tr("to review · commented (%1)").arg(it->latest->reviewer);
        QString text = it->latest->verdict == QLatin1String("override")
            ? tr("override → %1 (%2)").arg(it->latest->chosenClass, it->latest->reviewer)
            : it->latest->verdict == QLatin1String("accept")
            ? tr("accept (%1)").arg(it->latest->reviewer)
            : tr("%1 (%2)").arg(it->latest->verdict, it->latest->reviewer);
        // A run decided again (another template) since the review: the reviewer judged another
        // decision than the one shown now.
        const QString was = it->latest->seen.value(QStringLiteral("decision")).toString();
        if (!was.isEmpty() && was != it->decision)
            text += tip ? tr(" — reviewed when the decision was %1; the run has been decided again since, so this "
                             "case needs another look")
                              .arg(was)
                        : tr(" · decided %1 then").arg(was);
        return text;
    }
    }
    return {};
}

QVariant ReviewQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
        // The headers are kept short so that the queue fits beside the case at 1280 × 800; the
        // tooltips say in full what each column is.
        switch (section) {
        case Case:
            return tr("The case's id in the manifest");
        case Label:
            return tr("The case's true label, when it is known");
        case Decision:
            return tr("What the run's rule decided (italic: referred to review)");
        case Probability:
            return m_positiveClass.isEmpty() ? tr("The probability the run gives the case")
                                             : tr("The probability of %1 the run gives the case").arg(m_positiveClass);
        case MostLikely:
            return tr("Most likely class: shown only where it differs from the decision");
        case Verdict:
            return tr("The latest review: to review, accept or override, with the reviewer");
        }
        return {};
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Case:
        return tr("Case");
    case Label:
        return tr("Label");
    case Decision:
        return tr("Decision");
    case Probability:
        return m_positiveClass.isEmpty() ? tr("p") : tr("p(%1)").arg(m_positiveClass);
    case MostLikely:
        return tr("Likely");
    case Verdict:
        return tr("Review");
    }
    return {};
}

bool ReviewQueueModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_study && int(m_rows.size()) < m_total;
}

void ReviewQueueModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    auto page = lepton::ReviewService(*m_study).queue(m_runId, m_filter, int(m_rows.size()), PageSize);
    if (!page || page->empty()) {
        m_error = page ? tr("the queue changed while reading") : page.error();
        m_total = int(m_rows.size());
        return;
    }
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(page->size()) - 1);
    for (auto &r : page.value())
        m_rows.push_back(std::move(r));
    endInsertRows();
}
