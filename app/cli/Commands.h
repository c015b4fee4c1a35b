// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/Importer.h"

#include <QStringList>

namespace lepton::cli {

int runDemoData(const QStringList &args);
int runImport(const QStringList &args);
int runInfo(const QStringList &args);
int runCases(const QStringList &args);
int runDemo(const QStringList &args);
int runTrain(const QStringList &args);
int runRuns(const QStringList &args);
int runEvaluate(const QStringList &args);
int runPredict(const QStringList &args);
int runExport(const QStringList &args);
int runExplain(const QStringList &args);
int runAudit(const QStringList &args);
int runTemplate(const QStringList &args);
int runEncoder(const QStringList &args);
int runPretrain(const QStringList &args);

/// Imports into a study (created if needed) and prints the report; shared by import and demo.
/// Returns the exit code; on success sets *datasetId.
int importIntoStudy(const QString &studyPath, ImportOptions options, bool json, qint64 *datasetId);
/// Prints a study's datasets as a table (or JSON).
int printStudyInfo(const QString &studyPath, bool json);

} // namespace lepton::cli
