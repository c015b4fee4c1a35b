// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/Deidentifier.h"
#include "data/DicomWindow.h"
#include "data/FieldType.h"
#include "data/ImportReport.h"
#include "data/ImportedDataset.h"
#include "util/Progress.h"

#include <QMap>
#include <QString>

#include <optional>

namespace lepton {

/// What to import and how to read it. Column names default to the manifest format's
/// (README, "Input formats"); the stages that use them are in data/ImportStages.h.
struct ImportOptions
{
    QString manifestPath;
    QString eventsPath; ///< optional
    QString imageRoot; ///< default: the manifest's folder
    QString name; ///< dataset name; default: the manifest's base name
    QString idColumn = QStringLiteral("case_id");
    QString labelColumn = QStringLiteral("label");
    QString imageColumn = QStringLiteral("image");
    QString splitColumn = QStringLiteral("split");
    QString timeColumn = QStringLiteral("time");
    /// The events file's case id column; empty: the manifest's id column name, else "case_id".
    QString eventsIdColumn;
    /// A column whose cases stay together in one split (a patient, a record number); empty: none.
    QString groupColumn;
    /// DICOM attributes read from each DICOM image and stored as record fields (PatientAge, …).
    QStringList dicomFields;
    /// How DICOM values become grey levels; stored with the dataset and used for training.
    DicomWindow dicomWindow;
    /// A folder of DICOM files to import without a manifest: each file is a case, joined to the
    /// labels file (manifestPath) by the attribute `dicomJoinOn`, whose value must be in the
    /// labels file's id column.
    QString dicomDir;
    QString dicomJoinOn; ///< AccessionNumber, StudyInstanceUID, PatientID or SOPInstanceUID
    bool labelColumnGiven = false; ///< the user named it: its absence is fatal, not a warning
    bool imageColumnGiven = false;
    bool splitColumnGiven = false;
    QMap<QString, FieldType> fieldTypes; ///< overrides of inferred types, by field name
    /// Columns of the manifest or the events file that are read past and stored nowhere (not as
    /// fields, values, report rows or messages). Role columns (case id, label, …) cannot be dropped.
    QStringList dropColumns;
    DeidentifyOptions deidentify; ///< pseudonyms, date shifts and age groups; see docs/PRIVACY.md
    quint64 seed = 42; ///< seed of the stratified split
    double trainFraction = 0.70;
    double valFraction = 0.15;
    int minClassCases = 3; ///< a class with fewer labelled cases is excluded (cannot be split)
    bool allowOutsideRoot = false; ///< allow image paths that leave the image root
    qint64 maxImagePixels = 100'000'000;
    int minImageSide = 8;
    /// JPEG 2000 DICOM frames are checked by decoding them at the coarsest resolution that keeps
    /// this many pixels per side (training decodes no finer below this image size); 0: in full.
    int checkImageSide = 256;
    int threads = 0; ///< 0: all cores
    ProgressFn progress;
    CancelFn cancelled;
};

/// The outcome of an import: always a report; a dataset unless the report has a fatal problem.
struct ImportOutcome
{
    ImportReport report;
    std::optional<ImportedDataset> dataset;
};

/// Reads and validates a manifest, its images and an optional events file. Writes nothing:
/// the caller stores the dataset (DatasetRepository::save) so that a fatal problem leaves the
/// study untouched. Every problem becomes a report row with file, line, column and reason; rows
/// with problems are excluded, never silently dropped.
///
/// With options.deidentify enabled, the case id and the named identifier columns are replaced by
/// keyed pseudonyms before anything else reads them (so problems name pseudonyms too), date
/// values and ISO event times move by a per-patient offset, ages above 89 become 90, and the
/// report lists each change as an Info row and in ImportReport::deidentification.
class Importer
{
public:
    static ImportOutcome run(const ImportOptions &options);
};

} // namespace lepton
