// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewReport.h"

#include "CaseExplanationPanel.h"
#include "CaseImages.h"
#include "HeatmapView.h"

#include "decision/DecisionText.h"
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

    // Every page ends with "page N of M": the pages are counted first, as the blocks below fill them.
    const int footer = int(7 * mm);
    const int bottom = page.height() - footer;
    const int headerHeight = int(11 * mm) + int(13 * mm);
    const int casesShown = std::min<int>(maxCases, int(data->queue.size()));
    const int thumbSize = int(32 * mm), blockSize = thumbSize + int(4 * mm);
    int pages = 1;
    {
        int yy = headerHeight;
        for (int i = 0; i < casesShown; ++i) {
            if (yy + blockSize > bottom) {
                ++pages;
                yy = 0;
            }
            yy += blockSize;
        }
        if (int(data->queue.size()) > casesShown && yy + int(8 * mm) > bottom)
            ++pages;
    }
    int pageNumber = 1;
    const auto drawFooter = [&] {
        const QFont keep = p.font();
        p.setFont(body);
        p.setPen(Qt::darkGray);
        p.drawText(QRect(0, bottom, width, footer), Qt::AlignRight | Qt::AlignBottom,
            QObject::tr("Run %1 · page %2 of %3").arg(runId).arg(pageNumber).arg(pages));
        p.setPen(Qt::black);
        p.setFont(keep);
    };
    const auto newPage = [&] {
        drawFooter();
        printer.newPage();
        ++pageNumber;
    };

    int y = 0;
    p.setFont(title);
    const QString titleText = QObject::tr("Review report — run %1 “%2”").arg(runId).arg(data->runName);
    p.drawText(QRect(0, y, width, int(10 * mm)), Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(title, &printer).elidedText(titleText, Qt::ElideRight, width));
    y += int(11 * mm);
    p.setFont(body);
    const QString header = QObject::tr("Study %1 · %2 of %3 reviewed · %4 cases in this report · exported %5 by %6")
                               .arg(data->studyName)
                               .arg(data->reviewed)
                               .arg(data->predictions)
                               .arg(std::min<int>(maxCases, int(queue->size())))
                               .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")), actor);
    // Wrapped, never cut at the right edge.
    p.drawText(QRect(0, y, width, int(12 * mm)), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, header);
    y += int(13 * mm);

    // One block per case: the image with its overlay on the left, the text on the right.
    lepton::CaseViewService cases(*study);
    const int thumb = thumbSize;
    const int block = blockSize;
    int shown = 0;
    for (const lepton::ReviewItem &it : *queue) {
        if (shown == maxCases)
            break;
        if (y + block > bottom) {
            newPage();
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
            QObject::tr("%1%2 · true label %3%4")
                .arg(lepton::probabilityText(
                         data->positiveClass.isEmpty() ? QObject::tr("positive class") : data->positiveClass,
                         it.probability),
                    it.predicted != it.decidedClass && !it.predicted.isEmpty()
                        ? QObject::tr(" · most likely %1").arg(it.predicted)
                        : QString(),
                    it.label.isEmpty() ? QObject::tr("unknown") : it.label,
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
        if (y + int(8 * mm) > bottom) {
            newPage();
            y = 0;
        }
        p.drawText(QRect(0, y, width, int(8 * mm)), Qt::AlignLeft | Qt::AlignVCenter,
            QObject::tr("… and %1 more cases; export the CSV for all of them, or filter the queue.")
                .arg(int(queue->size()) - shown));
    }
    drawFooter();
    if (!p.end() || file.error() != QFileDevice::NoError)
        return Status::failure(
            QObject::tr("%1 cannot be written (%2); choose another place.").arg(path, file.errorString()));
    return reports.commit(file, actor, QStringLiteral("pdf"), data.value(), shown);
}
