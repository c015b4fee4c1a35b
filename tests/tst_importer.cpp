// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/Importer.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QDir>
#include <QFile>
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

/// A valid manifest of 12 cases in two classes, each with an image, age and sex.
QByteArray baseManifest()
{
    QByteArray m = "case_id,label,image,age,sex\n";
    for (int i = 1; i <= 12; ++i)
        m += QStringLiteral("P%1,%2,img%1.png,%3,%4\n")
                 .arg(i, 2, 10, QLatin1Char('0'))
                 .arg(i % 2 ? QStringLiteral("a") : QStringLiteral("b"))
                 .arg(30 + i)
                 .arg(i % 3 ? QStringLiteral("F") : QStringLiteral("M"))
                 .toUtf8();
    return m;
}

} // namespace

class TestImporter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanImport();
    void problem_data();
    void problem();
    void fatal_data();
    void fatal();
    void imageFormats_data();
    void imageFormats();
    void symlinkOutsideRootIsRefused();
    void outsideRootAllowedExplicitly();
    void filesystemRootAsImageRoot();
    void stratifiedSplit();
    void manifestSplitKept();
    void typeOverride();
    void eventsAreParsed();
    void saveAndReadBack();
    void cancelWritesNothing();
    void problemsAboutTheWholeFileAreSaved();
    void filterByProblemsAndSortInSql();

private:
    ImportOptions options(const QByteArray &manifest, const QByteArray &events = QByteArray());
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestImporter::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    for (int i = 1; i <= 12; ++i) {
        cv::Mat img(32, 32, CV_8UC1, cv::Scalar(i * 10));
        QVERIFY(cv::imwrite(
            m_dir->filePath(QStringLiteral("img%1.png").arg(i, 2, 10, QLatin1Char('0'))).toStdString(), img));
    }
    writeFile(m_dir->filePath(QStringLiteral("corrupt.png")), QByteArray("\x89PNG\r\n\x1a\nthis is not really a png"));
    writeFile(m_dir->filePath(QStringLiteral("empty.png")), QByteArray());
    cv::Mat tiny(4, 4, CV_8UC1, cv::Scalar(0));
    QVERIFY(cv::imwrite(m_dir->filePath(QStringLiteral("tiny.png")).toStdString(), tiny));
}

ImportOptions TestImporter::options(const QByteArray &manifest, const QByteArray &events)
{
    ImportOptions o;
    o.manifestPath = m_dir->filePath(QStringLiteral("manifest.csv"));
    writeFile(o.manifestPath, manifest);
    if (!events.isEmpty()) {
        o.eventsPath = m_dir->filePath(QStringLiteral("events.csv"));
        writeFile(o.eventsPath, events);
    }
    o.threads = 2;
    return o;
}

void TestImporter::cleanImport()
{
    ImportOutcome out = Importer::run(options(baseManifest()));
    QVERIFY2(!out.report.hasFatal(), qPrintable(out.report.toText()));
    QCOMPARE(out.report.problems().size(), 0);
    QVERIFY(out.dataset);
    const ImportedDataset &ds = *out.dataset;
    QCOMPARE(static_cast<int>(ds.cases.size()), 12);
    QCOMPARE(ds.classes, (QStringList { QStringLiteral("a"), QStringLiteral("b") }));
    QCOMPARE(static_cast<int>(ds.fields.size()), 2);
    QCOMPARE(ds.fields[0].name, QStringLiteral("age"));
    QCOMPARE(ds.fields[0].type, FieldType::Numeric);
    QCOMPARE(ds.fields[1].type, FieldType::Categorical);
    QCOMPARE(ds.fields[1].categories, (QStringList { QStringLiteral("F"), QStringLiteral("M") }));
    QCOMPARE(ds.cases[0].imageWidth, 32);
    QCOMPARE(ds.cases[0].imageBits, 8);
    QCOMPARE(ds.cases[0].imageHash.size(), 64);
    QCOMPARE(ds.cases[0].values[0].number, 31.0);
    QCOMPARE(out.report.imagesDecoded, 12);
    for (const ImportedCase &c : ds.cases)
        QVERIFY(!c.split.isEmpty());
}

void TestImporter::problem_data()
{
    QTest::addColumn<QByteArray>("manifest");
    QTest::addColumn<QByteArray>("events");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("column");
    QTest::addColumn<int>("casesImported");

    const QByteArray base = baseManifest();
    QTest::newRow("ragged row") << base + "P13,a,img01.png,40\n"
                                << QByteArray() << "ragged-row"
                                << "manifest.csv" << 14 << "" << 12;
    QTest::newRow("missing id") << base + ",a,img01.png,40,F\n"
                                << QByteArray() << "missing-id"
                                << "manifest.csv" << 14 << "case_id" << 12;
    QTest::newRow("duplicate id") << base + "P03,a,img01.png,40,F\n"
                                  << QByteArray() << "duplicate-id"
                                  << "manifest.csv" << 14 << "case_id" << 12;
    QTest::newRow("invalid split") << QByteArray(
        "case_id,label,split\nA,a,train\nB,a,val\nC,a,test\nD,b,train\nE,b,val\nF,b,test\nG,b,tset\n")
                                   << QByteArray() << "invalid-split"
                                   << "manifest.csv" << 8 << "split" << 6;
    QTest::newRow("unparsable value") << base + "P13,a,img01.png,forty,F\n"
                                      << QByteArray() << "unparsable-value"
                                      << "manifest.csv" << 14 << "age" << 12;
    QTest::newRow("rare class") << base + "P13,c,img01.png,40,F\n"
                                << QByteArray() << "rare-class"
                                << "manifest.csv" << 14 << "label" << 12;
    QTest::newRow("image missing") << base + "P13,a,nowhere.png,40,F\n"
                                   << QByteArray() << "image-missing"
                                   << "manifest.csv" << 14 << "image" << 12;
    QTest::newRow("image undecodable") << base + "P13,a,corrupt.png,40,F\n"
                                       << QByteArray() << "image-undecodable"
                                       << "manifest.csv" << 14 << "image" << 12;
    QTest::newRow("image empty") << base + "P13,a,empty.png,40,F\n"
                                 << QByteArray() << "image-undecodable"
                                 << "manifest.csv" << 14 << "image" << 12;
    QTest::newRow("image too small") << base + "P13,a,tiny.png,40,F\n"
                                     << QByteArray() << "image-undecodable"
                                     << "manifest.csv" << 14 << "image" << 12;
    QTest::newRow("image escapes root") << base + "P13,a,../img01.png,40,F\n"
                                        << QByteArray() << "image-outside-root"
                                        << "manifest.csv" << 14 << "image" << 12;
    QTest::newRow("absolute image path outside root") << base + "P13,a,/etc/hostname,40,F\n"
                                                      << QByteArray() << "image-outside-root"
                                                      << "manifest.csv" << 14 << "image" << 12;
    QTest::newRow("events of unknown case")
        << base << QByteArray("case_id,time,hr\nP01,1,80\nZZ9,2,90\n") << "unknown-case"
        << "events.csv" << 3 << "case_id" << 12;
    QTest::newRow("events of an excluded case") << base + "P03,a,img01.png,40,F\n"
                                                << QByteArray("case_id,time,hr\nP01,1,80\nP03,2,90\n") << "duplicate-id"
                                                << "manifest.csv" << 14 << "case_id" << 12;
    QTest::newRow("event time invalid") << base << QByteArray("case_id,time,hr\nP01,1,80\nP01,soon,90\n")
                                        << "invalid-time"
                                        << "events.csv" << 3 << "time" << 12;
    QTest::newRow("event value unparsable")
        << base
        << QByteArray("case_id,time,hr\nP01,1,80\nP01,2,81\nP01,3,82\nP01,4,83\nP01,5,84\nP01,6,85\nP01,7,86\nP01,8,"
                      "87\nP01,9,88\nP01,10,fast\n")
        << "unparsable-value"
        << "events.csv" << 11 << "hr" << 12;
    QTest::newRow("ragged event row") << base << QByteArray("case_id,time,hr\nP01,1,80,7\n") << "ragged-row"
                                      << "events.csv" << 2 << "" << 12;
}

void TestImporter::problem()
{
    QFETCH(QByteArray, manifest);
    QFETCH(QByteArray, events);
    QFETCH(QString, kind);
    QFETCH(QString, file);
    QFETCH(int, line);
    QFETCH(QString, column);
    QFETCH(int, casesImported);
    ImportOutcome out = Importer::run(options(manifest, events));
    QVERIFY2(!out.report.hasFatal(), qPrintable(out.report.toText()));
    QVERIFY(out.dataset);
    QCOMPARE(out.report.casesImported, casesImported);
    const auto &problems = out.report.problems();
    auto it = std::find_if(problems.begin(), problems.end(), [&](const ImportProblem &p) { return p.kind == kind; });
    QVERIFY2(it != problems.end(), qPrintable(out.report.toText()));
    QVERIFY2(it->file.endsWith(file), qPrintable(it->file));
    QCOMPARE(it->line, line);
    QCOMPARE(it->column, column);
    QCOMPARE(it->severity, ImportProblem::Severity::Excluded);
    QVERIFY(!it->reason.isEmpty());
    // The excluded row is listed, never silently dropped: imported + excluded = rows read.
    QCOMPARE(out.report.casesImported + out.report.casesExcluded, out.report.rowsRead);
}

void TestImporter::fatal_data()
{
    QTest::addColumn<QByteArray>("manifest");
    QTest::addColumn<QByteArray>("events");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("needle");
    QTest::newRow("no id column") << QByteArray("id,label\n1,a\n") << QByteArray() << QStringList() << "no-id-column"
                                  << "--id-col";
    QTest::newRow("not a CSV") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << QByteArray() << QStringList()
                               << "manifest-unreadable"
                               << "binary";
    QTest::newRow("empty manifest") << QByteArray() << QByteArray() << QStringList() << "manifest-unreadable"
                                    << "empty";
    QTest::newRow("duplicate column") << QByteArray("case_id,age,age\n1,2,3\n") << QByteArray() << QStringList()
                                      << "duplicate-column"
                                      << "age";
    QTest::newRow("named label column missing")
        << QByteArray("case_id,y\n1,a\n") << QByteArray() << QStringList { QStringLiteral("label-col=diagnosis") }
        << "missing-column"
        << "diagnosis";
    QTest::newRow("unknown field override")
        << baseManifest() << QByteArray() << QStringList { QStringLiteral("field-type=height") } << "unknown-field"
        << "height";
    QTest::newRow("events without time column")
        << baseManifest() << QByteArray("case_id,when,hr\nP01,1,80\n") << QStringList() << "events-columns"
        << "time";
    QTest::newRow("no case survives") << QByteArray("case_id,label\n,a\n,b\n") << QByteArray() << QStringList()
                                      << "no-cases"
                                      << "no case";
}

void TestImporter::fatal()
{
    QFETCH(QByteArray, manifest);
    QFETCH(QByteArray, events);
    QFETCH(QStringList, args);
    QFETCH(QString, kind);
    QFETCH(QString, needle);
    ImportOptions o = options(manifest, events);
    for (const QString &a : args) {
        if (a.startsWith(QStringLiteral("label-col="))) {
            o.labelColumn = a.mid(10);
            o.labelColumnGiven = true;
        } else if (a.startsWith(QStringLiteral("field-type="))) {
            o.fieldTypes.insert(a.mid(11), FieldType::Numeric);
        }
    }
    ImportOutcome out = Importer::run(o);
    QVERIFY(out.report.hasFatal());
    QVERIFY(!out.dataset);
    const auto &problems = out.report.problems();
    auto it = std::find_if(problems.begin(), problems.end(),
        [](const ImportProblem &p) { return p.severity == ImportProblem::Severity::Fatal; });
    QVERIFY(it != problems.end());
    QCOMPARE(it->kind, kind);
    QVERIFY2(it->reason.contains(needle), qPrintable(it->reason));
    QVERIFY(out.report.toText().contains(QStringLiteral("nothing was written")));
}

void TestImporter::imageFormats_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("channels");
    QTest::newRow("png grey 8") << "a.png" << CV_8UC1 << 8 << 1;
    QTest::newRow("png grey 16") << "b.png" << CV_16UC1 << 16 << 1;
    QTest::newRow("png colour") << "c.png" << CV_8UC3 << 8 << 3;
    QTest::newRow("jpeg colour") << "d.jpg" << CV_8UC3 << 8 << 3;
    QTest::newRow("bmp grey") << "e.bmp" << CV_8UC1 << 8 << 1;
    QTest::newRow("tiff grey 16") << "f.tif" << CV_16UC1 << 16 << 1;
    QTest::newRow("tiff colour 8") << "g.tiff" << CV_8UC3 << 8 << 3;
}

void TestImporter::imageFormats()
{
    QFETCH(QString, file);
    QFETCH(int, type);
    QFETCH(int, bits);
    QFETCH(int, channels);
    cv::Mat img(40, 48, type, cv::Scalar::all(100));
    QVERIFY(cv::imwrite(m_dir->filePath(file).toStdString(), img));
    QByteArray m = baseManifest();
    m.replace("img01.png", file.toUtf8());
    ImportOutcome out = Importer::run(options(m));
    QVERIFY2(out.dataset && out.report.problems().isEmpty(), qPrintable(out.report.toText()));
    const ImportedCase &c = out.dataset->cases[0];
    QCOMPARE(c.imageWidth, 48);
    QCOMPARE(c.imageHeight, 40);
    QCOMPARE(c.imageBits, bits);
    QCOMPARE(c.imageChannels, channels);
}

void TestImporter::symlinkOutsideRootIsRefused()
{
    QTemporaryDir outside;
    cv::Mat img(32, 32, CV_8UC1, cv::Scalar(1));
    QVERIFY(cv::imwrite(outside.filePath(QStringLiteral("secret.png")).toStdString(), img));
    QVERIFY(QFile::link(outside.filePath(QStringLiteral("secret.png")), m_dir->filePath(QStringLiteral("link.png"))));
    ImportOutcome out = Importer::run(options(baseManifest() + "P13,a,link.png,40,F\n"));
    QVERIFY(out.dataset);
    QCOMPARE(out.report.countKind(QStringLiteral("image-outside-root")), 1);
    QCOMPARE(out.report.casesImported, 12);
}

void TestImporter::outsideRootAllowedExplicitly()
{
    QDir(m_dir->path()).mkdir(QStringLiteral("sub"));
    ImportOptions o = options(baseManifest() + "P13,a,../img01.png,40,F\n");
    o.imageRoot = m_dir->filePath(QStringLiteral("sub"));
    ImportOutcome refused = Importer::run(o);
    QVERIFY(refused.report.countKind(QStringLiteral("image-missing")) == 12); // others resolve under sub/
    o.allowOutsideRoot = true;
    ImportOutcome allowed = Importer::run(o);
    QCOMPARE(allowed.report.countKind(QStringLiteral("image-outside-root")), 0);
    QVERIFY(allowed.dataset);
    QCOMPARE(allowed.dataset->cases.back().caseId, QStringLiteral("P13"));
}

void TestImporter::filesystemRootAsImageRoot()
{
    // "/" as the image root: absolute paths in the manifest are inside it (it once built "//").
    QByteArray m = "case_id,label,image,age,sex\n";
    for (int i = 1; i <= 12; ++i)
        m += QStringLiteral("Q%1,%2,%3,40,F\n")
                 .arg(i)
                 .arg(i % 2 ? QStringLiteral("a") : QStringLiteral("b"))
                 .arg(m_dir->filePath(QStringLiteral("img%1.png").arg(i, 2, 10, QLatin1Char('0'))))
                 .toUtf8();
    ImportOptions o = options(m);
    o.imageRoot = QStringLiteral("/");
    ImportOutcome out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    QCOMPARE(out.report.countKind(QStringLiteral("image-outside-root")), 0);
    QCOMPARE(out.report.imagesDecoded, 12);
}

void TestImporter::stratifiedSplit()
{
    QByteArray m = "case_id,label,x\n";
    for (int i = 0; i < 200; ++i)
        m += QStringLiteral("C%1,%2,%3\n")
                 .arg(i)
                 .arg(i < 140 ? QStringLiteral("neg") : QStringLiteral("pos"))
                 .arg(i)
                 .toUtf8();
    m += "U1,,1\n"; // unlabelled: no split
    ImportOptions o = options(m);
    ImportOutcome a = Importer::run(o);
    QVERIFY(a.dataset);
    QMap<QString, QMap<QString, int>> counts;
    for (const ImportedCase &c : a.dataset->cases)
        ++counts[c.label][c.split];
    QCOMPARE(counts[QStringLiteral("neg")][QStringLiteral("train")], 98);
    QCOMPARE(counts[QStringLiteral("neg")][QStringLiteral("val")], 21);
    QCOMPARE(counts[QStringLiteral("neg")][QStringLiteral("test")], 21);
    QCOMPARE(counts[QStringLiteral("pos")][QStringLiteral("train")], 42);
    QCOMPARE(counts[QStringLiteral("pos")][QStringLiteral("val")], 9);
    QCOMPARE(counts[QStringLiteral("")][QStringLiteral("")], 1);
    // Seeded: the same seed gives the same split, another seed another one.
    ImportOutcome b = Importer::run(o);
    o.seed = 43;
    ImportOutcome c = Importer::run(o);
    int same = 0, differ = 0;
    for (std::size_t i = 0; i < a.dataset->cases.size(); ++i) {
        QCOMPARE(a.dataset->cases[i].split, b.dataset->cases[i].split);
        (a.dataset->cases[i].split == c.dataset->cases[i].split ? same : differ)++;
    }
    QVERIFY(differ > 20);
}

void TestImporter::manifestSplitKept()
{
    QByteArray m = "case_id,label,split\n";
    for (int i = 0; i < 12; ++i)
        m += QStringLiteral("C%1,%2,%3\n")
                 .arg(i)
                 .arg(i % 2 ? "a" : "b")
                 .arg(i < 4      ? QStringLiteral("test")
                         : i < 6 ? QStringLiteral("")
                                 : QStringLiteral("train"))
                 .toUtf8();
    ImportOutcome out = Importer::run(options(m));
    QVERIFY(out.dataset);
    QVERIFY(out.dataset->splitFromManifest);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(out.dataset->cases[static_cast<std::size_t>(i)].split, QStringLiteral("test"));
    for (int i = 6; i < 12; ++i)
        QCOMPARE(out.dataset->cases[static_cast<std::size_t>(i)].split, QStringLiteral("train"));
    QVERIFY(!out.dataset->cases[4].split.isEmpty()); // filled by the seeded split
}

void TestImporter::typeOverride()
{
    QByteArray m = baseManifest();
    ImportOptions o = options(m);
    o.fieldTypes.insert(QStringLiteral("age"), FieldType::Categorical);
    ImportOutcome out = Importer::run(o);
    QVERIFY(out.dataset);
    QCOMPARE(out.dataset->fields[0].type, FieldType::Categorical);
    QVERIFY(out.dataset->fields[0].typeOverridden);
    QCOMPARE(out.dataset->fields[0].categories.size(), 12);
    // Missing markers are missing values, not categories.
    m.replace("P02,b,img02.png,32", "P02,b,img02.png,NA");
    m.replace("P04,b,img04.png,34", "P04,b,img04.png,null");
    out = Importer::run(options(m));
    QVERIFY(out.dataset);
    QVERIFY(out.dataset->cases[1].values[0].missing);
    QVERIFY(out.dataset->cases[3].values[0].missing);
    QCOMPARE(out.dataset->fields[0].type, FieldType::Numeric);
}

void TestImporter::eventsAreParsed()
{
    ImportOutcome out = Importer::run(options(
        baseManifest(), QByteArray("case_id,time,hr,note\nP02,2024-01-02,80,ok\nP01,3,90,NA\nP01,1.5,85,high\n")));
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    QCOMPARE(static_cast<int>(out.dataset->events.size()), 3);
    QCOMPARE(out.dataset->eventFields[0].type, FieldType::Numeric);
    QCOMPARE(out.dataset->eventFields[1].type, FieldType::Categorical);
    QCOMPARE(out.dataset->events[0].time, 19724.0); // 2024-01-02 in days since 1970
    QVERIFY(out.dataset->events[1].values[1].missing);
    QCOMPARE(out.report.eventsImported, 3);
}

void TestImporter::saveAndReadBack()
{
    ImportOutcome out = Importer::run(
        options(baseManifest() + "P13,a,corrupt.png,40,F\n", QByteArray("case_id,time,hr\nP01,2,80\nP01,1,70\n")));
    QVERIFY(out.dataset);
    auto study = Study::open(m_dir->filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY2(study, qPrintable(study.error()));
    DatasetRepository repo(*study.value());
    auto id = repo.save(*out.dataset, out.report);
    QVERIFY2(id, qPrintable(id.error()));
    auto d = repo.dataset(id.value());
    QVERIFY(d);
    QCOMPARE(d->caseCount, 12);
    QCOMPARE(d->imageCount, 12);
    QCOMPARE(d->eventCount, 2);
    QCOMPARE(d->classCounts.value(QStringLiteral("a")), 6);
    auto cases = repo.cases(id.value(), {}, 0, 5);
    QVERIFY(cases);
    QCOMPARE(static_cast<int>(cases->size()), 5);
    QCOMPARE(cases->front().caseKey, QStringLiteral("P01"));
    auto values = repo.caseValues(id.value(), cases->front().id);
    QVERIFY(values);
    QCOMPARE(values->at(0).toDouble(), 31.0);
    QCOMPARE(values->at(1).toString(), QStringLiteral("F"));
    auto events = repo.caseEvents(cases->front().id);
    QVERIFY(events);
    QCOMPARE(static_cast<int>(events->size()), 2);
    QCOMPARE(events->front().time, 1.0); // ordered by time
    auto report = repo.report(id.value());
    QVERIFY(report);
    QCOMPARE(report->countKind(QStringLiteral("image-undecodable")), 1);
    QCOMPARE(report->problems().front().line, 14);
    CaseFilter f;
    f.text = QStringLiteral("P1");
    QCOMPARE(repo.caseCount(id.value(), f).value(), 3); // P10, P11, P12
    f.text = QStringLiteral("%");
    QCOMPARE(repo.caseCount(id.value(), f).value(), 0); // LIKE wildcards are literal
}

void TestImporter::problemsAboutTheWholeFileAreSaved()
{
    // One class only: a warning about the label column with no case. It is stored with the
    // dataset (empty case and line), not refused by the study's NOT NULL columns.
    ImportOutcome out = Importer::run(options("case_id,label,x\nA,p,1\nB,p,2\nC,p,3\nD,p,4\n", QByteArray()));
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    QCOMPARE(out.report.countKind(QStringLiteral("one-class")), 1);
    auto study = Study::open(m_dir->filePath(QStringLiteral("one.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(study);
    DatasetRepository repo(*study.value());
    auto id = repo.save(*out.dataset, out.report);
    QVERIFY2(id, qPrintable(id.error()));
    auto report = repo.report(id.value());
    QVERIFY(report);
    QCOMPARE(report->countKind(QStringLiteral("one-class")), 1);
    QCOMPARE(repo.problemCounts(id.value()).value().size(), 0); // names no case
}

void TestImporter::filterByProblemsAndSortInSql()
{
    // P02's second event row has an unreadable time: the row is left out, the case kept.
    ImportOutcome out
        = Importer::run(options(baseManifest(), QByteArray("case_id,time,hr\nP01,1,70\nP02,1,71\nP02,soon,72\n")));
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    auto study = Study::open(m_dir->filePath(QStringLiteral("p.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(study);
    DatasetRepository repo(*study.value());
    auto id = repo.save(*out.dataset, out.report);
    QVERIFY2(id, qPrintable(id.error()));
    const auto counts = repo.problemCounts(id.value()).value();
    QCOMPARE(counts.value(QStringLiteral("P02")), 1);
    CaseFilter f;
    f.problemsOnly = true;
    QCOMPARE(repo.caseCount(id.value(), f).value(), 1);
    QCOMPARE(repo.cases(id.value(), f).value().front().caseKey, QStringLiteral("P02"));
    // Sorting: a whitelisted column in either direction; anything else keeps import order.
    CaseFilter sorted;
    sorted.sortColumn = QStringLiteral("case_key");
    sorted.descending = true;
    QCOMPARE(repo.cases(id.value(), sorted, 0, 1).value().front().caseKey, QStringLiteral("P12"));
    sorted.sortColumn = QStringLiteral("id; DROP TABLE cases");
    QCOMPARE(repo.cases(id.value(), sorted, 0, 1).value().front().caseKey, QStringLiteral("P12"));
    sorted.descending = false;
    QCOMPARE(repo.cases(id.value(), sorted, 0, 1).value().front().caseKey, QStringLiteral("P01"));
    sorted.sortColumn = QStringLiteral("problems"); // the case with a problem first
    sorted.descending = true;
    QCOMPARE(repo.cases(id.value(), sorted, 0, 1).value().front().caseKey, QStringLiteral("P02"));
    QCOMPARE(repo.caseCount(id.value()).value(), 12);
    // The counts per split and class add up to the cases.
    auto d = repo.dataset(id.value());
    QVERIFY(d);
    int total = 0;
    for (const auto &perClass : d->splitClassCounts)
        for (int n : perClass)
            total += n;
    QCOMPARE(total, 12);
}

void TestImporter::cancelWritesNothing()
{
    ImportOptions o = options(baseManifest());
    o.cancelled = [] { return true; };
    ImportOutcome out = Importer::run(o);
    QVERIFY(out.report.hasFatal());
    QCOMPARE(out.report.countKind(QStringLiteral("cancelled")), 1);
    QVERIFY(!out.dataset);
}

QTEST_GUILESS_MAIN(TestImporter)
#include "tst_importer.moc"
