// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QByteArray>

namespace lepton {

class Study;

/// The per-study secret that keys de-identification (data/Deidentifier): kept in the study's
/// meta table, so every de-identified import into one study gives a patient the same pseudonym.
class DeidentificationKey
{
public:
    /// The study's secret, or a new one (not yet stored) when the study has none or is null.
    /// Fails when the stored key is damaged.
    static Result<QByteArray> load(const Study *study);
    /// Stores `secret` in the study unless it has one already; fails when the study holds a
    /// different secret (another import made one meanwhile: import again to use it).
    static Status store(Study &study, const QByteArray &secret);
};

} // namespace lepton
