// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/ReviewRepository.h"
#include "util/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

class QSaveFile;

namespace lepton {

class Study;

/// What a review report shows: the run, how far its review is, and the queue as filtered.
struct ReviewReportData
{
    qint64 runId = 0;
    QString runName;
    QString positiveClass; ///< the class whose probability ReviewItem::probability is
    QString studyName; ///< the study file's name
    int reviewed = 0; ///< predictions of the run with at least one review
    int predictions = 0; ///< predictions of the run
    ReviewFilter filter;
    std::vector<ReviewItem> queue;
};

/// The review report of a run's queue (as filtered), assembled here for both formats: the CSV is
/// written here whole; the PDF is drawn by the workbench from collect() and committed by
/// commit(). Each export is recorded in the study's audit log (export.review_report.csv / .pdf:
/// who, when, the file with its SHA-256 and size, the run, the filter and the number of cases) in
/// the same transaction that commits the file; a study open read-only refuses the export before
/// anything is written (docs/AUDIT.md).
class ReviewReportService
{
public:
    explicit ReviewReportService(Study &study) : m_study(study) { }

    /// What both reports start with: refuses a study open read-only (the message names `path`),
    /// reads the run, its progress and the queue.
    Result<ReviewReportData> collect(qint64 runId, const ReviewFilter &filter, const QString &path) const;
    /// The CSV: a header, then one row per case with its latest review.
    static QByteArray csv(const ReviewReportData &data);
    /// Writes the CSV report to `path` and records it; nothing is left behind on failure.
    Status writeCsv(qint64 runId, const ReviewFilter &filter, const QString &path, const QString &actor) const;
    /// Commits a written report (`format` "csv" or "pdf"; `cases` in the file, of `queueCases` in
    /// the queue) and its audit entry (entity run:ID) in one transaction.
    Status commit(
        QSaveFile &file, const QString &actor, const QString &format, const ReviewReportData &data, int cases) const;

    /// The latest review of a queue item for people: verdict (with class and reason), comment,
    /// reviewer and time; "not reviewed" without one.
    static QString verdictText(const ReviewItem &item);
    /// The queue's filter as the audit entry records it.
    static QJsonObject filterJson(const ReviewFilter &filter);

private:
    Study &m_study;
};

} // namespace lepton
