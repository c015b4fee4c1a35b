// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QList>
#include <QString>

namespace lepton {

class Study;

/// What CheckpointConversion::convertRun changed.
struct CheckpointConversionReport
{
    qint64 runId = 0;
    QList<int> converted; ///< epochs whose checkpoint was a LibTorch archive and is now in our format
    QList<int> current; ///< epochs whose checkpoint was in our format already (left as they were)
    qint64 auditEntry = 0; ///< the audit entry written (0: nothing was converted, nothing written)
};

/// Converts the checkpoints an earlier version stored as LibTorch archives into our format
/// (train/Checkpoint.h), so that the run can be evaluated, used for predictions and resumed.
///
/// The conversion reads the archives with LibTorch's archive reader, which trusts its input: a
/// crafted archive can crash the process. It is therefore never done on the way to anything
/// else; a user asks for it for a study they trust (`lepton runs convert-checkpoints`), and it is
/// recorded in the study's audit log (action `run.convert_checkpoints`, docs/AUDIT.md).
class CheckpointConversion
{
public:
    /// The audit action of a conversion.
    static QString auditAction();
    /// Converts every LibTorch-archive checkpoint of run `runId`. The new bytes replace the old in
    /// one transaction with the audit entry (actor `actor`; empty: AuditLog::currentUser()), whose
    /// details hold each converted epoch with its old and new SHA-256. A run with nothing to
    /// convert changes nothing and writes no entry. Fails, changing nothing, when the study is
    /// read-only, the run or its config cannot be read, or a checkpoint does not fit the run's
    /// model.
    static Result<CheckpointConversionReport> convertRun(Study &study, qint64 runId, const QString &actor);
};

} // namespace lepton
