// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The audit log's action names (store/AuditLog), one constant each, so a writer and a reader of
// the log (tests, `lepton audit list --action`) cannot spell one differently. docs/AUDIT.md
// describes each action's entity and details. A new action gets a constant here and a row there.

#include <QString>

namespace lepton::auditaction {

inline const QString ReviewAccept = QStringLiteral("review.accept");
inline const QString ReviewOverride = QStringLiteral("review.override");
inline const QString ReviewComment = QStringLiteral("review.comment");
inline const QString ReviewEdit = QStringLiteral("review.edit");

inline const QString RunRename = QStringLiteral("run.rename");
inline const QString RunTag = QStringLiteral("run.tag");
inline const QString RunNote = QStringLiteral("run.note");
inline const QString RunDelete = QStringLiteral("run.delete");
inline const QString RunConvertCheckpoints = QStringLiteral("run.convert_checkpoints");
inline const QString RunRedecide = QStringLiteral("run.redecide");

inline const QString EncoderImport = QStringLiteral("encoder.import");

inline const QString ExportModelTorchScript = QStringLiteral("export.model.torchscript");
inline const QString ExportModelCheckpoint = QStringLiteral("export.model.checkpoint");
inline const QString ExportModelSafeTensors = QStringLiteral("export.model.safetensors");
inline const QString ExportMetricsTensorBoard = QStringLiteral("export.metrics.tensorboard");
inline const QString ExportReviewReportCsv = QStringLiteral("export.review_report.csv");
inline const QString ExportReviewReportPdf = QStringLiteral("export.review_report.pdf");
inline const QString ExportImportReportCsv = QStringLiteral("export.import_report.csv");

} // namespace lepton::auditaction
