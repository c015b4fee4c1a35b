// SPDX-License-Identifier: GPL-3.0-or-later
// The stage that assembles the dataset's cases and their split.
#include "ImportStages.h"

#include "data/ImportContext.h"
#include "data/StratifiedSplit.h"

#include <QFileInfo>
#include <QSet>

#include <algorithm>

namespace lepton::importstage {

using namespace importutil;
using Severity = ImportProblem::Severity;

bool buildDataset(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    ImportReport &report = ctx.report;
    const QString &manifestFile = ctx.manifestFile();
    const std::vector<CsvRow> &rows = ctx.rows;
    const std::vector<char> &accepted = ctx.accepted;
    const std::vector<FieldSpec> &fields = ctx.fields;
    const QStringList &ageNames = ctx.ageNames;
    const bool deid = ctx.deidentify;
    const int idCol = ctx.idCol, labelCol = ctx.labelCol, imageCol = ctx.imageCol, splitCol = ctx.splitCol;
    const QString &imageRoot = ctx.imageRoot;
    const CsvReader &manifest = ctx.manifest;
    DeidentificationSummary &summary = report.deidentification;
    // --- Build the dataset from the accepted rows.
    ImportedDataset &ds = ctx.dataset;
    ds.name = o.name.isEmpty() ? QFileInfo(manifestFile).completeBaseName() : o.name;
    ds.manifestPath = QFileInfo(manifestFile).absoluteFilePath();
    ds.imageRoot = imageRoot;
    ds.manifestHash = manifest.contentHash();
    ds.idColumn = o.idColumn;
    ds.labelColumn = labelCol >= 0 ? o.labelColumn : QString();
    ds.imageColumn = imageCol >= 0 ? o.imageColumn : QString();
    ds.splitColumn = splitCol >= 0 ? o.splitColumn : QString();
    ds.timeColumn = o.timeColumn;
    ds.splitFromManifest = splitCol >= 0;
    ds.splitSeed = o.seed;
    ds.groupColumn = ctx.groupCol >= 0 ? o.groupColumn : QString();
    ds.dicomWindow = o.dicomWindow.text();
    ds.fields = fields;
    QSet<QString> classSet;
    // Ages: numeric columns named "age" (any case) or named by --age-columns.
    std::vector<char> isAge(fields.size(), 0);
    if (deid) {
        for (std::size_t f = 0; f < fields.size(); ++f) {
            if (fields[f].name.compare(QLatin1String("age"), Qt::CaseInsensitive) != 0
                && !ageNames.contains(fields[f].name))
                continue;
            if (fields[f].type != FieldType::Numeric) {
                report.add(problem(Severity::Warning, QStringLiteral("age-not-numeric"), manifestFile, 1,
                    fields[f].name, QString(),
                    QStringLiteral("the age column '%1' is %2, not numeric, so ages over 89 were not grouped; "
                                   "make its values numbers (or set --field-type %1=numeric) and import again")
                        .arg(fields[f].name, fieldTypeName(fields[f].type))));
                continue;
            }
            isAge[f] = 1;
            ctx.ageColumns.append(fields[f].name);
        }
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (!accepted[r])
            continue;
        const CsvRow &row = rows[r];
        ImportedCase c;
        c.caseId = row.fields.at(idCol).trimmed();
        c.label = labelCol >= 0 ? row.fields.at(labelCol).trimmed() : QString();
        if (isMissingValue(c.label))
            c.label.clear();
        c.split = splitCol >= 0 ? row.fields.at(splitCol).trimmed().toLower() : QString();
        c.groupKey = ctx.groupCol >= 0 ? row.fields.at(ctx.groupCol).trimmed() : QString();
        if (isMissingValue(c.groupKey))
            c.groupKey.clear();
        c.line = row.line;
        c.values = std::move(ctx.values[r]);
        if (deid)
            deidentifyValues(fields, isAge, ctx.shiftOfRow[r], c.values, summary, ctx.shiftedColumns, QString());
        ctx.shiftOfCase.push_back(ctx.shiftOfRow[r]);
        if (ctx.jobOfRow[r] >= 0) {
            const ImportImageJob &job = ctx.jobs[static_cast<std::size_t>(ctx.jobOfRow[r])];
            c.imageRef = row.fields.at(imageCol).trimmed();
            c.imagePath = job.path;
            c.imageHash = job.info.sha256;
            c.imageWidth = job.info.width;
            c.imageHeight = job.info.height;
            c.imageChannels = job.info.channels;
            c.imageBits = job.info.bits;
            ++report.imagesDecoded;
        }
        if (!c.label.isEmpty())
            classSet.insert(c.label);
        ctx.caseIndex.insert(c.caseId, static_cast<int>(ds.cases.size()));
        ds.cases.push_back(std::move(c));
    }
    ds.classes = QStringList(classSet.begin(), classSet.end());
    std::sort(ds.classes.begin(), ds.classes.end());
    if (labelCol >= 0 && ds.classes.size() < 2)
        report.add(problem(Severity::Warning, QStringLiteral("one-class"), manifestFile, 0, o.labelColumn, QString(),
            QStringLiteral("fewer than two classes among the labelled cases; a model cannot be trained "
                           "until both classes are present")));

    // --- The split: the manifest's where given, a seeded stratified one for the rest (by group
    // when there are groups: a patient's cases in one split).
    const QStringList mixed = assignStratifiedSplit(ds.cases, o.seed, o.trainFraction, o.valFraction);
    if (ctx.groupCol >= 0) {
        QSet<QString> groups;
        for (const ImportedCase &c : ds.cases)
            if (!c.groupKey.isEmpty())
                groups.insert(c.groupKey);
        report.add(problem(Severity::Info, QStringLiteral("groups"), manifestFile, 0, o.groupColumn, QString(),
            QStringLiteral("%1 cases in %2 groups by '%3'; each group's cases are in one split")
                .arg(ds.cases.size())
                .arg(groups.size())
                .arg(o.groupColumn)));
        for (int i = 0; i < mixed.size() && i < 20; ++i)
            report.add(problem(Severity::Warning, QStringLiteral("group-mixed-labels"), manifestFile, 0, o.groupColumn,
                mixed[i],
                QStringLiteral("the cases of this group carry different labels; the group is split by its "
                               "most frequent label")));
        if (mixed.size() > 20)
            report.add(problem(Severity::Warning, QStringLiteral("group-mixed-labels"), manifestFile, 0, o.groupColumn,
                QString(), QStringLiteral("%1 groups in all carry different labels").arg(mixed.size())));
        // A group split by the manifest's own split column is reported: it leaks between splits.
        QHash<QString, QString> splitOfGroup;
        QSet<QString> leaking;
        for (const ImportedCase &c : ds.cases) {
            if (c.groupKey.isEmpty() || c.split.isEmpty())
                continue;
            auto it = splitOfGroup.find(c.groupKey);
            if (it == splitOfGroup.end())
                splitOfGroup.insert(c.groupKey, c.split);
            else if (it.value() != c.split)
                leaking.insert(c.groupKey);
        }
        if (!leaking.isEmpty())
            report.add(problem(Severity::Warning, QStringLiteral("group-across-splits"), manifestFile, 0, o.splitColumn,
                QString(),
                QStringLiteral("%1 groups have cases in more than one split, as the manifest's split column says; "
                               "leave the split column out to split by group")
                    .arg(leaking.size())));
    }
    return true;
}

} // namespace lepton::importstage
