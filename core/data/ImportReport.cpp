// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportReport.h"

#include <QJsonArray>

#include <algorithm>

namespace lepton {

QString ImportProblem::severityName() const
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Excluded:
        return QStringLiteral("excluded");
    case Severity::Fatal:
        return QStringLiteral("fatal");
    }
    return QString();
}

QString ImportProblem::toText() const
{
    QString where = file;
    if (line > 0)
        where += QLatin1Char(':') + QString::number(line);
    if (!column.isEmpty())
        where += QStringLiteral(" [%1]").arg(column);
    QString text = QStringLiteral("%1: %2: ").arg(severityName(), where);
    if (!caseId.isEmpty())
        text += QStringLiteral("case %1: ").arg(caseId);
    return text + reason;
}

QJsonObject ImportProblem::toJson() const
{
    return QJsonObject { { QStringLiteral("severity"), severityName() }, { QStringLiteral("kind"), kind },
        { QStringLiteral("file"), file }, { QStringLiteral("line"), line }, { QStringLiteral("column"), column },
        { QStringLiteral("case_id"), caseId }, { QStringLiteral("reason"), reason } };
}

QJsonObject DeidentificationSummary::toJson() const
{
    return QJsonObject { { QStringLiteral("applied"), applied },
        { QStringLiteral("identifier_columns"), QJsonArray::fromStringList(identifierColumns) },
        { QStringLiteral("identifiers_replaced"), identifiersReplaced },
        { QStringLiteral("dropped_columns"), QJsonArray::fromStringList(droppedColumns) },
        { QStringLiteral("date_columns"), QJsonArray::fromStringList(dateColumns) },
        { QStringLiteral("dates_shifted"), datesShifted },
        { QStringLiteral("age_columns"), QJsonArray::fromStringList(ageColumns) },
        { QStringLiteral("ages_grouped"), agesGrouped },
        { QStringLiteral("image_paths_with_identifiers"), imagePathsWithIdentifiers } };
}

DeidentificationSummary DeidentificationSummary::fromJson(const QJsonObject &json)
{
    auto strings = [&](const char *key) {
        QStringList list;
        for (const auto &v : json.value(QLatin1String(key)).toArray())
            list.append(v.toString());
        return list;
    };
    DeidentificationSummary d;
    d.applied = json.value(QStringLiteral("applied")).toBool();
    d.identifierColumns = strings("identifier_columns");
    d.identifiersReplaced = json.value(QStringLiteral("identifiers_replaced")).toInt();
    d.droppedColumns = strings("dropped_columns");
    d.dateColumns = strings("date_columns");
    d.datesShifted = json.value(QStringLiteral("dates_shifted")).toInt();
    d.ageColumns = strings("age_columns");
    d.agesGrouped = json.value(QStringLiteral("ages_grouped")).toInt();
    d.imagePathsWithIdentifiers = json.value(QStringLiteral("image_paths_with_identifiers")).toInt();
    return d;
}

void ImportReport::addFatal(
    const QString &kind, const QString &file, const QString &reason, int line, const QString &column)
{
    ImportProblem p;
    p.severity = ImportProblem::Severity::Fatal;
    p.kind = kind;
    p.file = file;
    p.reason = reason;
    p.line = line;
    p.column = column;
    add(std::move(p));
}

bool ImportReport::hasFatal() const
{
    return count(ImportProblem::Severity::Fatal) > 0;
}

int ImportReport::count(ImportProblem::Severity severity) const
{
    return static_cast<int>(std::count_if(
        m_problems.begin(), m_problems.end(), [&](const ImportProblem &p) { return p.severity == severity; }));
}

int ImportReport::problemCount() const
{
    return static_cast<int>(m_problems.size()) - count(ImportProblem::Severity::Info);
}

int ImportReport::countKind(const QString &kind) const
{
    return static_cast<int>(
        std::count_if(m_problems.begin(), m_problems.end(), [&](const ImportProblem &p) { return p.kind == kind; }));
}

QString ImportReport::toText(int maxProblems) const
{
    QString text;
    if (hasFatal()) {
        text += QStringLiteral("Import aborted; nothing was written.\n");
    } else {
        text += QStringLiteral("Imported %1 of %2 cases (%3 excluded), %4 images, %5 of %6 events in %7 s.\n")
                    .arg(casesImported)
                    .arg(rowsRead)
                    .arg(casesExcluded)
                    .arg(imagesDecoded)
                    .arg(eventsImported)
                    .arg(eventsRead)
                    .arg(seconds, 0, 'f', 2);
    }
    // What de-identification changed comes first: it is true of every stored case.
    bool infoHeader = false;
    for (const ImportProblem &p : m_problems) {
        if (p.severity != ImportProblem::Severity::Info)
            continue;
        if (!infoHeader)
            text += QStringLiteral("Changed on import:\n");
        infoHeader = true;
        text += QStringLiteral("  ") + p.reason + QLatin1Char('\n');
    }
    const int problems = problemCount();
    if (problems > 0)
        text += QStringLiteral("%1 problem(s):\n").arg(problems);
    int shown = 0;
    for (const ImportProblem &p : m_problems) {
        if (p.severity == ImportProblem::Severity::Info)
            continue;
        if (maxProblems >= 0 && shown >= maxProblems) {
            text += QStringLiteral("  … and %1 more (use --json for all)\n").arg(problems - shown);
            break;
        }
        text += QStringLiteral("  ") + p.toText() + QLatin1Char('\n');
        ++shown;
    }
    return text;
}

QJsonObject ImportReport::toJson() const
{
    QJsonArray problems;
    for (const ImportProblem &p : m_problems)
        problems.append(p.toJson());
    return QJsonObject { { QStringLiteral("ok"), !hasFatal() }, { QStringLiteral("rows_read"), rowsRead },
        { QStringLiteral("cases_imported"), casesImported }, { QStringLiteral("cases_excluded"), casesExcluded },
        { QStringLiteral("images_decoded"), imagesDecoded }, { QStringLiteral("events_read"), eventsRead },
        { QStringLiteral("events_imported"), eventsImported }, { QStringLiteral("seconds"), seconds },
        { QStringLiteral("problems"), problems }, { QStringLiteral("deidentification"), deidentification.toJson() } };
}

ImportReport ImportReport::fromJson(const QJsonObject &json)
{
    ImportReport r;
    r.rowsRead = json.value(QStringLiteral("rows_read")).toInt();
    r.casesImported = json.value(QStringLiteral("cases_imported")).toInt();
    r.casesExcluded = json.value(QStringLiteral("cases_excluded")).toInt();
    r.imagesDecoded = json.value(QStringLiteral("images_decoded")).toInt();
    r.eventsRead = json.value(QStringLiteral("events_read")).toInt();
    r.eventsImported = json.value(QStringLiteral("events_imported")).toInt();
    r.seconds = json.value(QStringLiteral("seconds")).toDouble();
    r.deidentification = DeidentificationSummary::fromJson(json.value(QStringLiteral("deidentification")).toObject());
    const QJsonArray problems = json.value(QStringLiteral("problems")).toArray();
    for (const auto &v : problems) {
        const QJsonObject o = v.toObject();
        ImportProblem p;
        const QString sev = o.value(QStringLiteral("severity")).toString();
        p.severity = sev == QLatin1String("warning") ? ImportProblem::Severity::Warning
            : sev == QLatin1String("fatal")          ? ImportProblem::Severity::Fatal
            : sev == QLatin1String("info")           ? ImportProblem::Severity::Info
                                                     : ImportProblem::Severity::Excluded;
        p.kind = o.value(QStringLiteral("kind")).toString();
        p.file = o.value(QStringLiteral("file")).toString();
        p.line = o.value(QStringLiteral("line")).toInt();
        p.column = o.value(QStringLiteral("column")).toString();
        p.caseId = o.value(QStringLiteral("case_id")).toString();
        p.reason = o.value(QStringLiteral("reason")).toString();
        r.add(std::move(p));
    }
    return r;
}

} // namespace lepton
