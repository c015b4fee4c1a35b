// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewReportService.h"

#include "data/CsvReader.h"
#include "store/AuditActions.h"
#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QFileInfo>
#include <QSaveFile>

namespace lepton {

Result<ReviewReportData> ReviewReportService::collect(
    qint64 runId, const ReviewFilter &filter, const QString &path) const
{
    using R = Result<ReviewReportData>;
    // A read-only study cannot record the export, so nothing is written (docs/AUDIT.md).
    if (m_study.isReadOnly())
        return R::failure(QStringLiteral("%1 was not written: the study %2 is open read-only, and every export is "
                                         "recorded in its audit log. Open a copy of the study in a folder you can "
                                         "write to and export again.")
                              .arg(path, m_study.path()));
    ReviewReportData data;
    data.runId = runId;
    data.filter = filter;
    data.studyName = QFileInfo(m_study.path()).fileName();
    auto run = RunRepository(m_study).run(runId);
    if (!run)
        return R::failure(run.error());
    data.runName = run->name;
    data.positiveClass = run->config.value(QStringLiteral("positive_class")).toString();
    ReviewRepository reviews(m_study);
    auto progress = reviews.progress(runId);
    if (!progress)
        return R::failure(progress.error());
    data.reviewed = progress->first;
    data.predictions = progress->second;
    auto queue = reviews.queue(runId, filter);
    if (!queue)
        return R::failure(queue.error());
    data.queue = queue.take();
    return data;
}

QByteArray ReviewReportService::csv(const ReviewReportData &data)
{
    QString out = csvLine({ QStringLiteral("case_id"), QStringLiteral("label"), QStringLiteral("split"),
                      QStringLiteral("most_likely"),
                      data.positiveClass.isEmpty() ? QStringLiteral("probability")
                                                   : QStringLiteral("p_%1").arg(data.positiveClass),
                      QStringLiteral("decision"), QStringLiteral("grade"), QStringLiteral("referred"),
                      QStringLiteral("verdict"), QStringLiteral("chosen_class"), QStringLiteral("reason"),
                      QStringLiteral("comment"), QStringLiteral("reviewer"), QStringLiteral("reviewed_at") })
        + QLatin1Char('\n');
    for (const ReviewItem &it : data.queue) {
        const ReviewRecord r = it.latest.value_or(ReviewRecord());
        out += csvLine({ it.caseKey, it.label, it.split, it.predicted, QString::number(it.probability, 'f', 4),
                   it.decision, it.grade, it.referred ? QStringLiteral("yes") : QStringLiteral("no"), r.verdict,
                   r.chosenClass, r.reason, r.comment, r.reviewer, r.createdAt })
            + QLatin1Char('\n');
    }
    return out.toUtf8();
}

Status ReviewReportService::writeCsv(
    qint64 runId, const ReviewFilter &filter, const QString &path, const QString &actor) const
{
    auto data = collect(runId, filter, path);
    if (!data)
        return Status::failure(data.error());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(
            QStringLiteral("%1 cannot be written (%2); choose another place.").arg(path, file.errorString()));
    const QByteArray bytes = csv(data.value());
    if (file.write(bytes) != bytes.size())
        return Status::failure(
            QStringLiteral("%1 cannot be written (%2); choose another place.").arg(path, file.errorString()));
    return commit(file, actor, QStringLiteral("csv"), data.value(), int(data->queue.size()));
}

Status ReviewReportService::commit(
    QSaveFile &file, const QString &actor, const QString &format, const ReviewReportData &data, int cases) const
{
    QJsonObject details { { QStringLiteral("format"), format }, { QStringLiteral("cases"), cases },
        { QStringLiteral("filter"), filterJson(data.filter) }, { QStringLiteral("run_id"), data.runId } };
    if (format == QLatin1String("pdf"))
        details.insert(QStringLiteral("queue_cases"), int(data.queue.size()));
    auto id = AuditLog(m_study).commitExport(file, actor,
        format == QLatin1String("pdf") ? auditaction::ExportReviewReportPdf : auditaction::ExportReviewReportCsv,
        QStringLiteral("run:%1").arg(data.runId), details);
    return id ? Status() : Status::failure(id.error());
}

QString ReviewReportService::verdictText(const ReviewItem &it)
{
    if (!it.latest)
        return QStringLiteral("not reviewed");
    const ReviewRecord &r = *it.latest;
    QString text = r.verdict;
    if (r.verdict == QLatin1String("override"))
        text = QStringLiteral("override → %1: %2").arg(r.chosenClass, r.reason);
    if (!r.comment.isEmpty())
        text += QStringLiteral(" — “%1”").arg(r.comment);
    return QStringLiteral("%1 (%2, %3)")
        .arg(text, r.reviewer, r.createdAt.left(16).replace(QLatin1Char('T'), QLatin1Char(' ')));
}

QJsonObject ReviewReportService::filterJson(const ReviewFilter &f)
{
    return QJsonObject { { QStringLiteral("unreviewed_only"), f.unreviewedOnly },
        { QStringLiteral("referred_only"), f.referredOnly },
        { QStringLiteral("disagreement_only"), f.disagreementOnly }, { QStringLiteral("decision"), f.decision },
        { QStringLiteral("min_probability"), f.minProbability },
        { QStringLiteral("max_probability"), f.maxProbability }, { QStringLiteral("split"), f.split },
        { QStringLiteral("sort"), f.sort }, { QStringLiteral("descending"), f.descending } };
}

} // namespace lepton
