// SPDX-License-Identifier: GPL-3.0-or-later
// The stage that reports what de-identification changed and what it could not see.
#include "ImportStages.h"

#include "data/FieldType.h"
#include "data/ImportContext.h"

#include <QRegularExpression>

#include <algorithm>

namespace lepton::importstage {

using namespace importutil;
using Severity = ImportProblem::Severity;

bool summariseDeidentification(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    ImportReport &report = ctx.report;
    const QString &manifestFile = ctx.manifestFile();
    const ImportedDataset &ds = ctx.dataset;
    const bool deid = ctx.deidentify;
    const QStringList &dropNames = ctx.dropNames;
    const QStringList &idNames = ctx.idNames;
    const int imageCol = ctx.imageCol;
    DeidentificationSummary &summary = report.deidentification;
    // --- What de-identification changed, for the report (names and counts, never values).
    summary.droppedColumns = dropNames;
    if (!dropNames.isEmpty())
        report.add(problem(Severity::Info, QStringLiteral("deidentified"), manifestFile, 0,
            dropNames.join(QStringLiteral(", ")), QString(),
            QStringLiteral("Columns dropped, stored nowhere in the study: %1.")
                .arg(dropNames.join(QStringLiteral(", ")))));
    if (deid) {
        summary.identifierColumns = QStringList { o.idColumn } + idNames;
        summary.dateColumns = QStringList(ctx.shiftedColumns.begin(), ctx.shiftedColumns.end());
        std::sort(summary.dateColumns.begin(), summary.dateColumns.end());
        summary.ageColumns = ctx.ageColumns;
        auto info = [&](const QStringList &columns, const QString &reason) {
            report.add(problem(Severity::Info, QStringLiteral("deidentified"), manifestFile, 0,
                columns.join(QStringLiteral(", ")), QString(), reason));
        };
        info(summary.identifierColumns,
            QStringLiteral("Identifiers replaced by keyed pseudonyms (HMAC-SHA-256 with the study's secret key): "
                           "%1 (%2 values).")
                .arg(summary.identifierColumns.join(QStringLiteral(", ")))
                .arg(summary.identifiersReplaced));
        info(summary.dateColumns,
            summary.dateColumns.isEmpty()
                ? QStringLiteral("Dates: no date field or ISO-date event time was found, so nothing was shifted.")
                : QStringLiteral("Dates shifted by a secret per-patient offset of 1 to 365 days (intervals within a "
                                 "patient are kept): %1 (%2 values).")
                      .arg(summary.dateColumns.join(QStringLiteral(", ")))
                      .arg(summary.datesShifted));
        info(ctx.ageColumns,
            ctx.ageColumns.isEmpty() ? QStringLiteral("Ages: no numeric column named age (or given by --age-columns).")
                                     : QStringLiteral("Ages over 89 stored as 90, which means \"90 or older\": %1 "
                                                      "(%2 values).")
                                           .arg(ctx.ageColumns.join(QStringLiteral(", ")))
                                           .arg(summary.agesGrouped));
        if (imageCol >= 0)
            info({ o.imageColumn },
                QStringLiteral("Image paths are stored as written so that the images can be found; the image files, "
                               "their names and their pixels (burned-in text) are not de-identified. DICOM headers "
                               "are never stored: only the attributes named with --dicom-fields, treated as above."));
        info({},
            QStringLiteral("Not covered: free text in other columns is not scrubbed; check categorical fields "
                           "for names, addresses and notes, and drop such columns."));
        if (summary.imagePathsWithIdentifiers > 0)
            report.add(problem(Severity::Warning, QStringLiteral("image-path-identifier"), manifestFile,
                ctx.firstImageLineWithId, o.imageColumn, QString(),
                QStringLiteral("%1 image path(s) contain a case or patient identifier (the first on this line) and "
                               "are stored as written; rename the image files and the manifest's paths before "
                               "importing if the study will be shared")
                    .arg(summary.imagePathsWithIdentifiers)));
        // Dates the shift cannot see: a column that is not of date type but holds date-like text
        // (another format, or a type set by hand). The value is not quoted: it may identify.
        static const QRegularExpression dateLike(
            QStringLiteral("^\\s*(\\d{1,4}[/.-]\\d{1,2}[/.-]\\d{1,4}|\\d{4}-\\d{2}-\\d{2}([T ].*)?)\\s*$"));
        for (const bool events : { false, true })
            for (const FieldSpec &f : events ? ds.eventFields : ds.fields) {
                if (f.type == FieldType::Date
                    || std::none_of(f.categories.begin(), f.categories.end(),
                        [](const QString &c) { return dateLike.match(c).hasMatch(); }))
                    continue;
                report.add(problem(Severity::Warning, QStringLiteral("date-not-shifted"),
                    events ? o.eventsPath : manifestFile, 0, f.name, QString(),
                    QStringLiteral("column '%1' holds values that look like dates but is not a date column in "
                                   "YYYY-MM-DD form, so they were not shifted; write them as YYYY-MM-DD and import "
                                   "again, or drop the column (--drop-columns)")
                        .arg(f.name)));
            }
    }
    return true;
}

} // namespace lepton::importstage
