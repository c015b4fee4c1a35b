// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewRepository.h"

#include "store/AuditActions.h"
#include "store/AuditLog.h"
#include "store/Study.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace lepton {
namespace {

const QString kAccept = QStringLiteral("accept");
const QString kOverride = QStringLiteral("override");
const QString kComment = QStringLiteral("comment");

/// The classes of a run and which of them is positive (the probability a queue shows).
struct RunClasses
{
    QStringList classes;
    int positive = 0;
    QHash<QString, QString> classOfDecision; ///< the template's decision label → its class

    /// The class a stored decision stands for: the class whose label it is, the class itself,
    /// else `fallback` (a prediction without a decision, or one outside the classes).
    QString decidedClass(const QString &decision, const QString &fallback) const
    {
        if (const auto it = classOfDecision.constFind(decision); it != classOfDecision.cend())
            return it.value();
        return classes.contains(decision) ? decision : fallback;
    }
};

QJsonObject object(const QVariant &v)
{
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}

QJsonValue jsonText(const QVariant &v)
{
    if (v.isNull())
        return QJsonValue();
    const QJsonDocument doc = QJsonDocument::fromJson(v.toString().toUtf8());
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

QVariant textOrNull(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(s);
}

/// From the run's config (what the model was trained on), else from its dataset. The positive
/// class is the run's, else its template's, else the first class, as the model loader does.
Result<RunClasses> runClasses(const QSqlDatabase &db, const QString &studyPath, qint64 runId)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT r.config, d.classes FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id "
                             "WHERE r.id = ?"));
    q.addBindValue(runId);
    if (!q.exec())
        return Result<RunClasses>::failure(Study::sqlError(q, QStringLiteral("reading run %1").arg(runId)));
    if (!q.next())
        return Result<RunClasses>::failure(
            QStringLiteral("%1: has no run %2; `lepton runs` lists them").arg(studyPath).arg(runId));
    const QJsonObject config = object(q.value(0));
    RunClasses rc;
    for (const auto &c :
        config.value(QStringLiteral("feature_spec")).toObject().value(QStringLiteral("classes")).toArray())
        rc.classes.append(c.toString());
    if (rc.classes.isEmpty())
        for (const auto &c : QJsonDocument::fromJson(q.value(1).toString().toUtf8()).array())
            rc.classes.append(c.toString());
    QString positive = config.value(QStringLiteral("positive_class")).toString();
    if (positive.isEmpty())
        positive
            = config.value(QStringLiteral("template")).toObject().value(QStringLiteral("positive_class")).toString();
    rc.positive = std::max(0, static_cast<int>(rc.classes.indexOf(positive)));
    // The template may name what is done for a class ("bad" → "decline"); a decision is that name.
    const QJsonObject labels
        = config.value(QStringLiteral("template")).toObject().value(QStringLiteral("decisions")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        if (rc.classes.contains(it.key()))
            rc.classOfDecision.insert(it.value().toString(), it.key());
    return rc;
}

/// A query over the predictions of one run (or one prediction) with the probability the queue
/// shows and the id of the latest review (`b`), filtered and ordered; binds in text order.
struct QueueQuery
{
    QString from; ///< "(SELECT …) b"
    QString where; ///< " WHERE …" on b, or empty
    QVariantList binds;
    QString order; ///< ORDER BY terms

    /// FROM and WHERE, with the latest review as `r` when asked.
    QString source(bool withReview) const
    {
        return from + (withReview ? QStringLiteral(" LEFT JOIN reviews r ON r.id = b.rid") : QString()) + where;
    }
};

Result<QueueQuery> queueQuery(const QString &key, qint64 keyValue, int positive, const ReviewFilter &f)
{
    QueueQuery qq;
    qq.from = QStringLiteral(
        "(SELECT p.id AS pid, c.id AS cid, c.case_key AS case_key, c.label AS label, c.split AS split, "
        "p.predicted AS predicted, p.decision AS decision, p.grade AS grade, "
        "CAST(json_extract(COALESCE(p.calibrated, p.probabilities), ?) AS REAL) AS prob, p.referred AS referred, "
        "(SELECT max(r2.id) FROM reviews r2 WHERE r2.prediction_id = p.id) AS rid, "
        "(SELECT max(r3.id) FROM reviews r3 WHERE r3.prediction_id = p.id AND r3.verdict <> 'comment') AS did "
        "FROM predictions p JOIN cases c ON c.id = p.case_id WHERE %1 = ?) b")
                  .arg(key);
    qq.binds << QStringLiteral("$[%1]").arg(positive) << keyValue;
    QStringList conditions;
    // Reviewed: accepted or overridden; a comment alone leaves a case to review.
    if (f.unreviewedOnly)
        conditions << QStringLiteral("b.did IS NULL");
    if (f.referredOnly)
        conditions << QStringLiteral("b.referred <> 0");
    if (f.disagreementOnly)
        conditions << QStringLiteral("COALESCE(b.label, '') <> '' AND COALESCE(b.predicted, '') <> '' "
                                     "AND b.predicted <> b.label");
    if (!f.decision.isEmpty()) {
        conditions << QStringLiteral("b.decision = ?");
        qq.binds << f.decision;
    }
    if (f.minProbability > 0.0 || f.maxProbability < 1.0) {
        conditions << QStringLiteral("b.prob >= ? AND b.prob <= ?");
        qq.binds << f.minProbability << f.maxProbability;
    }
    if (!f.split.isEmpty()) {
        conditions << QStringLiteral("b.split = ?");
        qq.binds << f.split;
    }
    if (!conditions.isEmpty())
        qq.where = QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    const QString dir = f.descending ? QStringLiteral(" DESC") : QString();
    const QString tie = QStringLiteral("b.case_key, b.pid");
    if (f.sort == QLatin1String("case") || f.sort.isEmpty())
        qq.order = QStringLiteral("b.case_key%1, b.pid").arg(dir);
    else if (f.sort == QLatin1String("probability"))
        qq.order = QStringLiteral("b.prob%1, %2").arg(dir, tie);
    else if (f.sort == QLatin1String("uncertainty"))
        qq.order = QStringLiteral("abs(b.prob - 0.5)%1, %2").arg(dir, tie);
    else if (f.sort == QLatin1String("decision"))
        qq.order = QStringLiteral("b.decision%1, %2").arg(dir, tie);
    else
        return Result<QueueQuery>::failure(
            QStringLiteral("review queue: cannot sort by '%1'; choose case, probability, uncertainty or decision")
                .arg(f.sort));
    return qq;
}

const char *kItemColumns
    = "b.pid, b.cid, b.case_key, b.label, b.split, b.predicted, b.decision, b.grade, b.prob, "
      "b.referred, b.did, r.id, r.prediction_id, r.reviewer, r.created_at, r.verdict, r.chosen_class, "
      "r.reason, r.comment, r.seen";

ReviewRecord readReview(const QSqlQuery &q, int first)
{
    ReviewRecord r;
    r.id = q.value(first).toLongLong();
    r.predictionId = q.value(first + 1).toLongLong();
    r.reviewer = q.value(first + 2).toString();
    r.createdAt = q.value(first + 3).toString();
    r.verdict = q.value(first + 4).toString();
    r.chosenClass = q.value(first + 5).toString();
    r.reason = q.value(first + 6).toString();
    r.comment = q.value(first + 7).toString();
    r.seen = object(q.value(first + 8));
    return r;
}

ReviewItem readItem(const QSqlQuery &q, const RunClasses &rc)
{
    ReviewItem it;
    it.predictionId = q.value(0).toLongLong();
    it.caseId = q.value(1).toLongLong();
    it.caseKey = q.value(2).toString();
    it.label = q.value(3).toString();
    it.split = q.value(4).toString();
    it.predicted = q.value(5).toString();
    it.decision = q.value(6).toString();
    it.grade = q.value(7).toString();
    it.probability = q.value(8).toDouble();
    it.referred = q.value(9).toInt() != 0;
    it.reviewed = !q.value(10).isNull();
    it.decidedClass = rc.decidedClass(it.decision, it.predicted);
    if (!q.value(11).isNull())
        it.latest = readReview(q, 11);
    return it;
}

void bindAll(QSqlQuery &q, const QVariantList &binds)
{
    for (const QVariant &v : binds)
        q.addBindValue(v);
}

} // namespace

Result<QStringList> ReviewRepository::classes(qint64 runId) const
{
    auto rc = runClasses(m_study.database(), m_study.path(), runId);
    if (!rc)
        return Result<QStringList>::failure(rc.error());
    return rc->classes;
}

Result<QStringList> ReviewRepository::decisions(qint64 runId) const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT DISTINCT decision FROM predictions WHERE run_id = ? AND decision IS NOT NULL "
                             "AND decision <> '' ORDER BY decision"));
    q.addBindValue(runId);
    if (!q.exec())
        return Result<QStringList>::failure(Study::sqlError(q, QStringLiteral("reading the run's decisions")));
    QStringList out;
    while (q.next())
        out.append(q.value(0).toString());
    return out;
}

Result<std::vector<ReviewItem>> ReviewRepository::queue(
    qint64 runId, const ReviewFilter &filter, int offset, int limit) const
{
    using R = Result<std::vector<ReviewItem>>;
    QSqlDatabase db = m_study.database();
    auto rc = runClasses(db, m_study.path(), runId);
    if (!rc)
        return R::failure(rc.error());
    auto qq = queueQuery(QStringLiteral("p.run_id"), runId, rc->positive, filter);
    if (!qq)
        return R::failure(qq.error());
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM %2 ORDER BY %3 LIMIT ? OFFSET ?")
                  .arg(QLatin1String(kItemColumns), qq->source(true), qq->order));
    bindAll(q, qq->binds);
    q.addBindValue(limit < 0 ? -1 : limit);
    q.addBindValue(std::max(0, offset));
    if (!q.exec())
        return R::failure(Study::sqlError(q, QStringLiteral("reading the review queue")));
    std::vector<ReviewItem> out;
    while (q.next())
        out.push_back(readItem(q, rc.value()));
    return out;
}

Result<int> ReviewRepository::count(qint64 runId, const ReviewFilter &filter) const
{
    QSqlDatabase db = m_study.database();
    auto rc = runClasses(db, m_study.path(), runId);
    if (!rc)
        return Result<int>::failure(rc.error());
    auto qq = queueQuery(QStringLiteral("p.run_id"), runId, rc->positive, filter);
    if (!qq)
        return Result<int>::failure(qq.error());
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT count(*) FROM %1").arg(qq->source(false)));
    bindAll(q, qq->binds);
    if (!q.exec() || !q.next())
        return Result<int>::failure(Study::sqlError(q, QStringLiteral("counting the review queue")));
    return q.value(0).toInt();
}

Result<int> ReviewRepository::firstUnreviewed(qint64 runId, const ReviewFilter &filter) const
{
    QSqlDatabase db = m_study.database();
    auto rc = runClasses(db, m_study.path(), runId);
    if (!rc)
        return Result<int>::failure(rc.error());
    auto qq = queueQuery(QStringLiteral("p.run_id"), runId, rc->positive, filter);
    if (!qq)
        return Result<int>::failure(qq.error());
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT n FROM (SELECT b.did AS did, ROW_NUMBER() OVER (ORDER BY %1) - 1 AS n FROM %2) "
                             "WHERE did IS NULL ORDER BY n LIMIT 1")
                  .arg(qq->order, qq->source(false)));
    bindAll(q, qq->binds);
    if (!q.exec())
        return Result<int>::failure(Study::sqlError(q, QStringLiteral("reading the review queue")));
    return q.next() ? q.value(0).toInt() : -1;
}

Result<std::pair<int, int>> ReviewRepository::progress(qint64 runId) const
{
    using R = Result<std::pair<int, int>>;
    QSqlQuery q(m_study.database());
    // A comment alone does not review a case: only an accept or an override counts.
    q.prepare(QStringLiteral("SELECT count(*), COALESCE(sum(EXISTS (SELECT 1 FROM reviews r WHERE r.prediction_id = "
                             "p.id AND r.verdict <> 'comment')), 0) FROM predictions p WHERE p.run_id = ?"));
    q.addBindValue(runId);
    if (!q.exec() || !q.next())
        return R::failure(Study::sqlError(q, QStringLiteral("counting reviews")));
    return std::pair<int, int>(q.value(1).toInt(), q.value(0).toInt());
}

Result<ReviewItem> ReviewRepository::item(qint64 predictionId) const
{
    QSqlDatabase db = m_study.database();
    QSqlQuery run(db);
    run.prepare(QStringLiteral("SELECT run_id FROM predictions WHERE id = ?"));
    run.addBindValue(predictionId);
    if (!run.exec())
        return Result<ReviewItem>::failure(Study::sqlError(run, QStringLiteral("reading predictions")));
    if (!run.next())
        return Result<ReviewItem>::failure(
            QStringLiteral("%1: has no prediction %2; it may have been removed with its run")
                .arg(m_study.path())
                .arg(predictionId));
    auto rc = runClasses(db, m_study.path(), run.value(0).toLongLong());
    if (!rc)
        return Result<ReviewItem>::failure(rc.error());
    auto qq = queueQuery(QStringLiteral("p.id"), predictionId, rc->positive, {});
    if (!qq)
        return Result<ReviewItem>::failure(qq.error());
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT %1 FROM %2").arg(QLatin1String(kItemColumns), qq->source(true)));
    bindAll(q, qq->binds);
    if (!q.exec() || !q.next())
        return Result<ReviewItem>::failure(Study::sqlError(q, QStringLiteral("reading the review queue")));
    return readItem(q, rc.value());
}

Result<qint64> ReviewRepository::save(const ReviewRecord &review)
{
    using R = Result<qint64>;
    if (review.verdict != kAccept && review.verdict != kOverride && review.verdict != kComment)
        return R::failure(
            QStringLiteral("verdict: '%1' is not a verdict; use accept, override or comment").arg(review.verdict));
    if (review.verdict == kOverride && review.reason.trimmed().isEmpty())
        return R::failure(QStringLiteral("reason: an override needs a reason; say why the prediction is wrong"));
    if (review.verdict == kComment && review.comment.trimmed().isEmpty())
        return R::failure(QStringLiteral("comment: a comment cannot be empty; write the comment or cancel"));
    const QString reviewer = review.reviewer.trimmed().isEmpty() ? AuditLog::currentUser() : review.reviewer;

    qint64 id = 0;
    Status s = m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery p(db);
        p.prepare(QStringLiteral("SELECT p.run_id, p.probabilities, p.calibrated, p.predicted, p.decision, p.grade, "
                                 "p.referred, p.expected_cost, p.created_at, c.case_key FROM predictions p "
                                 "JOIN cases c ON c.id = p.case_id WHERE p.id = ?"));
        p.addBindValue(review.predictionId);
        if (!p.exec())
            return Status::failure(Study::sqlError(p, QStringLiteral("reading the prediction under review")));
        if (!p.next())
            return Status::failure(QStringLiteral("%1: has no prediction %2; it may have been removed with its run")
                                       .arg(m_study.path())
                                       .arg(review.predictionId));
        const qint64 runId = p.value(0).toLongLong();
        const QString predicted = p.value(3).toString();
        const QString caseKey = p.value(9).toString();
        auto rc = runClasses(db, m_study.path(), runId);
        if (!rc)
            return Status::failure(rc.error());
        // The decision is the answer a reviewer accepts; without one, the predicted class.
        const QString decided = rc->decidedClass(p.value(4).toString(), predicted);

        QString chosen;
        if (review.verdict == kOverride) {
            if (!rc->classes.contains(review.chosenClass))
                return Status::failure(QStringLiteral("chosen class: '%1' is not a class of run %2; choose one of %3")
                                           .arg(review.chosenClass)
                                           .arg(runId)
                                           .arg(rc->classes.join(QStringLiteral(", "))));
            chosen = review.chosenClass;
        } else if (review.verdict == kAccept) {
            if (!review.chosenClass.isEmpty() && review.chosenClass != decided)
                return Status::failure(QStringLiteral("chosen class: accepting confirms the decided class '%1'; to "
                                                      "choose '%2' instead, override with a reason")
                                           .arg(decided, review.chosenClass));
            chosen = decided;
        }

        QSqlQuery prev(db);
        prev.prepare(QStringLiteral("SELECT id, verdict FROM reviews WHERE prediction_id = ? ORDER BY id DESC"));
        prev.addBindValue(review.predictionId);
        if (!prev.exec())
            return Status::failure(Study::sqlError(prev, QStringLiteral("reading earlier reviews")));
        qint64 previousId = 0;
        QString previousVerdict;
        bool decidedBefore = false; // an earlier accept or override: this one revises it
        while (prev.next()) {
            if (previousId == 0) {
                previousId = prev.value(0).toLongLong();
                previousVerdict = prev.value(1).toString();
            }
            if (prev.value(1).toString() != kComment)
                decidedBefore = true;
        }

        QJsonObject seen = review.seen;
        seen.insert(QStringLiteral("prediction_at_save"),
            QJsonObject { { QStringLiteral("probabilities"), jsonText(p.value(1)) },
                { QStringLiteral("calibrated"), jsonText(p.value(2)) }, { QStringLiteral("predicted"), predicted },
                { QStringLiteral("decision"), p.value(4).isNull() ? QJsonValue() : QJsonValue(p.value(4).toString()) },
                { QStringLiteral("grade"), p.value(5).isNull() ? QJsonValue() : QJsonValue(p.value(5).toString()) },
                { QStringLiteral("referred"), p.value(6).toInt() != 0 },
                { QStringLiteral("expected_cost"),
                    p.value(7).isNull() ? QJsonValue() : QJsonValue(p.value(7).toDouble()) },
                { QStringLiteral("created_at"), p.value(8).toString() } });

        const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        QSqlQuery ins(db);
        ins.prepare(QStringLiteral("INSERT INTO reviews(prediction_id, reviewer, created_at, verdict, chosen_class, "
                                   "reason, comment, seen) VALUES (?,?,?,?,?,?,?,?)"));
        for (const QVariant &v : { QVariant(review.predictionId), QVariant(reviewer), QVariant(at),
                 QVariant(review.verdict), textOrNull(chosen), textOrNull(review.reason), textOrNull(review.comment),
                 QVariant(QString::fromUtf8(QJsonDocument(seen).toJson(QJsonDocument::Compact))) })
            ins.addBindValue(v);
        if (!ins.exec())
            return Status::failure(Study::sqlError(ins, QStringLiteral("saving the review")));
        id = ins.lastInsertId().toLongLong();

        const QString action = review.verdict == kComment ? auditaction::ReviewComment
            : decidedBefore                               ? auditaction::ReviewEdit
            : review.verdict == kAccept                   ? auditaction::ReviewAccept
                                                          : auditaction::ReviewOverride;
        QJsonObject details { { QStringLiteral("review_id"), id }, { QStringLiteral("run_id"), runId },
            { QStringLiteral("prediction_id"), review.predictionId }, { QStringLiteral("case_key"), caseKey },
            { QStringLiteral("verdict"), review.verdict }, { QStringLiteral("predicted"), predicted },
            { QStringLiteral("decision"), p.value(4).toString() } };
        if (!chosen.isEmpty())
            details.insert(QStringLiteral("chosen_class"), chosen);
        if (!review.reason.isEmpty())
            details.insert(QStringLiteral("reason"), review.reason);
        if (!review.comment.isEmpty())
            details.insert(QStringLiteral("comment"), review.comment);
        if (previousId != 0) {
            details.insert(QStringLiteral("previous_review_id"), previousId);
            details.insert(QStringLiteral("previous_verdict"), previousVerdict);
        }
        auto entry = AuditLog(m_study).append(
            reviewer, action, QStringLiteral("prediction:%1").arg(review.predictionId), details);
        return entry ? Status() : Status::failure(entry.error());
    });
    if (!s)
        return R::failure(s.error());
    return id;
}

Result<std::vector<ReviewRecord>> ReviewRepository::history(qint64 predictionId) const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, prediction_id, reviewer, created_at, verdict, chosen_class, reason, comment, "
                             "seen FROM reviews WHERE prediction_id = ? ORDER BY id"));
    q.addBindValue(predictionId);
    if (!q.exec())
        return Result<std::vector<ReviewRecord>>::failure(Study::sqlError(q, QStringLiteral("reading reviews")));
    std::vector<ReviewRecord> out;
    while (q.next())
        out.push_back(readReview(q, 0));
    return out;
}

} // namespace lepton
