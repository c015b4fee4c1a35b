// SPDX-License-Identifier: GPL-3.0-or-later
// Stages that read the manifest and decide what each column is.
#include "ImportStages.h"

#include "data/FieldType.h"
#include "data/ImportContext.h"

#include <QFileInfo>
#include <QSet>

#include <utility>

namespace lepton::importstage {

using namespace importutil;
using Severity = ImportProblem::Severity;

bool readManifest(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    ImportReport &report = ctx.report;
    const QString &manifestFile = ctx.manifestFile();
    // --- The manifest: read, check the columns.
    ctx.progress(0, 0, QStringLiteral("Reading manifest"));
    CsvReader &manifest = ctx.manifest;
    if (!manifest.readFile(manifestFile)) {
        report.addFatal(QStringLiteral("manifest-unreadable"), manifestFile, manifest.errorString());
        return false;
    }
    for (const QString &w : manifest.warnings())
        report.add(problem(Severity::Warning, QStringLiteral("csv-syntax"), manifestFile, 0, QString(), QString(), w));
    ctx.header = manifest.header();
    const QStringList &header = ctx.header;
    {
        QSet<QString> seen;
        for (const QString &name : header) {
            if (seen.contains(name)) {
                report.addFatal(QStringLiteral("duplicate-column"), manifestFile,
                    QStringLiteral("column '%1' appears twice in the header; rename one").arg(name), 1, name);
                return false;
            }
            seen.insert(name);
        }
    }
    ctx.idCol = header.indexOf(o.idColumn);
    if (ctx.idCol < 0) {
        report.addFatal(QStringLiteral("no-id-column"), manifestFile,
            QStringLiteral("no id column '%1' (columns: %2); name it with --id-col")
                .arg(o.idColumn, header.join(QStringLiteral(", "))),
            1);
        return false;
    }
    auto roleColumn = [&](const QString &name, bool given, const QString &option) -> int {
        const int col = header.indexOf(name);
        if (col < 0 && given)
            report.addFatal(QStringLiteral("missing-column"), manifestFile,
                QStringLiteral("no column '%1' as named by %2 (columns: %3)")
                    .arg(name, option, header.join(QStringLiteral(", "))),
                1, name);
        return col;
    };
    ctx.labelCol = roleColumn(o.labelColumn, o.labelColumnGiven, QStringLiteral("--label-col"));
    ctx.imageCol = roleColumn(o.imageColumn, o.imageColumnGiven, QStringLiteral("--image-col"));
    ctx.splitCol = roleColumn(o.splitColumn, o.splitColumnGiven, QStringLiteral("--split-col"));
    if (report.hasFatal())
        return false;
    if (ctx.labelCol < 0)
        report.add(
            problem(Severity::Warning, QStringLiteral("no-label-column"), manifestFile, 1, o.labelColumn, QString(),
                QStringLiteral("no label column '%1': every case is unlabelled and can only be predicted; "
                               "name the label column with --label-col")
                    .arg(o.labelColumn)));
    if (!o.eventsPath.isEmpty()) {
        CsvReader peek;
        if (peek.readFile(o.eventsPath))
            ctx.eventHeader = peek.header();
    }

    return true;
}

bool resolveColumns(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    ImportReport &report = ctx.report;
    const QString &manifestFile = ctx.manifestFile();
    const QStringList &header = ctx.header;
    const QStringList &eventHeader = ctx.eventHeader;
    const int idCol = ctx.idCol, labelCol = ctx.labelCol, imageCol = ctx.imageCol, splitCol = ctx.splitCol;
    // --- De-identification and dropped columns: every name must be a column; role columns stay.
    if (ctx.deidentify && !ctx.deidentifier.isValid()) {
        report.addFatal(QStringLiteral("deidentify-key"), manifestFile,
            QStringLiteral("de-identification needs the study's %1-byte key (DeidentificationKey::load); "
                           "this is a bug in the caller, please report it")
                .arg(Deidentifier::SecretBytes));
        return false;
    }
    auto trimmedNames = [](const QStringList &names) {
        QStringList list;
        for (const QString &n : names)
            if (!n.trimmed().isEmpty() && !list.contains(n.trimmed()))
                list.append(n.trimmed());
        return list;
    };
    if (!o.groupColumn.isEmpty()) {
        ctx.groupCol = header.indexOf(o.groupColumn);
        if (ctx.groupCol < 0) {
            report.addFatal(QStringLiteral("missing-column"), manifestFile,
                QStringLiteral("no column '%1' as named by --group-col (columns: %2); a DICOM attribute "
                               "(PatientID) is read from the images when it is a keyword")
                    .arg(o.groupColumn, header.join(QStringLiteral(", "))),
                1, o.groupColumn);
            return false;
        }
        if (ctx.groupCol == idCol || ctx.groupCol == labelCol || ctx.groupCol == imageCol || ctx.groupCol == splitCol) {
            report.addFatal(QStringLiteral("role-column"), manifestFile,
                QStringLiteral("--group-col names '%1', which already has another role").arg(o.groupColumn), 1,
                o.groupColumn);
            return false;
        }
    }
    ctx.dropNames = trimmedNames(o.dropColumns);
    const QStringList &dropNames = ctx.dropNames;
    ctx.idNames = ctx.deidentify ? trimmedNames(o.deidentify.idColumns) : QStringList();
    ctx.idNames.removeAll(o.idColumn);
    for (const QString &n : dropNames)
        ctx.idNames.removeAll(n); // a dropped column is stored nowhere, so it needs no pseudonym
    ctx.ageNames = ctx.deidentify ? trimmedNames(o.deidentify.ageColumns) : QStringList();
    const QStringList &idNames = ctx.idNames;
    const QStringList &ageNames = ctx.ageNames;
    const QString eventsName = QFileInfo(o.eventsPath).fileName();
    auto roleOf = [&](const QString &n) -> QString {
        if (n == o.idColumn)
            return QStringLiteral("the case id column (with --deidentify it is replaced by a pseudonym; "
                                  "it cannot be dropped)");
        if (labelCol >= 0 && n == o.labelColumn)
            return QStringLiteral("the label column (the model learns it); name another with --label-col");
        if (imageCol >= 0 && n == o.imageColumn)
            return QStringLiteral("the image column; name another with --image-col");
        if (splitCol >= 0 && n == o.splitColumn)
            return QStringLiteral("the split column; name another with --split-col");
        if (eventHeader.contains(n) && n == o.timeColumn)
            return QStringLiteral("the time column of the events; name another with --time-col");
        return QString();
    };
    for (const auto &[option, names] : { std::pair { QStringLiteral("--drop-columns"), dropNames },
             std::pair { QStringLiteral("--id-columns"), idNames },
             std::pair { QStringLiteral("--age-columns"), ageNames } }) {
        for (const QString &n : names) {
            if (!header.contains(n) && !eventHeader.contains(n)) {
                report.addFatal(QStringLiteral("unknown-column"), manifestFile,
                    QStringLiteral("%1 names '%2', which is not a column of the manifest (columns: %3)%4; "
                                   "check the spelling")
                        .arg(option, n, header.join(QStringLiteral(", ")),
                            eventHeader.isEmpty() ? QString()
                                                  : QStringLiteral(" or of %1 (columns: %2)")
                                                        .arg(eventsName, eventHeader.join(QStringLiteral(", ")))),
                    1, n);
                return false;
            }
            const QString role = roleOf(n);
            if (!role.isEmpty() && option != QLatin1String("--age-columns")) {
                report.addFatal(QStringLiteral("role-column"), manifestFile,
                    QStringLiteral("%1 names '%2', which is %3").arg(option, n, role), 1, n);
                return false;
            }
        }
    }
    // DICOM identifiers and the group (a patient) are pseudonymised too; the group comes first so
    // that it names the patient whose dates move together.
    if (ctx.deidentify) {
        for (const QString &n : ctx.dicomIdNames)
            if (!ctx.idNames.contains(n) && n != o.idColumn)
                ctx.idNames.append(n);
        if (ctx.groupCol >= 0) {
            ctx.idNames.removeAll(o.groupColumn);
            ctx.idNames.prepend(o.groupColumn);
        }
        for (const QString &n : ctx.dicomAgeNames)
            if (!ctx.ageNames.contains(n))
                ctx.ageNames.append(n);
    }
    ctx.dropCols = columnsOf(header, dropNames);
    ctx.idFieldCols = columnsOf(header, idNames);
    QList<int> &fieldColumns = ctx.fieldColumns;
    const QList<int> &dropCols = ctx.dropCols;
    for (int c = 0; c < header.size(); ++c)
        if (c != idCol && c != labelCol && c != imageCol && c != splitCol && c != ctx.groupCol && !dropCols.contains(c))
            fieldColumns.append(c);
    // A type override must name a record field of the manifest or a field of the events file.
    for (auto it = o.fieldTypes.begin(); it != o.fieldTypes.end(); ++it) {
        const int col = header.indexOf(it.key());
        if (((col < 0 || !fieldColumns.contains(col)) && !eventHeader.contains(it.key()))
            || dropNames.contains(it.key())) {
            report.addFatal(QStringLiteral("unknown-field"), manifestFile,
                QStringLiteral("--field-type names '%1', which is not a record or event field%2")
                    .arg(it.key(),
                        dropNames.contains(it.key()) ? QStringLiteral(" (it is dropped by --drop-columns)")
                                                     : QString()),
                1, it.key());
            return false;
        }
    }

    ctx.typeOverrides = o.fieldTypes;
    for (const QString &n : idNames)
        if (ctx.typeOverrides.contains(n))
            ctx.typeOverrides.insert(n, FieldType::Categorical); // pseudonyms are categories
    return true;
}

} // namespace lepton::importstage
