// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QSqlQuery;

namespace lepton {

/// A study file (`*.lepton`): one SQLite database holding datasets, runs, predictions, reviews
/// and the audit log. Opening checks that the file is a study of a version this build reads,
/// migrates older ones, and turns on WAL and foreign keys. Each thread that touches the study
/// gets its own named connection (database()); writes go through transaction().
///
/// A file that is not a study, a study from a newer version or a read-only file opened for
/// writing is refused with a message, and the file is left exactly as it was.
class Study
{
public:
    enum class Mode {
        ReadWrite, ///< an existing study, for reading and writing
        ReadOnly, ///< an existing study, never written
        CreateOrOpen ///< a new study if the file does not exist, else as ReadWrite
    };

    static Result<std::shared_ptr<Study>> open(const QString &path, Mode mode);
    ~Study();
    Study(const Study &) = delete;
    Study &operator=(const Study &) = delete;

    QString path() const { return m_path; }
    bool isReadOnly() const { return m_readOnly; }
    int schemaVersion() const { return m_version; }

    /// This thread's connection to the study, opened on first use with foreign keys on.
    QSqlDatabase database() const;

    /// Runs `work` inside BEGIN IMMEDIATE … COMMIT on this thread's connection; rolls back when
    /// `work` fails or throws. Nested calls join the outer transaction. A write the storage refuses
    /// (a full disk, an I/O error, a file that became read-only) fails with a message that names
    /// the file, says nothing of the change was saved and what to do; the study stays intact.
    Status transaction(const std::function<Status(QSqlDatabase &)> &work);

    /// SQLite's data_version on this thread's connection: it changes when another connection (another
    /// thread, window or process) commits to the study, not for this connection's own commits.
    /// -1 when it cannot be read.
    qint64 dataVersion() const;

    QString metaValue(const QString &key) const;
    Status setMetaValue(const QString &key, const QString &value);

    /// Closes every study connection this thread opened. Worker threads call it as their work
    /// ends, so nothing is left for the thread's exit (which may come late, at process exit).
    static void closeThreadConnections();

    /// "what failed: the driver's message" for a failed query. A storage failure it sees (full,
    /// I/O error, read-only) turns the message of the enclosing transaction() into one about it.
    static QString sqlError(const QSqlQuery &query, const QString &what);

private:
    Study() = default;
    Status initialise(bool creating);
    Result<QSqlDatabase> connect() const;

    QString m_path;
    bool m_readOnly = false;
    int m_version = 0;
    QString m_connectionPrefix;
};

} // namespace lepton
