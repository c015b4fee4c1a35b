// SPDX-License-Identifier: GPL-3.0-or-later
// The SQL layer binds every value: case ids, labels, field names, category values, event values,
// filters and run names full of SQL syntax are imported, stored and read back verbatim, and the
// study's tables are all still there afterwards.
#include "data/Importer.h"
#include "store/DatasetRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace lepton;

namespace {

const QStringList kHostileIds = {
    QStringLiteral("'); DROP TABLE cases; --"),
    QStringLiteral("x' OR '1'='1"),
    QStringLiteral("Robert\"); DELETE FROM datasets; --"),
    QStringLiteral("%"),
    QStringLiteral("_"),
    QStringLiteral("a\\b"),
    QStringLiteral("1; ATTACH DATABASE '/tmp/evil.db' AS e; --"),
    QStringLiteral("ünï ☃ `tick`"),
};

QString csvField(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

QStringList tables(Study &study)
{
    QStringList names;
    QSqlQuery q(study.database());
    q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type IN ('table','trigger','index') ORDER BY name"));
    while (q.next())
        names << q.value(0).toString();
    return names;
}

} // namespace

class TestHostileSql : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void importedVerbatim();
    void filtersAreValuesNotSql();
    void runNamesAndTagsVerbatim();

private:
    qint64 importHostile();
    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    QStringList m_tablesBefore;
    const QString m_field = QStringLiteral("dose'); DROP TABLE records; --");
    const QString m_category = QStringLiteral("\"high\"; DELETE FROM cases");
    const QString m_label = QStringLiteral("sick' --");
};

qint64 TestHostileSql::importHostile()
{
    if (m_study)
        return 1;
    const QString studyPath = m_dir.filePath(QStringLiteral("hostile.lepton"));
    auto study = Study::open(studyPath, Study::Mode::CreateOrOpen);
    if (!study)
        return 0;
    m_study = study.value();
    m_tablesBefore = tables(*m_study);

    QString manifest = QStringLiteral("case_id,label,%1,%2\n").arg(csvField(m_field), csvField(QStringLiteral("kind")));
    QString events = QStringLiteral("case_id,time,%1\n").arg(csvField(QStringLiteral("v'); --")));
    for (int i = 0; i < kHostileIds.size(); ++i) {
        const QString label = i % 2 ? m_label : QStringLiteral("well");
        manifest += QStringLiteral("%1,%2,%3,%4\n")
                        .arg(csvField(kHostileIds[i]), csvField(label))
                        .arg(i * 1.5)
                        .arg(csvField(i % 3 ? m_category : QStringLiteral("low")));
        events += QStringLiteral("%1,%2,%3\n").arg(csvField(kHostileIds[i])).arg(i).arg(i * 2);
    }
    ImportOptions o;
    o.manifestPath = m_dir.filePath(QStringLiteral("manifest.csv"));
    o.eventsPath = m_dir.filePath(QStringLiteral("events.csv"));
    o.threads = 1;
    o.minClassCases = 1;
    for (const auto &[path, text] : { std::pair { o.manifestPath, manifest }, std::pair { o.eventsPath, events } }) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return 0;
        f.write(text.toUtf8());
    }
    ImportOutcome out = Importer::run(o);
    if (!out.dataset) {
        qWarning("%s", qPrintable(out.report.toText()));
        return 0;
    }
    auto id = DatasetRepository(*m_study).save(*out.dataset, out.report);
    if (!id)
        qWarning("%s", qPrintable(id.error()));
    return id ? id.value() : 0;
}

void TestHostileSql::importedVerbatim()
{
    const qint64 datasetId = importHostile();
    QVERIFY(datasetId > 0);
    DatasetRepository repo(*m_study);
    auto all = repo.cases(datasetId);
    QVERIFY2(all, qPrintable(all.error()));
    QCOMPARE(int(all->size()), kHostileIds.size());
    for (int i = 0; i < kHostileIds.size(); ++i) {
        auto c = repo.caseByKey(datasetId, kHostileIds[i]);
        QVERIFY2(c, qPrintable(kHostileIds[i]));
        QCOMPARE(c->caseKey, kHostileIds[i]);
        QCOMPARE(c->label, i % 2 ? m_label : QStringLiteral("well"));
        auto ev = repo.caseEvents(c->id);
        QVERIFY(ev);
        QCOMPARE(int(ev->size()), 1);
        QCOMPARE(ev->front().values.value(0).toDouble(), i * 2.0);
    }
    auto fields = repo.fields(datasetId, QStringLiteral("record"));
    QVERIFY(fields);
    QStringList names;
    QStringList categories;
    for (const auto &f : *fields) {
        names << f.name;
        categories += f.categories;
    }
    QVERIFY2(names.contains(m_field), qPrintable(names.join(QLatin1Char('|'))));
    QVERIFY2(categories.contains(m_category), qPrintable(categories.join(QLatin1Char('|'))));
    auto eventFields = repo.fields(datasetId, QStringLiteral("event"));
    QVERIFY(eventFields);
    QCOMPARE(eventFields->front().name, QStringLiteral("v'); --"));
    // Nothing was dropped, deleted or attached.
    QCOMPARE(tables(*m_study), m_tablesBefore);
    QSqlQuery q(m_study->database());
    QVERIFY(q.exec(QStringLiteral("PRAGMA database_list")));
    int databases = 0;
    while (q.next())
        ++databases;
    QCOMPARE(databases, 1);
    QVERIFY(!QFile::exists(QStringLiteral("/tmp/evil.db")));
    QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
}

void TestHostileSql::filtersAreValuesNotSql()
{
    const qint64 datasetId = importHostile();
    QVERIFY(datasetId > 0);
    DatasetRepository repo(*m_study);
    auto count = [&](const CaseFilter &f) {
        auto n = repo.caseCount(datasetId, f);
        return n ? n.value() : -1;
    };
    CaseFilter f;
    f.text = QStringLiteral("' OR '1'='1");
    QCOMPARE(count(f), 1); // only the case whose id contains that text
    f.text = QStringLiteral("%"); // LIKE wildcards in a filter are literal characters
    QCOMPARE(count(f), 1);
    f.text = QStringLiteral("_");
    QCOMPARE(count(f), 1);
    f.text = QStringLiteral("DROP TABLE");
    QCOMPARE(count(f), 1);
    f = {};
    f.label = m_label;
    QCOMPARE(count(f), kHostileIds.size() / 2);
    f = {};
    f.sortColumn = QStringLiteral("case_key; DROP TABLE cases"); // not a known column: import order
    auto sorted = repo.cases(datasetId, f);
    QVERIFY2(sorted, qPrintable(sorted.error()));
    QCOMPARE(int(sorted->size()), kHostileIds.size());
    QCOMPARE(tables(*m_study), m_tablesBefore);
}

void TestHostileSql::runNamesAndTagsVerbatim()
{
    const qint64 datasetId = importHostile();
    QVERIFY(datasetId > 0);
    RunRepository runs(*m_study);
    RunRecord r;
    r.datasetId = datasetId;
    r.name = kHostileIds[0];
    auto id = runs.create(r);
    QVERIFY2(id, qPrintable(id.error()));
    const RunStatus statusBefore = runs.run(id.value())->status;
    const QString name = QStringLiteral("x'); UPDATE runs SET status='done'; --");
    QVERIFY(runs.rename(id.value(), name, kHostileIds[2]));
    const QStringList tags { QStringLiteral("a,b"), QStringLiteral("'; --"), QStringLiteral("%") };
    QVERIFY(runs.setTags(id.value(), tags, kHostileIds[2]));
    auto stored = runs.run(id.value());
    QVERIFY2(stored, qPrintable(stored.error()));
    QCOMPARE(stored->name, name);
    QCOMPARE(stored->status, statusBefore);
    // Tags are split at commas by design (RunRepository::setTags); the rest is verbatim.
    QCOMPARE(stored->tags, (QStringList { QStringLiteral("a"), QStringLiteral("b"), tags[1], tags[2] }));
    QCOMPARE(tables(*m_study), m_tablesBefore);
}

QTEST_GUILESS_MAIN(TestHostileSql)
#include "tst_hostilesql.moc"
