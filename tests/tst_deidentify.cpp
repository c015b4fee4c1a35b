// SPDX-License-Identifier: GPL-3.0-or-later
// De-identifying imports (docs/PRIVACY.md): pseudonyms keyed per study, dropped columns, dates
// shifted per patient, ages over 89 grouped, the report, and the files left as they were.
#include "data/Deidentifier.h"
#include "data/FieldType.h"
#include "data/Importer.h"
#include "store/DatasetRepository.h"
#include "store/DeidentificationKey.h"
#include "store/Study.h"

#include <QDate>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>

using namespace lepton;

namespace {

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString caseId(int i)
{
    return QStringLiteral("CASE-ALICE-%1").arg(i, 2, 10, QLatin1Char('0'));
}
/// Two cases per patient: cases 1 and 2 are patient 1, …
QString patientId(int i)
{
    return QStringLiteral("PAT-SMITH-%1").arg((i + 1) / 2, 2, 10, QLatin1Char('0'));
}
QString personName(int i)
{
    return QStringLiteral("Jane Roe %1").arg(i);
}
QString note(int i)
{
    return QStringLiteral("seen by Dr Quill %1").arg(i);
}
QDate admitted(int i)
{
    return QDate(2021, 1, 1).addDays(i * 17);
}
int ageOf(int i)
{
    return i == 1 ? 95 : i == 2 ? 89 : 40 + i;
}

/// What one de-identifying import into a study stored, read back with plain SQL.
struct Stored
{
    qint64 datasetId = 0;
    QStringList caseKeys;
    QMap<QString, QString> admit; ///< case key → admit_date text
    QMap<QString, QString> discharge;
    QMap<QString, double> age;
    QMap<QString, QStringList> eventTimes; ///< case key → time_text, in time order
};

} // namespace

class TestDeidentify : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void pseudonymsAndShifts();
    void stableWithinStudyDifferentAcross();
    void eventsJoinAndDatesKeepIntervals();
    void agesOver89Grouped();
    void nothingIdentifyingIsStored();
    void reportListsTheChanges();
    void originalsUntouched();
    void badColumns_data();
    void badColumns();
    void dropWithoutDeidentifying();
    void datesTheShiftCannotSeeAreWarned();

private:
    ImportOptions options() const;
    /// Imports as `lepton import --deidentify` does: the study's key, or a new one stored with the dataset.
    ImportOutcome importInto(const QString &studyPath, ImportOptions o, qint64 *datasetId = nullptr);
    Stored stored(const QString &studyPath, qint64 datasetId);
    QByteArray secretOf(const QString &studyPath);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_manifest;
    QString m_events;
    static constexpr int Cases = 12;
};

void TestDeidentify::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QByteArray m = "case_id,patient_id,name,label,image,age,admit_date,discharge_date,sex\n";
    QByteArray e = "case_id,time,hr,note\n";
    for (int i = 1; i <= Cases; ++i) {
        cv::Mat img(32, 32, CV_8UC1, cv::Scalar(i * 10));
        const QString image = QStringLiteral("scan%1.png").arg(i);
        QVERIFY(cv::imwrite(m_dir->filePath(image).toStdString(), img));
        m += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                 .arg(caseId(i), patientId(i), personName(i), i % 2 ? QStringLiteral("a") : QStringLiteral("b"), image)
                 .arg(ageOf(i))
                 .arg(admitted(i).toString(Qt::ISODate), admitted(i).addDays(i + 2).toString(Qt::ISODate),
                     i % 3 ? QStringLiteral("F") : QStringLiteral("M"))
                 .toUtf8();
        e += QStringLiteral("%1,%2,%3,%4\n%1,%5T08:30:00,%6,%4\n")
                 .arg(caseId(i), admitted(i).toString(Qt::ISODate))
                 .arg(70 + i)
                 .arg(note(i), admitted(i).addDays(5).toString(Qt::ISODate))
                 .arg(80 + i)
                 .toUtf8();
    }
    // A duplicate id and an event of an unknown case: their problems must not quote the raw ids.
    m += "CASE-ALICE-03,PAT-SMITH-02,Jane Roe 3,a,scan3.png,50,2021-02-01,2021-02-02,F\n";
    e += "CASE-GHOST-99,2021-01-01,60,ghost note\n";
    m_manifest = m_dir->filePath(QStringLiteral("manifest.csv"));
    m_events = m_dir->filePath(QStringLiteral("events.csv"));
    writeFile(m_manifest, m);
    writeFile(m_events, e);
}

void TestDeidentify::cleanup()
{
    Study::closeThreadConnections();
    QSqlDatabase::removeDatabase(QStringLiteral("scan"));
    m_dir.reset();
}

ImportOptions TestDeidentify::options() const
{
    ImportOptions o;
    o.manifestPath = m_manifest;
    o.eventsPath = m_events;
    o.threads = 2;
    o.minClassCases = 2;
    o.deidentify.enabled = true;
    o.deidentify.idColumns = QStringList { QStringLiteral("patient_id") };
    o.dropColumns = QStringList { QStringLiteral("name"), QStringLiteral("note") };
    return o;
}

ImportOutcome TestDeidentify::importInto(const QString &studyPath, ImportOptions o, qint64 *datasetId)
{
    std::shared_ptr<Study> existing;
    if (QFileInfo::exists(studyPath)) {
        auto opened = Study::open(studyPath, Study::Mode::ReadWrite);
        if (!opened)
            qFatal("%s", qPrintable(opened.error()));
        existing = opened.value();
    }
    auto secret = DeidentificationKey::load(existing.get());
    if (!secret)
        qFatal("%s", qPrintable(secret.error()));
    o.deidentify.secret = secret.value();
    ImportOutcome out = Importer::run(o);
    if (!out.dataset)
        return out;
    auto study = Study::open(studyPath, Study::Mode::CreateOrOpen);
    if (!study)
        qFatal("%s", qPrintable(study.error()));
    DatasetRepository repo(*study.value());
    const Status saved = study.value()->transaction([&](QSqlDatabase &) {
        if (Status s = DeidentificationKey::store(*study.value(), o.deidentify.secret); !s)
            return s;
        auto id = repo.save(*out.dataset, out.report);
        if (!id)
            return Status::failure(id.error());
        if (datasetId)
            *datasetId = id.value();
        return Status();
    });
    if (!saved)
        qFatal("%s", qPrintable(saved.error()));
    return out;
}

QByteArray TestDeidentify::secretOf(const QString &studyPath)
{
    auto study = Study::open(studyPath, Study::Mode::ReadOnly);
    if (!study)
        return QByteArray();
    return QByteArray::fromHex(study.value()->metaValue(QStringLiteral("deidentify_secret")).toLatin1());
}

Stored TestDeidentify::stored(const QString &studyPath, qint64 datasetId)
{
    Stored s;
    s.datasetId = datasetId;
    auto study = Study::open(studyPath, Study::Mode::ReadOnly);
    if (!study)
        qFatal("%s", qPrintable(study.error()));
    QSqlQuery q(study.value()->database());
    q.prepare(QStringLiteral("SELECT case_key FROM cases WHERE dataset_id = ? ORDER BY case_key"));
    q.addBindValue(datasetId);
    q.exec();
    while (q.next())
        s.caseKeys << q.value(0).toString();
    q.prepare(QStringLiteral("SELECT c.case_key, f.name, v.number, v.text FROM record_values v "
                             "JOIN cases c ON v.case_id = c.id JOIN fields f ON v.field_id = f.id "
                             "WHERE c.dataset_id = ?"));
    q.addBindValue(datasetId);
    q.exec();
    while (q.next()) {
        const QString key = q.value(0).toString(), field = q.value(1).toString();
        if (field == QLatin1String("admit_date"))
            s.admit.insert(key, q.value(3).toString());
        else if (field == QLatin1String("discharge_date"))
            s.discharge.insert(key, q.value(3).toString());
        else if (field == QLatin1String("age"))
            s.age.insert(key, q.value(2).toDouble());
    }
    q.prepare(QStringLiteral("SELECT c.case_key, e.time_text FROM events e JOIN cases c ON e.case_id = c.id "
                             "WHERE c.dataset_id = ? ORDER BY c.case_key, e.time"));
    q.addBindValue(datasetId);
    q.exec();
    while (q.next())
        s.eventTimes[q.value(0).toString()] << q.value(1).toString();
    return s;
}

void TestDeidentify::pseudonymsAndShifts()
{
    const Deidentifier a(Deidentifier::newSecret());
    const Deidentifier b(Deidentifier::newSecret());
    QVERIFY(a.isValid());
    QVERIFY(a.pseudonym(QStringLiteral("X1")).contains(QRegularExpression(QStringLiteral("^p-[0-9a-f]{16}$"))));
    QCOMPARE(a.pseudonym(QStringLiteral("X1")), a.pseudonym(QStringLiteral("X1")));
    QVERIFY(a.pseudonym(QStringLiteral("X1")) != a.pseudonym(QStringLiteral("X2")));
    QVERIFY(a.pseudonym(QStringLiteral("X1")) != b.pseudonym(QStringLiteral("X1")));
    QSet<int> shifts;
    for (int i = 0; i < 2000; ++i) {
        const int s = a.dayShift(QString::number(i));
        QVERIFY(s != 0);
        QVERIFY(s >= -Deidentifier::MaxShiftDays && s <= Deidentifier::MaxShiftDays);
        shifts.insert(s);
    }
    QVERIFY(shifts.size() > 400); // spread over the range, not a handful of values
    QCOMPARE(Deidentifier::shiftIsoText(QStringLiteral("2021-12-30"), 3), QStringLiteral("2022-01-02"));
    QCOMPARE(
        Deidentifier::shiftIsoText(QStringLiteral("2021-03-01T08:30:00"), -1), QStringLiteral("2021-02-28T08:30:00"));
    QVERIFY(Deidentifier(QByteArray("short")).isValid() == false);
}

void TestDeidentify::stableWithinStudyDifferentAcross()
{
    const QString studyA = m_dir->filePath(QStringLiteral("a.lepton"));
    const QString studyB = m_dir->filePath(QStringLiteral("b.lepton"));
    qint64 first = 0, second = 0, other = 0;
    QVERIFY(importInto(studyA, options(), &first).dataset);
    const QByteArray secret = secretOf(studyA);
    QCOMPARE(secret.size(), Deidentifier::SecretBytes);
    QVERIFY(importInto(studyA, options(), &second).dataset);
    QCOMPARE(secretOf(studyA), secret); // created once, reused
    QVERIFY(importInto(studyB, options(), &other).dataset);
    QVERIFY(secretOf(studyB) != secret);

    const Stored s1 = stored(studyA, first), s2 = stored(studyA, second), s3 = stored(studyB, other);
    QCOMPARE(s1.caseKeys.size(), Cases);
    QCOMPARE(s1.caseKeys, s2.caseKeys);
    QCOMPARE(s1.admit, s2.admit); // the same shift for the same patient
    const QSet<QString> keysA(s1.caseKeys.begin(), s1.caseKeys.end());
    const QSet<QString> keysB(s3.caseKeys.begin(), s3.caseKeys.end());
    QVERIFY(!keysA.intersects(keysB));
    // The keys are the pseudonyms of the ids under the study's key.
    const Deidentifier d(secret);
    for (int i = 1; i <= Cases; ++i)
        QVERIFY2(keysA.contains(d.pseudonym(caseId(i))), qPrintable(caseId(i)));
}

void TestDeidentify::eventsJoinAndDatesKeepIntervals()
{
    const QString study = m_dir->filePath(QStringLiteral("s.lepton"));
    qint64 id = 0;
    ImportOutcome out = importInto(study, options(), &id);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    QCOMPARE(out.report.eventsImported, 2 * Cases);
    const Stored s = stored(study, id);
    const Deidentifier d(secretOf(study));
    QMap<QString, int> shiftOfPatient;
    for (int i = 1; i <= Cases; ++i) {
        const QString key = d.pseudonym(caseId(i));
        // Events still join to their case.
        QCOMPARE(s.eventTimes.value(key).size(), 2);
        // The admission moved by the patient's shift, within a year, never zero.
        const QDate admit = QDate::fromString(s.admit.value(key), Qt::ISODate);
        QVERIFY2(admit.isValid(), qPrintable(s.admit.value(key)));
        const int shift = static_cast<int>(admitted(i).daysTo(admit));
        QVERIFY(shift != 0);
        QVERIFY(qAbs(shift) <= Deidentifier::MaxShiftDays);
        QCOMPARE(shift, d.dayShift(patientId(i)));
        if (shiftOfPatient.contains(patientId(i)))
            QCOMPARE(shift, shiftOfPatient.value(patientId(i))); // both cases of a patient move together
        shiftOfPatient.insert(patientId(i), shift);
        // Intervals are kept: the stay, and the events relative to the admission.
        QCOMPARE(admit.daysTo(QDate::fromString(s.discharge.value(key), Qt::ISODate)), qint64(i + 2));
        const QStringList times = s.eventTimes.value(key);
        QCOMPARE(times.at(0), admit.toString(Qt::ISODate));
        QCOMPARE(times.at(1), admit.addDays(5).toString(Qt::ISODate) + QStringLiteral("T08:30:00"));
    }
    // Patients differ in their shifts (six patients, offsets spread over 730 days).
    const QList<int> shifts = shiftOfPatient.values();
    QVERIFY(QSet<int>(shifts.begin(), shifts.end()).size() > 1);
}

void TestDeidentify::agesOver89Grouped()
{
    const QString study = m_dir->filePath(QStringLiteral("s.lepton"));
    qint64 id = 0;
    QVERIFY(importInto(study, options(), &id).dataset);
    const Stored s = stored(study, id);
    const Deidentifier d(secretOf(study));
    QCOMPARE(s.age.value(d.pseudonym(caseId(1))), 90.0); // 95: "90 or older"
    QCOMPARE(s.age.value(d.pseudonym(caseId(2))), 89.0);
    QCOMPARE(s.age.value(d.pseudonym(caseId(3))), 43.0);
    // Still a numeric field, so that training uses it as a number.
    auto opened = Study::open(study, Study::Mode::ReadOnly);
    QVERIFY2(opened, qPrintable(opened.error()));
    std::shared_ptr<Study> keep = opened.value();
    DatasetRepository repo(*keep);
    auto fields = repo.fields(id, QStringLiteral("record"));
    QVERIFY(fields);
    bool found = false;
    for (const auto &f : fields.value())
        if (f.name == QLatin1String("age")) {
            found = true;
            QCOMPARE(f.type, FieldType::Numeric);
        }
    QVERIFY(found);
    // An age column by another name.
    ImportOptions o = options();
    QByteArray m = readFile(m_manifest);
    m.replace("age,admit_date", "years,admit_date");
    writeFile(m_manifest, m);
    o.deidentify.ageColumns = QStringList { QStringLiteral("years") };
    ImportOutcome out = importInto(study, o, &id);
    QVERIFY(out.dataset);
    QCOMPARE(out.report.deidentification.agesGrouped, 1);
    QCOMPARE(out.report.deidentification.ageColumns, QStringList { QStringLiteral("years") });
}

void TestDeidentify::nothingIdentifyingIsStored()
{
    const QString study = m_dir->filePath(QStringLiteral("s.lepton"));
    QVERIFY(importInto(study, options()).dataset);
    Study::closeThreadConnections();

    QStringList forbidden { QStringLiteral("CASE-GHOST-99"), QStringLiteral("ghost note") };
    for (int i = 1; i <= Cases; ++i)
        forbidden << caseId(i) << patientId(i) << personName(i) << note(i);

    // Every text of every table.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("scan"));
        db.setDatabaseName(study);
        QVERIFY(db.open());
        QSqlQuery tables(db);
        QVERIFY(tables.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")));
        int scanned = 0;
        while (tables.next()) {
            const QString table = tables.value(0).toString();
            QSqlQuery rows(db);
            QVERIFY(rows.exec(QStringLiteral("SELECT * FROM \"%1\"").arg(table)));
            while (rows.next()) {
                for (int c = 0; c < rows.record().count(); ++c) {
                    const QString text = rows.value(c).toString();
                    ++scanned;
                    for (const QString &f : forbidden)
                        QVERIFY2(!text.contains(f, Qt::CaseInsensitive),
                            qPrintable(QStringLiteral("%1.%2 holds '%3'").arg(table, rows.record().fieldName(c), f)));
                }
            }
        }
        QVERIFY(scanned > 100);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("scan"));
    // And the bytes of the file (and its journal, if any), in case a value hides in a blob.
    QByteArray bytes = readFile(study) + readFile(study + QStringLiteral("-wal"));
    QVERIFY(bytes.size() > 0);
    for (const QString &f : forbidden)
        QVERIFY2(!bytes.contains(f.toUtf8()), qPrintable(f));
    // The dropped columns are not fields either.
    auto opened = Study::open(study, Study::Mode::ReadOnly);
    QVERIFY(opened);
    QSqlQuery q(opened.value()->database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM fields WHERE name IN ('name', 'note')")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 0);
}

void TestDeidentify::reportListsTheChanges()
{
    const QString study = m_dir->filePath(QStringLiteral("s.lepton"));
    qint64 id = 0;
    ImportOutcome out = importInto(study, options(), &id);
    QVERIFY(out.dataset);
    const DeidentificationSummary &d = out.report.deidentification;
    QVERIFY(d.applied);
    QCOMPARE(d.identifierColumns, (QStringList { QStringLiteral("case_id"), QStringLiteral("patient_id") }));
    // 13 manifest rows × 2 identifiers + 25 events.
    QCOMPARE(d.identifiersReplaced, 13 * 2 + 2 * Cases + 1);
    QCOMPARE(d.droppedColumns, (QStringList { QStringLiteral("name"), QStringLiteral("note") }));
    QCOMPARE(d.dateColumns,
        (QStringList {
            QStringLiteral("admit_date"), QStringLiteral("discharge_date"), QStringLiteral("events.time") }));
    QCOMPARE(d.datesShifted, 2 * Cases + 2 * Cases);
    QCOMPARE(d.ageColumns, QStringList { QStringLiteral("age") });
    QCOMPARE(d.agesGrouped, 1);
    QCOMPARE(d.imagePathsWithIdentifiers, 0);
    QVERIFY(out.report.countKind(QStringLiteral("deidentified")) >= 4);
    QCOMPARE(out.report.count(ImportProblem::Severity::Info), out.report.countKind(QStringLiteral("deidentified")));
    // Problems name pseudonyms, not ids.
    int withCase = 0;
    for (const ImportProblem &p : out.report.problems()) {
        if (p.caseId.isEmpty())
            continue;
        ++withCase;
        QVERIFY2(p.caseId.startsWith(QStringLiteral("p-")), qPrintable(p.toText()));
    }
    QCOMPARE(withCase, 2); // the duplicate and the ghost's event
    const QString text = out.report.toText();
    QVERIFY2(text.contains(QStringLiteral("Changed on import:")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Columns dropped")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Ages over 89 stored as 90")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("2 problem(s)")), qPrintable(text));
    // The stored report says the same.
    auto opened = Study::open(study, Study::Mode::ReadOnly);
    QVERIFY2(opened, qPrintable(opened.error()));
    std::shared_ptr<Study> keep = opened.value();
    DatasetRepository repo(*keep);
    auto report = repo.report(id);
    QVERIFY(report);
    QCOMPARE(report->deidentification.agesGrouped, 1);
    QCOMPARE(report->deidentification.droppedColumns, d.droppedColumns);
    QCOMPARE(report->countKind(QStringLiteral("deidentified")), out.report.countKind(QStringLiteral("deidentified")));

    // Image names that carry an id are kept, with a warning that says so.
    QByteArray m = readFile(m_manifest);
    m.replace("scan1.png", "CASE-ALICE-01.png");
    QVERIFY(QFile::copy(
        m_dir->filePath(QStringLiteral("scan1.png")), m_dir->filePath(QStringLiteral("CASE-ALICE-01.png"))));
    writeFile(m_manifest, m);
    out = importInto(m_dir->filePath(QStringLiteral("t.lepton")), options());
    QCOMPARE(out.report.deidentification.imagePathsWithIdentifiers, 1);
    QCOMPARE(out.report.countKind(QStringLiteral("image-path-identifier")), 1);
}

void TestDeidentify::originalsUntouched()
{
    const QByteArray manifestBytes = readFile(m_manifest), eventsBytes = readFile(m_events);
    const QDateTime manifestTime = QFileInfo(m_manifest).lastModified();
    const QDateTime eventsTime = QFileInfo(m_events).lastModified();
    QTest::qWait(20); // so that a write would show in the time
    QVERIFY(importInto(m_dir->filePath(QStringLiteral("s.lepton")), options()).dataset);
    QCOMPARE(readFile(m_manifest), manifestBytes);
    QCOMPARE(readFile(m_events), eventsBytes);
    QCOMPARE(QFileInfo(m_manifest).lastModified(), manifestTime);
    QCOMPARE(QFileInfo(m_events).lastModified(), eventsTime);
}

void TestDeidentify::badColumns_data()
{
    QTest::addColumn<QStringList>("drop");
    QTest::addColumn<QStringList>("ids");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("says");
    QTest::newRow("drop unknown") << QStringList { QStringLiteral("nmae") } << QStringList() << "unknown-column"
                                  << "--drop-columns names 'nmae'";
    QTest::newRow("id unknown") << QStringList() << QStringList { QStringLiteral("mrn") } << "unknown-column"
                                << "--id-columns names 'mrn'";
    QTest::newRow("drop label") << QStringList { QStringLiteral("label") } << QStringList() << "role-column"
                                << "the label column";
    QTest::newRow("drop case id") << QStringList { QStringLiteral("case_id") } << QStringList() << "role-column"
                                  << "the case id column";
    QTest::newRow("drop event time") << QStringList { QStringLiteral("time") } << QStringList() << "role-column"
                                     << "the time column";
    QTest::newRow("id is the image") << QStringList() << QStringList { QStringLiteral("image") } << "role-column"
                                     << "the image column";
}

void TestDeidentify::badColumns()
{
    QFETCH(QStringList, drop);
    QFETCH(QStringList, ids);
    QFETCH(QString, kind);
    QFETCH(QString, says);
    ImportOptions o = options();
    o.dropColumns = drop;
    o.deidentify.idColumns = ids;
    o.deidentify.secret = Deidentifier::newSecret();
    const ImportOutcome out = Importer::run(o);
    QVERIFY(!out.dataset);
    QVERIFY(out.report.hasFatal());
    QCOMPARE(out.report.countKind(kind), 1);
    const QString text = out.report.toText();
    QVERIFY2(text.contains(says), qPrintable(text));
    // No secret, no de-identification: refused, not imported in the clear.
    o = options();
    const ImportOutcome noKey = Importer::run(o);
    QVERIFY(!noKey.dataset);
    QCOMPARE(noKey.report.countKind(QStringLiteral("deidentify-key")), 1);
}

void TestDeidentify::dropWithoutDeidentifying()
{
    ImportOptions o = options();
    o.deidentify = DeidentifyOptions();
    const ImportOutcome out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    QVERIFY(!out.report.deidentification.applied);
    QCOMPARE(
        out.report.deidentification.droppedColumns, (QStringList { QStringLiteral("name"), QStringLiteral("note") }));
    for (const FieldSpec &f : out.dataset->fields)
        QVERIFY(f.name != QLatin1String("name"));
    for (const FieldSpec &f : out.dataset->eventFields)
        QVERIFY(f.name != QLatin1String("note"));
    QCOMPARE(out.dataset->cases.front().caseId, caseId(1)); // ids as written
    QCOMPARE(out.report.countKind(QStringLiteral("deidentified")), 1);
}

void TestDeidentify::datesTheShiftCannotSeeAreWarned()
{
    // A visit date in another format, and ISO dates typed as categorical by hand: neither is
    // shifted, so the report warns about each column, without quoting a value.
    QByteArray m = "case_id,label,visit,admit_date,sex\n";
    for (int i = 1; i <= 6; ++i)
        m += QStringLiteral("C%1,%2,%3/0%4/2021,2021-03-0%4,F\n")
                 .arg(i)
                 .arg(i % 2 ? QStringLiteral("a") : QStringLiteral("b"))
                 .arg(10 + i)
                 .arg(i)
                 .toUtf8();
    writeFile(m_manifest, m);
    ImportOptions o;
    o.manifestPath = m_manifest;
    o.threads = 1;
    o.minClassCases = 2;
    o.deidentify.enabled = true;
    o.deidentify.secret = Deidentifier::newSecret();
    o.fieldTypes.insert(QStringLiteral("admit_date"), FieldType::Categorical);
    const ImportOutcome out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    QStringList warned;
    for (const ImportProblem &p : out.report.problems())
        if (p.kind == QLatin1String("date-not-shifted")) {
            warned << p.column;
            QVERIFY2(!p.reason.contains(QStringLiteral("2021")), qPrintable(p.reason));
            QVERIFY(p.reason.contains(QStringLiteral("YYYY-MM-DD")));
        }
    warned.sort();
    QCOMPARE(warned, (QStringList { QStringLiteral("admit_date"), QStringLiteral("visit") }));
    // A real date column is shifted and not warned about.
    o.fieldTypes.clear();
    const ImportOutcome typed = Importer::run(o);
    QVERIFY(typed.dataset);
    QStringList again;
    for (const ImportProblem &p : typed.report.problems())
        if (p.kind == QLatin1String("date-not-shifted"))
            again << p.column;
    QCOMPARE(again, QStringList { QStringLiteral("visit") });
}

QTEST_GUILESS_MAIN(TestDeidentify)
#include "tst_deidentify.moc"
