// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/ImportReport.h"
#include "data/Importer.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QString>

#include <memory>
#include <utility>

class QSaveFile;

namespace lepton {

class Study;

/// What StudyImport::run did: the report (whenever the import got far enough to make one) and,
/// when it stored the dataset, its id, name and number of cases.
struct StudyImportResult
{
    ImportReport report;
    bool haveReport = false;
    qint64 datasetId = 0;
    QString datasetName;
    int cases = 0;
    /// The imported dataset that prepare() keeps for save(); null after save() and run().
    std::shared_ptr<ImportOutcome> pending;
};

/// Importing into a study, as the workbench does it (the command line's `lepton import` does the
/// same steps): run the importer, then store the dataset, and with de-identification the study's
/// key, in one transaction: all of it or nothing. Runs on the caller's thread (a background
/// task's); the study's connection for that thread is used.
class StudyImport
{
public:
    /// Imports `options` into `study`. Failure: a fatal problem of the report (file and line), a
    /// cancel ("nothing was written"), or the store's error; nothing is written then. `out` gets
    /// the report whenever there is one.
    static Status run(Study &study, ImportOptions options, StudyImportResult *out);
    /// The first half of run(): the importer only, nothing written. The report goes to `out` and
    /// the dataset to out->pending; `options` gets the de-identification key save() stores.
    static Status prepare(Study &study, ImportOptions &options, StudyImportResult &out);
    /// The second half: stores out.pending (prepared with `options`) in one transaction.
    static Status save(Study &study, const ImportOptions &options, StudyImportResult &out);
    /// Whether more than half of the rows read were excluded (the workbench asks before saving).
    static bool mostRowsExcluded(const ImportReport &report);

    /// Generates the demo data (`domain`, `cases`) into `folder`/data-DOMAIN and imports it into
    /// a new study at `studyFile`, which exists only after a complete import. Progress stages
    /// read "1/2 Generating…" and "2/2 Importing…".
    static Status createDemoStudy(const QString &folder, const QString &studyFile, const QString &domain, int cases,
        const ProgressFn &progress, const CancelFn &cancelled);

    /// Writes an import report export: `file` (open, its content written) is committed only with
    /// its audit entry (export.import_report.csv) in `study` (docs/AUDIT.md); without a study
    /// it is committed as it is. `datasetId` 0: the report of an import that stored nothing.
    static Status commitReportExport(
        Study *study, QSaveFile &file, qint64 datasetId, const QString &manifestPath, int rows);

    /// The manifest and events files of a folder: manifest.csv (else the only other CSV) and
    /// events.csv when present; an empty manifest when the folder has none.
    static std::pair<QString, QString> filesInFolder(const QString &folder);

    /// The first fatal problem of a report as one line ("m.csv:3: reason"), or empty.
    static QString fatalReason(const ImportReport &report);
};

} // namespace lepton
