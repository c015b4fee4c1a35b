// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunStatus.h"

namespace lepton {

QString runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running:
        return QStringLiteral("running");
    case RunStatus::Completed:
        return QStringLiteral("completed");
    case RunStatus::Cancelled:
        return QStringLiteral("cancelled");
    case RunStatus::Failed:
        return QStringLiteral("failed");
    case RunStatus::Interrupted:
        return QStringLiteral("interrupted");
    }
    return QStringLiteral("failed");
}

std::optional<RunStatus> runStatusFromName(const QString &name)
{
    for (RunStatus s :
        { RunStatus::Running, RunStatus::Completed, RunStatus::Cancelled, RunStatus::Failed, RunStatus::Interrupted })
        if (runStatusName(s) == name)
            return s;
    return std::nullopt;
}

bool isResumable(RunStatus status)
{
    return status == RunStatus::Cancelled || status == RunStatus::Failed || status == RunStatus::Interrupted;
}

} // namespace lepton
