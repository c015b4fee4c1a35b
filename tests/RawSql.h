// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reads a study with plain SQL through a connection of its own: not through Study, which would
// mark interrupted runs as it opens (crash and storage tests look at the file as it was left).

#include <QDebug>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QString>
#include <QVariant>

namespace rawsql {

/// The rows of a query with bound values.
inline QList<QVariantList> rows(const QString &path, const QString &sql, const QVariantList &bind = {})
{
    static int serial = 0;
    const QString name = QStringLiteral("raw-sql-%1").arg(++serial);
    QList<QVariantList> out;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (!q.prepare(sql))
                qWarning() << "prepare" << sql << q.lastError().text();
            for (const QVariant &v : bind)
                q.addBindValue(v);
            if (q.exec())
                while (q.next()) {
                    QVariantList row;
                    for (int i = 0; i < q.record().count(); ++i)
                        row.append(q.value(i));
                    out.append(row);
                }
            else
                qWarning() << sql << q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return out;
}

/// The first value of the first row; invalid when there is none.
inline QVariant scalar(const QString &path, const QString &sql, const QVariantList &bind = {})
{
    const auto r = rows(path, sql, bind);
    return r.isEmpty() || r.first().isEmpty() ? QVariant() : r.first().first();
}

} // namespace rawsql
