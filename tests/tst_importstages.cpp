// SPDX-License-Identifier: GPL-3.0-or-later
// The importer's stages one at a time (data/ImportStages.h): each is run on a context that the
// stages before it prepared, and its own part of the context and the report are checked. The
// whole importer is tested end to end in tst_importer.
#include "data/Deidentifier.h"
#include "data/ImportContext.h"
#include "data/ImportStages.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>

#include <memory>

using namespace lepton;

namespace {

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

/// A manifest of `n` cases: "S1".."Sn" (patient M<i/2>), labels yes/no alternating, one image
/// each, a number, a category and a visit date.
QByteArray manifest(int n = 8)
{
    QByteArray m = "id,outcome,scan,mrn,score,ward,visit\n";
    for (int i = 1; i <= n; ++i)
        m += QStringLiteral("S%1,%2,s%1.png,M%3,%4,%5,2024-03-%6\n")
                 .arg(i)
                 .arg(i % 2 ? QStringLiteral("yes") : QStringLiteral("no"))
                 .arg(i / 2)
                 .arg(i * 1.5)
                 .arg(i % 3 ? QStringLiteral("east") : QStringLiteral("west"))
                 .arg(10 + i)
                 .toUtf8();
    return m;
}

int countKind(const ImportReport &report, const QString &kind)
{
    return report.countKind(kind);
}

} // namespace

class TestImportStages : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void readManifestFindsRoleColumns();
    void readManifestRefusesDuplicateColumnsAndMissingId();
    void resolveColumnsSeparatesRolesFieldsAndDrops();
    void resolveColumnsRefusesUnknownAndRoleColumns();
    void deidentifyRowsReplacesIdsBeforeValidation();
    void validateRowsExcludesBadRows();
    void inferTypesTypesParsesAndDropsRareClasses();
    void resolveImagesChecksEveryImage();
    void buildDatasetAssemblesCasesAndSplit();
    void readEventsUsesTheManifestsIdColumn();
    void summariseDeidentificationNamesColumnsNotValues();
    void cancelledBetweenStagesStops();

private:
    /// Options for the manifest text `m` written into the temporary folder.
    ImportOptions options(const QByteArray &m);
    /// A context with the stages up to (not including) `upTo` run, each required to succeed.
    std::unique_ptr<ImportContext> prepare(const ImportOptions &o, int upTo);

    std::unique_ptr<QTemporaryDir> m_dir;
    ImportOptions m_options; // the context refers to it
};

using Stage = bool (*)(ImportContext &);
static const Stage kStages[] = { importstage::readManifest, importstage::resolveColumns, importstage::deidentifyRows,
    importstage::validateRows, importstage::inferTypes, importstage::resolveImages, importstage::buildDataset,
    importstage::readEvents, importstage::summariseDeidentification };
enum StageIndex {
    ReadManifest,
    ResolveColumns,
    DeidentifyRows,
    ValidateRows,
    InferTypes,
    ResolveImages,
    BuildDataset,
    ReadEvents,
    Summarise
};

void TestImportStages::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    const cv::Mat img(32, 32, CV_8UC1, cv::Scalar(90));
    for (int i = 1; i <= 12; ++i)
        QVERIFY(cv::imwrite(m_dir->filePath(QStringLiteral("s%1.png").arg(i)).toStdString(), img));
}

ImportOptions TestImportStages::options(const QByteArray &m)
{
    writeFile(m_dir->filePath(QStringLiteral("manifest.csv")), m);
    ImportOptions o;
    o.manifestPath = m_dir->filePath(QStringLiteral("manifest.csv"));
    o.idColumn = QStringLiteral("id");
    o.labelColumn = QStringLiteral("outcome");
    o.imageColumn = QStringLiteral("scan");
    o.minClassCases = 2;
    o.threads = 1;
    return o;
}

std::unique_ptr<ImportContext> TestImportStages::prepare(const ImportOptions &o, int upTo)
{
    m_options = o;
    auto ctx = std::make_unique<ImportContext>(m_options);
    for (int s = 0; s < upTo; ++s) {
        if (!kStages[s](*ctx)) {
            qWarning("stage %d failed: %s", s, qPrintable(ctx->report.toText()));
            return nullptr;
        }
    }
    return ctx;
}

void TestImportStages::readManifestFindsRoleColumns()
{
    auto ctx = prepare(options(manifest()), ReadManifest);
    QVERIFY(importstage::readManifest(*ctx));
    QCOMPARE(ctx->header.size(), 7);
    QCOMPARE(ctx->idCol, 0);
    QCOMPARE(ctx->labelCol, 1);
    QCOMPARE(ctx->imageCol, 2);
    QCOMPARE(ctx->splitCol, -1); // no split column, and none was named: not a problem
    QVERIFY(!ctx->report.hasFatal());
}

void TestImportStages::readManifestRefusesDuplicateColumnsAndMissingId()
{
    {
        auto ctx = prepare(options("id,outcome,id\nS1,yes,x\n"), ReadManifest);
        QVERIFY(!importstage::readManifest(*ctx));
        QCOMPARE(countKind(ctx->report, QStringLiteral("duplicate-column")), 1);
    }
    {
        ImportOptions o = options(manifest());
        o.idColumn = QStringLiteral("patient");
        auto ctx = prepare(o, ReadManifest);
        QVERIFY(!importstage::readManifest(*ctx));
        QCOMPARE(countKind(ctx->report, QStringLiteral("no-id-column")), 1);
        QVERIFY(ctx->report.problems().first().reason.contains(QStringLiteral("--id-col")));
    }
    {
        ImportOptions o = options(manifest());
        o.splitColumn = QStringLiteral("fold");
        o.splitColumnGiven = true;
        auto ctx = prepare(o, ReadManifest);
        QVERIFY(!importstage::readManifest(*ctx));
        QCOMPARE(countKind(ctx->report, QStringLiteral("missing-column")), 1);
    }
}

void TestImportStages::resolveColumnsSeparatesRolesFieldsAndDrops()
{
    ImportOptions o = options(manifest());
    o.dropColumns = { QStringLiteral(" mrn ") };
    o.fieldTypes.insert(QStringLiteral("score"), FieldType::Categorical);
    auto ctx = prepare(o, ResolveColumns);
    QVERIFY(importstage::resolveColumns(*ctx));
    QCOMPARE(ctx->dropNames, QStringList { QStringLiteral("mrn") });
    QCOMPARE(ctx->dropCols, QList<int> { 3 });
    QCOMPARE(ctx->fieldColumns, (QList<int> { 4, 5, 6 })); // score, ward, visit: not roles, not dropped
    QCOMPARE(ctx->typeOverrides.value(QStringLiteral("score")), FieldType::Categorical);
}

void TestImportStages::resolveColumnsRefusesUnknownAndRoleColumns()
{
    {
        ImportOptions o = options(manifest());
        o.dropColumns = { QStringLiteral("nonesuch") };
        auto ctx = prepare(o, ResolveColumns);
        QVERIFY(!importstage::resolveColumns(*ctx));
        QCOMPARE(countKind(ctx->report, QStringLiteral("unknown-column")), 1);
    }
    {
        ImportOptions o = options(manifest());
        o.dropColumns = { QStringLiteral("outcome") };
        auto ctx = prepare(o, ResolveColumns);
        QVERIFY(!importstage::resolveColumns(*ctx));
        QCOMPARE(countKind(ctx->report, QStringLiteral("role-column")), 1);
    }
    {
        ImportOptions o = options(manifest());
        o.fieldTypes.insert(QStringLiteral("scan"), FieldType::Numeric); // a role column, not a field
        auto ctx = prepare(o, ResolveColumns);
        QVERIFY(!importstage::resolveColumns(*ctx));
        QCOMPARE(countKind(ctx->report, QStringLiteral("unknown-field")), 1);
    }
}

void TestImportStages::deidentifyRowsReplacesIdsBeforeValidation()
{
    ImportOptions o = options(manifest());
    o.deidentify.enabled = true;
    o.deidentify.idColumns = { QStringLiteral("mrn") };
    o.deidentify.secret = QByteArray(Deidentifier::SecretBytes, 'k');
    o.dropColumns = { QStringLiteral("ward") };
    auto ctx = prepare(o, DeidentifyRows);
    QVERIFY(importstage::deidentifyRows(*ctx));
    const Deidentifier d(o.deidentify.secret);
    QCOMPARE(ctx->rows.size(), std::size_t(8));
    QCOMPARE(ctx->rows[0].fields.at(0), d.pseudonym(QStringLiteral("S1")));
    QCOMPARE(ctx->rows[0].fields.at(3), d.pseudonym(QStringLiteral("M0")));
    QVERIFY(ctx->rows[0].fields.at(5).isEmpty()); // dropped: emptied before anything reads it
    // Two visits of one patient (M1: S2 and S3) get the same date shift, keyed by the patient.
    QCOMPARE(ctx->shiftOfRow[1], ctx->shiftOfRow[2]);
    QCOMPARE(ctx->shiftOfRow[1], d.dayShift(QStringLiteral("M1")));
    QCOMPARE(ctx->report.deidentification.identifiersReplaced, 16);
    QCOMPARE(ctx->accepted.size(), std::size_t(8));
}

void TestImportStages::validateRowsExcludesBadRows()
{
    QByteArray withSplit = "id,outcome,scan,mrn,score,ward,visit,split\n"
                           "S1,yes,s1.png,M0,1,east,2024-03-01,holdout\n" // not train, val or test
                           "S2,no,s2.png,M1,1,east,2024-03-01,\n"
                           "S3,yes,s3.png,M1,1,east,2024-03-01,train\n"
                           "S4,no,s4.png,M2,1,east,2024-03-01,TEST\n"
                           "S5,yes,s5.png,M2,1\n" // ragged
                           ",yes,s6.png,M3,1,east,2024-03-01,\n" // no id
                           "S2,no,s2.png,M1,1,east,2024-03-01,\n"; // duplicate
    auto ctx = prepare(options(withSplit), ValidateRows);
    QVERIFY(importstage::validateRows(*ctx));
    QCOMPARE(countKind(ctx->report, QStringLiteral("invalid-split")), 1);
    QCOMPARE(countKind(ctx->report, QStringLiteral("ragged-row")), 1);
    QCOMPARE(countKind(ctx->report, QStringLiteral("missing-id")), 1);
    QCOMPARE(countKind(ctx->report, QStringLiteral("duplicate-id")), 1);
    int accepted = 0;
    for (char a : ctx->accepted)
        accepted += a;
    QCOMPARE(accepted, 3); // S2, S3, S4; S1 has the invalid split
    for (const ImportProblem &p : ctx->report.problems())
        QVERIFY2(p.line > 1 && p.file == ctx->manifestFile(), qPrintable(p.toText()));
}

void TestImportStages::inferTypesTypesParsesAndDropsRareClasses()
{
    QByteArray m = manifest(8);
    m += "S9,maybe,s9.png,M9,3,east,2024-03-30\n"; // a class of one case
    m += "S10,yes,s10.png,M9,lots,east,2024-03-30\n"; // unparsable number
    auto ctx = prepare(options(m), InferTypes);
    QVERIFY(importstage::inferTypes(*ctx));
    QCOMPARE(ctx->fields.size(), std::size_t(4));
    QCOMPARE(ctx->fields[0].name, QStringLiteral("mrn"));
    QCOMPARE(ctx->fields[0].type, FieldType::Categorical);
    QCOMPARE(ctx->fields[1].name, QStringLiteral("score"));
    // "lots" is among the values, so the score column is not all numbers; inference decides by
    // the values as a whole, and a categorical field parses every value.
    QCOMPARE(ctx->fields[2].categories, (QStringList { QStringLiteral("east"), QStringLiteral("west") }));
    QCOMPARE(ctx->fields[3].type, FieldType::Date);
    QCOMPARE(countKind(ctx->report, QStringLiteral("rare-class")), 1);
    QVERIFY(!ctx->accepted[8]);
    QCOMPARE(ctx->values[0].size(), std::size_t(4));
    QCOMPARE(ctx->values[0][2].text, QStringLiteral("east"));
    QVERIFY(!ctx->values[0][3].missing);

    // With the type set by hand, the unparsable value excludes its case and names it.
    ImportOptions o = options(m);
    o.fieldTypes.insert(QStringLiteral("score"), FieldType::Numeric);
    auto typed = prepare(o, InferTypes);
    QVERIFY(importstage::inferTypes(*typed));
    QCOMPARE(countKind(typed->report, QStringLiteral("unparsable-value")), 1);
    QVERIFY(!typed->accepted[9]);
    QCOMPARE(typed->values[1][1].number, 3.0);
}

void TestImportStages::resolveImagesChecksEveryImage()
{
    QByteArray m = manifest(6);
    m.replace("s2.png", "absent.png");
    m.replace("s3.png", "../s3.png");
    m.replace("s4.png", "");
    writeFile(m_dir->filePath(QStringLiteral("s5.png")), QByteArray("\x89PNG\r\n\x1a\nnot an image"));
    auto ctx = prepare(options(m), ResolveImages);
    QVERIFY(importstage::resolveImages(*ctx));
    QCOMPARE(countKind(ctx->report, QStringLiteral("image-missing")), 1);
    QCOMPARE(countKind(ctx->report, QStringLiteral("image-outside-root")), 1);
    QCOMPARE(countKind(ctx->report, QStringLiteral("image-undecodable")), 1);
    QCOMPARE(ctx->jobOfRow.size(), std::size_t(6));
    QVERIFY(ctx->jobOfRow[0] >= 0);
    QCOMPARE(ctx->jobOfRow[3], -1); // no image: not a problem
    const ImportImageJob &job = ctx->jobs[static_cast<std::size_t>(ctx->jobOfRow[0])];
    QCOMPARE(job.info.width, 32);
    QCOMPARE(job.info.sha256.size(), 64);
    QVERIFY(!ctx->accepted[1] && !ctx->accepted[2] && ctx->accepted[3] && !ctx->accepted[4]);

    ImportOptions o = options(manifest(2));
    o.imageRoot = m_dir->filePath(QStringLiteral("no-such-folder"));
    auto noRoot = prepare(o, ResolveImages);
    QVERIFY(!importstage::resolveImages(*noRoot));
    QCOMPARE(countKind(noRoot->report, QStringLiteral("image-root-missing")), 1);
}

void TestImportStages::buildDatasetAssemblesCasesAndSplit()
{
    ImportOptions o = options(manifest(12));
    o.name = QStringLiteral("stages");
    auto ctx = prepare(o, BuildDataset);
    QVERIFY(importstage::buildDataset(*ctx));
    const ImportedDataset &ds = ctx->dataset;
    QCOMPARE(ds.name, QStringLiteral("stages"));
    QCOMPARE(ds.cases.size(), std::size_t(12));
    QCOMPARE(ds.classes, (QStringList { QStringLiteral("no"), QStringLiteral("yes") }));
    QCOMPARE(ds.labelColumn, QStringLiteral("outcome"));
    QCOMPARE(ds.cases[0].caseId, QStringLiteral("S1"));
    QCOMPARE(ds.cases[0].imageWidth, 32);
    QCOMPARE(ctx->caseIndex.value(QStringLiteral("S7")), 6);
    QCOMPARE(ctx->report.imagesDecoded, 12);
    int train = 0;
    for (const ImportedCase &c : ds.cases) {
        QVERIFY2(
            c.split == QLatin1String("train") || c.split == QLatin1String("val") || c.split == QLatin1String("test"),
            qPrintable(c.split));
        train += c.split == QLatin1String("train");
    }
    QVERIFY(train >= 6 && train <= 10);
}

void TestImportStages::readEventsUsesTheManifestsIdColumn()
{
    writeFile(m_dir->filePath(QStringLiteral("events.csv")),
        "id,time,pulse\nS1,0,70\nS1,1,72\nS2,2024-03-01,80\nS99,0,60\nS3,yesterday,70\n");
    ImportOptions o = options(manifest(8));
    o.eventsPath = m_dir->filePath(QStringLiteral("events.csv"));
    auto ctx = prepare(o, ReadEvents);
    QVERIFY(importstage::readEvents(*ctx));
    QCOMPARE(ctx->report.eventsRead, 5);
    QCOMPARE(ctx->dataset.events.size(), std::size_t(3));
    QCOMPARE(countKind(ctx->report, QStringLiteral("unknown-case")), 1);
    QCOMPARE(countKind(ctx->report, QStringLiteral("invalid-time")), 1);
    QCOMPARE(ctx->dataset.eventFields.size(), std::size_t(1));
    QCOMPARE(ctx->dataset.events[1].values[0].number, 72.0);

    writeFile(m_dir->filePath(QStringLiteral("events.csv")), "case,when,pulse\nS1,0,70\n");
    auto wrong = prepare(o, ReadEvents);
    QVERIFY(!importstage::readEvents(*wrong));
    QCOMPARE(countKind(wrong->report, QStringLiteral("events-columns")), 1);
}

void TestImportStages::summariseDeidentificationNamesColumnsNotValues()
{
    ImportOptions o = options(manifest(8));
    o.deidentify.enabled = true;
    o.deidentify.idColumns = { QStringLiteral("mrn") };
    o.deidentify.secret = QByteArray(Deidentifier::SecretBytes, 's');
    o.dropColumns = { QStringLiteral("ward") };
    auto ctx = prepare(o, Summarise);
    QVERIFY(importstage::summariseDeidentification(*ctx));
    const DeidentificationSummary &s = ctx->report.deidentification;
    QCOMPARE(s.identifierColumns, (QStringList { QStringLiteral("id"), QStringLiteral("mrn") }));
    QCOMPARE(s.droppedColumns, QStringList { QStringLiteral("ward") });
    QCOMPARE(s.dateColumns, QStringList { QStringLiteral("visit") });
    QCOMPARE(s.datesShifted, 8);
    const QString text = ctx->report.toText();
    for (const char *value : { "S1", "M0", "east", "2024-03-11" })
        QVERIFY2(!text.contains(QLatin1String(value)), value);
}

void TestImportStages::cancelledBetweenStagesStops()
{
    ImportOptions o = options(manifest(8));
    o.cancelled = [] { return true; };
    auto ctx = prepare(o, InferTypes);
    QVERIFY(!importstage::inferTypes(*ctx));
    QCOMPARE(countKind(ctx->report, QStringLiteral("cancelled")), 1);
    QVERIFY(ctx->report.hasFatal());
}

QTEST_GUILESS_MAIN(TestImportStages)
#include "tst_importstages.moc"
