// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/ReviewService.h"
#include "util/Result.h"

#include <QAbstractTableModel>

#include <memory>

namespace lepton {
class Study;
}

/// A run's review queue (its predictions, filtered and sorted in SQL, each with its latest
/// review), fetched in pages from the core's ReviewService as the view scrolls. The decision is
/// the answer (coloured by class: the worrying one warm); the probability column names its class
/// ("p(abnormal)"); "Likely" (the most likely class) is filled only where it differs from the
/// decision. Rows still to review (no accept or override yet) are bold.
class ReviewQueueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Case, Label, Decision, Probability, MostLikely, Verdict, ColumnCount };
    static constexpr int PageSize = 200;

    explicit ReviewQueueModel(QObject *parent = nullptr);

    /// Reads the queue's size and first page (on the calling thread).
    void setQueue(std::shared_ptr<lepton::Study> study, qint64 runId, const lepton::ReviewFilter &filter);
    /// Shows a queue whose size and first page were read already (ReviewService::openQueue, off
    /// the GUI thread); later pages are read as the view scrolls.
    void setLoadedQueue(std::shared_ptr<lepton::Study> study, qint64 runId, const lepton::ReviewFilter &filter,
        int total, std::vector<lepton::ReviewItem> firstPage);
    /// The class whose probability the Probability column shows (its header names it) and that is
    /// coloured warm.
    void setPositiveClass(const QString &positiveClass);
    QString positiveClass() const { return m_positiveClass; }
    /// Re-reads the loaded rows (after a review) without losing the position.
    void refreshRow(int row);
    qint64 runId() const { return m_runId; }
    int totalCount() const { return m_total; }
    const lepton::ReviewItem *itemAt(int row) const;
    /// Loads pages until `row` is loaded; false when the queue is shorter.
    bool ensureLoaded(int row);
    /// The row of a prediction among the loaded rows, loading more as needed; -1 when absent.
    int rowOf(qint64 predictionId);
    /// How the last read went: a failure says what could not be read.
    lepton::Status status() const { return m_error.isEmpty() ? lepton::Status() : lepton::Status::failure(m_error); }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

private:
    std::shared_ptr<lepton::Study> m_study;
    qint64 m_runId = 0;
    lepton::ReviewFilter m_filter;
    std::vector<lepton::ReviewItem> m_rows;
    int m_total = 0;
    QString m_error;
    QString m_positiveClass;
};
