// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QJsonObject>
#include <QString>

#include <vector>

class QSaveFile;

namespace lepton {

class Study;

/// One entry of a study's audit log.
struct AuditEntry
{
    qint64 id = 0;
    QString at; ///< UTC, ISO 8601 with milliseconds
    QString actor; ///< who did it (the reviewer or user name)
    QString action; ///< a stable name: "review.accept", "run.rename", … (docs/AUDIT.md lists them)
    QString entity; ///< what it was done to: "prediction:12", "run:3", …
    QJsonObject details;
    QString prevHash, hash; ///< SHA-256, lower-case hex
};

/// The outcome of AuditLog::verify(): intact, or the first entry that breaks the chain.
struct AuditVerification
{
    bool ok = true;
    int entries = 0; ///< entries in the log
    qint64 firstBrokenId = 0; ///< 0 when intact
    QString reason; ///< why that entry is broken, for a person to read
};

/// The append-only audit log of a study. Each entry carries the SHA-256 of its own content and
/// of the entry before it, so changing, removing or reordering entries shows as a broken chain.
/// The database refuses UPDATE and DELETE on the table; the chain catches what bypasses that
/// (a copy of the file edited with other tools).
///
/// The hash of an entry is SHA-256 over the UTF-8 bytes of the compact JSON array
/// `[id, at, actor, action, entity, details, prev_hash]`, where `details` is the stored text of
/// the details (QJsonDocument(details).toJson(Compact): keys sorted). The first entry's prev_hash
/// is genesisHash() (64 zeros). The study's meta table also keeps the id and hash of the newest
/// entry, so removing entries from the end is reported too.
class AuditLog
{
public:
    explicit AuditLog(Study &study) : m_study(study) { }

    /// Appends an entry chained to the previous one by SHA-256 (inside the caller's transaction
    /// when there is one: Study::transaction nests). An empty actor becomes currentUser(); an
    /// empty action is refused. Returns its id.
    Result<qint64> append(
        const QString &actor, const QString &action, const QString &entity, const QJsonObject &details);
    /// Entries in the order they were written (oldest first); limit -1: all from offset.
    Result<std::vector<AuditEntry>> entries(int offset = 0, int limit = -1) const;
    /// Entries about one entity ("run:3"), oldest first.
    Result<std::vector<AuditEntry>> entriesFor(const QString &entity) const;
    Result<int> count() const;
    /// Recomputes the chain from the first entry; reports the first entry whose hash or link does
    /// not match. A failure (rather than a verification that is not ok) means the log could not
    /// be read at all.
    Result<AuditVerification> verify() const;
    /// The prev_hash of the first entry: 64 zeros.
    static QString genesisHash();
    /// The default actor: the OS user name (USER / USERNAME), else "unknown".
    static QString currentUser();
    /// The hash an entry with these fields has (`details` as stored text).
    static QString hashOf(qint64 id, const QString &at, const QString &actor, const QString &action,
        const QString &entity, const QString &details, const QString &prevHash);

    // Exports: a file with data or a model out of the study is recorded once it is complete, with
    // its absolute path ("file"), SHA-256 ("sha256", lower-case hex) and size ("bytes") added to
    // `details`. Nothing leaves the study without its entry: when the entry cannot be written (a
    // study open read-only, a full disk, another program holding the write lock) the export fails
    // and the file is not left behind. Call them outside a transaction of your own.

    /// Commits `file` (written, not yet committed) inside the study's write transaction, then
    /// appends the entry in that transaction. A read-only study, or a write lock that cannot be
    /// had, fails before the file is committed (nothing is written); when the entry or the
    /// transaction fails after the commit, the file is removed. Returns the entry's id.
    Result<qint64> commitExport(QSaveFile &file, const QString &actor, const QString &action, const QString &entity,
        const QJsonObject &details);
    /// Records a complete file written by someone else (e.g. a library that writes its own
    /// files); removes the file when the entry cannot be written. Returns the entry's id.
    Result<qint64> recordExport(const QString &path, const QString &actor, const QString &action, const QString &entity,
        const QJsonObject &details);
    /// `details` with the file's "file", "sha256" and "bytes"; fails when it cannot be read.
    static Result<QJsonObject> withFileDetails(const QString &path, QJsonObject details);

private:
    Study &m_study;
};

} // namespace lepton
