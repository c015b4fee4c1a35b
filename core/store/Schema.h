// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

#include <vector>

namespace lepton {

/// The study file's schema as a list of migrations: migration i (0-based) takes a study from
/// `PRAGMA user_version` i to i + 1. Append new migrations; never edit a released one.
class Schema
{
public:
    /// 'LPTN': marks a SQLite file as a Lepton study (PRAGMA application_id).
    static constexpr int applicationId = 0x4C50544E;
    static int currentVersion();
    /// The statements of each migration, in order.
    static const std::vector<QStringList> &migrations();
};

} // namespace lepton
