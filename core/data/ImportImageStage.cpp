// SPDX-License-Identifier: GPL-3.0-or-later
// The stage that finds and checks every image the manifest names.
#include "ImportStages.h"

#include "data/FieldType.h"
#include "data/ImportContext.h"
#include "util/ParallelFor.h"

#include <QDir>
#include <QFileInfo>

#include <atomic>

namespace lepton::importstage {

using namespace importutil;
using Severity = ImportProblem::Severity;

namespace {
/// A folder's path with one trailing slash ("/" stays "/"): what the paths inside it start with.
QString asFolder(const QString &folder)
{
    return folder.endsWith(QLatin1Char('/')) ? folder : folder + QLatin1Char('/');
}
} // namespace

bool resolveImages(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    ImportReport &report = ctx.report;
    const std::vector<CsvRow> &rows = ctx.rows;
    const std::vector<char> &accepted = ctx.accepted;
    const int idCol = ctx.idCol, imageCol = ctx.imageCol;
    // --- Images: resolve inside the root, then hash and decode on all cores.
    ctx.imageRoot = QDir::cleanPath(QFileInfo(!ctx.imageRootOverride.isEmpty() ? ctx.imageRootOverride
            : o.imageRoot.isEmpty() ? QFileInfo(ctx.manifestFile()).absolutePath()
                                    : o.imageRoot)
                                        .absoluteFilePath());
    const QString &imageRoot = ctx.imageRoot;
    const QString canonicalRoot = QFileInfo(imageRoot).canonicalFilePath();
    std::vector<ImportImageJob> &jobs = ctx.jobs;
    if (imageCol >= 0) {
        if (canonicalRoot.isEmpty()) {
            report.addFatal(QStringLiteral("image-root-missing"), imageRoot,
                QStringLiteral("the image root folder does not exist; set it with --image-root"));
            return false;
        }
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (!accepted[r])
                continue;
            const QString ref = rows[r].fields.at(imageCol).trimmed();
            if (isMissingValue(ref))
                continue;
            const QString id = rows[r].fields.at(idCol).trimmed();
            const QString path = QDir::cleanPath(QDir(imageRoot).absoluteFilePath(ref));
            const bool lexicallyInside = path.startsWith(asFolder(imageRoot));
            if (!o.allowOutsideRoot && !lexicallyInside) {
                ctx.exclude(r, QStringLiteral("image-outside-root"), o.imageColumn, id,
                    QStringLiteral("image path '%1' leaves the image root %2; move the image under the root "
                                   "or allow it explicitly")
                        .arg(shortValue(ref), imageRoot));
                continue;
            }
            jobs.push_back({ r, path, {}, {}, {} });
        }
    }
    std::atomic<int> done { 0 };
    const int total = static_cast<int>(jobs.size());
    parallelFor(
        jobs.size(), o.threads,
        [&](std::size_t j) {
            ImportImageJob &job = jobs[j];
            const QFileInfo fi(job.path);
            if (!fi.exists()) {
                job.kind = QStringLiteral("image-missing");
                job.error = QStringLiteral("image file %1 not found; check the path or --image-root").arg(job.path);
            } else if (!o.allowOutsideRoot && !fi.canonicalFilePath().startsWith(asFolder(canonicalRoot))) {
                job.kind = QStringLiteral("image-outside-root");
                job.error
                    = QStringLiteral("image %1 is a link that leaves the image root; copy the image under the root "
                                     "or allow it explicitly")
                          .arg(job.path);
            } else {
                ImageDecodeLimits limits;
                limits.maxPixels = o.maxImagePixels;
                limits.minSide = o.minImageSide;
                limits.dicomWindow = o.dicomWindow;
                limits.decodeSide = o.checkImageSide;
                auto info = ImageDecoder::inspect(job.path, limits);
                if (info.ok())
                    job.info = info.value();
                else {
                    job.kind = QStringLiteral("image-undecodable");
                    job.error = info.error();
                }
            }
            const int d = ++done;
            if (d % 64 == 0 || d == total)
                ctx.progress(d, total, QStringLiteral("Decoding images"));
        },
        o.cancelled);
    if (ctx.stopIfCancelled())
        return false;
    ctx.jobOfRow.assign(rows.size(), -1);
    int multiFrame = 0, burnedIn = 0, dicom = 0;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        const ImportImageJob &job = jobs[j];
        if (job.error.isEmpty() && job.info.format == "dicom") {
            ++dicom;
            const QString id = rows[job.row].fields.at(idCol).trimmed();
            if (job.info.frames > 1 && ++multiFrame <= 20)
                report.add(problem(Severity::Info, QStringLiteral("dicom-multi-frame"), job.path, rows[job.row].line,
                    o.imageColumn, id, QStringLiteral("has %1 frames; the first is used").arg(job.info.frames)));
            if (job.info.burnedInAnnotation && ++burnedIn <= 50)
                report.add(problem(Severity::Warning, QStringLiteral("dicom-burned-in"), job.path, rows[job.row].line,
                    o.imageColumn, id,
                    QStringLiteral("says BurnedInAnnotation = YES: its pixels may show names or ids, which "
                                   "de-identification does not remove; check the image or leave it out")));
        }
        if (!job.error.isEmpty())
            ctx.exclude(job.row, job.kind, o.imageColumn, rows[job.row].fields.at(idCol).trimmed(), job.error);
        else
            ctx.jobOfRow[job.row] = static_cast<int>(j);
    }
    if (multiFrame > 20)
        report.add(problem(Severity::Info, QStringLiteral("dicom-multi-frame"), ctx.imageRoot, 0, o.imageColumn,
            QString(),
            QStringLiteral("%1 DICOM files have several frames in all; the first of each is used").arg(multiFrame)));
    if (burnedIn > 50)
        report.add(problem(Severity::Warning, QStringLiteral("dicom-burned-in"), ctx.imageRoot, 0, o.imageColumn,
            QString(), QStringLiteral("%1 DICOM files say BurnedInAnnotation = YES in all").arg(burnedIn)));
    if (dicom > 0)
        report.add(problem(Severity::Info, QStringLiteral("dicom-window"), ctx.imageRoot, 0, o.imageColumn, QString(),
            QStringLiteral("%1 DICOM images, shown and trained through the window '%2'")
                .arg(dicom)
                .arg(o.dicomWindow.text())));
    return true;
}

} // namespace lepton::importstage
