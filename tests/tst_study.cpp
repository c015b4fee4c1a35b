// SPDX-License-Identifier: GPL-3.0-or-later
#include "Unprivileged.h"

#include "store/Schema.h"
#include "store/Study.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <unistd.h>

using namespace lepton;

namespace {
QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray();
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

int pragma(const QString &path, const char *name)
{
    int value = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("probe"));
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        if (q.exec(QStringLiteral("PRAGMA %1").arg(QLatin1String(name))) && q.next())
            value = q.value(0).toInt();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("probe"));
    return value;
}
} // namespace

class TestStudy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void createsAndReopens();
    void walAndForeignKeys();
    void refusesMissingFile();
    void refusesNotAStudy_data();
    void refusesNotAStudy();
    void refusesNewerVersion();
    void readOnlyFile();
    void migratesOlderVersion();
    void transactionRollsBack();
    void connectionPerThread();
    void auditLogIsAppendOnly();
};

void TestStudy::createsAndReopens()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a/b/new.lepton"));
    auto s = Study::open(path, Study::Mode::CreateOrOpen);
    QVERIFY2(s, qPrintable(s.error()));
    QCOMPARE(s.value()->schemaVersion(), Schema::currentVersion());
    const QString id = s.value()->metaValue(QStringLiteral("study_id"));
    QVERIFY(!id.isEmpty());
    s.value().reset();
    auto again = Study::open(path, Study::Mode::ReadWrite);
    QVERIFY2(again, qPrintable(again.error()));
    QCOMPARE(again.value()->metaValue(QStringLiteral("study_id")), id);
    again.value().reset();
    QCOMPARE(pragma(path, "application_id"), Schema::applicationId);
    QCOMPARE(pragma(path, "user_version"), Schema::currentVersion());
}

void TestStudy::walAndForeignKeys()
{
    QTemporaryDir dir;
    auto s = Study::open(dir.filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(s);
    QSqlQuery q(s.value()->database());
    QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_keys")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
    // A case of a dataset that does not exist is refused.
    QVERIFY(!q.exec(QStringLiteral("INSERT INTO cases(dataset_id, case_key, source_line) VALUES (999, 'x', 1)")));
}

void TestStudy::refusesMissingFile()
{
    auto s = Study::open(QStringLiteral("/nonexistent/none.lepton"), Study::Mode::ReadWrite);
    QVERIFY(!s);
    QVERIFY(s.error().contains(QStringLiteral("no such study file")));
    QVERIFY(!QFile::exists(QStringLiteral("/nonexistent/none.lepton")));
}

void TestStudy::refusesNotAStudy_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("sqlite");
    QTest::newRow("text file") << QByteArray("case_id,label\n1,a\n") << false;
    QTest::newRow("png") << QByteArray("\x89PNG\r\n\x1a\n0000000000000000") << false;
    QTest::newRow("other sqlite database") << QByteArray() << true;
}

void TestStudy::refusesNotAStudy()
{
    QFETCH(QByteArray, content);
    QFETCH(bool, sqlite);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("x.lepton"));
    if (sqlite) {
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE t(x)")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other"));
    } else {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    const QByteArray before = fileHash(path);
    for (auto mode : { Study::Mode::ReadWrite, Study::Mode::ReadOnly, Study::Mode::CreateOrOpen }) {
        auto s = Study::open(path, mode);
        QVERIFY(!s);
        QVERIFY2(s.error().contains(QStringLiteral("not a Lepton study")), qPrintable(s.error()));
    }
    QCOMPARE(fileHash(path), before);
    QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
}

void TestStudy::refusesNewerVersion()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.lepton"));
    QVERIFY(Study::open(path, Study::Mode::CreateOrOpen));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = %1").arg(Schema::currentVersion() + 5)));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bump"));
    const QByteArray before = fileHash(path);
    auto s = Study::open(path, Study::Mode::ReadWrite);
    QVERIFY(!s);
    QVERIFY2(s.error().contains(QStringLiteral("newer")), qPrintable(s.error()));
    QCOMPARE(fileHash(path), before);
    QCOMPARE(pragma(path, "user_version"), Schema::currentVersion() + 5);
}

void TestStudy::readOnlyFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.lepton"));
    QVERIFY(Study::open(path, Study::Mode::CreateOrOpen));
    // Read-only mode never writes, whatever the file's permissions.
    const QByteArray before = fileHash(path);
    {
        auto ro = Study::open(path, Study::Mode::ReadOnly);
        QVERIFY2(ro, qPrintable(ro.error()));
        QVERIFY(ro.value()->isReadOnly());
        const Status st = ro.value()->setMetaValue(QStringLiteral("k"), QStringLiteral("v"));
        QVERIFY(!st);
        QVERIFY(st.error().contains(QStringLiteral("read-only")));
        QVERIFY(!ro.value()->metaValue(QStringLiteral("study_id")).isEmpty());
    }
    QCOMPARE(fileHash(path), before);
    // File permissions do not bind root: as root, this function runs again as an ordinary user.
    if (unprivileged::isRoot())
        LEPTON_RERUN_UNPRIVILEGED();
    QFile::setPermissions(path, QFileDevice::ReadOwner);
    auto s = Study::open(path, Study::Mode::ReadWrite);
    QVERIFY(!s);
    QVERIFY2(s.error().contains(QStringLiteral("read-only")), qPrintable(s.error()));
}

void TestStudy::migratesOlderVersion()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.lepton"));
    {
        // A version-0 study: an empty SQLite file marked as ours.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA application_id = %1").arg(Schema::applicationId)));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("old"));
    auto ro = Study::open(path, Study::Mode::ReadOnly);
    QVERIFY(!ro);
    QVERIFY2(ro.error().contains(QStringLiteral("upgraded")), qPrintable(ro.error()));
    auto s = Study::open(path, Study::Mode::ReadWrite);
    QVERIFY2(s, qPrintable(s.error()));
    QCOMPARE(s.value()->schemaVersion(), Schema::currentVersion());
    QSqlQuery q(s.value()->database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM cases")));

    // A version-1 study (before the label index) gains it on open and keeps its data.
    const QString v1 = dir.filePath(QStringLiteral("v1.lepton"));
    {
        auto created = Study::open(v1, Study::Mode::CreateOrOpen);
        QVERIFY(created);
        QSqlQuery w(created.value()->database());
        QVERIFY(w.exec(QStringLiteral("DROP INDEX cases_by_label")));
        for (const char *column : { "owner_host", "owner_pid", "heartbeat_at" }) // format 4's
            QVERIFY(w.exec(QStringLiteral("ALTER TABLE runs DROP COLUMN %1").arg(QLatin1String(column))));
        QVERIFY(w.exec(QStringLiteral("ALTER TABLE cases DROP COLUMN group_key"))); // format 5's
        for (const char *column : { "group_column", "dicom_window" })
            QVERIFY(w.exec(QStringLiteral("ALTER TABLE datasets DROP COLUMN %1").arg(QLatin1String(column))));
        QVERIFY(w.exec(QStringLiteral("DROP TABLE encoders"))); // format 6's
        QVERIFY(w.exec(QStringLiteral("INSERT INTO meta(key, value) VALUES ('probe', 'kept')")));
        QVERIFY(w.exec(QStringLiteral("PRAGMA user_version = 1")));
    }
    auto upgraded = Study::open(v1, Study::Mode::ReadWrite);
    QVERIFY2(upgraded, qPrintable(upgraded.error()));
    QCOMPARE(upgraded.value()->schemaVersion(), Schema::currentVersion());
    QSqlQuery c(upgraded.value()->database());
    QVERIFY(c.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'cases_by_label'")) && c.next());
    QCOMPARE(c.value(0).toInt(), 1);
    QCOMPARE(upgraded.value()->metaValue(QStringLiteral("probe")), QStringLiteral("kept"));
    QVERIFY(c.exec(QStringLiteral("SELECT count(*) FROM encoders")) && c.next()); // format 6 added it back
    QCOMPARE(c.value(0).toInt(), 0);
    QVERIFY(c.exec(QStringLiteral("SELECT owner_host, owner_pid, heartbeat_at FROM runs")));
}

void TestStudy::transactionRollsBack()
{
    QTemporaryDir dir;
    auto s = Study::open(dir.filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(s);
    Status st = s.value()->transaction([](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.exec(QStringLiteral("INSERT INTO meta(key, value) VALUES ('half', 'written')"));
        return Status::failure(QStringLiteral("something went wrong"));
    });
    QVERIFY(!st);
    QCOMPARE(st.error(), QStringLiteral("something went wrong"));
    QVERIFY(s.value()->metaValue(QStringLiteral("half")).isEmpty());
    QVERIFY(s.value()->setMetaValue(QStringLiteral("k"), QStringLiteral("v")));
    QCOMPARE(s.value()->metaValue(QStringLiteral("k")), QStringLiteral("v"));
}

void TestStudy::connectionPerThread()
{
    QTemporaryDir dir;
    auto s = Study::open(dir.filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(s);
    const QString mainName = s.value()->database().connectionName();
    QString otherName, otherValue, otherError;
    std::shared_ptr<Study> study = s.value();
    QThread *t = QThread::create([&] {
        otherName = study->database().connectionName();
        const Status written = study->setMetaValue(QStringLiteral("from"), QStringLiteral("thread"));
        if (!written)
            otherError = written.error();
        otherValue = study->metaValue(QStringLiteral("from"));
    });
    t->start();
    QVERIFY(t->wait(10000));
    QVERIFY2(otherError.isEmpty(), qPrintable(otherError));
    delete t;
    QVERIFY(!otherName.isEmpty());
    QVERIFY(otherName != mainName);
    QCOMPARE(otherValue, QStringLiteral("thread"));
    QCOMPARE(study->metaValue(QStringLiteral("from")), QStringLiteral("thread"));
}

void TestStudy::auditLogIsAppendOnly()
{
    QTemporaryDir dir;
    auto s = Study::open(dir.filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(s);
    QSqlQuery q(s.value()->database());
    QVERIFY(q.exec(QStringLiteral("INSERT INTO audit_log(at, actor, action, entity, details, prev_hash, hash) "
                                  "VALUES ('t', 'a', 'x', 'e', '{}', '', 'h')")));
    QVERIFY(!q.exec(QStringLiteral("UPDATE audit_log SET actor = 'b'")));
    QVERIFY(!q.exec(QStringLiteral("DELETE FROM audit_log")));
}

QTEST_GUILESS_MAIN(TestStudy)
#include "tst_study.moc"
