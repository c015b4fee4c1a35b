// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/ReviewRepository.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace lepton {

class Study;

/// A run a reviewer can work on: one with stored predictions.
struct ReviewRun
{
    qint64 id = 0;
    QString name;
    int predictions = 0;
};

/// A reviewer's verdict on one queue item, as the Review view gives it.
struct ReviewVerdict
{
    QString verdict; ///< accept | override | comment
    QString chosenClass; ///< override: one of the run's classes
    QString reason; ///< override: required
    QString comment; ///< comment: required
};

/// How a run decides, as the Review view shows it.
struct ReviewRule
{
    QStringList classes; ///< in the model's order
    QString positiveClass; ///< the class whose probability the queue shows
    QString rule; ///< the rule in words; empty when the run's template cannot be read
};

/// What a review queue opens with: its size, its first page, where the reviewer starts and how
/// far the run's review is.
struct ReviewQueueStart
{
    int total = 0; ///< items in the queue as filtered
    std::vector<ReviewItem> firstPage;
    int firstUnreviewed = -1; ///< queue position of the first item without a review; -1: none
    int reviewed = 0; ///< predictions of the run with at least one review
    int predictions = 0; ///< predictions of the run
    ReviewRule rule; ///< the run's classes, positive class and rule
};

/// What the Review view does with a study: the runs to review, a run's queue (filtered and
/// sorted, in pages), progress, a prediction's review history, and saving a verdict with its audit
/// entry. Over ReviewRepository and RunRepository; reads on the calling thread's connection.
class ReviewService
{
public:
    explicit ReviewService(Study &study) : m_study(study) { }

    /// Runs with at least one stored prediction, newest first.
    Result<std::vector<ReviewRun>> runs() const;
    /// The decisions the run made, sorted (the choices of the decision filter).
    Result<QStringList> decisions(qint64 runId) const;
    /// The run's classes in the model's order.
    Result<QStringList> classes(qint64 runId) const;
    /// The run's classes, positive class and rule in words.
    Result<ReviewRule> rule(qint64 runId) const;
    /// What a reviewer may override an item's decision to: every class of the run but the one
    /// decided (ReviewItem::decidedClass), in the model's order.
    Result<QStringList> overrideChoices(qint64 runId, const ReviewItem &item) const;
    /// Everything a queue opens with, in one call (it sorts the whole queue: call it off the GUI
    /// thread); `pageSize` items in the first page.
    Result<ReviewQueueStart> openQueue(qint64 runId, const ReviewFilter &filter, int pageSize) const;
    /// A page of the queue; limit -1: all from offset.
    Result<std::vector<ReviewItem>> queue(qint64 runId, const ReviewFilter &filter, int offset, int limit) const;
    Result<int> count(qint64 runId, const ReviewFilter &filter) const;
    /// n of m predictions of the run reviewed (accepted or overridden; a comment alone does not count).
    Result<std::pair<int, int>> progress(qint64 runId) const;
    /// Where a reviewer starts: the first queue position without a review, -1 when there is none.
    Result<int> firstUnreviewed(qint64 runId, const ReviewFilter &filter) const;
    /// One queue item as it is now (after a review).
    Result<ReviewItem> item(qint64 predictionId) const;
    /// Every review of a prediction, oldest first.
    Result<std::vector<ReviewRecord>> history(qint64 predictionId) const;
    /// Stores a verdict on `item` by `reviewer` with what the reviewer saw (`seen`: the view adds
    /// what it showed; the queue item's decision is added here) and its audit entry, in one
    /// transaction (a study open read-only refuses it with a message). Returns the review's id.
    Result<qint64> save(
        const ReviewItem &item, const QString &reviewer, const ReviewVerdict &verdict, QJsonObject seen);

    /// One line for a review history: when, who, the verdict (with class and reason), the comment.
    static QString historyLine(const ReviewRecord &review);
    /// The reviewer when none is given: the user's name on this computer.
    static QString defaultReviewer();

private:
    Study &m_study;
};

} // namespace lepton
