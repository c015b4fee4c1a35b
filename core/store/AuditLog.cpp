// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditLog.h"

#include "store/Study.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace lepton {
namespace {

// The newest entry as the study recorded it when writing it; catches entries removed from the end,
// which the chain alone cannot show.
const QString kHeadId = QStringLiteral("audit_head_id");
const QString kHeadHash = QStringLiteral("audit_head_hash");

const char *kColumns = "id, at, actor, action, entity, details, prev_hash, hash";

AuditEntry readEntry(const QSqlQuery &q)
{
    AuditEntry e;
    e.id = q.value(0).toLongLong();
    e.at = q.value(1).toString();
    e.actor = q.value(2).toString();
    e.action = q.value(3).toString();
    e.entity = q.value(4).toString();
    e.details = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
    e.prevHash = q.value(6).toString();
    e.hash = q.value(7).toString();
    return e;
}

} // namespace

QString AuditLog::genesisHash()
{
    return QString(64, QLatin1Char('0'));
}

QString AuditLog::currentUser()
{
    for (const char *name : { "USER", "USERNAME" }) {
        const QString user = qEnvironmentVariable(name).trimmed();
        if (!user.isEmpty())
            return user;
    }
    return QStringLiteral("unknown");
}

QString AuditLog::hashOf(qint64 id, const QString &at, const QString &actor, const QString &action,
    const QString &entity, const QString &details, const QString &prevHash)
{
    const QJsonArray fields { QJsonValue(id), at, actor, action, entity, details, prevHash };
    const QByteArray bytes = QJsonDocument(fields).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

Result<qint64> AuditLog::append(
    const QString &actor, const QString &action, const QString &entity, const QJsonObject &details)
{
    if (action.trimmed().isEmpty())
        return Result<qint64>::failure(QStringLiteral("audit log: an entry needs an action"));
    const QString who = actor.trimmed().isEmpty() ? currentUser() : actor.trimmed();
    qint64 id = 0;
    Status s = m_study.transaction([&](QSqlDatabase &db) {
        // The write lock of the transaction keeps the chain's end from moving under us.
        QSqlQuery last(db);
        if (!last.exec(QStringLiteral("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")))
            return Status::failure(Study::sqlError(last, QStringLiteral("reading the audit log")));
        QString prev = genesisHash();
        id = 1;
        if (last.next()) {
            id = last.value(0).toLongLong() + 1;
            prev = last.value(1).toString();
        }
        const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        const QString text = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
        const QString hash = hashOf(id, at, who, action, entity, text, prev);
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO audit_log(id, at, actor, action, entity, details, prev_hash, hash) "
                                 "VALUES (?,?,?,?,?,?,?,?)"));
        for (const QVariant &v : { QVariant(id), QVariant(at), QVariant(who), QVariant(action), QVariant(entity),
                 QVariant(text), QVariant(prev), QVariant(hash) })
            q.addBindValue(v);
        if (!q.exec())
            return Status::failure(Study::sqlError(q, QStringLiteral("writing the audit log")));
        Status st = m_study.setMetaValue(kHeadId, QString::number(id));
        if (st)
            st = m_study.setMetaValue(kHeadHash, hash);
        return st;
    });
    if (!s)
        return Result<qint64>::failure(s.error());
    return id;
}

Result<QJsonObject> AuditLog::withFileDetails(const QString &path, QJsonObject details)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<QJsonObject>::failure(
            QStringLiteral("%1: cannot be read back to record its export (%2)").arg(path, f.errorString()));
    QCryptographicHash sha(QCryptographicHash::Sha256);
    if (!sha.addData(&f))
        return Result<QJsonObject>::failure(
            QStringLiteral("%1: cannot be read back to record its export (%2)").arg(path, f.errorString()));
    details.insert(QStringLiteral("file"), QFileInfo(path).absoluteFilePath());
    details.insert(QStringLiteral("sha256"), QString::fromLatin1(sha.result().toHex()));
    details.insert(QStringLiteral("bytes"), f.size());
    return details;
}

Result<qint64> AuditLog::commitExport(
    QSaveFile &file, const QString &actor, const QString &action, const QString &entity, const QJsonObject &details)
{
    using R = Result<qint64>;
    const QString path = file.fileName();
    if (m_study.isReadOnly()) {
        file.cancelWriting();
        return R::failure(QStringLiteral("%1: is open read-only, so the export to %2 cannot be recorded in its audit "
                                         "log; nothing was written. Open the study writable (copy it to a folder "
                                         "you can write to) and export again")
                              .arg(m_study.path(), path));
    }
    bool committed = false;
    QString commitError;
    qint64 id = 0;
    Status s = m_study.transaction([&](QSqlDatabase &) {
        // The write lock is held from here: the entry can be written once the file is complete.
        if (!file.commit()) {
            commitError
                = QStringLiteral("%1: cannot be written (%2); choose another place").arg(path, file.errorString());
            return Status::failure(commitError);
        }
        committed = true;
        auto full = withFileDetails(path, details);
        if (!full)
            return Status::failure(full.error());
        auto appended = append(actor, action, entity, full.value());
        if (!appended)
            return Status::failure(appended.error());
        id = appended.value();
        return Status();
    });
    if (!s) {
        if (!commitError.isEmpty())
            return R::failure(commitError);
        if (!committed) {
            file.cancelWriting();
            return R::failure(QStringLiteral("%1; %2 was not written: nothing is exported without its audit entry")
                                  .arg(s.error(), path));
        }
        QFile::remove(path);
        return R::failure(QStringLiteral("%1; %2 was removed again: nothing is exported without its audit entry")
                              .arg(s.error(), path));
    }
    return id;
}

Result<qint64> AuditLog::recordExport(
    const QString &path, const QString &actor, const QString &action, const QString &entity, const QJsonObject &details)
{
    auto full = withFileDetails(path, details);
    auto id = full ? append(actor, action, entity, full.value()) : Result<qint64>::failure(full.error());
    if (!id) {
        QFile::remove(path);
        return Result<qint64>::failure(
            QStringLiteral("%1; %2 was removed again: nothing is exported without its audit entry")
                .arg(id.error(), path));
    }
    return id;
}

Result<std::vector<AuditEntry>> AuditLog::entries(int offset, int limit) const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM audit_log ORDER BY id LIMIT ? OFFSET ?").arg(QLatin1String(kColumns)));
    q.addBindValue(limit < 0 ? -1 : limit);
    q.addBindValue(std::max(0, offset));
    if (!q.exec())
        return Result<std::vector<AuditEntry>>::failure(Study::sqlError(q, QStringLiteral("reading the audit log")));
    std::vector<AuditEntry> out;
    while (q.next())
        out.push_back(readEntry(q));
    return out;
}

Result<std::vector<AuditEntry>> AuditLog::entriesFor(const QString &entity) const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM audit_log WHERE entity = ? ORDER BY id").arg(QLatin1String(kColumns)));
    q.addBindValue(entity);
    if (!q.exec())
        return Result<std::vector<AuditEntry>>::failure(Study::sqlError(q, QStringLiteral("reading the audit log")));
    std::vector<AuditEntry> out;
    while (q.next())
        out.push_back(readEntry(q));
    return out;
}

Result<int> AuditLog::count() const
{
    QSqlQuery q(m_study.database());
    if (!q.exec(QStringLiteral("SELECT count(*) FROM audit_log")) || !q.next())
        return Result<int>::failure(Study::sqlError(q, QStringLiteral("reading the audit log")));
    return q.value(0).toInt();
}

Result<AuditVerification> AuditLog::verify() const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT id, at, actor, action, entity, details, prev_hash, hash FROM audit_log "
                               "ORDER BY id")))
        return Result<AuditVerification>::failure(Study::sqlError(q, QStringLiteral("reading the audit log")));
    AuditVerification v;
    auto broken = [&v](qint64 id, const QString &reason) {
        if (!v.ok)
            return;
        v.ok = false;
        v.firstBrokenId = id;
        v.reason = reason;
    };
    QString expectedPrev = genesisHash();
    qint64 lastId = 0;
    while (q.next()) {
        ++v.entries;
        const qint64 id = q.value(0).toLongLong();
        const QString prev = q.value(6).toString();
        const QString hash = q.value(7).toString();
        if (prev != expectedPrev) {
            broken(id,
                lastId == 0
                    ? QStringLiteral(
                        "it is the first entry but links to an earlier one; entries before it were removed")
                    : QStringLiteral("its link to the entry before it (%1) does not match; an entry between them was "
                                     "removed, or entry %1 was changed")
                          .arg(lastId));
        } else if (hashOf(id, q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                       q.value(4).toString(), q.value(5).toString(), prev)
            != hash) {
            broken(id,
                QStringLiteral("its content (time, actor, action, entity or details) was changed after it was "
                               "written; the stored hash does not match"));
        }
        expectedPrev = hash;
        lastId = id;
    }
    if (q.lastError().isValid())
        return Result<AuditVerification>::failure(Study::sqlError(q, QStringLiteral("reading the audit log")));

    const QString headText = m_study.metaValue(kHeadId);
    if (v.ok && !headText.isEmpty()) {
        const qint64 headId = headText.toLongLong();
        if (headId > lastId)
            broken(lastId + 1,
                QStringLiteral("the log ends at entry %1, but entries up to %2 were written; the newest entries "
                               "were removed")
                    .arg(lastId)
                    .arg(headId));
        else if (headId < lastId)
            broken(headId + 1,
                QStringLiteral("the log was last written up to entry %1; entries from %2 on were added by "
                               "something other than Lepton Workbench")
                    .arg(headId)
                    .arg(headId + 1));
        else if (m_study.metaValue(kHeadHash) != expectedPrev)
            broken(lastId, QStringLiteral("the newest entry was replaced after it was written"));
    }
    return v;
}

} // namespace lepton
