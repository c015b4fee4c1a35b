// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewReport.h"

#include "CaseExplanationPanel.h"
#include "HeatmapView.h"

#include "data/CsvReader.h"
#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

#include <optional>

namespace {

QString verdictText(const lepton::ReviewItem &it)
{
    if (!it.latest)
        return QObject::tr("not reviewed");
    const lepton::ReviewRecord &r = *it.latest;
    QString text = r.verdict;
    if (r.verdict == QLatin1String("override"))
        text = QObject::tr("override → %1: %2").arg(r.chosenClass, r.reason);
    if (!r.comment.isEmpty())
        text += QObject::tr(" — “%1”").arg(r.comment);
    return QObject::tr("%1 (%2, %3)")
        .arg(text, r.reviewer, r.createdAt.left(16).replace(QLatin1Char('T'), QLatin1Char(' ')));
}

/// The queue's filter as the audit entry records it.
QJsonObject filterJson(const lepton::ReviewFilter &f)
{
    return QJsonObject { { QStringLiteral("unreviewed_only"), f.unreviewedOnly },
        { QStringLiteral("referred_only"), f.referredOnly },
        { QStringLiteral("disagreement_only"), f.disagreementOnly }, { QStringLiteral("decision"), f.decision },
        { QStringLiteral("min_probability"), f.minProbability },
        { QStringLiteral("max_probability"), f.maxProbability }, { QStringLiteral("split"), f.split },
        { QStringLiteral("sort"), f.sort }, { QStringLiteral("descending"), f.descending } };
}

/// A read-only study cannot record the export, so nothing is written (docs/AUDIT.md).
bool refuseReadOnly(const lepton::Study &study, const QString &path, QString *error)
{
    if (!study.isReadOnly())
        return false;
    if (error)
        *error = QObject::tr("%1 was not written: the study %2 is open read-only, and every export is recorded in "
                             "its audit log. Open a copy of the study in a folder you can write to and export again.")
                     .arg(path, study.path());
    return true;
}

/// What both reports start with: a read-only study is refused, the queue is read, the file opened.
std::optional<std::vector<lepton::ReviewItem>> startReport(
    lepton::Study &study, qint64 runId, const lepton::ReviewFilter &filter, QSaveFile &file, QString *error)
{
    if (refuseReadOnly(study, file.fileName(), error))
        return std::nullopt;
    auto queue = lepton::ReviewRepository(study).queue(runId, filter);
    if (!queue) {
        if (error)
            *error = queue.error();
        return std::nullopt;
    }
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QObject::tr("%1 cannot be written (%2); choose another place.")
                         .arg(file.fileName(), file.errorString());
        return std::nullopt;
    }
    return std::move(queue.value());
}

/// Commits the report and writes its audit entry (entity run:ID) in one transaction.
bool commitAndRecord(lepton::Study &study, QSaveFile &file, const QString &actor, const QString &action, qint64 runId,
    QJsonObject details, QString *error)
{
    details.insert(QStringLiteral("run_id"), runId);
    auto id = lepton::AuditLog(study).commitExport(file, actor, action, QStringLiteral("run:%1").arg(runId), details);
    if (!id && error)
        *error = id.error();
    return id.ok();
}

} // namespace

bool ReviewReport::writeCsv(const std::shared_ptr<lepton::Study> &study, qint64 runId,
    const lepton::ReviewFilter &filter, const QString &path, const QString &actor, QString *error)
{
    QSaveFile f(path);
    const auto queue = startReport(*study, runId, filter, f, error);
    if (!queue)
        return false;
    QString out = lepton::csvLine({ QStringLiteral("case_id"), QStringLiteral("label"), QStringLiteral("split"),
                      QStringLiteral("predicted"), QStringLiteral("probability"), QStringLiteral("decision"),
                      QStringLiteral("grade"), QStringLiteral("referred"), QStringLiteral("verdict"),
                      QStringLiteral("chosen_class"), QStringLiteral("reason"), QStringLiteral("comment"),
                      QStringLiteral("reviewer"), QStringLiteral("reviewed_at") })
        + QLatin1Char('\n');
    for (const lepton::ReviewItem &it : queue.value()) {
        const lepton::ReviewRecord r = it.latest.value_or(lepton::ReviewRecord());
        out += lepton::csvLine({ it.caseKey, it.label, it.split, it.predicted, QString::number(it.probability, 'f', 4),
                   it.decision, it.grade, it.referred ? QStringLiteral("yes") : QStringLiteral("no"), r.verdict,
                   r.chosenClass, r.reason, r.comment, r.reviewer, r.createdAt })
            + QLatin1Char('\n');
    }
    const QByteArray bytes = out.toUtf8();
    if (f.write(bytes) != bytes.size()) {
        if (error)
            *error = QObject::tr("%1 cannot be written (%2); choose another place.").arg(path, f.errorString());
        return false;
    }
    return commitAndRecord(*study, f, actor, QStringLiteral("export.review_report.csv"), runId,
        QJsonObject { { QStringLiteral("format"), QStringLiteral("csv") },
            { QStringLiteral("cases"), int(queue->size()) }, { QStringLiteral("filter"), filterJson(filter) } },
        error);
}

bool ReviewReport::writePdf(const std::shared_ptr<lepton::Study> &study, qint64 runId,
    const lepton::ReviewFilter &filter, const QString &path, const QString &actor, QString *error, int maxCases)
{
    // The PDF goes to a QSaveFile: it appears whole, with its audit entry, or not at all.
    QSaveFile file(path);
    const auto queue = startReport(*study, runId, filter, file, error);
    if (!queue)
        return false;
    auto run = lepton::RunRepository(*study).run(runId);
    auto progress = lepton::ReviewRepository(*study).progress(runId);
    QPdfWriter printer(&file);
    printer.setResolution(1200);
    printer.setPageSize(QPageSize(QPageSize::A4));
    printer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    printer.setTitle(QObject::tr("Review report, run %1").arg(runId));
    printer.setCreator(QStringLiteral("Lepton Workbench"));
    QPainter p;
    if (!p.begin(&printer)) {
        if (error)
            *error = QObject::tr("%1 cannot be written; choose another place.").arg(path);
        return false;
    }
    const QRect page = printer.pageLayout().paintRectPixels(printer.resolution());
    const int width = page.width();
    const double mm = printer.resolution() / 25.4;
    QFont title = p.font();
    title.setPointSizeF(16);
    title.setBold(true);
    QFont body = p.font();
    body.setPointSizeF(9.5);
    QFont bold = body;
    bold.setBold(true);

    int y = 0;
    p.setFont(title);
    p.drawText(QRect(0, y, width, int(10 * mm)), Qt::AlignLeft | Qt::AlignVCenter,
        QObject::tr("Review report — run %1 “%2”").arg(runId).arg(run ? run->name : QString()));
    y += int(11 * mm);
    p.setFont(body);
    const QString header = QObject::tr("Study %1 · %2 of %3 reviewed · %4 cases in this report · exported %5 by %6")
                               .arg(QFileInfo(study->path()).fileName())
                               .arg(progress ? progress->first : 0)
                               .arg(progress ? progress->second : 0)
                               .arg(std::min<int>(maxCases, int(queue->size())))
                               .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")), actor);
    p.drawText(QRect(0, y, width, int(6 * mm)), Qt::AlignLeft | Qt::AlignVCenter, header);
    y += int(9 * mm);

    // One block per case: the image with its overlay on the left, the text on the right.
    CaseExplanationPanel panel(true);
    const int thumb = int(32 * mm);
    const int block = thumb + int(4 * mm);
    int shown = 0;
    for (const lepton::ReviewItem &it : queue.value()) {
        if (shown == maxCases)
            break;
        if (y + block > page.height()) {
            printer.newPage();
            y = 0;
        }
        panel.showCase(study, runId, it.caseId);
        const QImage image = panel.heatmap()->composed();
        const QRect imageRect(0, y, thumb, thumb);
        if (!image.isNull())
            p.drawImage(imageRect, image);
        else
            p.drawText(imageRect, Qt::AlignCenter | Qt::TextWordWrap, QObject::tr("no image"));
        p.setPen(QColor(180, 180, 180));
        p.drawRect(imageRect);
        p.setPen(Qt::black);
        const int x = thumb + int(5 * mm);
        const int textWidth = width - x;
        const int line = int(5.2 * mm);
        p.setFont(bold);
        p.drawText(QRect(x, y, textWidth, line), Qt::AlignLeft | Qt::AlignVCenter,
            QObject::tr("%1 — decision %2%3")
                .arg(
                    it.caseKey, it.decision, it.grade.isEmpty() ? QString() : QObject::tr(", grade %1").arg(it.grade)));
        p.setFont(body);
        p.drawText(QRect(x, y + line, textWidth, line), Qt::AlignLeft | Qt::AlignVCenter,
            QObject::tr("p(positive) %1 · predicted %2 · true label %3%4")
                .arg(it.probability, 0, 'f', 3)
                .arg(it.predicted, it.label.isEmpty() ? QObject::tr("unknown") : it.label,
                    it.referred ? QObject::tr(" · referred to review") : QString()));
        p.drawText(QRect(x, y + 2 * line, textWidth, 2 * line), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
            QObject::tr("Review: %1").arg(verdictText(it)));
        const QString cf = panel.counterfactualLabel()->text();
        if (!cf.isEmpty())
            p.drawText(QRect(x, y + 4 * line, textWidth, thumb - 4 * line),
                Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, QObject::tr("Counterfactual: %1").arg(cf));
        y += block;
        ++shown;
    }
    if (int(queue->size()) > shown) {
        if (y + int(8 * mm) > page.height()) {
            printer.newPage();
            y = 0;
        }
        p.drawText(QRect(0, y, width, int(8 * mm)), Qt::AlignLeft | Qt::AlignVCenter,
            QObject::tr("… and %1 more cases; export the CSV for all of them, or filter the queue.")
                .arg(int(queue->size()) - shown));
    }
    if (!p.end() || file.error() != QFileDevice::NoError) {
        if (error)
            *error = QObject::tr("%1 cannot be written (%2); choose another place.").arg(path, file.errorString());
        return false;
    }
    return commitAndRecord(*study, file, actor, QStringLiteral("export.review_report.pdf"), runId,
        QJsonObject { { QStringLiteral("format"), QStringLiteral("pdf") }, { QStringLiteral("cases"), shown },
            { QStringLiteral("queue_cases"), int(queue->size()) }, { QStringLiteral("filter"), filterJson(filter) } },
        error);
}
