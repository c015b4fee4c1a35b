// SPDX-License-Identifier: GPL-3.0-or-later
#include "Importer.h"

#include "data/CsvReader.h"
#include "data/Deidentifier.h"
#include "data/ImageDecoder.h"
#include "data/StratifiedSplit.h"
#include "util/ParallelFor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <map>
#include <utility>

namespace lepton {
namespace {

using Severity = ImportProblem::Severity;

ImportProblem problem(Severity severity, const QString &kind, const QString &file, int line, const QString &column,
    const QString &caseId, const QString &reason)
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

/// Works out the record fields (every column without a role), their types and categories,
/// from the values of the rows still accepted.
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

/// Parses the field columns of one row. Returns false (and reports) on the first unparsable value.
/// With `quoteValues` off (de-identifying), the message locates the value but does not repeat it.
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
        if (fields[f].type == FieldType::Categorical)
            continue;
        const auto number = parseAs(fields[f].type, raw);
        if (!number) {
            report.add(problem(Severity::Excluded, QStringLiteral("unparsable-value"), file, row.line, fields[f].name,
                caseId,
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

/// What de-identification does to the parsed values of one row: dates move by `shift` days,
/// ages above 89 become 90. Counts what it changed into `summary`.
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

/// The columns among `names` in `header`, as indices.
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

bool fatalIfCancelled(const ImportOptions &o, ImportReport &report)
{
    if (o.cancelled && o.cancelled()) {
        report.addFatal(QStringLiteral("cancelled"), o.manifestPath,
            QStringLiteral("the import was cancelled; nothing was written"));
        return true;
    }
    return false;
}

} // namespace

ImportOutcome Importer::run(const ImportOptions &o)
{
    QElapsedTimer clock;
    clock.start();
    ImportOutcome out;
    ImportReport &report = out.report;
    const QString manifestFile = o.manifestPath;
    auto progress = [&](qint64 done, qint64 total, const QString &stage) {
        if (o.progress)
            o.progress(done, total, stage);
    };

    // --- The manifest: read, check the columns.
    progress(0, 0, QStringLiteral("Reading manifest"));
    CsvReader manifest;
    if (!manifest.readFile(manifestFile)) {
        report.addFatal(QStringLiteral("manifest-unreadable"), manifestFile, manifest.errorString());
        return out;
    }
    for (const QString &w : manifest.warnings())
        report.add(problem(Severity::Warning, QStringLiteral("csv-syntax"), manifestFile, 0, QString(), QString(), w));
    const QStringList &header = manifest.header();
    {
        QSet<QString> seen;
        for (const QString &name : header) {
            if (seen.contains(name)) {
                report.addFatal(QStringLiteral("duplicate-column"), manifestFile,
                    QStringLiteral("column '%1' appears twice in the header; rename one").arg(name), 1, name);
                return out;
            }
            seen.insert(name);
        }
    }
    const int idCol = header.indexOf(o.idColumn);
    if (idCol < 0) {
        report.addFatal(QStringLiteral("no-id-column"), manifestFile,
            QStringLiteral("no id column '%1' (columns: %2); name it with --id-col")
                .arg(o.idColumn, header.join(QStringLiteral(", "))),
            1);
        return out;
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
    const int labelCol = roleColumn(o.labelColumn, o.labelColumnGiven, QStringLiteral("--label-col"));
    const int imageCol = roleColumn(o.imageColumn, o.imageColumnGiven, QStringLiteral("--image-col"));
    const int splitCol = roleColumn(o.splitColumn, o.splitColumnGiven, QStringLiteral("--split-col"));
    if (report.hasFatal())
        return out;
    if (labelCol < 0)
        report.add(
            problem(Severity::Warning, QStringLiteral("no-label-column"), manifestFile, 1, o.labelColumn, QString(),
                QStringLiteral("no label column '%1': every case is unlabelled and can only be predicted; "
                               "name the label column with --label-col")
                    .arg(o.labelColumn)));
    QStringList eventHeader;
    if (!o.eventsPath.isEmpty()) {
        CsvReader peek;
        if (peek.readFile(o.eventsPath))
            eventHeader = peek.header();
    }

    // --- De-identification and dropped columns: every name must be a column; role columns stay.
    const bool deid = o.deidentify.enabled;
    const Deidentifier deidentifier(o.deidentify.secret);
    if (deid && !deidentifier.isValid()) {
        report.addFatal(QStringLiteral("deidentify-key"), manifestFile,
            QStringLiteral("de-identification needs the study's %1-byte key (DeidentificationKey::load); "
                           "this is a bug in the caller, please report it")
                .arg(Deidentifier::SecretBytes));
        return out;
    }
    auto trimmedNames = [](const QStringList &names) {
        QStringList list;
        for (const QString &n : names)
            if (!n.trimmed().isEmpty() && !list.contains(n.trimmed()))
                list.append(n.trimmed());
        return list;
    };
    const QStringList dropNames = trimmedNames(o.dropColumns);
    QStringList idNames = deid ? trimmedNames(o.deidentify.idColumns) : QStringList();
    idNames.removeAll(o.idColumn);
    for (const QString &n : dropNames)
        idNames.removeAll(n); // a dropped column is stored nowhere, so it needs no pseudonym
    const QStringList ageNames = deid ? trimmedNames(o.deidentify.ageColumns) : QStringList();
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
                return out;
            }
            const QString role = roleOf(n);
            if (!role.isEmpty() && option != QLatin1String("--age-columns")) {
                report.addFatal(QStringLiteral("role-column"), manifestFile,
                    QStringLiteral("%1 names '%2', which is %3").arg(option, n, role), 1, n);
                return out;
            }
        }
    }
    const QList<int> dropCols = columnsOf(header, dropNames);
    const QList<int> idFieldCols = columnsOf(header, idNames);

    QList<int> fieldColumns;
    for (int c = 0; c < header.size(); ++c)
        if (c != idCol && c != labelCol && c != imageCol && c != splitCol && !dropCols.contains(c))
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
            return out;
        }
    }

    QMap<QString, FieldType> typeOverrides = o.fieldTypes;
    for (const QString &n : idNames)
        if (typeOverrides.contains(n))
            typeOverrides.insert(n, FieldType::Categorical); // pseudonyms are categories

    // --- Rows: de-identified before anything reads them, so that no problem quotes an identifier.
    // (A copy: the rows' strings are shared until a field is replaced.)
    std::vector<CsvRow> rows = manifest.rows();
    report.rowsRead = static_cast<int>(rows.size());
    DeidentificationSummary &summary = report.deidentification;
    summary.applied = deid;
    std::vector<int> shiftOfRow(rows.size(), 0);
    int firstImageLineWithId = 0;
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
            shiftOfRow[r] = patient.isEmpty() ? 0 : deidentifier.dayShift(patient);
            if (imageCol >= 0 && !isMissingValue(f.at(imageCol))) {
                bool carries = pathContainsIdentifier(f.at(imageCol), id);
                for (int c : idFieldCols)
                    carries = carries || pathContainsIdentifier(f.at(imageCol), f.at(c).trimmed());
                if (carries) {
                    ++summary.imagePathsWithIdentifiers;
                    if (firstImageLineWithId == 0)
                        firstImageLineWithId = rows[r].line;
                }
            }
            if (!id.isEmpty()) {
                f[idCol] = deidentifier.pseudonym(id);
                ++summary.identifiersReplaced;
            }
            for (int c : idFieldCols) {
                if (!isMissingValue(f.at(c))) {
                    f[c] = deidentifier.pseudonym(f.at(c).trimmed());
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
    std::vector<char> accepted(rows.size(), 1);
    QHash<QString, int> firstLineOfId;
    auto exclude
        = [&](std::size_t r, const QString &kind, const QString &column, const QString &caseId, const QString &reason) {
              accepted[r] = 0;
              report.add(problem(Severity::Excluded, kind, manifestFile, rows[r].line, column, caseId, reason));
          };
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const CsvRow &row = rows[r];
        if (row.fields.size() != header.size()) {
            exclude(r, QStringLiteral("ragged-row"), QString(), QString(),
                QStringLiteral("has %1 fields but the header has %2; check commas and quotes on this line")
                    .arg(manifest.rows()[r].fields.size())
                    .arg(header.size()));
            continue;
        }
        const QString id = row.fields.at(idCol).trimmed();
        if (id.isEmpty()) {
            exclude(r, QStringLiteral("missing-id"), o.idColumn, QString(),
                QStringLiteral("the case id is empty; give every case a unique id"));
            continue;
        }
        if (firstLineOfId.contains(id)) {
            exclude(r, QStringLiteral("duplicate-id"), o.idColumn, id,
                QStringLiteral("duplicate case id, first seen on line %1; ids must be unique")
                    .arg(firstLineOfId.value(id)));
            continue;
        }
        firstLineOfId.insert(id, row.line);
        if (splitCol >= 0) {
            const QString s = row.fields.at(splitCol).trimmed().toLower();
            if (!s.isEmpty() && s != QLatin1String("train") && s != QLatin1String("val")
                && s != QLatin1String("test")) {
                exclude(r, QStringLiteral("invalid-split"), o.splitColumn, id,
                    QStringLiteral("split '%1' is not train, val or test (or empty)")
                        .arg(shortValue(row.fields.at(splitCol))));
                continue;
            }
        }
    }

    // --- Types, then values.
    const std::vector<FieldSpec> fields = inferFields(header, fieldColumns, rows, accepted, typeOverrides);
    std::vector<std::vector<FieldValue>> values(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (!accepted[r])
            continue;
        const QString id = rows[r].fields.at(idCol).trimmed();
        if (!parseValues(rows[r], fieldColumns, fields, manifestFile, id, values[r], report, !deid))
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
                exclude(r, QStringLiteral("rare-class"), o.labelColumn, rows[r].fields.at(idCol).trimmed(),
                    QStringLiteral("class '%1' has only %2 case(s), fewer than the %3 needed to train, validate "
                                   "and test; add cases or merge the class")
                        .arg(shortValue(label))
                        .arg(perClass[label])
                        .arg(o.minClassCases));
        }
    }
    if (fatalIfCancelled(o, report))
        return out;

    // --- Images: resolve inside the root, then hash and decode on all cores.
    const QString imageRoot = QDir::cleanPath(
        QFileInfo(o.imageRoot.isEmpty() ? QFileInfo(manifestFile).absolutePath() : o.imageRoot).absoluteFilePath());
    const QString canonicalRoot = QFileInfo(imageRoot).canonicalFilePath();
    struct ImageJob
    {
        std::size_t row;
        QString path;
        ImageInfo info;
        QString error;
        QString kind;
    };
    std::vector<ImageJob> jobs;
    if (imageCol >= 0) {
        if (canonicalRoot.isEmpty()) {
            report.addFatal(QStringLiteral("image-root-missing"), imageRoot,
                QStringLiteral("the image root folder does not exist; set it with --image-root"));
            return out;
        }
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (!accepted[r])
                continue;
            const QString ref = rows[r].fields.at(imageCol).trimmed();
            if (isMissingValue(ref))
                continue;
            const QString id = rows[r].fields.at(idCol).trimmed();
            const QString path = QDir::cleanPath(QDir(imageRoot).absoluteFilePath(ref));
            const bool lexicallyInside = path.startsWith(imageRoot + QLatin1Char('/'));
            if (!o.allowOutsideRoot && !lexicallyInside) {
                exclude(r, QStringLiteral("image-outside-root"), o.imageColumn, id,
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
            ImageJob &job = jobs[j];
            const QFileInfo fi(job.path);
            if (!fi.exists()) {
                job.kind = QStringLiteral("image-missing");
                job.error = QStringLiteral("image file %1 not found; check the path or --image-root").arg(job.path);
            } else if (!o.allowOutsideRoot && !fi.canonicalFilePath().startsWith(canonicalRoot + QLatin1Char('/'))) {
                job.kind = QStringLiteral("image-outside-root");
                job.error
                    = QStringLiteral("image %1 is a link that leaves the image root; copy the image under the root "
                                     "or allow it explicitly")
                          .arg(job.path);
            } else {
                ImageDecodeLimits limits;
                limits.maxPixels = o.maxImagePixels;
                limits.minSide = o.minImageSide;
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
                progress(d, total, QStringLiteral("Decoding images"));
        },
        o.cancelled);
    if (fatalIfCancelled(o, report))
        return out;
    std::vector<int> jobOfRow(rows.size(), -1);
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        const ImageJob &job = jobs[j];
        if (!job.error.isEmpty())
            exclude(job.row, job.kind, o.imageColumn, rows[job.row].fields.at(idCol).trimmed(), job.error);
        else
            jobOfRow[job.row] = static_cast<int>(j);
    }

    // --- Build the dataset from the accepted rows.
    ImportedDataset ds;
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
    ds.fields = fields;
    QHash<QString, int> caseIndex;
    QHash<QString, QString> excludedIds; // id -> why, for events of excluded cases
    for (const ImportProblem &p : report.problems())
        if (p.severity == Severity::Excluded && !p.caseId.isEmpty())
            excludedIds.insert(p.caseId, p.kind);
    QSet<QString> classSet;
    // Ages: numeric columns named "age" (any case) or named by --age-columns.
    std::vector<char> isAge(fields.size(), 0);
    QSet<QString> shiftedColumns;
    QStringList ageColumns;
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
            ageColumns.append(fields[f].name);
        }
    }
    std::vector<int> shiftOfCase;
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
        c.line = row.line;
        c.values = std::move(values[r]);
        if (deid)
            deidentifyValues(fields, isAge, shiftOfRow[r], c.values, summary, shiftedColumns, QString());
        shiftOfCase.push_back(shiftOfRow[r]);
        if (jobOfRow[r] >= 0) {
            const ImageJob &job = jobs[static_cast<std::size_t>(jobOfRow[r])];
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
        caseIndex.insert(c.caseId, static_cast<int>(ds.cases.size()));
        ds.cases.push_back(std::move(c));
    }
    ds.classes = QStringList(classSet.begin(), classSet.end());
    std::sort(ds.classes.begin(), ds.classes.end());
    if (labelCol >= 0 && ds.classes.size() < 2)
        report.add(problem(Severity::Warning, QStringLiteral("one-class"), manifestFile, 0, o.labelColumn, QString(),
            QStringLiteral("fewer than two classes among the labelled cases; a model cannot be trained "
                           "until both classes are present")));

    // --- The split: the manifest's where given, a seeded stratified one for the rest.
    assignStratifiedSplit(ds.cases, o.seed, o.trainFraction, o.valFraction);

    // --- Events.
    if (!o.eventsPath.isEmpty()) {
        progress(0, 0, QStringLiteral("Reading events"));
        const QString eventsFile = o.eventsPath;
        CsvReader events;
        if (!events.readFile(eventsFile)) {
            report.addFatal(QStringLiteral("events-unreadable"), eventsFile, events.errorString());
            return out;
        }
        const QStringList &eh = events.header();
        const int eId = eh.indexOf(o.idColumn);
        const QList<int> eDropCols = columnsOf(eh, dropNames);
        const QList<int> eIdCols = columnsOf(eh, idNames);
        const int eTime = eh.indexOf(o.timeColumn);
        if (eId < 0 || eTime < 0) {
            report.addFatal(QStringLiteral("events-columns"), eventsFile,
                QStringLiteral("the events file needs columns '%1' and '%2' (columns: %3)")
                    .arg(o.idColumn, o.timeColumn, eh.join(QStringLiteral(", "))),
                1);
            return out;
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
                    f[eId] = deidentifier.pseudonym(f.at(eId).trimmed());
                    ++summary.identifiersReplaced;
                }
                for (int c : eIdCols) {
                    if (!isMissingValue(f.at(c))) {
                        f[c] = deidentifier.pseudonym(f.at(c).trimmed());
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
            if (!caseIndex.contains(id)) {
                excludeEvent(r, QStringLiteral("unknown-case"), o.idColumn, id,
                    excludedIds.contains(id)
                        ? QStringLiteral("event of a case excluded from the manifest (%1)").arg(excludedIds.value(id))
                        : QStringLiteral("event for a case that is not in the manifest; check the id"));
            }
        }
        ds.eventsPath = QFileInfo(eventsFile).absoluteFilePath();
        ds.eventsHash = events.contentHash();
        ds.eventFields = inferFields(eh, eventColumns, erows, eAccepted, typeOverrides);
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
            ev.caseIndex = caseIndex.value(id);
            ev.time = *t;
            ev.timeText = timeText;
            ev.line = row.line;
            if (!parseValues(row, eventColumns, ds.eventFields, eventsFile, id, ev.values, report, !deid))
                continue;
            if (deid) {
                // Dates move with the case's patient; numeric times are relative and stay.
                const int shift = shiftOfCase[static_cast<std::size_t>(ev.caseIndex)];
                if (isDate && shift != 0) {
                    ev.time += shift;
                    ev.timeText = Deidentifier::shiftIsoText(timeText, shift);
                    ++summary.datesShifted;
                    shiftedColumns.insert(eventPrefix + o.timeColumn);
                }
                deidentifyValues(ds.eventFields, eIsAge, shift, ev.values, summary, shiftedColumns, eventPrefix);
            }
            ds.events.push_back(std::move(ev));
        }
        report.eventsImported = static_cast<int>(ds.events.size());
    }

    // --- What de-identification changed, for the report (names and counts, never values).
    summary.droppedColumns = dropNames;
    if (!dropNames.isEmpty())
        report.add(problem(Severity::Info, QStringLiteral("deidentified"), manifestFile, 0,
            dropNames.join(QStringLiteral(", ")), QString(),
            QStringLiteral("Columns dropped, stored nowhere in the study: %1.")
                .arg(dropNames.join(QStringLiteral(", ")))));
    if (deid) {
        summary.identifierColumns = QStringList { o.idColumn } + idNames;
        summary.dateColumns = QStringList(shiftedColumns.begin(), shiftedColumns.end());
        std::sort(summary.dateColumns.begin(), summary.dateColumns.end());
        summary.ageColumns = ageColumns;
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
        info(ageColumns,
            ageColumns.isEmpty() ? QStringLiteral("Ages: no numeric column named age (or given by --age-columns).")
                                 : QStringLiteral("Ages over 89 stored as 90, which means \"90 or older\": %1 "
                                                  "(%2 values).")
                                       .arg(ageColumns.join(QStringLiteral(", ")))
                                       .arg(summary.agesGrouped));
        if (imageCol >= 0)
            info({ o.imageColumn },
                QStringLiteral("Image paths are stored as written so that the images can be found; the image files, "
                               "their names and their pixels (burned-in text, DICOM headers) are not de-identified."));
        info({},
            QStringLiteral("Not covered: free text in other columns is not scrubbed; check categorical fields "
                           "for names, addresses and notes, and drop such columns."));
        if (summary.imagePathsWithIdentifiers > 0)
            report.add(problem(Severity::Warning, QStringLiteral("image-path-identifier"), manifestFile,
                firstImageLineWithId, o.imageColumn, QString(),
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

    report.casesImported = static_cast<int>(ds.cases.size());
    report.casesExcluded = report.rowsRead - report.casesImported;
    report.seconds = clock.elapsed() / 1000.0;
    if (ds.cases.empty()) {
        report.addFatal(QStringLiteral("no-cases"), manifestFile,
            QStringLiteral("no case could be imported; fix the problems listed above"));
        return out;
    }
    if (fatalIfCancelled(o, report))
        return out;
    out.dataset = std::move(ds);
    return out;
}

} // namespace lepton
