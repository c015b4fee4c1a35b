// SPDX-License-Identifier: GPL-3.0-or-later
// The stage that reads the events file.
#include "ImportStages.h"

#include "data/FieldType.h"
#include "data/ImportContext.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <optional>

namespace lepton::importstage {

using namespace importutil;
using Severity = ImportProblem::Severity;

bool readEvents(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    ImportReport &report = ctx.report;
    ImportedDataset &ds = ctx.dataset;
    const bool deid = ctx.deidentify;
    const QStringList &dropNames = ctx.dropNames;
    const QStringList &idNames = ctx.idNames;
    const QStringList &ageNames = ctx.ageNames;
    DeidentificationSummary &summary = report.deidentification;
    QHash<QString, QString> excludedIds; // id -> why, for events of excluded cases
    for (const ImportProblem &p : report.problems())
        if (p.severity == Severity::Excluded && !p.caseId.isEmpty())
            excludedIds.insert(p.caseId, p.kind);
    // --- Events.
    if (o.eventsPath.isEmpty())
        return true;
    {
        ctx.progress(0, 0, QStringLiteral("Reading events"));
        const QString eventsFile = o.eventsPath;
        CsvReader events;
        if (!events.readFile(eventsFile)) {
            report.addFatal(QStringLiteral("events-unreadable"), eventsFile, events.errorString());
            return false;
        }
        const QStringList &eh = events.header();
        // The events file's id column: as named, else the manifest's, else case_id.
        const QString eventsId = !o.eventsIdColumn.isEmpty() ? o.eventsIdColumn
            : eh.contains(o.idColumn)                        ? o.idColumn
                                                             : QStringLiteral("case_id");
        const int eId = eh.indexOf(eventsId);
        const QList<int> eDropCols = columnsOf(eh, dropNames);
        const QList<int> eIdCols = columnsOf(eh, idNames);
        const int eTime = eh.indexOf(o.timeColumn);
        if (eId < 0 || eTime < 0) {
            report.addFatal(QStringLiteral("events-columns"), eventsFile,
                QStringLiteral("the events file needs columns '%1' and '%2' (columns: %3); name its id column with "
                               "--events-id-col and its time column with --time-col")
                    .arg(eventsId, o.timeColumn, eh.join(QStringLiteral(", "))),
                1);
            return false;
        }
        QList<int> eventColumns;
        for (int c = 0; c < eh.size(); ++c)
            if (c != eId && c != eTime && !eDropCols.contains(c))
                eventColumns.append(c);
        // The same treatment as the manifest's rows, before anything reads them.
        std::vector<CsvRow> erows = events.rows();
        for (CsvRow &row : erows) {
            QStringList &f = row.fields;
            if (f.size() != eh.size()) {
                if (deid || !eDropCols.isEmpty())
                    f = QStringList(f.size(), QString()); // excluded as ragged: keep only the count
                continue;
            }
            if (deid) {
                if (!f.at(eId).trimmed().isEmpty()) {
                    f[eId] = ctx.deidentifier.pseudonym(f.at(eId).trimmed());
                    ++summary.identifiersReplaced;
                }
                for (int c : eIdCols) {
                    if (!isMissingValue(f.at(c))) {
                        f[c] = ctx.deidentifier.pseudonym(f.at(c).trimmed());
                        ++summary.identifiersReplaced;
                    }
                }
            }
            for (int c : eDropCols)
                f[c].clear();
        }
        report.eventsRead = static_cast<int>(erows.size());
        std::vector<char> eAccepted(erows.size(), 1);
        auto excludeEvent = [&](std::size_t r, const QString &kind, const QString &column, const QString &caseId,
                                const QString &reason) {
            eAccepted[r] = 0;
            report.add(problem(Severity::Excluded, kind, eventsFile, erows[r].line, column, caseId, reason));
        };
        for (std::size_t r = 0; r < erows.size(); ++r) {
            if (erows[r].fields.size() != eh.size()) {
                excludeEvent(r, QStringLiteral("ragged-row"), QString(), QString(),
                    QStringLiteral("has %1 fields but the header has %2; check commas and quotes on this line")
                        .arg(erows[r].fields.size())
                        .arg(eh.size()));
                continue;
            }
            const QString id = erows[r].fields.at(eId).trimmed();
            if (!ctx.caseIndex.contains(id)) {
                excludeEvent(r, QStringLiteral("unknown-case"), eventsId, id,
                    excludedIds.contains(id)
                        ? QStringLiteral("event of a case excluded from the manifest (%1)").arg(excludedIds.value(id))
                        : QStringLiteral("event for a case that is not in the manifest; check the id"));
            }
        }
        ds.eventsPath = QFileInfo(eventsFile).absoluteFilePath();
        ds.eventsHash = events.contentHash();
        ds.eventFields = inferFields(eh, eventColumns, erows, eAccepted, ctx.typeOverrides);
        for (FieldSpec &f : ds.eventFields)
            if (f.type == FieldType::Text) {
                // Free text is a modality of the case (a manifest column), not of an event step:
                // an event's text column is kept as categories, as before.
                f.type = FieldType::Categorical;
                QSet<QString> distinct;
                for (std::size_t r = 0; r < erows.size(); ++r) {
                    const int col = eventColumns.at(static_cast<int>(&f - ds.eventFields.data()));
                    if (eAccepted[r] && !isMissingValue(erows[r].fields.at(col)))
                        distinct.insert(erows[r].fields.at(col).trimmed());
                }
                f.categories = QStringList(distinct.begin(), distinct.end());
                std::sort(f.categories.begin(), f.categories.end());
            }
        std::vector<char> eIsAge(ds.eventFields.size(), 0);
        for (std::size_t f = 0; f < ds.eventFields.size(); ++f)
            eIsAge[f] = deid && ds.eventFields[f].type == FieldType::Numeric
                && (ds.eventFields[f].name.compare(QLatin1String("age"), Qt::CaseInsensitive) == 0
                    || ageNames.contains(ds.eventFields[f].name));
        const QString eventPrefix = QStringLiteral("events.");
        for (std::size_t r = 0; r < erows.size(); ++r) {
            if (!eAccepted[r])
                continue;
            const CsvRow &row = erows[r];
            const QString id = row.fields.at(eId).trimmed();
            const QString timeText = row.fields.at(eTime).trimmed();
            std::optional<double> t = parseNumber(timeText);
            const bool isDate = !t;
            if (!t)
                t = parseIsoDays(timeText);
            if (!t) {
                excludeEvent(r, QStringLiteral("invalid-time"), o.timeColumn, id,
                    QStringLiteral("%1 is neither a number nor an ISO date (YYYY-MM-DD)")
                        .arg(
                            deid ? QStringLiteral("the time") : QStringLiteral("time '%1'").arg(shortValue(timeText))));
                continue;
            }
            ImportedEvent ev;
            ev.caseIndex = ctx.caseIndex.value(id);
            ev.time = *t;
            ev.timeText = timeText;
            ev.line = row.line;
            if (!parseValues(row, eventColumns, ds.eventFields, eventsFile, id, ev.values, report, !deid))
                continue;
            if (deid) {
                // Dates move with the case's patient; numeric times are relative and stay.
                const int shift = ctx.shiftOfCase[static_cast<std::size_t>(ev.caseIndex)];
                if (isDate && shift != 0) {
                    ev.time += shift;
                    ev.timeText = Deidentifier::shiftIsoText(timeText, shift);
                    ++summary.datesShifted;
                    ctx.shiftedColumns.insert(eventPrefix + o.timeColumn);
                }
                deidentifyValues(ds.eventFields, eIsAge, shift, ev.values, summary, ctx.shiftedColumns, eventPrefix);
            }
            ds.events.push_back(std::move(ev));
        }
        report.eventsImported = static_cast<int>(ds.events.size());
    }
    return true;
}

} // namespace lepton::importstage
