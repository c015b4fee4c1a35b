// SPDX-License-Identifier: GPL-3.0-or-later
// Stages that turn the manifest's rows into accepted cases with typed values.
#include "ImportStages.h"

#include "data/FieldType.h"
#include "data/ImportContext.h"

#include <QFileInfo>
#include <QHash>

#include <map>

namespace lepton::importstage {

using namespace importutil;
using Severity = ImportProblem::Severity;

namespace {

/// Whether an image path carries an identifier: the file's base name is the id, or a longer id
/// (4 characters or more, so that "1" does not match every path) appears anywhere in it.
bool pathContainsIdentifier(const QString &path, const QString &id)
{
    if (id.isEmpty())
        return false;
    if (QFileInfo(path).completeBaseName().compare(id, Qt::CaseInsensitive) == 0)
        return true;
    return id.size() >= 4 && path.contains(id, Qt::CaseInsensitive);
}

} // namespace

bool deidentifyRows(ImportContext &ctx)
{
    ImportReport &report = ctx.report;
    const QStringList &header = ctx.header;
    const bool deid = ctx.deidentify;
    const int idCol = ctx.idCol, imageCol = ctx.imageCol;
    const QList<int> &idFieldCols = ctx.idFieldCols;
    const QList<int> &dropCols = ctx.dropCols;
    // --- Rows: de-identified before anything reads them, so that no problem quotes an identifier.
    // (A copy: the rows' strings are shared until a field is replaced.)
    ctx.rows = ctx.inputRows();
    std::vector<CsvRow> &rows = ctx.rows;
    report.rowsRead = static_cast<int>(rows.size());
    DeidentificationSummary &summary = report.deidentification;
    summary.applied = deid;
    ctx.shiftOfRow.assign(rows.size(), 0);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        QStringList &f = rows[r].fields;
        if (deid && f.size() == header.size()) {
            const QString id = f.at(idCol).trimmed();
            // The patient: the first identifier column with a value, else the case.
            QString patient = id;
            for (int c : idFieldCols) {
                if (!isMissingValue(f.at(c))) {
                    patient = f.at(c).trimmed();
                    break;
                }
            }
            ctx.shiftOfRow[r] = patient.isEmpty() ? 0 : ctx.deidentifier.dayShift(patient);
            if (imageCol >= 0 && !isMissingValue(f.at(imageCol))) {
                bool carries = pathContainsIdentifier(f.at(imageCol), id);
                for (int c : idFieldCols)
                    carries = carries || pathContainsIdentifier(f.at(imageCol), f.at(c).trimmed());
                if (carries) {
                    ++summary.imagePathsWithIdentifiers;
                    if (ctx.firstImageLineWithId == 0)
                        ctx.firstImageLineWithId = rows[r].line;
                }
            }
            if (!id.isEmpty()) {
                f[idCol] = ctx.deidentifier.pseudonym(id);
                ++summary.identifiersReplaced;
            }
            for (int c : idFieldCols) {
                if (!isMissingValue(f.at(c))) {
                    f[c] = ctx.deidentifier.pseudonym(f.at(c).trimmed());
                    ++summary.identifiersReplaced;
                }
            }
        }
        for (int c : dropCols)
            if (c < f.size())
                f[c].clear();
        if (f.size() != header.size() && (deid || !dropCols.isEmpty()))
            f.clear(); // a ragged row is excluded; its fields cannot be told apart, so none is kept
    }
    ctx.accepted.assign(rows.size(), 1);
    return true;
}

bool validateRows(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    const QStringList &header = ctx.header;
    const std::vector<CsvRow> &rows = ctx.rows;
    const int idCol = ctx.idCol, splitCol = ctx.splitCol;
    QHash<QString, int> firstLineOfId;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const CsvRow &row = rows[r];
        if (row.fields.size() != header.size()) {
            ctx.exclude(r, QStringLiteral("ragged-row"), QString(), QString(),
                QStringLiteral("has %1 fields but the header has %2; check commas and quotes on this line")
                    .arg(ctx.inputRows()[r].fields.size())
                    .arg(header.size()));
            continue;
        }
        const QString id = row.fields.at(idCol).trimmed();
        if (id.isEmpty()) {
            ctx.exclude(r, QStringLiteral("missing-id"), o.idColumn, QString(),
                QStringLiteral("the case id is empty; give every case a unique id"));
            continue;
        }
        if (firstLineOfId.contains(id)) {
            ctx.exclude(r, QStringLiteral("duplicate-id"), o.idColumn, id,
                QStringLiteral("duplicate case id, first seen on line %1; ids must be unique")
                    .arg(firstLineOfId.value(id)));
            continue;
        }
        firstLineOfId.insert(id, row.line);
        if (splitCol >= 0) {
            const QString s = row.fields.at(splitCol).trimmed().toLower();
            if (!s.isEmpty() && s != QLatin1String("train") && s != QLatin1String("val")
                && s != QLatin1String("test")) {
                ctx.exclude(r, QStringLiteral("invalid-split"), o.splitColumn, id,
                    QStringLiteral("split '%1' is not train, val or test (or empty)")
                        .arg(shortValue(row.fields.at(splitCol))));
                continue;
            }
        }
    }
    return true;
}

bool inferTypes(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    const std::vector<CsvRow> &rows = ctx.rows;
    std::vector<char> &accepted = ctx.accepted;
    const int idCol = ctx.idCol, labelCol = ctx.labelCol;
    // --- Types, then values.
    ctx.fields = inferFields(ctx.header, ctx.fieldColumns, rows, accepted, ctx.typeOverrides);
    ctx.values.assign(rows.size(), {});
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (!accepted[r])
            continue;
        const QString id = rows[r].fields.at(idCol).trimmed();
        if (!parseValues(rows[r], ctx.fieldColumns, ctx.fields, ctx.manifestFile(), id, ctx.values[r], ctx.report,
                !ctx.deidentify))
            accepted[r] = 0;
    }

    // --- Classes with too few cases cannot be split into train/val/test.
    if (labelCol >= 0) {
        std::map<QString, int> perClass;
        for (std::size_t r = 0; r < rows.size(); ++r)
            if (accepted[r] && !rows[r].fields.at(labelCol).trimmed().isEmpty())
                ++perClass[rows[r].fields.at(labelCol).trimmed()];
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (!accepted[r])
                continue;
            const QString label = rows[r].fields.at(labelCol).trimmed();
            if (!label.isEmpty() && perClass[label] < o.minClassCases)
                ctx.exclude(r, QStringLiteral("rare-class"), o.labelColumn, rows[r].fields.at(idCol).trimmed(),
                    QStringLiteral("class '%1' has only %2 case(s), fewer than the %3 needed to train, validate "
                                   "and test; add cases or merge the class")
                        .arg(shortValue(label))
                        .arg(perClass[label])
                        .arg(o.minClassCases));
        }
    }
    return !ctx.stopIfCancelled();
}

} // namespace lepton::importstage
