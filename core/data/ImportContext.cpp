// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportContext.h"

#include "data/FieldType.h"

#include <algorithm>

namespace lepton {

ImportContext::ImportContext(const ImportOptions &o)
    : options(o), deidentify(o.deidentify.enabled), deidentifier(o.deidentify.secret)
{ }

void ImportContext::progress(qint64 done, qint64 total, const QString &stage) const
{
    if (options.progress)
        options.progress(done, total, stage);
}

void ImportContext::exclude(
    std::size_t r, const QString &kind, const QString &column, const QString &caseId, const QString &reason)
{
    accepted[r] = 0;
    report.add(importutil::problem(
        ImportProblem::Severity::Excluded, kind, manifestFile(), rows[r].line, column, caseId, reason));
}

bool ImportContext::stopIfCancelled()
{
    if (options.cancelled && options.cancelled()) {
        report.addFatal(QStringLiteral("cancelled"), options.manifestPath,
            QStringLiteral("the import was cancelled; nothing was written"));
        return true;
    }
    return false;
}

namespace importutil {

ImportProblem problem(ImportProblem::Severity severity, const QString &kind, const QString &file, int line,
    const QString &column, const QString &caseId, const QString &reason)
{
    ImportProblem p;
    p.severity = severity;
    p.kind = kind;
    p.file = file;
    p.line = line;
    p.column = column;
    p.caseId = caseId;
    p.reason = reason;
    return p;
}

QString shortValue(const QString &v)
{
    return v.size() > 40 ? v.left(37) + QStringLiteral("...") : v;
}

std::vector<FieldSpec> inferFields(const QStringList &header, const QList<int> &fieldColumns,
    const std::vector<CsvRow> &rows, const std::vector<char> &accepted, const QMap<QString, FieldType> &overrides)
{
    std::vector<FieldSpec> fields;
    for (int col : fieldColumns) {
        FieldSpec spec;
        spec.name = header.at(col);
        QStringList values;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (!accepted[r])
                continue;
            const QString &v = rows[r].fields.at(col);
            if (!isMissingValue(v))
                values.append(v.trimmed());
        }
        if (overrides.contains(spec.name)) {
            spec.type = overrides.value(spec.name);
            spec.typeOverridden = true;
        } else {
            spec.type = inferFieldType(values);
        }
        if (spec.type == FieldType::Categorical) {
            QSet<QString> distinct(values.begin(), values.end());
            spec.categories = QStringList(distinct.begin(), distinct.end());
            std::sort(spec.categories.begin(), spec.categories.end());
        }
        fields.push_back(spec);
    }
    return fields;
}

bool parseValues(const CsvRow &row, const QList<int> &fieldColumns, const std::vector<FieldSpec> &fields,
    const QString &file, const QString &caseId, std::vector<FieldValue> &out, ImportReport &report, bool quoteValues)
{
    out.assign(fields.size(), FieldValue());
    for (std::size_t f = 0; f < fields.size(); ++f) {
        const QString &raw = row.fields.at(fieldColumns.at(static_cast<int>(f)));
        FieldValue &value = out[f];
        if (isMissingValue(raw))
            continue;
        value.text = raw.trimmed();
        value.missing = false;
        if (isTextValued(fields[f].type))
            continue;
        const auto number = parseAs(fields[f].type, raw);
        if (!number) {
            report.add(problem(ImportProblem::Severity::Excluded, QStringLiteral("unparsable-value"), file, row.line,
                fields[f].name, caseId,
                QStringLiteral("%1 is not %2; correct it, mark it missing (empty or NA), "
                               "or set the type with --field-type %3=categorical")
                    .arg(quoteValues ? QStringLiteral("value '%1'").arg(shortValue(raw)) : QStringLiteral("the value"),
                        fieldTypeName(fields[f].type) == QLatin1String("date")
                            ? QStringLiteral("an ISO date (YYYY-MM-DD)")
                            : QStringLiteral("a valid ") + fieldTypeName(fields[f].type),
                        fields[f].name)));
            return false;
        }
        value.number = *number;
    }
    return true;
}

void deidentifyValues(const std::vector<FieldSpec> &fields, const std::vector<char> &isAge, int shift,
    std::vector<FieldValue> &values, DeidentificationSummary &summary, QSet<QString> &shiftedColumns,
    const QString &prefix)
{
    for (std::size_t f = 0; f < fields.size() && f < values.size(); ++f) {
        FieldValue &v = values[f];
        if (v.missing)
            continue;
        if (fields[f].type == FieldType::Date && shift != 0) {
            v.number += shift;
            v.text = Deidentifier::shiftIsoText(v.text, shift);
            ++summary.datesShifted;
            shiftedColumns.insert(prefix + fields[f].name);
        } else if (isAge[f] && fields[f].type == FieldType::Numeric && v.number > Deidentifier::MaxAge) {
            v.number = Deidentifier::GroupedAge;
            v.text = QString::number(Deidentifier::GroupedAge);
            ++summary.agesGrouped;
        }
    }
}

QList<int> columnsOf(const QStringList &header, const QStringList &names)
{
    QList<int> cols;
    for (const QString &n : names) {
        const int c = header.indexOf(n);
        if (c >= 0 && !cols.contains(c))
            cols.append(c);
    }
    return cols;
}

} // namespace importutil
} // namespace lepton
