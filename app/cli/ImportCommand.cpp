// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "data/Deidentifier.h"
#include "store/DatasetRepository.h"
#include "store/DeidentificationKey.h"
#include "store/Study.h"

#include <QFileInfo>
#include <QJsonArray>

namespace lepton::cli {

int importIntoStudy(const QString &studyPath, ImportOptions options, bool json, qint64 *datasetId)
{
    options.progress = stderrProgress();
    options.cancelled = interruptCancel();
    if (options.deidentify.enabled) {
        // The key of an existing study, so the same patient gets the same pseudonym; a new key is
        // stored with the dataset (a fatal import still leaves no file behind).
        std::shared_ptr<Study> existing;
        if (QFileInfo::exists(studyPath)) {
            auto opened = Study::open(studyPath, Study::Mode::ReadWrite);
            if (!opened) {
                printErr(QStringLiteral("lepton import: %1\n").arg(opened.error()));
                return ExitFailure;
            }
            existing = opened.value();
        }
        auto secret = DeidentificationKey::load(existing.get());
        if (!secret) {
            printErr(QStringLiteral("lepton import: %1\n").arg(secret.error()));
            return ExitFailure;
        }
        options.deidentify.secret = secret.value();
    }
    ImportOutcome outcome = Importer::run(options);
    if (outcome.report.hasFatal()) {
        if (json)
            printJson(outcome.report.toJson());
        else
            printErr(outcome.report.toText());
        return interruptRequested() ? ExitFailure : ExitInvalidInput;
    }
    // The study is opened only now: a fatal import problem leaves no file behind.
    auto study = Study::open(studyPath, Study::Mode::CreateOrOpen);
    if (!study) {
        printErr(QStringLiteral("lepton import: %1\n").arg(study.error()));
        return ExitFailure;
    }
    DatasetRepository repo(*study.value());
    // The key and the dataset in one transaction: both are stored, or neither.
    Result<qint64> id = Result<qint64>::failure(QString());
    const Status saved = study.value()->transaction([&](QSqlDatabase &) {
        if (options.deidentify.enabled)
            if (Status s = DeidentificationKey::store(*study.value(), options.deidentify.secret); !s)
                return s;
        id = repo.save(*outcome.dataset, outcome.report);
        return id ? Status() : Status::failure(id.error());
    });
    if (!saved) {
        printErr(QStringLiteral("lepton import: %1\n").arg(saved.error()));
        return ExitFailure;
    }
    if (datasetId)
        *datasetId = id.value();
    if (json) {
        QJsonObject o = outcome.report.toJson();
        o.insert(QStringLiteral("study"), study.value()->path());
        o.insert(QStringLiteral("dataset_id"), id.value());
        printJson(o);
    } else {
        printOut(outcome.report.toText(50));
        printOut(QStringLiteral("Dataset %1 '%2' saved in %3\n")
                     .arg(id.value())
                     .arg(outcome.dataset->name, study.value()->path()));
    }
    return ExitOk;
}

int runImport(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption manifest(
        QStringLiteral("manifest"), QStringLiteral("The manifest CSV (one row per case)."), QStringLiteral("FILE"));
    const QCommandLineOption events(
        QStringLiteral("events"), QStringLiteral("An events CSV (case_id, time, fields)."), QStringLiteral("FILE"));
    const QCommandLineOption imageRoot(QStringLiteral("image-root"),
        QStringLiteral("Folder image paths are relative to (default: the manifest's)."), QStringLiteral("DIR"));
    const QCommandLineOption name(QStringLiteral("name"),
        QStringLiteral("Dataset name (default: the manifest's file name)."), QStringLiteral("NAME"));
    const QCommandLineOption idCol(QStringLiteral("id-col"), QStringLiteral("Case id column (default case_id)."),
        QStringLiteral("COLUMN"), QStringLiteral("case_id"));
    const QCommandLineOption labelCol(QStringLiteral("label-col"), QStringLiteral("Label column (default label)."),
        QStringLiteral("COLUMN"), QStringLiteral("label"));
    const QCommandLineOption imageCol(QStringLiteral("image-col"), QStringLiteral("Image path column (default image)."),
        QStringLiteral("COLUMN"), QStringLiteral("image"));
    const QCommandLineOption splitCol(QStringLiteral("split-col"), QStringLiteral("Split column (default split)."),
        QStringLiteral("COLUMN"), QStringLiteral("split"));
    const QCommandLineOption timeCol(QStringLiteral("time-col"),
        QStringLiteral("Time column of the events (default time)."), QStringLiteral("COLUMN"), QStringLiteral("time"));
    const QCommandLineOption fieldType(QStringLiteral("field-type"),
        QStringLiteral("Set a field's type: NAME=numeric|categorical|boolean|date|text (repeatable)."),
        QStringLiteral("NAME=TYPE"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Seed of the stratified split (default 42)."),
        QStringLiteral("S"), QStringLiteral("42"));
    const QCommandLineOption threads(QStringLiteral("threads"),
        QStringLiteral("Decoding threads (default: all cores)."), QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption outside(
        QStringLiteral("allow-outside-root"), QStringLiteral("Allow image paths that leave the image root."));
    const QCommandLineOption deidentify(QStringLiteral("deidentify"),
        QStringLiteral("De-identify (HIPAA Safe Harbor style, see docs/PRIVACY.md): replace the case id and the "
                       "--id-columns by keyed pseudonyms, shift dates per patient, store ages over 89 as 90. "
                       "The original files are not changed."));
    const QCommandLineOption idColumns(QStringLiteral("id-columns"),
        QStringLiteral("With --deidentify: more identifier columns to replace by pseudonyms, comma-separated "
                       "(e.g. patient_id,mrn); the first names the patient whose dates shift together."),
        QStringLiteral("A,B"));
    const QCommandLineOption dropColumns(QStringLiteral("drop-columns"),
        QStringLiteral("Columns of the manifest or events to leave out; their values are stored nowhere "
                       "(comma-separated)."),
        QStringLiteral("A,B"));
    const QCommandLineOption ageColumns(QStringLiteral("age-columns"),
        QStringLiteral("With --deidentify: numeric age columns besides one named 'age' (comma-separated)."),
        QStringLiteral("A,B"));
    const QCommandLineOption eventsIdCol(QStringLiteral("events-id-col"),
        QStringLiteral("Case id column of the events file (default: the manifest's id column name, else case_id)."),
        QStringLiteral("COLUMN"));
    const QCommandLineOption groupCol(QStringLiteral("group-col"),
        QStringLiteral("A column (or DICOM attribute, e.g. PatientID) whose cases stay in one split: a patient, a "
                       "medical record number."),
        QStringLiteral("COLUMN"));
    const QCommandLineOption dicomFields(QStringLiteral("dicom-fields"),
        QStringLiteral("DICOM attributes to store as record fields, comma-separated keywords (e.g. "
                       "PatientAge,PatientSex,ViewPosition); ages like 063Y become years."),
        QStringLiteral("A,B"));
    const QCommandLineOption dicomWindow(QStringLiteral("dicom-window"),
        QStringLiteral("How DICOM values become grey levels: auto (the file's window or VOI LUT, else the full "
                       "range), full, or CENTER,WIDTH (default auto)."),
        QStringLiteral("MODE"), QStringLiteral("auto"));
    const QCommandLineOption dicomDir(QStringLiteral("dicom-dir"),
        QStringLiteral("A folder of DICOM files to import without a manifest; needs --labels and --join-on."),
        QStringLiteral("DIR"));
    const QCommandLineOption labels(QStringLiteral("labels"),
        QStringLiteral("With --dicom-dir: the labels CSV; its id column (--id-col, default: the --join-on "
                       "attribute's name) holds the join values."),
        QStringLiteral("FILE"));
    const QCommandLineOption joinOn(QStringLiteral("join-on"),
        QStringLiteral("With --dicom-dir: AccessionNumber, StudyInstanceUID, PatientID or SOPInstanceUID."),
        QStringLiteral("ATTRIBUTE"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the report as JSON."));
    for (const auto &o : { manifest, events, imageRoot, name, idCol, labelCol, imageCol, splitCol, timeCol, fieldType,
             seed, threads, outside, deidentify, idColumns, dropColumns, ageColumns, eventsIdCol, groupCol, dicomFields,
             dicomWindow, dicomDir, labels, joinOn, json })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton); created if needed."));
    if (auto code = parseArguments(p, QStringLiteral("import"),
            QStringLiteral("STUDY (--manifest FILE | --dicom-dir DIR --labels FILE --join-on ATTRIBUTE) [options]"),
            QStringLiteral("Validates a manifest, its images and events, and stores them as a dataset. "
                           "Every problem is reported with file, line and column; rows with problems "
                           "are excluded and listed. A fatal problem writes nothing (exit 3)."),
            args, 1, 1))
        return *code;
    ImportOptions o;
    if (p.isSet(dicomDir)) {
        if (p.isSet(manifest))
            return usageError(QStringLiteral("import"),
                QStringLiteral("--dicom-dir imports without a manifest; give the labels with --labels FILE"));
        if (!p.isSet(labels) || !p.isSet(joinOn))
            return usageError(QStringLiteral("import"),
                QStringLiteral("--dicom-dir needs --labels FILE and --join-on "
                               "AccessionNumber|StudyInstanceUID|PatientID|SOPInstanceUID"));
        o.dicomDir = p.value(dicomDir);
        o.dicomJoinOn = p.value(joinOn);
        o.manifestPath = p.value(labels);
    } else {
        if (!p.isSet(manifest))
            return usageError(
                QStringLiteral("import"), QStringLiteral("--manifest FILE (or --dicom-dir DIR) is required"));
        if (p.isSet(labels) || p.isSet(joinOn))
            return usageError(QStringLiteral("import"), QStringLiteral("--labels and --join-on go with --dicom-dir"));
        o.manifestPath = p.value(manifest);
    }
    o.eventsPath = p.value(events);
    o.imageRoot = p.value(imageRoot);
    o.name = p.value(name);
    o.idColumn = p.isSet(dicomDir) && !p.isSet(idCol) ? o.dicomJoinOn : p.value(idCol);
    o.eventsIdColumn = p.value(eventsIdCol);
    o.groupColumn = p.value(groupCol).trimmed();
    {
        auto window = DicomWindow::parse(p.value(dicomWindow));
        if (!window)
            return usageError(QStringLiteral("import"), QStringLiteral("--dicom-window: %1").arg(window.error()));
        o.dicomWindow = window.value();
    }
    o.labelColumn = p.value(labelCol);
    o.labelColumnGiven = p.isSet(labelCol);
    o.imageColumn = p.value(imageCol);
    o.imageColumnGiven = p.isSet(imageCol);
    o.splitColumn = p.value(splitCol);
    o.splitColumnGiven = p.isSet(splitCol);
    o.timeColumn = p.value(timeCol);
    o.allowOutsideRoot = p.isSet(outside);
    bool ok = false;
    o.seed = p.value(seed).toULongLong(&ok);
    if (!ok)
        return usageError(
            QStringLiteral("import"), QStringLiteral("--seed needs a whole number, not '%1'").arg(p.value(seed)));
    o.threads = p.value(threads).toInt(&ok);
    if (!ok || o.threads < 0)
        return usageError(QStringLiteral("import"),
            QStringLiteral("--threads needs a whole number ≥ 0, not '%1'").arg(p.value(threads)));
    auto names = [&](const QCommandLineOption &option) {
        QStringList list;
        for (const QString &value : p.values(option))
            for (const QString &n : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
                if (!n.trimmed().isEmpty())
                    list.append(n.trimmed());
        return list;
    };
    o.dropColumns = names(dropColumns);
    o.dicomFields = names(dicomFields);
    o.deidentify.enabled = p.isSet(deidentify);
    o.deidentify.idColumns = names(idColumns);
    o.deidentify.ageColumns = names(ageColumns);
    for (const QCommandLineOption *option : { &idColumns, &ageColumns })
        if (p.isSet(*option) && !o.deidentify.enabled)
            return usageError(QStringLiteral("import"),
                QStringLiteral("--%1 only applies with --deidentify; add --deidentify").arg(option->names().first()));
    for (const QString &spec : p.values(fieldType)) {
        const qsizetype eq = spec.indexOf(QLatin1Char('='));
        const auto type = eq > 0 ? fieldTypeFromName(spec.mid(eq + 1)) : std::nullopt;
        if (!type)
            return usageError(QStringLiteral("import"),
                QStringLiteral("--field-type '%1' must be NAME=numeric|categorical|boolean|date|text").arg(spec));
        o.fieldTypes.insert(spec.left(eq), *type);
    }
    return importIntoStudy(p.positionalArguments().first(), o, p.isSet(json), nullptr);
}

} // namespace lepton::cli
