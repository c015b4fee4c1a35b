// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <functional>

namespace lepton {

/// Reports progress of long work: items done of total, and what is being done.
/// Called from worker threads; a UI turns it into queued signals.
using ProgressFn = std::function<void(qint64 done, qint64 total, const QString &stage)>;

/// Asked between items of long work; returning true stops the work as soon as it is safe.
using CancelFn = std::function<bool()>;

} // namespace lepton
