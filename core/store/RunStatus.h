// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace lepton {

/// Where a training run stands. Stored in the study as its name (runStatusName), which is also
/// what the command line prints and the views show.
enum class RunStatus {
    Running, ///< a process is training it (or died without saying so: see RunRepository::markInterrupted)
    Completed, ///< trained and evaluated
    Cancelled, ///< stopped by the user; resumable from its last checkpoint
    Failed, ///< stopped by an error (non-finite loss, storage); resumable
    Interrupted ///< its process ended during training (killed, machine stopped); resumable
};

/// "running", "completed", "cancelled", "failed" or "interrupted".
QString runStatusName(RunStatus status);
/// The status of a stored name; nullopt for a name this version does not know.
std::optional<RunStatus> runStatusFromName(const QString &name);
/// Whether training can continue from the run's last checkpoint (cancelled, failed, interrupted).
bool isResumable(RunStatus status);

} // namespace lepton
