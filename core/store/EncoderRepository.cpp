// SPDX-License-Identifier: GPL-3.0-or-later
#include "EncoderRepository.h"

#include "store/AuditActions.h"
#include "store/AuditLog.h"
#include "store/Study.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

namespace lepton {
namespace {

QString numbers(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

std::vector<double> numbers(const QString &text)
{
    std::vector<double> out;
    for (const auto &x : QJsonDocument::fromJson(text.toUtf8()).array())
        out.push_back(x.toDouble());
    return out;
}

const QString kColumns = QStringLiteral("id, name, format, sha256, size, parameters, channels, input_size, mean, std, "
                                        "features, map_size, source, imported_at, imported_by");

StoredEncoder read(const QSqlQuery &q, bool withData)
{
    StoredEncoder e;
    e.id = q.value(0).toLongLong();
    e.name = q.value(1).toString();
    e.format = q.value(2).toString();
    e.sha256 = q.value(3).toString();
    e.size = q.value(4).toLongLong();
    e.parameters = q.value(5).toLongLong();
    e.channels = q.value(6).toInt();
    e.inputSize = q.value(7).toInt();
    e.mean = numbers(q.value(8).toString());
    e.std = numbers(q.value(9).toString());
    e.features = q.value(10).toInt();
    e.mapSize = q.value(11).toString();
    e.source = q.value(12).toString();
    e.importedAt = q.value(13).toString();
    e.importedBy = q.value(14).toString();
    if (withData)
        e.data = q.value(15).toByteArray();
    return e;
}

} // namespace

Result<qint64> EncoderRepository::add(const StoredEncoder &e, const QString &actor)
{
    using R = Result<qint64>;
    const QString name = e.name.trimmed();
    if (name.isEmpty())
        return R::failure(QStringLiteral("encoder name: an encoder needs a name (--name); runs refer to it by it"));
    if (e.data.isEmpty())
        return R::failure(QStringLiteral("encoder %1: the file is empty").arg(name));
    qint64 id = 0;
    Status st = m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery taken(db);
        taken.prepare(QStringLiteral("SELECT sha256 FROM encoders WHERE name = ?"));
        taken.addBindValue(name);
        if (!taken.exec())
            return Status::failure(Study::sqlError(taken, QStringLiteral("reading the study's encoders")));
        if (taken.next())
            return Status::failure(QStringLiteral("%1: already has an encoder named '%2' (SHA-256 %3…); choose "
                                                  "another --name")
                                       .arg(m_study.path(), name, taken.value(0).toString().left(12)));
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO encoders(name, format, sha256, size, parameters, channels, input_size, "
                                 "mean, std, features, map_size, source, imported_at, imported_by, data) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        const QString who = actor.isEmpty() ? AuditLog::currentUser() : actor;
        for (const QVariant &v :
            { QVariant(name), QVariant(e.format), QVariant(e.sha256), QVariant(static_cast<qint64>(e.data.size())),
                QVariant(e.parameters), QVariant(e.channels), QVariant(e.inputSize), QVariant(numbers(e.mean)),
                QVariant(numbers(e.std)), QVariant(e.features), QVariant(e.mapSize), QVariant(e.source),
                QVariant(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)), QVariant(who),
                QVariant(e.data) })
            q.addBindValue(v);
        if (!q.exec())
            return Status::failure(Study::sqlError(q, QStringLiteral("storing encoder %1").arg(name)));
        id = q.lastInsertId().toLongLong();
        const QJsonObject details { { QStringLiteral("name"), name }, { QStringLiteral("format"), e.format },
            { QStringLiteral("sha256"), e.sha256 }, { QStringLiteral("size"), static_cast<qint64>(e.data.size()) },
            { QStringLiteral("parameters"), e.parameters }, { QStringLiteral("channels"), e.channels },
            { QStringLiteral("input_size"), e.inputSize }, { QStringLiteral("features"), e.features },
            { QStringLiteral("source"), e.source } };
        auto entry = AuditLog(m_study).append(
            who, auditaction::EncoderImport, QStringLiteral("encoder:%1").arg(name), details);
        return entry ? Status() : Status::failure(entry.error());
    });
    if (!st)
        return R::failure(st.error());
    return id;
}

Result<std::vector<StoredEncoder>> EncoderRepository::list() const
{
    using R = Result<std::vector<StoredEncoder>>;
    QSqlQuery q(m_study.database());
    if (!q.exec(QStringLiteral("SELECT %1 FROM encoders ORDER BY name").arg(kColumns)))
        return R::failure(Study::sqlError(q, QStringLiteral("reading the study's encoders")));
    std::vector<StoredEncoder> out;
    while (q.next())
        out.push_back(read(q, false));
    return out;
}

Result<StoredEncoder> EncoderRepository::find(const QString &name) const
{
    using R = Result<StoredEncoder>;
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT %1, data FROM encoders WHERE name = ?").arg(kColumns));
    q.addBindValue(name);
    if (!q.exec())
        return R::failure(Study::sqlError(q, QStringLiteral("reading encoder %1").arg(name)));
    if (q.next())
        return read(q, true);
    QStringList names;
    if (auto all = list())
        for (const auto &e : all.value())
            names.append(e.name);
    return R::failure(QStringLiteral("%1: has no image encoder named '%2' (%3); `lepton encoder import` adds one")
                          .arg(m_study.path(), name,
                              names.isEmpty() ? QStringLiteral("it has none") : names.join(QStringLiteral(", "))));
}

Result<StoredEncoder> EncoderRepository::findBySha256(const QString &sha256) const
{
    using R = Result<StoredEncoder>;
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT %1, data FROM encoders WHERE sha256 = ? ORDER BY id LIMIT 1").arg(kColumns));
    q.addBindValue(sha256);
    if (!q.exec())
        return R::failure(Study::sqlError(q, QStringLiteral("reading the study's encoders")));
    if (!q.next())
        return R::failure(QStringLiteral("%1: has no image encoder with SHA-256 %2…; import the encoder the run was "
                                         "trained from again (`lepton encoder import`)")
                              .arg(m_study.path(), sha256.left(12)));
    return read(q, true);
}

} // namespace lepton
