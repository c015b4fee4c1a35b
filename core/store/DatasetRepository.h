// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/FieldType.h"
#include "data/ImportReport.h"
#include "data/ImportedDataset.h"
#include "util/Result.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace lepton {

class Study;

/// A dataset as listed in a study.
struct DatasetSummary
{
    qint64 id = 0;
    QString name;
    QString createdAt;
    QString manifestPath;
    QString eventsPath;
    QString imageRoot;
    QString groupColumn; ///< empty: no groups
    QString dicomWindow = QStringLiteral("auto"); ///< DicomWindow::text()
    QStringList classes;
    int caseCount = 0;
    int eventCount = 0;
    int imageCount = 0;
    QMap<QString, int> splitCounts; ///< "train"/"val"/"test"/"" → cases
    QMap<QString, int> classCounts; ///< label ("" = unlabelled) → cases
    QMap<QString, QMap<QString, int>> splitClassCounts; ///< split → label → cases
};

/// A record or event field as stored.
struct StoredField
{
    qint64 id = 0;
    int position = 0;
    QString name;
    FieldType type = FieldType::Numeric;
    QStringList categories;
};

/// A case row as stored (without its values).
struct StoredCase
{
    qint64 id = 0;
    QString caseKey;
    QString label;
    QString split;
    QString imagePath;
    int imageWidth = 0;
    int imageHeight = 0;
    int sourceLine = 0;
    QString groupKey; ///< empty: no group
};

/// One stored event: time and values in event-field order (missing: invalid QVariant).
struct StoredEvent
{
    qint64 caseId = 0;
    double time = 0.0;
    QString timeText;
    QVariantList values;
};

/// Which cases to list: all, or those matching a text, label and split.
struct CaseFilter
{
    QString text; ///< part of the case id
    QString label; ///< exact, empty: any
    QString split; ///< exact, empty: any
    bool problemsOnly = false; ///< only cases named by a problem of the dataset's import report
    /// Order: "case_key", "label", "split", "image_path", "image_size" (pixels), "problems" (import
    /// problems naming the case) or "source_line"; anything else: import order.
    QString sortColumn;
    bool descending = false;
};

/// Reads and writes datasets (cases, record values, events and import reports) of a study.
/// All statements are prepared with bound values; writes happen in one transaction.
class DatasetRepository
{
public:
    explicit DatasetRepository(Study &study) : m_study(study) { }

    /// Stores a validated dataset and its import report in one transaction; returns its id.
    Result<qint64> save(const ImportedDataset &dataset, const ImportReport &report);

    /// All datasets; without counts only id, name, creation time, classes and case count are
    /// read (cheap on big studies: no scan of cases and events).
    Result<std::vector<DatasetSummary>> datasets(bool withCounts = true) const;
    Result<DatasetSummary> dataset(qint64 id) const;
    /// The dataset named by `ref` (an id or a name); with an empty ref the only / newest one.
    Result<DatasetSummary> find(const QString &ref) const;
    Result<std::vector<StoredField>> fields(qint64 datasetId, const QString &kind) const;
    Result<std::vector<StoredCase>> cases(
        qint64 datasetId, const CaseFilter &filter = {}, int offset = 0, int limit = -1) const;
    Result<int> caseCount(qint64 datasetId, const CaseFilter &filter = {}) const;
    /// One case by its id in the study, with the dataset it belongs to.
    Result<StoredCase> caseRecord(qint64 caseId, qint64 *datasetId = nullptr) const;
    /// One case of a dataset by its key (the manifest's case id).
    Result<StoredCase> caseByKey(qint64 datasetId, const QString &caseKey) const;
    /// Record values of every case: case id → values in field order (missing: invalid QVariant;
    /// categorical: the text; others: the number).
    Result<QMap<qint64, QVariantList>> recordValues(qint64 datasetId) const;
    /// Record values of one case in field order (missing: invalid QVariant).
    Result<QVariantList> caseValues(qint64 datasetId, qint64 caseId) const;
    /// Events of every case, ordered by case and time.
    Result<std::vector<StoredEvent>> events(qint64 datasetId) const;
    /// Events of one case, ordered by time.
    Result<std::vector<StoredEvent>> caseEvents(qint64 caseId) const;
    /// Case key → number of import problems naming it (warnings: the case was kept).
    Result<QMap<QString, int>> problemCounts(qint64 datasetId) const;
    /// The import report stored with the dataset.
    Result<ImportReport> report(qint64 datasetId) const;

private:
    Study &m_study;
};

} // namespace lepton
