// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the importer's stages share (data/ImportStages.h). One context lives for one import; each
// stage reads what the stages before it left here and adds its own part. A stage that finds a
// fatal problem records it in the report and returns false: the import stops there and nothing
// is written (the caller stores the dataset only when the report has no fatal problem).

#include "data/CsvReader.h"
#include "data/Deidentifier.h"
#include "data/ImageDecoder.h"
#include "data/ImportReport.h"
#include "data/ImportedDataset.h"
#include "data/Importer.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <vector>

namespace lepton {

/// One image to check: the manifest row it belongs to, its resolved path, what its header said
/// or why it was refused.
struct ImportImageJob
{
    std::size_t row = 0;
    QString path;
    ImageInfo info;
    QString error; ///< empty when the image is usable
    QString kind; ///< the report's kind when refused
};

struct ImportContext
{
    explicit ImportContext(const ImportOptions &options);

    const ImportOptions &options;
    ImportReport report;

    // readManifest: the manifest and the role columns (-1 when absent).
    CsvReader manifest;
    QStringList header;
    int idCol = -1;
    int labelCol = -1;
    int imageCol = -1;
    int splitCol = -1;
    int groupCol = -1; ///< --group-col: cases of one group stay in one split
    QStringList eventHeader;
    /// The rows as read, with the DICOM attribute columns appended (addDicomFields) or built from
    /// a DICOM folder (readDicomFolder); empty: the manifest's rows are used as they are.
    std::vector<CsvRow> sourceRows;
    bool useSourceRows = false;
    QString imageRootOverride; ///< readDicomFolder: the folder
    QStringList dicomIdNames; ///< DICOM attributes pseudonymised when de-identifying (PatientID, …)
    QStringList dicomAgeNames; ///< PatientAge ///< the events file's header, when there is one that can be read

    // resolveColumns: what de-identification and --drop-columns apply to, and the record fields.
    bool deidentify = false;
    Deidentifier deidentifier;
    QStringList dropNames; ///< stored nowhere
    QStringList idNames; ///< identifier columns besides the case id (pseudonymised)
    QStringList ageNames; ///< --age-columns
    QList<int> dropCols;
    QList<int> idFieldCols;
    QList<int> fieldColumns; ///< manifest columns that become record fields
    QMap<QString, FieldType> typeOverrides;

    // deidentifyRows, validateRows: the rows (de-identified copies) and which are still accepted.
    std::vector<CsvRow> rows;
    std::vector<char> accepted;
    std::vector<int> shiftOfRow; ///< the patient's date shift in days, per row
    int firstImageLineWithId = 0;

    // inferTypes: the record fields and each accepted row's parsed values.
    std::vector<FieldSpec> fields;
    std::vector<std::vector<FieldValue>> values;

    // resolveImages: the image root and one job per row with an image.
    QString imageRoot;
    std::vector<ImportImageJob> jobs;
    std::vector<int> jobOfRow; ///< index into jobs, -1 for rows without a usable image

    // buildDataset, readEvents: the dataset being assembled.
    ImportedDataset dataset;
    QHash<QString, int> caseIndex; ///< case id → index in dataset.cases
    std::vector<int> shiftOfCase; ///< per dataset case
    QSet<QString> shiftedColumns;
    QStringList ageColumns; ///< the record fields treated as ages

    /// The rows the stages read (sourceRows or the manifest's).
    const std::vector<CsvRow> &inputRows() const { return useSourceRows ? sourceRows : manifest.rows(); }
    /// The manifest's path as given (every problem about it names it).
    const QString &manifestFile() const { return options.manifestPath; }
    void progress(qint64 done, qint64 total, const QString &stage) const;
    /// Excludes manifest row `r` with a report row saying why.
    void exclude(
        std::size_t r, const QString &kind, const QString &column, const QString &caseId, const QString &reason);
    /// Records a fatal "cancelled" problem and returns true when the caller asked to stop.
    bool stopIfCancelled();
};

/// Helpers the stages share.
namespace importutil {

ImportProblem problem(ImportProblem::Severity severity, const QString &kind, const QString &file, int line,
    const QString &column, const QString &caseId, const QString &reason);
/// A value shortened for a message (at most 40 characters).
QString shortValue(const QString &v);
/// The columns among `names` in `header`, as indices, each once.
QList<int> columnsOf(const QStringList &header, const QStringList &names);
/// The fields of `fieldColumns`: types (inferred from the accepted rows' values, or the override)
/// and the categories of categorical ones, sorted.
std::vector<FieldSpec> inferFields(const QStringList &header, const QList<int> &fieldColumns,
    const std::vector<CsvRow> &rows, const std::vector<char> &accepted, const QMap<QString, FieldType> &overrides);
/// Parses the field columns of one row. Returns false (and reports) on the first unparsable value.
/// With `quoteValues` off (de-identifying), the message locates the value but does not repeat it.
bool parseValues(const CsvRow &row, const QList<int> &fieldColumns, const std::vector<FieldSpec> &fields,
    const QString &file, const QString &caseId, std::vector<FieldValue> &out, ImportReport &report, bool quoteValues);
/// What de-identification does to the parsed values of one row: dates move by `shift` days,
/// ages above 89 become 90. Counts what it changed into `summary`; `prefix` names the file's
/// columns in the summary ("" for the manifest, "events." for the events file).
void deidentifyValues(const std::vector<FieldSpec> &fields, const std::vector<char> &isAge, int shift,
    std::vector<FieldValue> &values, DeidentificationSummary &summary, QSet<QString> &shiftedColumns,
    const QString &prefix);

} // namespace importutil
} // namespace lepton
