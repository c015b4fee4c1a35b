// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewService.h"

#include "decision/DecisionText.h"
#include "service/RunDecision.h"
#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "store/Study.h"

namespace lepton {

Result<std::vector<ReviewRun>> ReviewService::runs() const
{
    using R = Result<std::vector<ReviewRun>>;
    auto runs = RunRepository(m_study).runs();
    if (!runs)
        return R::failure(runs.error());
    ReviewRepository reviews(m_study);
    std::vector<ReviewRun> out;
    for (auto it = runs->rbegin(); it != runs->rend(); ++it) {
        auto n = reviews.count(it->id);
        if (!n)
            return R::failure(n.error());
        if (n.value() > 0)
            out.push_back({ it->id, it->name, n.value() });
    }
    return out;
}

Result<QStringList> ReviewService::decisions(qint64 runId) const
{
    return ReviewRepository(m_study).decisions(runId);
}

Result<QStringList> ReviewService::classes(qint64 runId) const
{
    return ReviewRepository(m_study).classes(runId);
}

Result<ReviewRule> ReviewService::rule(qint64 runId) const
{
    using R = Result<ReviewRule>;
    auto classes = ReviewRepository(m_study).classes(runId);
    if (!classes)
        return R::failure(classes.error());
    auto run = RunRepository(m_study).run(runId);
    if (!run)
        return R::failure(run.error());
    ReviewRule out;
    out.classes = classes.value();
    out.positiveClass = run->config.value(QStringLiteral("positive_class")).toString();
    if (auto decision = RunDecision::of(run->config, out.classes, runId)) {
        out.rule = decision->rule;
        out.positiveClass = decision->bound.positiveClass;
    }
    return out;
}

Result<QStringList> ReviewService::overrideChoices(qint64 runId, const ReviewItem &item) const
{
    auto classes = ReviewRepository(m_study).classes(runId);
    if (!classes)
        return Result<QStringList>::failure(classes.error());
    return lepton::overrideChoices(classes.value(), item.decidedClass.isEmpty() ? item.predicted : item.decidedClass);
}

Result<ReviewQueueStart> ReviewService::openQueue(qint64 runId, const ReviewFilter &filter, int pageSize) const
{
    using R = Result<ReviewQueueStart>;
    ReviewRepository reviews(m_study);
    ReviewQueueStart start;
    auto total = reviews.count(runId, filter);
    if (!total)
        return R::failure(total.error());
    start.total = total.value();
    auto page = reviews.queue(runId, filter, 0, pageSize);
    if (!page)
        return R::failure(page.error());
    start.firstPage = page.take();
    auto first = reviews.firstUnreviewed(runId, filter);
    if (!first)
        return R::failure(first.error());
    start.firstUnreviewed = first.value();
    auto progress = reviews.progress(runId);
    if (!progress)
        return R::failure(progress.error());
    start.reviewed = progress->first;
    start.predictions = progress->second;
    auto decides = rule(runId);
    if (!decides)
        return R::failure(decides.error());
    start.rule = decides.take();
    return start;
}

Result<std::vector<ReviewItem>> ReviewService::queue(
    qint64 runId, const ReviewFilter &filter, int offset, int limit) const
{
    return ReviewRepository(m_study).queue(runId, filter, offset, limit);
}

Result<int> ReviewService::count(qint64 runId, const ReviewFilter &filter) const
{
    return ReviewRepository(m_study).count(runId, filter);
}

Result<std::pair<int, int>> ReviewService::progress(qint64 runId) const
{
    return ReviewRepository(m_study).progress(runId);
}

Result<int> ReviewService::firstUnreviewed(qint64 runId, const ReviewFilter &filter) const
{
    return ReviewRepository(m_study).firstUnreviewed(runId, filter);
}

Result<ReviewItem> ReviewService::item(qint64 predictionId) const
{
    return ReviewRepository(m_study).item(predictionId);
}

Result<std::vector<ReviewRecord>> ReviewService::history(qint64 predictionId) const
{
    return ReviewRepository(m_study).history(predictionId);
}

Result<qint64> ReviewService::save(
    const ReviewItem &item, const QString &reviewer, const ReviewVerdict &verdict, QJsonObject seen)
{
    ReviewRecord r;
    r.predictionId = item.predictionId;
    r.reviewer = reviewer.trimmed().isEmpty() ? defaultReviewer() : reviewer.trimmed();
    r.verdict = verdict.verdict;
    r.chosenClass = verdict.chosenClass;
    r.reason = verdict.reason;
    r.comment = verdict.comment;
    // What the reviewer saw: the queue's row (the decision as shown) and what the view adds.
    seen.insert(QStringLiteral("case"), item.caseKey);
    seen.insert(QStringLiteral("decision"), item.decision);
    seen.insert(QStringLiteral("decided_class"), item.decidedClass);
    seen.insert(QStringLiteral("grade"), item.grade);
    seen.insert(QStringLiteral("predicted"), item.predicted);
    seen.insert(QStringLiteral("probability"), item.probability);
    seen.insert(QStringLiteral("referred"), item.referred);
    r.seen = seen;
    return ReviewRepository(m_study).save(r);
}

QString ReviewService::historyLine(const ReviewRecord &r)
{
    QString line = QStringLiteral("%1  %2  %3").arg(r.createdAt.left(19), r.reviewer, r.verdict);
    if (r.verdict == QLatin1String("override"))
        line += QStringLiteral(" → %1: %2").arg(r.chosenClass, r.reason);
    else if (r.verdict == QLatin1String("accept") && !r.chosenClass.isEmpty())
        line += QStringLiteral(" (%1)").arg(r.chosenClass);
    if (!r.comment.isEmpty())
        line += QStringLiteral(" — “%1”").arg(r.comment);
    return line;
}

QString ReviewService::defaultReviewer()
{
    return AuditLog::currentUser();
}

} // namespace lepton
