// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/ReviewRepository.h"

#include <QString>

#include <memory>

namespace lepton {
class Study;
}

/// The review report of a run's queue (as filtered): per case the decision, the probability and
/// the reviewer's verdict, as CSV, or as a PDF with each case's image and its explanation overlay.
/// Each export is recorded in the study's audit log (export.review_report.csv / .pdf: who, when,
/// the file with its SHA-256 and size, the run, the filter and the number of cases), in the same
/// transaction that commits the file; a study open read-only refuses the export, so nothing is
/// written without its entry (docs/AUDIT.md).
class ReviewReport
{
public:
    static bool writeCsv(const std::shared_ptr<lepton::Study> &study, qint64 runId, const lepton::ReviewFilter &filter,
        const QString &path, const QString &actor, QString *error);
    /// At most `maxCases` cases (the PDF says when there were more).
    static bool writePdf(const std::shared_ptr<lepton::Study> &study, qint64 runId, const lepton::ReviewFilter &filter,
        const QString &path, const QString &actor, QString *error, int maxCases = 300);
};
