// SPDX-License-Identifier: GPL-3.0-or-later
// The stages that bring DICOM attributes in as record fields (addDicomFields) and that import a
// folder of DICOM files joined to a labels file instead of a manifest (readDicomFolder).
#include "ImportStages.h"

#include "data/Dicom.h"
#include "data/FieldType.h"
#include "data/ImportContext.h"
#include "util/ParallelFor.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <atomic>

namespace lepton::importstage {

using namespace importutil;
using Severity = ImportProblem::Severity;

namespace {

struct AttributeJob
{
    QString path;
    QMap<QString, QString> values;
    QString error;
    bool dicom = false;
};

bool isDicomFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    return DicomReader::looksLikeDicom(f.read(132), path);
}

/// Reads `keywords` from every job's file on all cores; files that are not DICOM are marked so.
void readAttributes(ImportContext &ctx, std::vector<AttributeJob> &jobs, const QStringList &keywords)
{
    std::atomic<int> done { 0 };
    const int total = int(jobs.size());
    parallelFor(
        jobs.size(), ctx.options.threads,
        [&](std::size_t j) {
            AttributeJob &job = jobs[j];
            job.dicom = isDicomFile(job.path);
            if (job.dicom) {
                auto a = DicomReader::attributes(job.path, keywords);
                if (a)
                    job.values = a.take();
                else
                    job.error = a.error();
            }
            const int d = ++done;
            if (d % 64 == 0 || d == total)
                ctx.progress(d, total, QStringLiteral("Reading DICOM attributes"));
        },
        ctx.options.cancelled);
}

/// Checks the keywords of --dicom-fields; with de-identification, refuses those it must remove
/// and records which are pseudonymised or grouped. False after a fatal problem.
bool checkKeywords(ImportContext &ctx, const QStringList &keywords, const QString &file)
{
    for (const QString &k : keywords) {
        if (!DicomReader::isKeyword(k)) {
            ctx.report.addFatal(QStringLiteral("dicom-keyword"), file,
                QStringLiteral("--dicom-fields names '%1', which is not a DICOM attribute keyword (for example "
                               "PatientAge, PatientSex, ViewPosition; the case matters)")
                    .arg(k));
            return false;
        }
        if (!ctx.deidentify)
            continue;
        switch (dicomPhiKind(k)) {
        case DicomPhi::Remove:
            ctx.report.addFatal(QStringLiteral("dicom-phi"), file,
                QStringLiteral("--dicom-fields names %1, which de-identification removes (PS3.15 Annex E basic "
                               "profile: names, addresses, birth dates, institutions, free text); leave it out")
                    .arg(k));
            return false;
        case DicomPhi::Identifier:
            ctx.dicomIdNames.append(k);
            break;
        case DicomPhi::Age:
            ctx.dicomAgeNames.append(k);
            break;
        case DicomPhi::Date: // typed as a date and moved with the patient's shift like any date
        case DicomPhi::None:
            break;
        }
    }
    return true;
}

QStringList withoutDuplicates(const QStringList &names)
{
    QStringList out;
    for (const QString &n : names)
        if (!n.trimmed().isEmpty() && !out.contains(n.trimmed()))
            out.append(n.trimmed());
    return out;
}

} // namespace

bool addDicomFields(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    if (!o.dicomDir.isEmpty() || ctx.useSourceRows)
        return true; // readDicomFolder read them with the files
    QStringList keywords = withoutDuplicates(o.dicomFields);
    if (!o.groupColumn.isEmpty() && !ctx.header.contains(o.groupColumn) && DicomReader::isKeyword(o.groupColumn)
        && !keywords.contains(o.groupColumn))
        keywords.append(o.groupColumn); // a group named by its DICOM attribute (PatientID)
    if (keywords.isEmpty())
        return true;
    const QString &file = ctx.manifestFile();
    if (ctx.imageCol < 0) {
        ctx.report.addFatal(QStringLiteral("dicom-fields-no-images"), file,
            QStringLiteral("--dicom-fields needs an image column to read the attributes from"), 1);
        return false;
    }
    if (!checkKeywords(ctx, keywords, file))
        return false;
    for (const QString &k : keywords)
        if (ctx.header.contains(k)) {
            ctx.report.addFatal(QStringLiteral("duplicate-column"), file,
                QStringLiteral("--dicom-fields names %1, which the manifest already has as a column; rename the "
                               "column or leave the attribute out")
                    .arg(k),
                1, k);
            return false;
        }
    const QString root = QDir::cleanPath(
        QFileInfo(o.imageRoot.isEmpty() ? QFileInfo(file).absolutePath() : o.imageRoot).absoluteFilePath());
    ctx.sourceRows = ctx.manifest.rows();
    std::vector<AttributeJob> jobs;
    std::vector<int> jobOfRow(ctx.sourceRows.size(), -1);
    for (std::size_t r = 0; r < ctx.sourceRows.size(); ++r) {
        const QStringList &f = ctx.sourceRows[r].fields;
        if (ctx.imageCol >= f.size() || isMissingValue(f.at(ctx.imageCol).trimmed()))
            continue;
        jobOfRow[r] = int(jobs.size());
        jobs.push_back({ QDir::cleanPath(QDir(root).absoluteFilePath(f.at(ctx.imageCol).trimmed())), {}, {}, false });
    }
    readAttributes(ctx, jobs, keywords);
    if (ctx.stopIfCancelled())
        return false;
    for (std::size_t r = 0; r < ctx.sourceRows.size(); ++r) {
        QStringList &f = ctx.sourceRows[r].fields;
        const AttributeJob *job = jobOfRow[r] >= 0 ? &jobs[std::size_t(jobOfRow[r])] : nullptr;
        // A row that is not DICOM (or whose file cannot be read: the image stage says why) gets
        // missing values; a ragged row stays ragged.
        if (f.size() != ctx.header.size())
            continue;
        for (const QString &k : keywords)
            f.append(job && job->error.isEmpty() ? dicomFieldText(k, job->values.value(k)) : QString());
    }
    ctx.header.append(keywords);
    ctx.useSourceRows = true;
    return true;
}

bool readDicomFolder(ImportContext &ctx)
{
    const ImportOptions &o = ctx.options;
    ImportReport &report = ctx.report;
    const QString &labelsFile = ctx.manifestFile();
    const QString folder = QDir::cleanPath(QFileInfo(o.dicomDir).absoluteFilePath());
    if (!QFileInfo(folder).isDir()) {
        report.addFatal(QStringLiteral("dicom-dir-missing"), o.dicomDir,
            QStringLiteral("the DICOM folder does not exist; check the path given to --dicom-dir"));
        return false;
    }
    static const QStringList joins = { QStringLiteral("AccessionNumber"), QStringLiteral("StudyInstanceUID"),
        QStringLiteral("PatientID"), QStringLiteral("SOPInstanceUID") };
    if (!joins.contains(o.dicomJoinOn)) {
        report.addFatal(QStringLiteral("dicom-join"), labelsFile,
            QStringLiteral("--join-on must be one of %1 (got '%2')")
                .arg(joins.join(QStringLiteral(", ")), o.dicomJoinOn));
        return false;
    }
    // The labels file: its id column holds the join attribute's values.
    ctx.progress(0, 0, QStringLiteral("Reading labels"));
    CsvReader &labels = ctx.manifest;
    if (!labels.readFile(labelsFile)) {
        report.addFatal(QStringLiteral("manifest-unreadable"), labelsFile, labels.errorString());
        return false;
    }
    QStringList header = labels.header();
    const int idCol = header.indexOf(o.idColumn);
    if (idCol < 0) {
        report.addFatal(QStringLiteral("no-id-column"), labelsFile,
            QStringLiteral("no id column '%1' in the labels file (columns: %2); name the column that holds the %3 "
                           "values with --id-col")
                .arg(o.idColumn, header.join(QStringLiteral(", ")), o.dicomJoinOn),
            1);
        return false;
    }
    QHash<QString, int> labelRowOf;
    const std::vector<CsvRow> &labelRows = labels.rows();
    for (std::size_t r = 0; r < labelRows.size(); ++r) {
        if (labelRows[r].fields.size() != header.size())
            continue;
        const QString key = labelRows[r].fields.at(idCol).trimmed();
        if (key.isEmpty())
            continue;
        if (labelRowOf.contains(key)) {
            report.add(problem(Severity::Warning, QStringLiteral("duplicate-label"), labelsFile, labelRows[r].line,
                o.idColumn, ctx.deidentify ? QString() : key,
                QStringLiteral("the same %1 appears again; the first row's label is used").arg(o.dicomJoinOn)));
            continue;
        }
        labelRowOf.insert(key, int(r));
    }
    // The files: every file under the folder that is DICOM (by its mark or its .dcm name).
    ctx.progress(0, 0, QStringLiteral("Finding DICOM files"));
    std::vector<AttributeJob> jobs;
    {
        QStringList paths;
        QDirIterator it(folder, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext())
            paths.append(it.next());
        std::sort(paths.begin(), paths.end());
        for (const QString &p : paths)
            jobs.push_back({ p, {}, {}, false });
    }
    QStringList keywords = withoutDuplicates(o.dicomFields);
    if (!o.groupColumn.isEmpty() && !header.contains(o.groupColumn) && !keywords.contains(o.groupColumn)
        && DicomReader::isKeyword(o.groupColumn))
        keywords.append(o.groupColumn);
    if (!checkKeywords(ctx, keywords, labelsFile))
        return false;
    QStringList read = keywords;
    read.prepend(o.dicomJoinOn);
    readAttributes(ctx, jobs, read);
    if (ctx.stopIfCancelled())
        return false;
    // The rows: one per DICOM file, its labels row's values (if its key has one) and its attributes.
    const QString imageName = header.contains(o.imageColumn) ? QStringLiteral("dicom_file") : o.imageColumn;
    for (const QString &k : keywords)
        if (header.contains(k)) {
            report.addFatal(QStringLiteral("duplicate-column"), labelsFile,
                QStringLiteral("--dicom-fields names %1, which the labels file already has as a column").arg(k), 1, k);
            return false;
        }
    header.append(imageName);
    header.append(keywords);
    QHash<QString, int> filesOfKey;
    QSet<int> usedLabelRows;
    int notDicom = 0;
    for (const AttributeJob &job : jobs) {
        const QString relative = QDir(folder).relativeFilePath(job.path);
        if (!job.dicom) {
            ++notDicom;
            continue;
        }
        if (!job.error.isEmpty()) {
            report.add(problem(
                Severity::Excluded, QStringLiteral("image-undecodable"), job.path, 0, imageName, QString(), job.error));
            continue;
        }
        const QString key = job.values.value(o.dicomJoinOn).trimmed();
        if (key.isEmpty()) {
            report.add(
                problem(Severity::Excluded, QStringLiteral("dicom-no-key"), job.path, 0, o.dicomJoinOn, QString(),
                    QStringLiteral("has no %1, so it cannot be joined to a label; choose another --join-on")
                        .arg(o.dicomJoinOn)));
            continue;
        }
        const int n = ++filesOfKey[key];
        CsvRow row;
        const int labelRow = labelRowOf.value(key, -1);
        if (labelRow >= 0) {
            row = labelRows[std::size_t(labelRow)];
            usedLabelRows.insert(labelRow);
        } else {
            row.line = 0;
            for (int c = 0; c < labels.header().size(); ++c)
                row.fields.append(QString());
        }
        // Several files with one key (several images of an accession): each is a case, the
        // second and later with "#n" after the key.
        row.fields[idCol] = n == 1 ? key : QStringLiteral("%1#%2").arg(key).arg(n);
        row.fields.append(relative);
        for (const QString &k : keywords)
            row.fields.append(dicomFieldText(k, job.values.value(k)));
        ctx.sourceRows.push_back(std::move(row));
    }
    if (notDicom > 0)
        report.add(problem(Severity::Info, QStringLiteral("dicom-skipped"), folder, 0, QString(), QString(),
            QStringLiteral("%1 files in the folder are not DICOM and were skipped").arg(notDicom)));
    int unmatched = 0;
    for (auto it = labelRowOf.cbegin(); it != labelRowOf.cend(); ++it)
        if (!usedLabelRows.contains(it.value()) && ++unmatched <= 20)
            report.add(problem(Severity::Warning, QStringLiteral("label-without-image"), labelsFile,
                labelRows[std::size_t(it.value())].line, o.idColumn, ctx.deidentify ? QString() : it.key(),
                QStringLiteral("no DICOM file in %1 has this %2").arg(folder, o.dicomJoinOn)));
    if (unmatched > 20)
        report.add(problem(Severity::Warning, QStringLiteral("label-without-image"), labelsFile, 0, o.idColumn,
            QString(), QStringLiteral("%1 label rows in all have no DICOM file").arg(unmatched)));
    if (ctx.sourceRows.empty()) {
        report.addFatal(QStringLiteral("no-dicom"), folder,
            QStringLiteral("no readable DICOM file in the folder (%1 files were not DICOM)").arg(notDicom));
        return false;
    }
    ctx.header = header;
    ctx.useSourceRows = true;
    ctx.imageRootOverride = folder;
    ctx.idCol = idCol;
    ctx.imageCol = header.indexOf(imageName);
    ctx.labelCol = header.indexOf(o.labelColumn);
    ctx.splitCol = header.indexOf(o.splitColumn);
    if (ctx.labelCol < 0 && o.labelColumnGiven) {
        report.addFatal(QStringLiteral("missing-column"), labelsFile,
            QStringLiteral("no column '%1' as named by --label-col (columns: %2)")
                .arg(o.labelColumn, labels.header().join(QStringLiteral(", "))),
            1, o.labelColumn);
        return false;
    }
    if (!o.groupColumn.isEmpty()) {
        ctx.groupCol = header.indexOf(o.groupColumn);
        if (ctx.groupCol < 0) {
            report.addFatal(QStringLiteral("missing-column"), labelsFile,
                QStringLiteral("no column or DICOM attribute '%1' as named by --group-col").arg(o.groupColumn), 1,
                o.groupColumn);
            return false;
        }
    }
    if (!o.eventsPath.isEmpty()) {
        CsvReader peek;
        if (peek.readFile(o.eventsPath))
            ctx.eventHeader = peek.header();
    }
    return true;
}

} // namespace lepton::importstage
