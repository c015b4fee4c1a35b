// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/ReviewService.h"
#include "util/Result.h"

#include <QString>

#include <memory>

namespace lepton {
class Study;
}

/// The review report of a run's queue (as filtered): per case the decision, the probability and
/// the reviewer's verdict, as CSV, or as a PDF with each case's image and its explanation overlay.
/// The core's ReviewReportService assembles the report, writes the CSV and records each export in
/// the study's audit log with the file it commits; only the PDF's drawing is done here. A study
/// open read-only refuses the export, so nothing is written without its entry (docs/AUDIT.md).
/// Both use no widget, so they may run on a worker thread (the Review view's export does).
class ReviewReport
{
public:
    static lepton::Status writeCsv(const std::shared_ptr<lepton::Study> &study, qint64 runId,
        const lepton::ReviewFilter &filter, const QString &path, const QString &actor);
    /// At most `maxCases` cases (the PDF says when there were more).
    static lepton::Status writePdf(const std::shared_ptr<lepton::Study> &study, qint64 runId,
        const lepton::ReviewFilter &filter, const QString &path, const QString &actor, int maxCases = 300);
};
