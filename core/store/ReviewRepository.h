// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>
#include <vector>

namespace lepton {

class Study;

/// One review of a prediction. Reviews are never changed: a second review of the same
/// prediction is a new row, and the newest one is the prediction's current verdict.
struct ReviewRecord
{
    qint64 id = 0;
    qint64 predictionId = 0;
    QString reviewer; ///< empty on save: AuditLog::currentUser()
    QString createdAt; ///< set by save (UTC, ISO 8601)
    QString verdict; ///< accept | override | comment
    /// The class the reviewer decided on: required for override (one of the run's classes); for
    /// accept the decided class (the class of the prediction's decision, else the predicted class;
    /// filled in when empty); empty for comment.
    QString chosenClass;
    QString reason; ///< required for override
    QString comment; ///< required for comment, optional otherwise
    /// What the reviewer saw (prediction and explanation summary), as the caller passes it. save()
    /// adds "prediction_at_save": the prediction as stored in the study at that moment
    /// (probabilities, calibrated, predicted, decision, grade, referred, expected_cost, created_at).
    QJsonObject seen;
};

/// One row of a review queue: a prediction of a run with its case and its latest review.
struct ReviewItem
{
    qint64 predictionId = 0;
    qint64 caseId = 0;
    QString caseKey, label, split;
    QString predicted, decision, grade;
    /// The class the decision stands for (the template's label mapped back to its class), else
    /// the predicted class: what accepting confirms.
    QString decidedClass;
    double probability = 0; ///< calibrated p(positive) if any, else the model's
    bool referred = false;
    /// Accepted or overridden at least once; a comment alone does not review a case.
    bool reviewed = false;
    std::optional<ReviewRecord> latest; ///< the newest review of any kind, comments included
};

/// Which predictions of a run a review queue shows, and in which order.
struct ReviewFilter
{
    bool unreviewedOnly = false; ///< without an accept or override (comments alone do not count)
    bool referredOnly = false;
    bool disagreementOnly = false; ///< predicted != label, labelled cases
    QString decision; ///< exact, empty any
    double minProbability = 0.0, maxProbability = 1.0; ///< confidence band on probability (inclusive)
    QString split; ///< empty any
    /// case (case key, text order) | probability | uncertainty (|p-0.5| ascending) | decision;
    /// ties by case key. Anything else is refused.
    QString sort = QStringLiteral("case");
    bool descending = false; ///< reverses the sort (ties stay by case key, ascending)
};

/// Reviews of a run's predictions and the queue a reviewer works through. Each saved review
/// writes its audit entry in the same transaction (docs/AUDIT.md). Statements are prepared with
/// bound values.
class ReviewRepository
{
public:
    explicit ReviewRepository(Study &study) : m_study(study) { }

    /// The filtered, sorted queue of a run's predictions; limit -1: all from offset.
    Result<std::vector<ReviewItem>> queue(
        qint64 runId, const ReviewFilter &filter = {}, int offset = 0, int limit = -1) const;
    Result<int> count(qint64 runId, const ReviewFilter &filter = {}) const;
    /// n of m reviewed for the run (m = predictions of the run, n = those with at least one accept
    /// or override; a comment alone does not count).
    Result<std::pair<int, int>> progress(qint64 runId) const;
    /// Where a reviewer resumes: the position in queue(runId, filter) of the first prediction
    /// without an accept or override, or -1 when every one in the queue has one.
    Result<int> firstUnreviewed(qint64 runId, const ReviewFilter &filter = {}) const;
    /// The queue row of one prediction (whatever the filter).
    Result<ReviewItem> item(qint64 predictionId) const;
    /// The run's classes in the model's order (the choices of an override).
    Result<QStringList> classes(qint64 runId) const;
    /// The distinct decisions of the run's predictions, sorted (the choices of the decision filter).
    Result<QStringList> decisions(qint64 runId) const;

    /// Stores a review and its audit entry in one transaction; returns the review's id.
    /// Override needs a chosenClass that is one of the run's classes and a non-empty reason;
    /// accept needs nothing; comment needs a comment. A review of an already reviewed
    /// prediction is a new row (never an update). Audit actions: review.accept, review.override,
    /// review.comment, and review.edit for an accept or override of a prediction that already
    /// had one (its details say the verdict and which review it follows).
    Result<qint64> save(const ReviewRecord &review);
    /// Every review of a prediction, oldest first.
    Result<std::vector<ReviewRecord>> history(qint64 predictionId) const;

private:
    Study &m_study;
};

} // namespace lepton
