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
#include <QPrinter>
#include <QSaveFile>

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

bool recordExport(lepton::Study &study, const QString &actor, const QString &action, qint64 runId, const QString &path,
    int cases, QString *error)
{
    auto id = lepton::AuditLog(study).append(actor, action, QStringLiteral("run:%1").arg(runId),
        QJsonObject {
            { QStringLiteral("file"), QFileInfo(path).absoluteFilePath() }, { QStringLiteral("cases"), cases } });
    if (!id && error)
        *error = id.error();
    return id.ok();
}

} // namespace

bool ReviewReport::writeCsv(const std::shared_ptr<lepton::Study> &study, qint64 runId,
    const lepton::ReviewFilter &filter, const QString &path, const QString &actor, QString *error)
{
    auto queue = lepton::ReviewRepository(*study).queue(runId, filter);
    if (!queue) {
        if (error)
            *error = queue.error();
        return false;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QObject::tr("%1 cannot be written (%2); choose another place.").arg(path, f.errorString());
        return false;
    }
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
    f.write(out.toUtf8());
    if (!f.commit()) {
        if (error)
            *error = QObject::tr("%1 cannot be written (%2); choose another place.").arg(path, f.errorString());
        return false;
    }
    return recordExport(*study, actor, QStringLiteral("export.csv"), runId, path, int(queue->size()), error);
}

bool ReviewReport::writePdf(const std::shared_ptr<lepton::Study> &study, qint64 runId,
    const lepton::ReviewFilter &filter, const QString &path, const QString &actor, QString *error, int maxCases)
{
    auto queue = lepton::ReviewRepository(*study).queue(runId, filter);
    if (!queue) {
        if (error)
            *error = queue.error();
        return false;
    }
    if (!QFileInfo(QFileInfo(path).absolutePath()).isWritable()) {
        if (error)
            *error = QObject::tr("%1 cannot be written (the folder is missing or read-only); choose another place.")
                         .arg(path);
        return false;
    }
    auto run = lepton::RunRepository(*study).run(runId);
    auto progress = lepton::ReviewRepository(*study).progress(runId);
    QPrinter printer(QPrinter::HighResolution);
    printer.setOutputFormat(QPrinter::PdfFormat);
    printer.setOutputFileName(path);
    printer.setPageSize(QPageSize(QPageSize::A4));
    printer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    printer.setDocName(QObject::tr("Review report, run %1").arg(runId));
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
    if (!p.end()) {
        if (error)
            *error = QObject::tr("%1 cannot be written; choose another place.").arg(path);
        return false;
    }
    return recordExport(*study, actor, QStringLiteral("export.pdf"), runId, path, shown, error);
}
