// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace lepton {

/// How an import de-identifies its input (HIPAA Safe Harbor style; see docs/PRIVACY.md).
struct DeidentifyOptions
{
    bool enabled = false;
    /// Identifier columns besides the case id (always one when enabled): their values are
    /// replaced by pseudonyms. The first one present in the manifest names the patient whose
    /// dates are shifted together (default: the case id).
    QStringList idColumns;
    /// Numeric columns holding ages, besides any column named "age" (any case).
    QStringList ageColumns;
    /// The study's secret key (Deidentifier::SecretBytes bytes); see DeidentificationKey::load() in the store layer.
    QByteArray secret;
};

/// Pseudonyms and date shifts keyed by a per-study secret: the same id always maps to the same
/// pseudonym and the same shift within a study, and to unrelated ones in another study. Without
/// the secret a pseudonym cannot be turned back into the id (HMAC-SHA-256). The secret lives in
/// the study's meta table, so a study file is pseudonymised, not anonymised; it is never printed.
class Deidentifier
{
public:
    static constexpr int SecretBytes = 32;
    static constexpr int MaxShiftDays = 365;
    static constexpr double MaxAge = 89; ///< ages above are stored as GroupedAge
    static constexpr double GroupedAge = 90; ///< means "90 or older"

    /// SecretBytes random bytes from the system's secure generator.
    static QByteArray newSecret();

    explicit Deidentifier(QByteArray secret);
    bool isValid() const { return m_secret.size() == SecretBytes; }

    /// "p-" and the first 16 hex digits of HMAC-SHA-256(secret, id).
    QString pseudonym(const QString &id) const;
    /// A shift in days in [-MaxShiftDays, MaxShiftDays], never 0, derived from the patient's id.
    int dayShift(const QString &patientId) const;
    /// An ISO date or date-time as text, moved by `days`; the time and zone are kept as written.
    /// Returns the text unchanged when it does not start with a valid YYYY-MM-DD.
    static QString shiftIsoText(const QString &text, int days);

private:
    QByteArray mac(const QByteArray &purpose, const QString &value) const;

    QByteArray m_secret;
};

} // namespace lepton
