// SPDX-License-Identifier: GPL-3.0-or-later
#include "Study.h"

#include "store/RunRepository.h"
#include "store/Schema.h"
#include "util/TestHooks.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

#include <atomic>

namespace lepton {
namespace {

std::atomic<quint64> g_studyCounter { 0 };
std::atomic<quint64> g_threadCounter { 0 };
thread_local int t_transactionDepth = 0;
/// The SQLite result code (primary) of the last storage failure sqlError() saw on this thread
/// since the outermost transaction began: SQLITE_FULL, SQLITE_IOERR or SQLITE_READONLY; 0: none.
thread_local int t_storageFailure = 0;

constexpr int kSqliteReadOnly = 8, kSqliteIoErr = 10, kSqliteFull = 13;

/// What a person can do about a write that failed at the storage level, naming the file.
QString storageMessage(const QString &path, int code, const QString &detail)
{
    const QString kept = QStringLiteral("this change was not saved; everything saved before is intact");
    // RUN stands for the run's id; the trainer, which knows it, puts it in (Trainer.cpp).
    const QString resume
        = QStringLiteral("a training run that stopped continues with `lepton train %1 --resume RUN`").arg(path);
    switch (code) {
    case kSqliteFull:
        return QStringLiteral("%1: could not be written: the disk is full (or the study reached a size limit); %2. "
                              "Free space on that disk (or copy the study to one with room), then try again; %3 (%4)")
            .arg(path, kept, resume, detail);
    case kSqliteIoErr:
        return QStringLiteral("%1: could not be written: the disk reported an error (a full disk, a file size limit "
                              "or a failing drive); %2. Free space or check the disk, then try again; %3 (%4)")
            .arg(path, kept, resume, detail);
    default:
        return QStringLiteral("%1: could not be written: the file or its disk is read-only; %2. Make it writable "
                              "again, or open the study read-only (%3)")
            .arg(path, kept, detail);
    }
}

/// How many study connections of this process each study file (its absolute path) has open.
/// POSIX releases every lock a process holds on a file when the process closes any descriptor of
/// that file; a header read with QFile while SQLite connections of this process hold their locks
/// would silently drop them, and another process could then delete the WAL index under them.
QMutex g_openMutex;
QHash<QString, int> g_openConnections;

void countConnection(const QString &path, int delta)
{
    const QMutexLocker lock(&g_openMutex);
    const int n = g_openConnections.value(path) + delta;
    if (n > 0)
        g_openConnections.insert(path, n);
    else
        g_openConnections.remove(path);
}

bool hasOpenConnections(const QString &path)
{
    const QMutexLocker lock(&g_openMutex);
    return g_openConnections.contains(path);
}

void closeConnection(const QString &name)
{
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen()) {
            db.close();
            countConnection(db.databaseName(), -1);
        }
    }
    QSqlDatabase::removeDatabase(name);
}

/// The study connections a thread opened, closed by that thread when it ends: Qt allows a
/// connection to be used and closed only by the thread that made it. Each thread has a serial
/// number of its own; the system's thread ids are reused as soon as a thread ends, so a new worker
/// would otherwise find the connection of a finished one.
struct ThreadConnections
{
    quint64 serial = ++g_threadCounter;
    QStringList names;
    ~ThreadConnections() { closeAll(); }
    void closeAll()
    {
        for (const QString &name : std::as_const(names))
            closeConnection(name);
        names.clear();
    }
};
thread_local ThreadConnections t_connections;

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery q(db);
    if (!q.exec(sql)) {
        if (error)
            *error = Study::sqlError(q, sql.left(60));
        return false;
    }
    return true;
}

int pragmaInt(QSqlDatabase &db, const char *pragma)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA %1").arg(QLatin1String(pragma))) || !q.next())
        return -1;
    return q.value(0).toInt();
}

} // namespace

QString Study::sqlError(const QSqlQuery &query, const QString &what)
{
    // The QSQLITE driver reports SQLite's result code; the low byte is the primary code.
    bool ok = false;
    const int code = query.lastError().nativeErrorCode().toInt(&ok) & 0xff;
    if (ok && (code == kSqliteFull || code == kSqliteIoErr || code == kSqliteReadOnly))
        t_storageFailure = code;
    return QStringLiteral("%1: %2").arg(what, query.lastError().text());
}

Result<std::shared_ptr<Study>> Study::open(const QString &path, Mode mode)
{
    using R = Result<std::shared_ptr<Study>>;
    const QFileInfo fi(path);
    bool creating = false;
    if (!fi.exists()) {
        if (mode != Mode::CreateOrOpen)
            return R::failure(
                QStringLiteral("%1: no such study file; check the path or create it with `lepton import`").arg(path));
        if (!QDir().mkpath(fi.absolutePath()))
            return R::failure(QStringLiteral("%1: cannot create the folder %2").arg(path, fi.absolutePath()));
        creating = true;
    } else {
        if (fi.isDir())
            return R::failure(QStringLiteral("%1: is a folder, not a study file").arg(path));
        // The header is read only while this process has no connection to the file: closing the
        // descriptor would release those connections' locks (a study this process has open is
        // known to be an SQLite file).
        QByteArray head("SQLite format 3\0", 16);
        if (!hasOpenConnections(fi.absoluteFilePath())) {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return R::failure(QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString()));
            head = file.read(16);
        }
        if (fi.size() == 0) {
            creating = mode != Mode::ReadOnly;
            if (!creating)
                return R::failure(QStringLiteral("%1: is an empty file, not a Lepton study").arg(path));
        } else if (head != QByteArray("SQLite format 3\0", 16)) {
            return R::failure(
                QStringLiteral("%1: is not a Lepton study (not an SQLite database); choose a .lepton file").arg(path));
        }
        if (mode != Mode::ReadOnly && (!fi.isWritable() || !QFileInfo(fi.absolutePath()).isWritable()))
            return R::failure(QStringLiteral("%1: is read-only (the file or its folder); open it read-only, or copy it "
                                             "to a folder you can write to")
                                  .arg(path));
    }

    std::shared_ptr<Study> study(new Study());
    study->m_path = fi.absoluteFilePath();
    study->m_readOnly = mode == Mode::ReadOnly;
    study->m_connectionPrefix = QStringLiteral("lepton-study-%1").arg(++g_studyCounter);
    Status s = study->initialise(creating);
    if (!s)
        return R::failure(s.error());
    // Runs left "running" by a process that was killed (or whose machine stopped) become
    // "interrupted", so they can be resumed. A failure here (another writer holding the study past
    // the busy timeout) leaves them for the next open; the study itself opened fine.
    if (!study->m_readOnly)
        static_cast<void>(RunRepository(*study).markInterrupted());
    return R(std::move(study));
}

Study::~Study()
{
    // This thread's connection closes now; other threads close theirs when they end.
    const QString mine = m_connectionPrefix + QLatin1Char('-') + QString::number(t_connections.serial);
    if (t_connections.names.removeAll(mine) > 0)
        closeConnection(mine);
}

Result<QSqlDatabase> Study::connect() const
{
    const QString name = m_connectionPrefix + QLatin1Char('-') + QString::number(t_connections.serial);
    if (t_connections.names.contains(name))
        return QSqlDatabase::database(name, true);
    t_connections.names.append(name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(m_path);
    QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000");
    if (m_readOnly)
        options += QStringLiteral(";QSQLITE_OPEN_READONLY");
    db.setConnectOptions(options);
    if (!db.open())
        return Result<QSqlDatabase>::failure(
            QStringLiteral("%1: cannot be opened (%2)").arg(m_path, db.lastError().text()));
    countConnection(m_path, 1);
    QSqlQuery q(db);
    q.exec(QStringLiteral("PRAGMA foreign_keys = ON"));
    if (!m_readOnly) {
        q.exec(QStringLiteral("PRAGMA synchronous = NORMAL")); // safe with WAL; a crash loses no committed data
        if (const long long pages = testMaxPageCount()) // a full disk, simulated (util/TestHooks.h)
            q.exec(QStringLiteral("PRAGMA max_page_count = %1").arg(pages));
    }
    return db;
}

void Study::closeThreadConnections()
{
    t_connections.closeAll();
}

qint64 Study::dataVersion() const
{
    auto conn = connect();
    if (!conn)
        return -1;
    QSqlQuery q(conn.value());
    if (!q.exec(QStringLiteral("PRAGMA data_version")) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

QSqlDatabase Study::database() const
{
    auto db = connect();
    return db.ok() ? db.value() : QSqlDatabase();
}

Status Study::initialise(bool creating)
{
    auto conn = connect();
    if (!conn)
        return Status::failure(conn.error());
    QSqlDatabase db = conn.value();
    const int appId = pragmaInt(db, "application_id");
    const int version = pragmaInt(db, "user_version");
    if (appId < 0 || version < 0)
        return Status::failure(QStringLiteral("%1: is not a Lepton study (it cannot be read as a database: %2)")
                                   .arg(m_path, db.lastError().text()));
    if (!creating && appId != Schema::applicationId) {
        QSqlQuery tables(db);
        tables.exec(QStringLiteral("SELECT count(*) FROM sqlite_master"));
        const bool empty = tables.next() && tables.value(0).toInt() == 0;
        if (!empty || m_readOnly)
            return Status::failure(
                QStringLiteral("%1: is an SQLite database but not a Lepton study; choose a .lepton file").arg(m_path));
        creating = true;
    }
    if (version > Schema::currentVersion())
        return Status::failure(
            QStringLiteral("%1: was written by a newer Lepton Workbench (study format %2; this version "
                           "reads up to %3); update Lepton Workbench to open it")
                .arg(m_path)
                .arg(version)
                .arg(Schema::currentVersion()));
    m_version = version;
    if (m_readOnly) {
        if (version < Schema::currentVersion())
            return Status::failure(
                QStringLiteral("%1: uses the older study format %2 and must be upgraded; open it once "
                               "for writing")
                    .arg(m_path)
                    .arg(version));
        return Status();
    }

    QString error;
    if (!exec(db, QStringLiteral("PRAGMA journal_mode = WAL"), &error))
        return Status::failure(QStringLiteral("%1: %2").arg(m_path, error));
    const auto &migrations = Schema::migrations();
    for (int v = version; v < Schema::currentVersion(); ++v) {
        Status s = transaction([&](QSqlDatabase &tx) {
            QString err;
            for (const QString &sql : migrations[static_cast<std::size_t>(v)])
                if (!exec(tx, sql, &err))
                    return Status::failure(
                        QStringLiteral("upgrading %1 to format %2 failed: %3").arg(m_path).arg(v + 1).arg(err));
            if (!exec(tx, QStringLiteral("PRAGMA user_version = %1").arg(v + 1), &err)
                || !exec(tx, QStringLiteral("PRAGMA application_id = %1").arg(Schema::applicationId), &err))
                return Status::failure(err);
            return Status();
        });
        if (!s)
            return s;
        m_version = v + 1;
    }
    if (creating) {
        Status s = setMetaValue(QStringLiteral("study_id"), QUuid::createUuid().toString(QUuid::WithoutBraces));
        if (s)
            s = setMetaValue(QStringLiteral("created_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
        if (s)
            s = setMetaValue(QStringLiteral("created_by"), QStringLiteral("Lepton Workbench " LEPTON_VERSION));
        if (!s)
            return s;
    }
    return Status();
}

Status Study::transaction(const std::function<Status(QSqlDatabase &)> &work)
{
    if (m_readOnly)
        return Status::failure(QStringLiteral("%1: is open read-only; nothing can be changed").arg(m_path));
    auto conn = connect();
    if (!conn)
        return Status::failure(conn.error());
    QSqlDatabase db = conn.value();
    if (t_transactionDepth > 0) {
        ++t_transactionDepth;
        Status s = work(db);
        --t_transactionDepth;
        return s;
    }
    QString error;
    t_storageFailure = 0;
    // IMMEDIATE takes the write lock now, so a concurrent writer waits (busy timeout) instead
    // of failing half-way through.
    if (!exec(db, QStringLiteral("BEGIN IMMEDIATE"), &error)) {
        if (t_storageFailure)
            return Status::failure(storageMessage(m_path, t_storageFailure, error));
        return Status::failure(
            QStringLiteral("%1: cannot start writing (%2); is another program writing to it?").arg(m_path, error));
    }
    ++t_transactionDepth;
    Status s;
    try {
        s = work(db);
    } catch (const std::exception &e) {
        s = Status::failure(QString::fromUtf8(e.what()));
    }
    --t_transactionDepth;
    // A write the disk refused (full, an I/O error, read-only) says so and what to do; SQLite has
    // rolled the statement (or the whole transaction) back, the ROLLBACK below ends what is left.
    if (!s) {
        const int storage = t_storageFailure;
        exec(db, QStringLiteral("ROLLBACK"), nullptr);
        return storage ? Status::failure(storageMessage(m_path, storage, s.error())) : s;
    }
    if (!exec(db, QStringLiteral("COMMIT"), &error)) {
        const int storage = t_storageFailure;
        exec(db, QStringLiteral("ROLLBACK"), nullptr);
        if (storage)
            return Status::failure(storageMessage(m_path, storage, error));
        return Status::failure(QStringLiteral("%1: saving failed (%2); nothing was changed").arg(m_path, error));
    }
    return Status();
}

QString Study::metaValue(const QString &key) const
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    q.addBindValue(key);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return QString();
}

Status Study::setMetaValue(const QString &key, const QString &value)
{
    return transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
        q.addBindValue(key);
        q.addBindValue(value);
        if (!q.exec())
            return Status::failure(sqlError(q, QStringLiteral("writing study metadata")));
        return Status();
    });
}

} // namespace lepton
