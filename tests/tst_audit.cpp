// SPDX-License-Identifier: GPL-3.0-or-later
// The audit log: a hash chain that verifies, breaks at exactly the entry that was changed, removed
// or added behind its back, and refuses updates and deletes while its triggers are in place.
#include "store/AuditLog.h"
#include "store/Study.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace lepton;

namespace {

/// Runs statements on a study file through a connection of its own, as another tool would.
bool tamper(const QString &path, const QStringList &statements, QString *error = nullptr)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery q(db);
        for (const QString &sql : statements) {
            if (!ok)
                break;
            ok = q.exec(sql);
            if (!ok && error)
                *error = q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
    return ok;
}

const QString kDropTriggers[]
    = { QStringLiteral("DROP TRIGGER audit_log_no_update"), QStringLiteral("DROP TRIGGER audit_log_no_delete") };

} // namespace

class TestAudit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void chainVerifies();
    void pagesAndFilters();
    void triggersRefuseUpdateAndDelete();
    void changedRowBreaksAtThatRow_data();
    void changedRowBreaksAtThatRow();
    void rehashedRowBreaksAtTheNext();
    void removedRowBreaksAtTheNext_data();
    void removedRowBreaksAtTheNext();
    void removedNewestEntriesAreReported();
    void foreignEntryIsReported();
    void swappedRowsBreak();
    void joinsTheCallersTransaction();
    void actorsAndRefusals();
    void hostileStringsStoredVerbatim();
    void exportsAreRecordedWithTheFilesHash();
    void exportWithoutEntryLeavesNoFile();

private:
    /// A study with five entries (ids 1–5), closed, and a new copy of it to tamper with.
    QString fiveEntries();
    Result<AuditVerification> verifyFile(const QString &path);

    std::unique_ptr<QTemporaryDir> m_dir;
    int m_copies = 0;
};

void TestAudit::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestAudit::cleanup()
{
    m_dir.reset();
}

QString TestAudit::fiveEntries()
{
    const QString path = m_dir->filePath(QStringLiteral("five.lepton"));
    if (!QFile::exists(path)) {
        auto study = Study::open(path, Study::Mode::CreateOrOpen);
        if (!study)
            return QString();
        AuditLog log(*study.value());
        for (int i = 1; i <= 5; ++i) {
            auto id = log.append(QStringLiteral("reviewer%1").arg(i), QStringLiteral("review.accept"),
                QStringLiteral("prediction:%1").arg(i * 10),
                QJsonObject {
                    { QStringLiteral("n"), i }, { QStringLiteral("case_key"), QStringLiteral("C%1").arg(i) } });
            if (!id || id.value() != i)
                return QString();
        }
    }
    // The study is closed: its write-ahead log is folded in, so a copy of the file is complete.
    const QString copy = m_dir->filePath(QStringLiteral("copy%1.lepton").arg(++m_copies));
    if (!QFile::copy(path, copy))
        return QString();
    return copy;
}

Result<AuditVerification> TestAudit::verifyFile(const QString &path)
{
    auto study = Study::open(path, Study::Mode::ReadOnly);
    if (!study)
        return Result<AuditVerification>::failure(study.error());
    return AuditLog(*study.value()).verify();
}

void TestAudit::chainVerifies()
{
    auto study = Study::open(m_dir->filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY2(study, qPrintable(study.error()));
    AuditLog log(*study.value());

    auto empty = log.verify();
    QVERIFY(empty);
    QVERIFY(empty->ok);
    QCOMPARE(empty->entries, 0);

    for (int i = 0; i < 6; ++i) {
        auto id = log.append(QStringLiteral("ana"), QStringLiteral("run.rename"), QStringLiteral("run:%1").arg(i),
            QJsonObject { { QStringLiteral("zeta"), i },
                { QStringLiteral("alpha"), QJsonArray { 1, 2.5, QStringLiteral("x") } },
                { QStringLiteral("nested"),
                    QJsonObject { { QStringLiteral("b"), true }, { QStringLiteral("a"), QJsonValue() } } } });
        QVERIFY2(id, qPrintable(id.error()));
        QCOMPARE(id.value(), qint64(i + 1));
    }
    auto v = log.verify();
    QVERIFY2(v, qPrintable(v.error()));
    QVERIFY2(v->ok, qPrintable(v->reason));
    QCOMPARE(v->entries, 6);
    QCOMPARE(v->firstBrokenId, qint64(0));

    auto all = log.entries();
    QVERIFY(all);
    QCOMPARE(all->size(), std::size_t(6));
    QString prev = AuditLog::genesisHash();
    QCOMPARE(prev, QString(64, QLatin1Char('0')));
    for (const AuditEntry &e : all.value()) {
        QCOMPARE(e.prevHash, prev);
        QCOMPARE(e.hash.size(), 64);
        QCOMPARE(e.actor, QStringLiteral("ana"));
        QCOMPARE(e.action, QStringLiteral("run.rename"));
        QVERIFY(QDateTime::fromString(e.at, Qt::ISODateWithMs).isValid());
        // The documented recipe reproduces the stored hash.
        const QString details = QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Compact));
        QCOMPARE(AuditLog::hashOf(e.id, e.at, e.actor, e.action, e.entity, details, e.prevHash), e.hash);
        prev = e.hash;
    }
    QCOMPARE(all->at(2).details.value(QStringLiteral("zeta")).toInt(), 2);
    QCOMPARE(all->at(2).details.value(QStringLiteral("alpha")).toArray().at(1).toDouble(), 2.5);
    QCOMPARE(log.count().value(), 6);

    // Reopened, the chain still verifies and grows from where it ended.
    study.value().reset();
    auto again = Study::open(m_dir->filePath(QStringLiteral("s.lepton")), Study::Mode::ReadWrite);
    QVERIFY(again);
    AuditLog log2(*again.value());
    auto id = log2.append(QStringLiteral("ben"), QStringLiteral("run.delete"), QStringLiteral("run:9"), {});
    QVERIFY(id);
    QCOMPARE(id.value(), qint64(7));
    QVERIFY(log2.verify()->ok);
    QCOMPARE(log2.verify()->entries, 7);
}

void TestAudit::pagesAndFilters()
{
    auto study = Study::open(m_dir->filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(study);
    AuditLog log(*study.value());
    for (int i = 0; i < 10; ++i)
        QVERIFY(log.append(QStringLiteral("ana"), QStringLiteral("review.comment"),
            QStringLiteral("prediction:%1").arg(i % 3), QJsonObject { { QStringLiteral("i"), i } }));
    auto page = log.entries(3, 4);
    QVERIFY(page);
    QCOMPARE(page->size(), std::size_t(4));
    QCOMPARE(page->front().id, qint64(4));
    QCOMPARE(page->back().id, qint64(7));
    auto tail = log.entries(8);
    QVERIFY(tail);
    QCOMPARE(tail->size(), std::size_t(2));
    QCOMPARE(tail->back().details.value(QStringLiteral("i")).toInt(), 9);
    auto about = log.entriesFor(QStringLiteral("prediction:1"));
    QVERIFY(about);
    QCOMPARE(about->size(), std::size_t(3));
    for (const AuditEntry &e : about.value())
        QCOMPARE(e.details.value(QStringLiteral("i")).toInt() % 3, 1);
}

void TestAudit::triggersRefuseUpdateAndDelete()
{
    auto study = Study::open(m_dir->filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(study);
    AuditLog log(*study.value());
    QVERIFY(log.append(QStringLiteral("ana"), QStringLiteral("review.accept"), QStringLiteral("prediction:1"), {}));
    QVERIFY(log.append(QStringLiteral("ana"), QStringLiteral("review.accept"), QStringLiteral("prediction:2"), {}));
    QSqlQuery q(study.value()->database());
    QVERIFY(!q.exec(QStringLiteral("UPDATE audit_log SET actor = 'mallory' WHERE id = 1")));
    QVERIFY2(q.lastError().text().contains(QStringLiteral("append-only")), qPrintable(q.lastError().text()));
    QVERIFY(!q.exec(QStringLiteral("DELETE FROM audit_log WHERE id = 2")));
    QVERIFY(!q.exec(QStringLiteral("DELETE FROM audit_log")));
    // Through a transaction of the study as well: refused, and nothing changes.
    Status s = study.value()->transaction([](QSqlDatabase &db) {
        QSqlQuery u(db);
        if (!u.exec(QStringLiteral("UPDATE audit_log SET details = '{}' WHERE id = 2")))
            return Status::failure(u.lastError().text());
        return Status();
    });
    QVERIFY(!s);
    auto all = log.entries();
    QCOMPARE(all->size(), std::size_t(2));
    QCOMPARE(all->front().actor, QStringLiteral("ana"));
    QVERIFY(log.verify()->ok);
}

void TestAudit::changedRowBreaksAtThatRow_data()
{
    QTest::addColumn<QString>("statement");
    QTest::addColumn<qint64>("brokenAt");
    QTest::newRow("actor") << QStringLiteral("UPDATE audit_log SET actor = 'mallory' WHERE id = 3") << qint64(3);
    QTest::newRow("details") << QStringLiteral(
        "UPDATE audit_log SET details = '{\"case_key\":\"C2\",\"n\":99}' WHERE id = 2")
                             << qint64(2);
    QTest::newRow("details whitespace") << QStringLiteral(
        "UPDATE audit_log SET details = '{\"case_key\": \"C4\",\"n\":4}' WHERE id = 4")
                                        << qint64(4);
    QTest::newRow("action") << QStringLiteral("UPDATE audit_log SET action = 'review.override' WHERE id = 1")
                            << qint64(1);
    QTest::newRow("entity") << QStringLiteral("UPDATE audit_log SET entity = 'prediction:11' WHERE id = 5")
                            << qint64(5);
    QTest::newRow("time") << QStringLiteral("UPDATE audit_log SET at = '2001-01-01T00:00:00.000Z' WHERE id = 4")
                          << qint64(4);
    QTest::newRow("hash")
        << QStringLiteral("UPDATE audit_log SET hash = '%1' WHERE id = 3").arg(QString(64, QLatin1Char('f')))
        << qint64(3);
}

void TestAudit::changedRowBreaksAtThatRow()
{
    QFETCH(QString, statement);
    QFETCH(qint64, brokenAt);
    const QString copy = fiveEntries();
    QVERIFY(!copy.isEmpty());
    QString error;
    // With the trigger in place the change is refused.
    QVERIFY(!tamper(copy, { statement }));
    QVERIFY(verifyFile(copy)->ok);
    QVERIFY2(tamper(copy, { kDropTriggers[0], statement }, &error), qPrintable(error));
    auto v = verifyFile(copy);
    QVERIFY2(v, qPrintable(v.error()));
    QVERIFY(!v->ok);
    QCOMPARE(v->firstBrokenId, brokenAt);
    QCOMPARE(v->entries, 5);
    QVERIFY(!v->reason.isEmpty());
    // The original is untouched.
    QVERIFY(verifyFile(m_dir->filePath(QStringLiteral("five.lepton")))->ok);
}

void TestAudit::rehashedRowBreaksAtTheNext()
{
    // Someone who changes an entry and writes a matching hash for it breaks the link of the next.
    const QString copy = fiveEntries();
    QVERIFY(!copy.isEmpty());
    AuditEntry e;
    {
        auto study = Study::open(copy, Study::Mode::ReadOnly);
        QVERIFY(study);
        e = AuditLog(*study.value()).entries(1, 1)->front();
    }
    QCOMPARE(e.id, qint64(2));
    const QString details = QStringLiteral("{\"case_key\":\"C2\",\"n\":-1}");
    const QString hash = AuditLog::hashOf(e.id, e.at, e.actor, e.action, e.entity, details, e.prevHash);
    QString error;
    QVERIFY2(
        tamper(copy,
            { kDropTriggers[0],
                QStringLiteral("UPDATE audit_log SET details = '%1', hash = '%2' WHERE id = 2").arg(details, hash) },
            &error),
        qPrintable(error));
    auto v = verifyFile(copy);
    QVERIFY(v);
    QVERIFY(!v->ok);
    QCOMPARE(v->firstBrokenId, qint64(3));
    QVERIFY2(v->reason.contains(QStringLiteral("link")), qPrintable(v->reason));
}

void TestAudit::removedRowBreaksAtTheNext_data()
{
    QTest::addColumn<qint64>("removed");
    QTest::addColumn<qint64>("brokenAt");
    QTest::newRow("middle") << qint64(3) << qint64(4);
    QTest::newRow("second") << qint64(2) << qint64(3);
    QTest::newRow("first") << qint64(1) << qint64(2);
}

void TestAudit::removedRowBreaksAtTheNext()
{
    QFETCH(qint64, removed);
    QFETCH(qint64, brokenAt);
    const QString copy = fiveEntries();
    QVERIFY(!copy.isEmpty());
    const QString del = QStringLiteral("DELETE FROM audit_log WHERE id = %1").arg(removed);
    QVERIFY(!tamper(copy, { del }));
    QString error;
    QVERIFY2(tamper(copy, { kDropTriggers[1], del }, &error), qPrintable(error));
    auto v = verifyFile(copy);
    QVERIFY(v);
    QVERIFY(!v->ok);
    QCOMPARE(v->firstBrokenId, brokenAt);
    QCOMPARE(v->entries, 4);
}

void TestAudit::removedNewestEntriesAreReported()
{
    const QString copy = fiveEntries();
    QVERIFY(!copy.isEmpty());
    QString error;
    QVERIFY2(tamper(copy, { kDropTriggers[1], QStringLiteral("DELETE FROM audit_log WHERE id >= 4") }, &error),
        qPrintable(error));
    auto v = verifyFile(copy);
    QVERIFY(v);
    QVERIFY(!v->ok);
    QCOMPARE(v->firstBrokenId, qint64(4));
    QVERIFY2(v->reason.contains(QStringLiteral("removed")), qPrintable(v->reason));

    // All of them.
    const QString copy2 = fiveEntries();
    QVERIFY2(tamper(copy2, { kDropTriggers[1], QStringLiteral("DELETE FROM audit_log") }, &error), qPrintable(error));
    v = verifyFile(copy2);
    QVERIFY(!v->ok);
    QCOMPARE(v->firstBrokenId, qint64(1));
    QCOMPARE(v->entries, 0);
}

void TestAudit::foreignEntryIsReported()
{
    // An entry added with a correct hash and link, but not through the study, is still reported.
    const QString copy = fiveEntries();
    QVERIFY(!copy.isEmpty());
    AuditEntry last;
    {
        auto study = Study::open(copy, Study::Mode::ReadOnly);
        last = AuditLog(*study.value()).entries(4, 1)->front();
    }
    const QString at = QStringLiteral("2030-01-01T00:00:00.000Z");
    const QString hash = AuditLog::hashOf(6, at, QStringLiteral("mallory"), QStringLiteral("review.accept"),
        QStringLiteral("prediction:1"), QStringLiteral("{}"), last.hash);
    QString error;
    QVERIFY2(tamper(copy,
                 { QStringLiteral("INSERT INTO audit_log VALUES (6, '%1', 'mallory', 'review.accept', 'prediction:1', "
                                  "'{}', '%2', '%3')")
                         .arg(at, last.hash, hash) },
                 &error),
        qPrintable(error));
    auto v = verifyFile(copy);
    QVERIFY(v);
    QVERIFY(!v->ok);
    QCOMPARE(v->firstBrokenId, qint64(6));
    QCOMPARE(v->entries, 6);
}

void TestAudit::swappedRowsBreak()
{
    const QString copy = fiveEntries();
    QVERIFY(!copy.isEmpty());
    QString error;
    // Entries 2 and 3 trade places (all their columns, ids kept).
    QVERIFY2(tamper(copy,
                 { kDropTriggers[0], QStringLiteral("UPDATE audit_log SET id = -2 WHERE id = 2"),
                     QStringLiteral("UPDATE audit_log SET id = 2 WHERE id = 3"),
                     QStringLiteral("UPDATE audit_log SET id = 3 WHERE id = -2") },
                 &error),
        qPrintable(error));
    auto v = verifyFile(copy);
    QVERIFY(v);
    QVERIFY(!v->ok);
    QCOMPARE(v->firstBrokenId, qint64(2));
}

void TestAudit::joinsTheCallersTransaction()
{
    auto study = Study::open(m_dir->filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(study);
    AuditLog log(*study.value());
    QVERIFY(log.append(QStringLiteral("ana"), QStringLiteral("run.note"), QStringLiteral("run:1"), {}));
    // A change that fails after its entry was appended takes the entry with it.
    Status s = study.value()->transaction([&](QSqlDatabase &) {
        auto id = log.append(QStringLiteral("ana"), QStringLiteral("run.rename"), QStringLiteral("run:1"), {});
        if (!id)
            return Status::failure(id.error());
        return Status::failure(QStringLiteral("the change itself failed"));
    });
    QVERIFY(!s);
    QCOMPARE(log.count().value(), 1);
    QVERIFY(log.verify()->ok);
    // A successful one keeps both its entries, chained.
    s = study.value()->transaction([&](QSqlDatabase &) {
        for (int i = 0; i < 2; ++i)
            if (!log.append(QStringLiteral("ana"), QStringLiteral("run.tag"), QStringLiteral("run:1"), {}))
                return Status::failure(QStringLiteral("append failed"));
        return Status();
    });
    QVERIFY2(s, qPrintable(s.error()));
    auto all = log.entries();
    QCOMPARE(all->size(), std::size_t(3));
    QCOMPARE(all->at(2).id, qint64(3));
    QCOMPARE(all->at(2).prevHash, all->at(1).hash);
    QVERIFY(log.verify()->ok);
}

void TestAudit::actorsAndRefusals()
{
    const QByteArray savedUser = qgetenv("USER");
    const QByteArray savedUserName = qgetenv("USERNAME");
    qputenv("USER", "dr.who");
    QCOMPARE(AuditLog::currentUser(), QStringLiteral("dr.who"));
    qunsetenv("USER");
    qputenv("USERNAME", "winuser");
    QCOMPARE(AuditLog::currentUser(), QStringLiteral("winuser"));
    qunsetenv("USERNAME");
    QCOMPARE(AuditLog::currentUser(), QStringLiteral("unknown"));
    qputenv("USER", "dr.who");

    const QString path = m_dir->filePath(QStringLiteral("s.lepton"));
    {
        auto study = Study::open(path, Study::Mode::CreateOrOpen);
        QVERIFY(study);
        AuditLog log(*study.value());
        QVERIFY(log.append(QStringLiteral("  "), QStringLiteral("run.note"), QStringLiteral("run:1"), {}));
        QCOMPARE(log.entries()->front().actor, QStringLiteral("dr.who"));
        auto noAction = log.append(QStringLiteral("ana"), QString(), QStringLiteral("run:1"), {});
        QVERIFY(!noAction);
        QVERIFY2(noAction.error().contains(QStringLiteral("action")), qPrintable(noAction.error()));
    }
    auto ro = Study::open(path, Study::Mode::ReadOnly);
    QVERIFY(ro);
    auto refused = AuditLog(*ro.value()).append(QStringLiteral("ana"), QStringLiteral("run.note"), {}, {});
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QStringLiteral("read-only")), qPrintable(refused.error()));

    if (savedUser.isNull())
        qunsetenv("USER");
    else
        qputenv("USER", savedUser);
    if (!savedUserName.isNull())
        qputenv("USERNAME", savedUserName);
}

void TestAudit::hostileStringsStoredVerbatim()
{
    auto study = Study::open(m_dir->filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(study);
    AuditLog log(*study.value());
    const QString hostile = QStringLiteral("O'Brien \"quoted\" '); DROP TABLE audit_log; -- \\ \n\t ünïcødé ☃");
    QVERIFY(log.append(hostile, hostile, hostile, QJsonObject { { hostile, hostile } }));
    auto e = log.entries()->front();
    QCOMPARE(e.actor, hostile);
    QCOMPARE(e.action, hostile);
    QCOMPARE(e.entity, hostile);
    QCOMPARE(e.details.value(hostile).toString(), hostile);
    QVERIFY(log.verify()->ok);
    QSqlQuery q(study.value()->database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM audit_log")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
}

void TestAudit::exportsAreRecordedWithTheFilesHash()
{
    auto study = Study::open(m_dir->filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(study);
    AuditLog log(*study.value());
    const QByteArray bytes = "case_id,label\nP1,yes\n";
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());

    // A QSaveFile committed together with its entry.
    const QString path = m_dir->filePath(QStringLiteral("out.csv"));
    QSaveFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
    auto id = log.commitExport(file, QStringLiteral("ana"), QStringLiteral("export.review_report.csv"),
        QStringLiteral("run:3"), QJsonObject { { QStringLiteral("cases"), 1 } });
    QVERIFY2(id, qPrintable(id.error()));
    QVERIFY(QFile::exists(path));
    AuditEntry e = log.entries()->back();
    QCOMPARE(e.id, id.value());
    QCOMPARE(e.actor, QStringLiteral("ana"));
    QCOMPARE(e.entity, QStringLiteral("run:3"));
    QCOMPARE(e.details.value(QStringLiteral("file")).toString(), QFileInfo(path).absoluteFilePath());
    QCOMPARE(e.details.value(QStringLiteral("sha256")).toString(), sha);
    QCOMPARE(e.details.value(QStringLiteral("bytes")).toInt(), bytes.size());
    QCOMPARE(e.details.value(QStringLiteral("cases")).toInt(), 1);

    // A file someone else wrote completely.
    const QString other = m_dir->filePath(QStringLiteral("other.bin"));
    QFile f(other);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
    f.close();
    QVERIFY(
        log.recordExport(other, QString(), QStringLiteral("export.metrics.tensorboard"), QStringLiteral("run:3"), {}));
    e = log.entries()->back();
    QCOMPARE(e.details.value(QStringLiteral("sha256")).toString(), sha);
    QCOMPARE(e.actor, AuditLog::currentUser());
    QVERIFY(log.verify()->ok);
}

void TestAudit::exportWithoutEntryLeavesNoFile()
{
    const QString studyPath = m_dir->filePath(QStringLiteral("s.lepton"));
    QVERIFY(Study::open(studyPath, Study::Mode::CreateOrOpen));
    auto ro = Study::open(studyPath, Study::Mode::ReadOnly);
    QVERIFY(ro);
    AuditLog log(*ro.value());

    // Read-only: refused before the file is committed.
    const QString path = m_dir->filePath(QStringLiteral("out.csv"));
    QSaveFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("x");
    auto refused = log.commitExport(
        file, QStringLiteral("ana"), QStringLiteral("export.review_report.csv"), QStringLiteral("run:1"), {});
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(studyPath) && refused.error().contains(QStringLiteral("read-only")),
        qPrintable(refused.error()));
    QVERIFY(!QFile::exists(path));

    // A complete file whose entry cannot be written is removed again.
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("x");
    f.close();
    auto removed = log.recordExport(
        path, QStringLiteral("ana"), QStringLiteral("export.metrics.tensorboard"), QStringLiteral("run:1"), {});
    QVERIFY(!removed);
    QVERIFY2(removed.error().contains(QStringLiteral("removed")), qPrintable(removed.error()));
    QVERIFY(!QFile::exists(path));
    QCOMPARE(log.count().value(), 0);
}

QTEST_GUILESS_MAIN(TestAudit)
#include "tst_audit.moc"
