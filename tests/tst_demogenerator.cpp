// SPDX-License-Identifier: GPL-3.0-or-later
// The demo data: same options give the same bytes, the files are in the documented formats, the
// ground truth matches the data, and the planted label needs every modality (measured, not assumed).
#include "data/CsvReader.h"
#include "demo/DemoGenerator.h"
#include "demo/ModalityBaseline.h"

#include <QDate>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <cmath>

using namespace lepton;

class TestDemoGenerator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void determinism_data();
    void determinism();
    void manifestFormat_data();
    void manifestFormat();
    void eventsFormat_data();
    void eventsFormat();
    void images();
    void imageSizeOption();
    void groundTruthMatchesData_data();
    void groundTruthMatchesData();
    void fusionNeeded_data();
    void fusionNeeded();
    void badOptions_data();
    void badOptions();
    void progressAndCancel();

private:
    QString dirFor(const QString &domain) const { return domain == QLatin1String("medical") ? m_medical : m_finance; }
    QTemporaryDir m_tmp;
    QString m_medical; // 2000 cases, default seed
    QString m_finance;
};

namespace {

Result<DemoSummary> generate(const QString &domain, const QString &dir, int cases, std::uint64_t seed = 7)
{
    DemoOptions o;
    o.domain = domain;
    o.cases = cases;
    o.seed = seed;
    o.outDir = dir;
    return DemoGenerator::generate(o);
}

/// Relative path -> bytes of every file under dir.
QMap<QString, QByteArray> readTree(const QString &dir)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            files.insert(QDir(dir).relativeFilePath(path), f.readAll());
    }
    return files;
}

bool isMissingMarker(const QString &v)
{
    return v.isEmpty() || v == QLatin1String("NA") || v == QLatin1String("NaN") || v == QLatin1String("null");
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

void TestDemoGenerator::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_medical = m_tmp.filePath(QStringLiteral("medical"));
    m_finance = m_tmp.filePath(QStringLiteral("finance"));
    QElapsedTimer t;
    t.start();
    auto med = generate(QStringLiteral("medical"), m_medical, 2000);
    QVERIFY2(med.ok(), qPrintable(med.error()));
    qInfo("2000 medical cases in %lld ms", static_cast<long long>(t.elapsed()));
    QCOMPARE(med->cases, 2000);
    QVERIFY(med->images > 1900 && med->images < 2000);
    auto fin = generate(QStringLiteral("finance"), m_finance, 2000);
    QVERIFY2(fin.ok(), qPrintable(fin.error()));
    QCOMPARE(fin->images, 0);
    for (const auto *s : { &med.value(), &fin.value() }) {
        const double rate = static_cast<double>(s->positives) / s->cases;
        QVERIFY2(rate > 0.33 && rate < 0.47, qPrintable(QString::number(rate)));
        QVERIFY(QFile::exists(s->manifestPath));
        QVERIFY(QFile::exists(s->eventsPath));
        QVERIFY(QFile::exists(s->groundTruthPath));
    }
}

void TestDemoGenerator::determinism_data()
{
    QTest::addColumn<QString>("domain");
    QTest::newRow("medical") << QStringLiteral("medical");
    QTest::newRow("finance") << QStringLiteral("finance");
}

void TestDemoGenerator::determinism()
{
    QFETCH(QString, domain);
    QTemporaryDir tmp;
    const QString a = tmp.filePath(QStringLiteral("a")), b = tmp.filePath(QStringLiteral("b")),
                  c = tmp.filePath(QStringLiteral("c"));
    QVERIFY(generate(domain, a, 150, 42).ok());
    QVERIFY(generate(domain, b, 150, 42).ok());
    QVERIFY(generate(domain, c, 150, 43).ok());
    const auto ta = readTree(a), tb = readTree(b), tc = readTree(c);
    QCOMPARE(ta.keys(), tb.keys());
    for (auto it = ta.cbegin(); it != ta.cend(); ++it)
        QVERIFY2(it.value() == tb.value(it.key()), qPrintable(it.key() + QStringLiteral(" differs between two runs")));
    QVERIFY(ta.value(QStringLiteral("manifest.csv")) != tc.value(QStringLiteral("manifest.csv")));
    QVERIFY(ta.value(QStringLiteral("events.csv")) != tc.value(QStringLiteral("events.csv")));
    if (domain == QLatin1String("medical")) {
        QVERIFY(ta.size() > 140);
        QVERIFY(ta.value(QStringLiteral("images/P00001.png")) != tc.value(QStringLiteral("images/P00001.png")));
    }
    // A case does not depend on how many cases were asked for: the first 150 of the 2000 are the same.
    CsvReader small, large;
    QVERIFY(small.parse(ta.value(QStringLiteral("manifest.csv"))));
    QVERIFY(large.readFile(dirFor(domain) + QStringLiteral("/manifest.csv")));
    QCOMPARE(static_cast<int>(small.rows().size()), 150);
    QVERIFY(generate(domain, tmp.filePath(QStringLiteral("d")), 150, 7).ok());
    CsvReader seven;
    QVERIFY(seven.readFile(tmp.filePath(QStringLiteral("d/manifest.csv"))));
    for (int i = 0; i < 150; ++i)
        QCOMPARE(seven.rows()[static_cast<std::size_t>(i)].fields, large.rows()[static_cast<std::size_t>(i)].fields);
}

void TestDemoGenerator::manifestFormat_data()
{
    QTest::addColumn<QString>("domain");
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<QString>("idPattern");
    QTest::addColumn<QStringList>("labels");
    // Fields whose written form is fixed: name -> regular expression of a present value.
    QTest::addColumn<QStringList>("formats");
    QTest::newRow("medical")
        << QStringLiteral("medical")
        << QStringList { QStringLiteral("case_id"), QStringLiteral("label"), QStringLiteral("image"),
               QStringLiteral("age"), QStringLiteral("sex"), QStringLiteral("height_cm"), QStringLiteral("ward"),
               QStringLiteral("blood_group"), QStringLiteral("referral"), QStringLiteral("smoker"),
               QStringLiteral("admission_date"), QStringLiteral("systolic_bp"), QStringLiteral("crp_mg_l"),
               QStringLiteral("wbc_10e9_l"), QStringLiteral("lactate_mmol_l") }
        << QStringLiteral("^P\\d{5}$") << QStringList { QStringLiteral("normal"), QStringLiteral("abnormal") }
        << QStringList { QStringLiteral("age=^\\d+$"), QStringLiteral("sex=^[MF]$"),
               QStringLiteral("height_cm=^\\d+\\.\\d$"), QStringLiteral("ward=^[A-F]$"),
               QStringLiteral("smoker=^(yes|no)$"), QStringLiteral("admission_date=^\\d{4}-\\d{2}-\\d{2}$"),
               QStringLiteral("systolic_bp=^\\d+$"), QStringLiteral("crp_mg_l=^\\d+\\.\\d$"),
               QStringLiteral("wbc_10e9_l=^\\d+\\.\\d$"), QStringLiteral("lactate_mmol_l=^\\d+\\.\\d$") };
    QTest::newRow("finance") << QStringLiteral("finance")
                             << QStringList { QStringLiteral("case_id"), QStringLiteral("label"), QStringLiteral("age"),
                                    QStringLiteral("income"), QStringLiteral("loan_amount"),
                                    QStringLiteral("duration_months"), QStringLiteral("purpose"),
                                    QStringLiteral("debt_ratio"), QStringLiteral("employment_years"),
                                    QStringLiteral("housing"), QStringLiteral("marital_status"),
                                    QStringLiteral("region"), QStringLiteral("phone_type") }
                             << QStringLiteral("^A\\d{5}$")
                             << QStringList { QStringLiteral("good"), QStringLiteral("bad") }
                             << QStringList { QStringLiteral("age=^\\d+$"), QStringLiteral("income=^\\d+$"),
                                    QStringLiteral("loan_amount=^\\d+$"), QStringLiteral("duration_months=^\\d+$"),
                                    QStringLiteral("debt_ratio=^\\d\\.\\d{2}$"),
                                    QStringLiteral("employment_years=^\\d+\\.\\d$") };
}

void TestDemoGenerator::manifestFormat()
{
    QFETCH(QString, domain);
    QFETCH(QStringList, header);
    QFETCH(QString, idPattern);
    QFETCH(QStringList, labels);
    QFETCH(QStringList, formats);

    const QString path = dirFor(domain) + QStringLiteral("/manifest.csv");
    QFile raw(path);
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray bytes = raw.readAll();
    QVERIFY(!bytes.startsWith("\xEF\xBB\xBF"));
    QVERIFY(!bytes.contains('\r'));
    QVERIFY(bytes.endsWith('\n'));

    CsvReader csv;
    QVERIFY2(csv.readFile(path), qPrintable(csv.errorString()));
    QCOMPARE(csv.header(), header);
    QVERIFY(!csv.header().contains(QStringLiteral("split")));
    QCOMPARE(static_cast<int>(csv.rows().size()), 2000);

    const QRegularExpression id(idPattern);
    QSet<QString> ids;
    QMap<QString, int> markers;
    int recordCells = 0, missing = 0, emptyImages = 0;
    const int firstField = domain == QLatin1String("medical") ? 3 : 2;
    for (const CsvRow &row : csv.rows()) {
        QCOMPARE(row.fields.size(), header.size());
        QVERIFY2(id.match(row.fields[0]).hasMatch(), qPrintable(row.fields[0]));
        QVERIFY(!ids.contains(row.fields[0]));
        ids.insert(row.fields[0]);
        QVERIFY2(labels.contains(row.fields[1]), qPrintable(row.fields[1]));
        if (domain == QLatin1String("medical")) {
            if (row.fields[2].isEmpty())
                ++emptyImages;
            else
                QCOMPARE(row.fields[2], QStringLiteral("images/") + row.fields[0] + QStringLiteral(".png"));
        }
        for (int j = firstField; j < row.fields.size(); ++j) {
            ++recordCells;
            const QString &v = row.fields[j];
            if (isMissingMarker(v)) {
                ++missing;
                markers[v.isEmpty() ? QStringLiteral("<empty>") : v] += 1;
            }
        }
    }
    // 3-8 % missing record values, written with every one of the missing markers.
    const double missingRate = static_cast<double>(missing) / recordCells;
    QVERIFY2(missingRate > 0.03 && missingRate < 0.08, qPrintable(QString::number(missingRate)));
    QCOMPARE(markers.size(), 4);
    if (domain == QLatin1String("medical"))
        QVERIFY2(emptyImages > 10 && emptyImages < 100, qPrintable(QString::number(emptyImages)));

    for (const QString &f : formats) {
        const QString name = f.section(QLatin1Char('='), 0, 0);
        const QRegularExpression re(f.section(QLatin1Char('='), 1));
        const int col = csv.column(name);
        QVERIFY2(col >= 0, qPrintable(name));
        for (const CsvRow &row : csv.rows()) {
            const QString &v = row.fields[col];
            if (!isMissingMarker(v))
                QVERIFY2(re.match(v).hasMatch(), qPrintable(name + QStringLiteral(": ") + v));
        }
    }
}

void TestDemoGenerator::eventsFormat_data()
{
    QTest::addColumn<QString>("domain");
    QTest::addColumn<QStringList>("header");
    QTest::newRow("medical") << QStringLiteral("medical")
                             << QStringList { QStringLiteral("case_id"), QStringLiteral("time"),
                                    QStringLiteral("heart_rate"), QStringLiteral("temperature_c"),
                                    QStringLiteral("spo2") };
    QTest::newRow("finance") << QStringLiteral("finance")
                             << QStringList { QStringLiteral("case_id"), QStringLiteral("time"),
                                    QStringLiteral("balance"), QStringLiteral("payment_ratio"),
                                    QStringLiteral("missed_payment") };
}

void TestDemoGenerator::eventsFormat()
{
    QFETCH(QString, domain);
    QFETCH(QStringList, header);
    CsvReader manifest, events;
    QVERIFY(manifest.readFile(dirFor(domain) + QStringLiteral("/manifest.csv")));
    QVERIFY(events.readFile(dirFor(domain) + QStringLiteral("/events.csv")));
    QCOMPARE(events.header(), header);

    QSet<QString> ids;
    for (const CsvRow &row : manifest.rows())
        ids.insert(row.fields[0]);
    QMap<QString, int> perCase;
    const QRegularExpression isoDate(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
    QString previousCase;
    double previousTime = -1e300;
    for (const CsvRow &row : events.rows()) {
        QCOMPARE(row.fields.size(), header.size());
        QVERIFY2(ids.contains(row.fields[0]), qPrintable(row.fields[0]));
        perCase[row.fields[0]] += 1;
        double t = 0;
        if (domain == QLatin1String("medical")) {
            bool ok = false;
            t = row.fields[1].toDouble(&ok);
            QVERIFY2(ok && t >= 0, qPrintable(row.fields[1]));
        } else {
            QVERIFY2(isoDate.match(row.fields[1]).hasMatch(), qPrintable(row.fields[1]));
            const QDate d = QDate::fromString(row.fields[1], Qt::ISODate);
            QVERIFY(d.isValid());
            t = static_cast<double>(d.toJulianDay());
        }
        if (row.fields[0] == previousCase)
            QVERIFY(t > previousTime);
        previousCase = row.fields[0];
        previousTime = t;
    }
    // Variable length per case, 3 to 24 rows, and a few cases with no events at all.
    int minRows = 1000, maxRows = 0;
    for (int n : perCase) {
        minRows = std::min(minRows, n);
        maxRows = std::max(maxRows, n);
    }
    QCOMPARE(minRows, 3);
    QCOMPARE(maxRows, 24);
    const int without = static_cast<int>(ids.size()) - static_cast<int>(perCase.size());
    QVERIFY2(without > 10 && without < 120, qPrintable(QString::number(without)));
}

void TestDemoGenerator::images()
{
    const QJsonObject truth = readJson(m_medical + QStringLiteral("/ground_truth.json"));
    const QJsonArray cases = truth.value(QStringLiteral("case_list")).toArray();
    QCOMPARE(cases.size(), 2000);
    int checked = 0, visible = 0, lesions = 0;
    for (const QJsonValue &v : cases) {
        const QJsonObject c = v.toObject();
        const QString id = c.value(QStringLiteral("case_id")).toString();
        const QString file = m_medical + QStringLiteral("/images/") + id + QStringLiteral(".png");
        if (c.value(QStringLiteral("image")).isNull()) {
            QVERIFY2(!QFile::exists(file), qPrintable(file));
            continue;
        }
        if (checked >= 300)
            continue;
        ++checked;
        const cv::Mat img = cv::imread(QFile::encodeName(file).toStdString(), cv::IMREAD_UNCHANGED);
        QVERIFY2(!img.empty(), qPrintable(file));
        QCOMPARE(img.rows, 128);
        QCOMPARE(img.cols, 128);
        QCOMPARE(img.type(), CV_8UC1);
        const QJsonObject lesion = c.value(QStringLiteral("lesion")).toObject();
        if (lesion.isEmpty())
            continue;
        // A lesion is brighter than the ring of tissue around it.
        ++lesions;
        const double cx = lesion.value(QStringLiteral("cx")).toDouble(),
                     cy = lesion.value(QStringLiteral("cy")).toDouble();
        const double r = lesion.value(QStringLiteral("radius")).toDouble();
        double in = 0, inN = 0, out = 0, outN = 0;
        for (int y = 0; y < 128; ++y) {
            for (int x = 0; x < 128; ++x) {
                const double d = std::hypot(x - cx, y - cy);
                if (d < 0.5 * r) {
                    in += img.at<unsigned char>(y, x);
                    inN += 1;
                } else if (d > 1.6 * r + 2 && d < 2.2 * r + 4) {
                    out += img.at<unsigned char>(y, x);
                    outN += 1;
                }
            }
        }
        if (inN > 0 && outN > 0 && in / inN - out / outN > 15.0)
            ++visible;
    }
    QCOMPARE(checked, 300);
    QVERIFY(lesions > 100 && lesions < 200);
    QVERIFY2(visible >= lesions * 95 / 100,
        qPrintable(QStringLiteral("%1 of %2 lesions visible").arg(visible).arg(lesions)));
}

void TestDemoGenerator::imageSizeOption()
{
    QTemporaryDir tmp;
    DemoOptions o;
    o.cases = 12;
    o.imageSize = 64;
    o.outDir = tmp.path();
    auto s = DemoGenerator::generate(o);
    QVERIFY2(s.ok(), qPrintable(s.error()));
    const QJsonObject truth = readJson(s->groundTruthPath);
    QCOMPARE(truth.value(QStringLiteral("image_size")).toInt(), 64);
    for (const QJsonValue &v : truth.value(QStringLiteral("case_list")).toArray()) {
        const QJsonObject c = v.toObject();
        if (c.value(QStringLiteral("image")).isNull())
            continue;
        const cv::Mat img
            = cv::imread(QFile::encodeName(tmp.filePath(c.value(QStringLiteral("image")).toString())).toStdString(),
                cv::IMREAD_UNCHANGED);
        QCOMPARE(img.rows, 64);
        QCOMPARE(img.cols, 64);
        const QJsonObject l = c.value(QStringLiteral("lesion")).toObject();
        if (!l.isEmpty())
            QVERIFY(l.value(QStringLiteral("x")).toInt() + l.value(QStringLiteral("w")).toInt() <= 64);
    }
}

void TestDemoGenerator::groundTruthMatchesData_data()
{
    QTest::addColumn<QString>("domain");
    QTest::newRow("medical") << QStringLiteral("medical");
    QTest::newRow("finance") << QStringLiteral("finance");
}

void TestDemoGenerator::groundTruthMatchesData()
{
    QFETCH(QString, domain);
    const bool medical = domain == QLatin1String("medical");
    const QJsonObject truth = readJson(dirFor(domain) + QStringLiteral("/ground_truth.json"));
    QVERIFY(!truth.isEmpty());
    QCOMPARE(truth.value(QStringLiteral("domain")).toString(), domain);
    QCOMPARE(truth.value(QStringLiteral("seed")).toInt(), 7);
    QVERIFY(truth.value(QStringLiteral("rule")).toString().contains(QStringLiteral("risk")));

    CsvReader manifest, events;
    QVERIFY(manifest.readFile(dirFor(domain) + QStringLiteral("/manifest.csv")));
    QVERIFY(events.readFile(dirFor(domain) + QStringLiteral("/events.csv")));
    // Every named field is a column; causal and noise fields do not overlap; immutables are not actionable.
    const auto list = [&](const char *key) {
        QStringList out;
        for (const QJsonValue &v : truth.value(QLatin1String(key)).toArray())
            out << v.toString();
        return out;
    };
    const QStringList causal = list("causal_fields"), noise = list("noise_fields"),
                      actionable = list("actionable_fields"), immutable = list("immutable_fields"),
                      causalEvents = list("causal_event_fields");
    QVERIFY(!causal.isEmpty() && !noise.isEmpty() && !actionable.isEmpty() && !immutable.isEmpty()
        && !causalEvents.isEmpty());
    QVERIFY(immutable.contains(QStringLiteral("age")));
    for (const QString &f : causal + noise + actionable + immutable)
        QVERIFY2(manifest.column(f) >= 0, qPrintable(f));
    for (const QString &f : causalEvents)
        QVERIFY2(events.column(f) >= 0, qPrintable(f));
    for (const QString &f : causal)
        QVERIFY2(!noise.contains(f), qPrintable(f));
    for (const QString &f : immutable)
        QVERIFY2(!actionable.contains(f), qPrintable(f));
    const QJsonObject units = truth.value(QStringLiteral("units")).toObject();
    for (int j = medical ? 3 : 2; j < manifest.header().size(); ++j)
        QVERIFY2(units.contains(manifest.header()[j]), qPrintable(manifest.header()[j]));

    QSet<QString> withEvents;
    for (const CsvRow &row : events.rows())
        withEvents.insert(row.fields[0]);
    const QJsonArray cases = truth.value(QStringLiteral("case_list")).toArray();
    QCOMPARE(cases.size(), static_cast<int>(manifest.rows().size()));
    int boxes = 0;
    QHash<QString, int> ownCausal;
    for (int i = 0; i < cases.size(); ++i) {
        const QJsonObject c = cases[i].toObject();
        const QStringList &row = manifest.rows()[static_cast<std::size_t>(i)].fields;
        QCOMPARE(c.value(QStringLiteral("case_id")).toString(), row[0]);
        QCOMPARE(c.value(QStringLiteral("label")).toString(), row[1]);
        QCOMPARE(c.value(QStringLiteral("has_events")).toBool(), withEvents.contains(row[0]));
        // A case's own causal fields: at most three of the rule's fields, each observed in the case.
        const QJsonArray own = c.value(QStringLiteral("causal_fields")).toArray();
        QVERIFY(c.value(QStringLiteral("causal_fields")).isArray() && own.size() <= 3);
        for (const QJsonValue &f : own) {
            QVERIFY2(causal.contains(f.toString()), qPrintable(f.toString()));
            const QString cell = row[manifest.column(f.toString())];
            QVERIFY2(!cell.isEmpty() && cell != QLatin1String("NA") && cell != QLatin1String("NaN")
                    && cell != QLatin1String("null"),
                qPrintable(row[0] + QLatin1Char(' ') + f.toString()));
            ownCausal[f.toString()] += 1;
        }
        const QJsonObject risk = c.value(QStringLiteral("risk")).toObject();
        double sum = 0;
        for (auto it = risk.begin(); it != risk.end(); ++it) {
            if (it.key() != QLatin1String("total"))
                sum += it.value().toDouble();
        }
        QVERIFY(std::abs(sum - risk.value(QStringLiteral("total")).toDouble()) < 1e-3);
        if (!medical) {
            QVERIFY(risk.contains(QStringLiteral("record")) && risk.contains(QStringLiteral("history")));
            continue;
        }
        QVERIFY(risk.contains(QStringLiteral("image")) && risk.contains(QStringLiteral("record"))
            && risk.contains(QStringLiteral("history")));
        const QJsonValue image = c.value(QStringLiteral("image"));
        QCOMPARE(image.isNull() ? QString() : image.toString(), row[2]);
        const QJsonValue lesion = c.value(QStringLiteral("lesion"));
        if (lesion.isNull())
            continue;
        QVERIFY(!image.isNull());
        const QJsonObject box = lesion.toObject();
        const int x = box.value(QStringLiteral("x")).toInt(), y = box.value(QStringLiteral("y")).toInt();
        const int w = box.value(QStringLiteral("w")).toInt(), h = box.value(QStringLiteral("h")).toInt();
        QVERIFY(x >= 0 && y >= 0 && w >= 8 && h >= 8 && x + w <= 128 && y + h <= 128);
        const double r = box.value(QStringLiteral("radius")).toDouble();
        QVERIFY(r >= 4.0 && r <= 14.0);
        const double cx = box.value(QStringLiteral("cx")).toDouble(), cy = box.value(QStringLiteral("cy")).toDouble();
        QVERIFY(cx > x && cx < x + w && cy > y && cy < y + h);
        ++boxes;
    }
    // Every field of the rule drives some cases and none drives all: the lists depend on the case.
    // The yes/no and categorical ones too (smoker; housing and purpose).
    for (const QString &f : causal)
        QVERIFY2(ownCausal.value(f) > 0 && ownCausal.value(f) < cases.size(), qPrintable(f));
    if (medical) // about half the imaged cases have a lesion
        QVERIFY2(boxes > 850 && boxes < 1150, qPrintable(QString::number(boxes)));
}

void TestDemoGenerator::fusionNeeded_data()
{
    QTest::addColumn<QString>("domain");
    QTest::addColumn<QStringList>("sets");
    QTest::newRow("medical") << QStringLiteral("medical")
                             << QStringList { QStringLiteral("image"), QStringLiteral("record"),
                                    QStringLiteral("history"), QStringLiteral("image+record"),
                                    QStringLiteral("image+history"), QStringLiteral("record+history"),
                                    QStringLiteral("image+record+history") };
    QTest::newRow("finance") << QStringLiteral("finance")
                             << QStringList { QStringLiteral("record"), QStringLiteral("history"),
                                    QStringLiteral("record+history") };
}

void TestDemoGenerator::fusionNeeded()
{
    QFETCH(QString, domain);
    QFETCH(QStringList, sets);
    QElapsedTimer t;
    t.start();
    auto rows = ModalityBaseline::measure(dirFor(domain));
    QVERIFY2(rows.ok(), qPrintable(rows.error()));
    QStringList names;
    QString table;
    for (const BaselineRow &r : rows.value()) {
        names << r.modalities;
        table += QStringLiteral("  %1 %2 features, test AUROC %3\n")
                     .arg(r.modalities, -22)
                     .arg(r.features, 3)
                     .arg(r.testAuroc, 0, 'f', 3);
    }
    qInfo("%s baseline (%lld ms):\n%s", qPrintable(domain), static_cast<long long>(t.elapsed()), qPrintable(table));
    QCOMPARE(names, sets);
    for (const BaselineRow &r : rows.value()) {
        QVERIFY(r.features > 0);
        QVERIFY(std::isfinite(r.testAuroc));
        if (!r.modalities.contains(QLatin1Char('+')))
            QVERIFY2(r.testAuroc <= 0.85,
                qPrintable(r.modalities + QStringLiteral(" alone is too good: ") + QString::number(r.testAuroc)));
    }
    const BaselineRow &all = rows->back();
    QCOMPARE(all.modalities, sets.back());
    QVERIFY2(all.testAuroc >= 0.95, qPrintable(QStringLiteral("all modalities together: %1").arg(all.testAuroc)));
    for (const BaselineRow &r : rows.value())
        QVERIFY(r.testAuroc <= all.testAuroc);
}

void TestDemoGenerator::badOptions_data()
{
    QTest::addColumn<QString>("domain");
    QTest::addColumn<int>("cases");
    QTest::addColumn<QString>("outDir"); // relative to a temporary folder holding a file "blocker"
    QTest::addColumn<QString>("needle");
    QTest::newRow("bad domain") << QStringLiteral("weather") << 50 << QStringLiteral("out")
                                << QStringLiteral("\"weather\"");
    QTest::newRow("too few cases") << QStringLiteral("medical") << 5 << QStringLiteral("out")
                                   << QStringLiteral("5 demo cases");
    QTest::newRow("negative cases") << QStringLiteral("finance") << -1 << QStringLiteral("out")
                                    << QStringLiteral("between 10");
    QTest::newRow("no folder") << QStringLiteral("medical") << 50 << QString() << QStringLiteral("no output folder");
    QTest::newRow("folder is a file") << QStringLiteral("medical") << 50 << QStringLiteral("blocker")
                                      << QStringLiteral("blocker");
    QTest::newRow("parent is a file") << QStringLiteral("finance") << 50 << QStringLiteral("blocker/demo")
                                      << QStringLiteral("blocker/demo");
}

void TestDemoGenerator::badOptions()
{
    QFETCH(QString, domain);
    QFETCH(int, cases);
    QFETCH(QString, outDir);
    QFETCH(QString, needle);
    QTemporaryDir tmp;
    QFile blocker(tmp.filePath(QStringLiteral("blocker")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    DemoOptions o;
    o.domain = domain;
    o.cases = cases;
    o.outDir = outDir.isEmpty() ? QString() : tmp.filePath(outDir);
    const auto r = DemoGenerator::generate(o);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().contains(needle), qPrintable(r.error()));
    QVERIFY(!QFile::exists(tmp.filePath(QStringLiteral("out/manifest.csv"))));
}

void TestDemoGenerator::progressAndCancel()
{
    QTemporaryDir tmp;
    DemoOptions o;
    o.cases = 600;
    o.outDir = tmp.filePath(QStringLiteral("p"));
    qint64 lastDone = 0, lastTotal = 0;
    bool monotonic = true;
    o.progress = [&](qint64 done, qint64 total, const QString &stage) {
        monotonic = monotonic && done > lastDone && done <= total && !stage.isEmpty();
        lastDone = done;
        lastTotal = total;
    };
    auto r = DemoGenerator::generate(o);
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QVERIFY(monotonic);
    QVERIFY(lastTotal > 0);
    QCOMPARE(lastDone, lastTotal);

    // Cancelled as soon as the first progress arrives.
    std::atomic<bool> stop { false };
    o.outDir = tmp.filePath(QStringLiteral("c"));
    o.progress = [&](qint64, qint64, const QString &) { stop = true; };
    o.cancelled = [&] { return stop.load(); };
    r = DemoGenerator::generate(o);
    QVERIFY(!r.ok());
    QCOMPARE(r.error(), QStringLiteral("cancelled"));
    QVERIFY(!QFile::exists(tmp.filePath(QStringLiteral("c/manifest.csv"))));
}

QTEST_GUILESS_MAIN(TestDemoGenerator)
#include "tst_demogenerator.moc"
