// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewReport.h"

#include "CaseExplanationPanel.h"
#include "CaseImages.h"
#include "HeatmapView.h"

#include "service/CaseViewService.h"
#include "service/ReviewReportService.h"
#include "store/Study.h"

#include <QDateTime>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

lepton::Status ReviewReport::writeCsv(const std::shared_ptr<lepton::Study> &study, qint64 runId,
    const lepton::ReviewFilter &filter, const QString &path, const QString &actor)
{
    if (!study)
        return lepton::Status::failure(QObject::tr("Open a study first."));
    return lepton::ReviewReportService(*study).writeCsv(runId, filter, path, actor);
}

lepton::Status ReviewReport::writePdf(const std::shared_ptr<lepton::Study> &study, qint64 runId,
    const lepton::ReviewFilter &filter, const QString &path, const QString &actor, int maxCases)
{
    using lepton::Status;
    if (!study)
        return Status::failure(QObject::tr("Open a study first."));
    lepton::ReviewReportService reports(*study);
    auto data = reports.collect(runId, filter, path);
    if (!data)
        return Status::failure(data.error());
    const std::vector<lepton::ReviewItem> *queue = &data->queue;
    // The PDF goes to a QSaveFile: it appears whole, with its audit entry, or not at all.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(
            QObject::tr("%1 cannot be written (%2); choose another place.").arg(path, file.errorString()));
    QPdfWriter printer(&file);
    printer.setResolution(1200);
    printer.setPageSize(QPageSize(QPageSize::A4));
    printer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    printer.setTitle(QObject::tr("Review report, run %1").arg(runId));
    printer.setCreator(QStringLiteral("Lepton Workbench"));
    QPainter p;
    if (!p.begin(&printer))
        return Status::failure(QObject::tr("%1 cannot be written; choose another place.").arg(path));
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
        QObject::tr("Review report — run %1 “%2”").arg(runId).arg(data->runName));
    y += int(11 * mm);
    p.setFont(body);
    const QString header = QObject::tr("Study %1 · %2 of %3 reviewed · %4 cases in this report · exported %5 by %6")
                               .arg(data->studyName)
                               .arg(data->reviewed)
                               .arg(data->predictions)
                               .arg(std::min<int>(maxCases, int(queue->size())))
                               .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")), actor);
    p.drawText(QRect(0, y, width, int(6 * mm)), Qt::AlignLeft | Qt::AlignVCenter, header);
    y += int(9 * mm);

    // One block per case: the image with its overlay on the left, the text on the right.
    lepton::CaseViewService cases(*study);
    const int thumb = int(32 * mm);
    const int block = thumb + int(4 * mm);
    int shown = 0;
    for (const lepton::ReviewItem &it : *queue) {
        if (shown == maxCases)
            break;
        if (y + block > page.height()) {
            printer.newPage();
            y = 0;
        }
        QImage image;
        QString cf;
        lepton::CaseViewRequest request;
        request.runId = runId;
        request.caseId = it.caseId;
        if (auto view = cases.load(request)) {
            // As the Review view shows it by default: the attention map at half opacity.
            const lepton::CaseMap &map = view->explanation.attention;
            image = HeatmapView::compose(CaseImages::toQImage(view->image),
                HeatmapView::colouredMap(CaseImages::mapValues(map), map.width, map.height), 0.5, view->lesionBox);
            cf = CaseExplanationPanel::counterfactualSentence(view.value());
        }
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
            QObject::tr("Review: %1").arg(lepton::ReviewReportService::verdictText(it)));
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
    if (!p.end() || file.error() != QFileDevice::NoError)
        return Status::failure(
            QObject::tr("%1 cannot be written (%2); choose another place.").arg(path, file.errorString()));
    return reports.commit(file, actor, QStringLiteral("pdf"), data.value(), shown);
}
