// SPDX-License-Identifier: GPL-3.0-or-later
// DICOM data as a user imports it, through the command line: the demo written as DICOM files
// (patients with two visits each, several transfer syntaxes, MONOCHROME1), imported with a
// manifest and as a bare folder with a labels file, de-identified. Checks that no value of a PHI
// attribute of any file is anywhere in the study's bytes, that no patient is in two splits, that
// attributes become typed fields, and that bad input is refused with a message naming it.
#include "data/Dicom.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace lepton;

namespace {

struct Run
{
    int code = -1;
    QString out;
};

Run cli(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(LEPTON_CLI), args);
    if (!p.waitForFinished(180000))
        return {};
    return { p.exitCode(), QString::fromUtf8(p.readAll()) };
}

QByteArray bytesOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Every file the study consists of, as bytes.
QByteArray studyBytes(const QString &study)
{
    QByteArray all;
    for (const char *suffix : { "", "-wal", "-shm", "-journal" })
        all += bytesOf(study + QLatin1String(suffix));
    return all;
}

} // namespace

class TestDicomImport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_data;
    QString path(const QString &name) const { return m_dir.filePath(name); }
    /// The identifying values the demo's DICOM files hold: every PHI attribute's value, dates
    /// also as ISO text.
    QStringList phiValues() const;
    int queryInt(const QString &study, const QString &sql) const;

private Q_SLOTS:
    void initTestCase();
    void manifestImportDeidentified();
    void folderImportDeidentified();
    void patientsStayInOneSplit();
    void refusals();
    void damagedAndForeignFilesInAFolder();
    void eventsWithTheirOwnIdColumn();
};

void TestDicomImport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_data = path(QStringLiteral("dcm"));
    const Run r = cli({ QStringLiteral("demo-data"), QStringLiteral("--cases"), QStringLiteral("80"),
        QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--format"), QStringLiteral("dicom"),
        QStringLiteral("--out"), m_data });
    QVERIFY2(r.code == 0, qPrintable(r.out));
    QVERIFY(QFile::exists(m_data + QStringLiteral("/labels.csv")));
    QVERIFY(QFile::exists(m_data + QStringLiteral("/images/P00001.dcm")));
}

QStringList TestDicomImport::phiValues() const
{
    QStringList keywords;
    for (const QString &k : dicomPhiKeywords())
        if (dicomPhiKind(k) != DicomPhi::Age && dicomPhiKind(k) != DicomPhi::None)
            keywords.append(k);
    QSet<QString> values;
    QDirIterator it(m_data + QStringLiteral("/images"), { QStringLiteral("*.dcm") }, QDir::Files);
    while (it.hasNext()) {
        auto a = DicomReader::attributes(it.next(), keywords);
        if (!a)
            qFatal("%s", qPrintable(a.error()));
        for (auto v = a->cbegin(); v != a->cend(); ++v) {
            if (v.value().size() < 4)
                continue;
            // Dates are stored shifted, as ISO text; a shifted date may equal another patient's
            // original one, so only the file's own form (20220109) is looked for here and the
            // shift is checked from the report.
            values.insert(v.value());
        }
    }
    return QStringList(values.begin(), values.end());
}

int TestDicomImport::queryInt(const QString &study, const QString &sql) const
{
    const QString name = QStringLiteral("q%1").arg(quintptr(this)) + sql.left(8);
    int v = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(study);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                v = q.value(0).toInt();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return v;
}

void TestDicomImport::manifestImportDeidentified()
{
    const QString study = path(QStringLiteral("manifest.lepton"));
    const Run r = cli({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
        m_data + QStringLiteral("/manifest.csv"), QStringLiteral("--events"), m_data + QStringLiteral("/events.csv"),
        QStringLiteral("--dicom-fields"), QStringLiteral("PatientAge,ViewPosition,StudyDate,StudyInstanceUID"),
        QStringLiteral("--group-col"), QStringLiteral("PatientID"), QStringLiteral("--deidentify") });
    QVERIFY2(r.code == 0, qPrintable(r.out));
    const QStringList phi = phiValues();
    QVERIFY2(phi.size() > 200, qPrintable(QString::number(phi.size()))); // names, ids, UIDs, dates
    QVERIFY(phi.contains(QStringLiteral("Lepton Demo Hospital"))); // the check can see what it looks for
    const QByteArray bytes = studyBytes(study);
    QVERIFY(bytes.size() > 10000);
    for (const QString &v : phi)
        QVERIFY2(!bytes.contains(v.toUtf8()), qPrintable(QStringLiteral("PHI value '%1' is in the study").arg(v)));
    // The attributes are typed fields.
    QCOMPARE(
        queryInt(study, QStringLiteral("SELECT count(*) FROM fields WHERE name = 'PatientAge' AND type = 'numeric'")),
        1);
    QCOMPARE(
        queryInt(study, QStringLiteral("SELECT count(*) FROM fields WHERE name = 'StudyDate' AND type = 'date'")), 1);
    QCOMPARE(queryInt(study,
                 QStringLiteral("SELECT count(*) FROM fields WHERE name = 'ViewPosition' AND type = 'categorical'")),
        1);
    // The group column is a role, not a field.
    QCOMPARE(queryInt(study, QStringLiteral("SELECT count(*) FROM fields WHERE name = 'PatientID'")), 0);
    QVERIFY(r.out.contains(QLatin1String("groups by 'PatientID'")));
    const QString dates = r.out.section(QLatin1String("Dates shifted"), 1).section(QLatin1Char('\n'), 0, 0);
    QVERIFY2(dates.contains(QLatin1String("StudyDate")), qPrintable(r.out));
    // `lepton cases` lists every case with its split and group.
    const Run cases = cli({ QStringLiteral("cases"), study, QStringLiteral("--json") });
    QVERIFY2(cases.code == 0, qPrintable(cases.out));
    QVERIFY(cases.out.contains(QLatin1String("\"group_column\": \"PatientID\"")));
    QVERIFY(cases.out.contains(QLatin1String("\"group\": \"p-")));
    QCOMPARE(int(cases.out.count(QLatin1String("\"case\":"))),
        queryInt(study, QStringLiteral("SELECT count(*) FROM cases")));
}

void TestDicomImport::folderImportDeidentified()
{
    const QString study = path(QStringLiteral("folder.lepton"));
    const Run r = cli({ QStringLiteral("import"), study, QStringLiteral("--dicom-dir"),
        m_data + QStringLiteral("/images"), QStringLiteral("--labels"), m_data + QStringLiteral("/labels.csv"),
        QStringLiteral("--join-on"), QStringLiteral("AccessionNumber"), QStringLiteral("--dicom-fields"),
        QStringLiteral("PatientAge,PatientSex"), QStringLiteral("--group-col"), QStringLiteral("PatientID"),
        QStringLiteral("--dicom-window"), QStringLiteral("full"), QStringLiteral("--deidentify") });
    QVERIFY2(r.code == 0, qPrintable(r.out));
    int files = 0;
    QDirIterator it(m_data + QStringLiteral("/images"), QDir::Files);
    while (it.hasNext()) {
        it.next();
        ++files;
    }
    QCOMPARE(queryInt(study, QStringLiteral("SELECT count(*) FROM cases")), files);
    QCOMPARE(queryInt(study, QStringLiteral("SELECT count(*) FROM cases WHERE label IS NULL")), 0); // all joined
    QCOMPARE(queryInt(study, QStringLiteral("SELECT count(*) FROM datasets WHERE dicom_window = 'full'")), 1);
    const QByteArray bytes = studyBytes(study);
    for (const QString &v : phiValues())
        QVERIFY2(!bytes.contains(v.toUtf8()), qPrintable(QStringLiteral("PHI value '%1' is in the study").arg(v)));
    // The labels agree with the manifest's: the abnormal count is the same.
    const QByteArray labels = bytesOf(m_data + QStringLiteral("/labels.csv"));
    QCOMPARE(queryInt(study, QStringLiteral("SELECT count(*) FROM cases WHERE label = 'abnormal'")),
        int(labels.count(",abnormal")));
}

void TestDicomImport::patientsStayInOneSplit()
{
    for (const QString &name : { QStringLiteral("manifest.lepton"), QStringLiteral("folder.lepton") }) {
        const QString study = path(name);
        QVERIFY(QFile::exists(study));
        // Two visits per patient: groups exist, and none spans two splits.
        QVERIFY(
            queryInt(study, QStringLiteral("SELECT count(DISTINCT group_key) FROM cases WHERE group_key != ''")) >= 30);
        QCOMPARE(queryInt(study,
                     QStringLiteral("SELECT count(*) FROM (SELECT group_key FROM cases WHERE group_key != '' AND split "
                                    "IS NOT NULL GROUP BY group_key HAVING count(DISTINCT split) > 1)")),
            0);
        for (const char *split : { "train", "val", "test" })
            QVERIFY2(queryInt(study,
                         QStringLiteral("SELECT count(*) FROM cases WHERE split = '%1'").arg(QLatin1String(split)))
                    > 3,
                split);
    }
    // Without the group column the same data does split patients: the check above can fail.
    const QString study = path(QStringLiteral("nogroup.lepton"));
    const Run r = cli({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
        m_data + QStringLiteral("/manifest.csv"), QStringLiteral("--dicom-fields"), QStringLiteral("PatientID") });
    QVERIFY2(r.code == 0, qPrintable(r.out));
    QVERIFY(queryInt(study,
                QStringLiteral(
                    "SELECT count(*) FROM (SELECT v.text FROM record_values v JOIN fields f ON f.id = v.field_id "
                    "JOIN cases c ON c.id = v.case_id WHERE f.name = 'PatientID' AND v.text != '' "
                    "GROUP BY v.text HAVING count(DISTINCT c.split) > 1)"))
        > 0);
}

void TestDicomImport::refusals()
{
    const QString study = path(QStringLiteral("refused.lepton"));
    const QString manifest = m_data + QStringLiteral("/manifest.csv");
    Run r = cli({ QStringLiteral("import"), study, QStringLiteral("--manifest"), manifest,
        QStringLiteral("--dicom-fields"), QStringLiteral("PatientName"), QStringLiteral("--deidentify") });
    QCOMPARE(r.code, 3);
    QVERIFY2(
        r.out.contains(QLatin1String("PatientName")) && r.out.contains(QLatin1String("removes")), qPrintable(r.out));
    r = cli({ QStringLiteral("import"), study, QStringLiteral("--manifest"), manifest, QStringLiteral("--dicom-fields"),
        QStringLiteral("PatientAgee") });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.out.contains(QLatin1String("PatientAgee")), qPrintable(r.out));
    r = cli({ QStringLiteral("import"), study, QStringLiteral("--manifest"), manifest, QStringLiteral("--dicom-window"),
        QStringLiteral("40") });
    QCOMPARE(r.code, 2);
    QVERIFY(r.out.contains(QLatin1String("CENTER,WIDTH")));
    r = cli({ QStringLiteral("import"), study, QStringLiteral("--dicom-dir"), m_data + QStringLiteral("/images"),
        QStringLiteral("--labels"), m_data + QStringLiteral("/labels.csv"), QStringLiteral("--join-on"),
        QStringLiteral("PatientName") });
    QCOMPARE(r.code, 3);
    QVERIFY(r.out.contains(QLatin1String("--join-on")));
    r = cli({ QStringLiteral("import"), study, QStringLiteral("--dicom-dir"), m_data + QStringLiteral("/images") });
    QCOMPARE(r.code, 2);
    QVERIFY(!QFile::exists(study) || queryInt(study, QStringLiteral("SELECT count(*) FROM datasets")) == 0);
}

void TestDicomImport::damagedAndForeignFilesInAFolder()
{
    // A copy of a few files, one cut short, one a structured report, one a text file.
    const QString folder = path(QStringLiteral("mixed"));
    QVERIFY(QDir().mkpath(folder));
    for (int i = 1; i <= 12; ++i) {
        const QString name = QStringLiteral("P%1.dcm").arg(i, 5, 10, QLatin1Char('0'));
        QVERIFY(QFile::copy(m_data + QStringLiteral("/images/") + name, folder + QLatin1Char('/') + name));
    }
    const QByteArray whole = bytesOf(folder + QStringLiteral("/P00002.dcm"));
    {
        QFile cut(folder + QStringLiteral("/P00002.dcm"));
        QVERIFY(cut.open(QIODevice::WriteOnly | QIODevice::Truncate));
        cut.write(whole.left(whole.size() - 300));
    }
    DicomWriteSpec sr;
    sr.withoutPixels = true;
    sr.sopClassUid = QStringLiteral("1.2.840.10008.5.1.4.1.1.88.11");
    sr.attributes = { { QStringLiteral("AccessionNumber"), QStringLiteral("ACC-P00003") } };
    QVERIFY(writeDicom(folder + QStringLiteral("/report.dcm"), sr).isEmpty());
    {
        QFile notes(folder + QStringLiteral("/README.txt"));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("not an image\n");
    }
    const QString study = path(QStringLiteral("mixed.lepton"));
    const Run r
        = cli({ QStringLiteral("import"), study, QStringLiteral("--dicom-dir"), folder, QStringLiteral("--labels"),
            m_data + QStringLiteral("/labels.csv"), QStringLiteral("--join-on"), QStringLiteral("AccessionNumber") });
    QVERIFY2(r.code == 0, qPrintable(r.out));
    QVERIFY2(
        r.out.contains(QLatin1String("P00002.dcm")) && r.out.contains(QLatin1String("truncated")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("structured report")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("not DICOM and were skipped")), qPrintable(r.out));
    QCOMPARE(queryInt(study, QStringLiteral("SELECT count(*) FROM cases")), 11 - 0); // 12 files, one cut, +0 SR
}

void TestDicomImport::eventsWithTheirOwnIdColumn()
{
    // A manifest whose id column is "patient" and an events file whose id column is "visit".
    const QString dir = path(QStringLiteral("ids"));
    QVERIFY(QDir().mkpath(dir));
    QByteArray manifest = "patient,label,crp\n";
    QByteArray events = "visit,time,hr\n";
    for (int i = 0; i < 30; ++i) {
        manifest += QStringLiteral("X%1,%2,%3\n").arg(i).arg(i % 2 ? "yes" : "no").arg(i * 1.5).toUtf8();
        events += QStringLiteral("X%1,2024-01-0%2T08:00:00Z,%3\n").arg(i).arg(1 + i % 9).arg(60 + i).toUtf8();
        events += QStringLiteral("X%1,2024-01-0%2T07:00:00+01:00,%3\n").arg(i).arg(1 + i % 9).arg(61 + i).toUtf8();
    }
    QFile m(dir + QStringLiteral("/m.csv"));
    QVERIFY(m.open(QIODevice::WriteOnly));
    m.write(manifest);
    m.close();
    QFile e(dir + QStringLiteral("/e.csv"));
    QVERIFY(e.open(QIODevice::WriteOnly));
    e.write(events);
    e.close();
    const QString study = path(QStringLiteral("ids.lepton"));
    Run r = cli({ QStringLiteral("import"), study, QStringLiteral("--manifest"), dir + QStringLiteral("/m.csv"),
        QStringLiteral("--events"), dir + QStringLiteral("/e.csv"), QStringLiteral("--id-col"),
        QStringLiteral("patient") });
    QCOMPARE(r.code, 3); // neither 'patient' nor case_id in the events file
    QVERIFY2(r.out.contains(QLatin1String("--events-id-col")), qPrintable(r.out));
    r = cli({ QStringLiteral("import"), study, QStringLiteral("--manifest"), dir + QStringLiteral("/m.csv"),
        QStringLiteral("--events"), dir + QStringLiteral("/e.csv"), QStringLiteral("--id-col"),
        QStringLiteral("patient"), QStringLiteral("--events-id-col"), QStringLiteral("visit") });
    QVERIFY2(r.code == 0, qPrintable(r.out));
    QCOMPARE(queryInt(study, QStringLiteral("SELECT count(*) FROM events")), 60);
}

QTEST_GUILESS_MAIN(TestDicomImport)
#include "tst_dicomimport.moc"
