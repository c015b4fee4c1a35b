// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/Importer.h"
#include "dataset/BatchLoader.h"
#include "dataset/ImageAugmenter.h"
#include "dataset/MultimodalDataset.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <set>

using namespace lepton;

class TestDataset : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shapesAndMasks();
    void normalisationUsesTrainOnly();
    void givenSpecIsUsedAsIs();
    void skewedPositiveFieldIsLogged();
    void loaderCoversEveryCaseOnce();
    void loaderIsSeeded();
    void augmentationIsSeeded();
    void cacheHoldsDecodedImages();

private:
    qint64 importDataset(const QByteArray &manifest, const QByteArray &events);
    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_id = 0;
};

namespace {
/// 40 cases: x = i, c alternating A/B/C, label by parity; every 5th case has no image,
/// every 4th no events; x is missing for case 7.
QByteArray manifest(double testValueOverride = -1, bool skewed = false)
{
    QByteArray m = "case_id,label,image,split,x,c\n";
    for (int i = 0; i < 40; ++i) {
        const QString split = i < 28 ? QStringLiteral("train")
            : i < 34                 ? QStringLiteral("val")
                                     : QStringLiteral("test");
        QString x = i == 7 ? QStringLiteral("NA")
            : skewed       ? QString::number(std::exp(i / 4.0), 'f', 4)
                           : QString::number(i);
        if (split == QLatin1String("test") && testValueOverride >= 0)
            x = QString::number(testValueOverride);
        m += QStringLiteral("C%1,%2,%3,%4,%5,%6\n")
                 .arg(i, 2, 10, QLatin1Char('0'))
                 .arg(i % 2 ? QStringLiteral("pos") : QStringLiteral("neg"))
                 .arg(i % 5 == 0 ? QString() : QStringLiteral("img%1.png").arg(i))
                 .arg(split, x)
                 .arg(QChar(u'A' + i % 3))
                 .toUtf8();
    }
    return m;
}

QByteArray events()
{
    QByteArray e = "case_id,time,hr\n";
    for (int i = 0; i < 40; ++i)
        for (int t = 0; t < (i % 4 == 0 ? 0 : 1 + i % 3); ++t)
            e += QStringLiteral("C%1,%2,%3\n").arg(i, 2, 10, QLatin1Char('0')).arg(t).arg(60 + t * 10).toUtf8();
    return e;
}
} // namespace

void TestDataset::initTestCase()
{
    QVERIFY(m_dir.isValid());
    for (int i = 0; i < 40; ++i) {
        cv::Mat img(48, 40, CV_8UC1, cv::Scalar(i * 5));
        cv::circle(img, cv::Point(20, 24), 6, cv::Scalar(255), -1);
        QVERIFY(cv::imwrite(m_dir.filePath(QStringLiteral("img%1.png").arg(i)).toStdString(), img));
    }
    auto s = Study::open(m_dir.filePath(QStringLiteral("s.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY(s);
    m_study = s.value();
    m_id = importDataset(manifest(), events());
    QVERIFY(m_id > 0);
}

qint64 TestDataset::importDataset(const QByteArray &manifestText, const QByteArray &eventsText)
{
    const QString mp = m_dir.filePath(QStringLiteral("m.csv")), ep = m_dir.filePath(QStringLiteral("e.csv"));
    QFile m(mp), e(ep);
    m.open(QIODevice::WriteOnly);
    m.write(manifestText);
    m.close();
    e.open(QIODevice::WriteOnly);
    e.write(eventsText);
    e.close();
    ImportOptions o;
    o.manifestPath = mp;
    o.eventsPath = ep;
    ImportOutcome out = Importer::run(o);
    if (!out.dataset)
        return -1;
    DatasetRepository repo(*m_study);
    auto id = repo.save(*out.dataset, out.report);
    return id ? id.value() : -1;
}

void TestDataset::shapesAndMasks()
{
    DatasetOptions o;
    o.imageSize = 32;
    o.maxEvents = 2;
    auto ds = MultimodalDataset::load(*m_study, m_id, o);
    QVERIFY2(ds, qPrintable(ds.error()));
    QCOMPARE(ds.value()->size(), 40);
    QCOMPARE(ds.value()->indicesOf(QStringLiteral("train")).size(), std::size_t(28));
    const FeatureSpec &spec = ds.value()->spec();
    QCOMPARE(spec.classes, (QStringList { QStringLiteral("neg"), QStringLiteral("pos") }));
    QCOMPARE(static_cast<int>(spec.recordFields.size()), 2);
    QCOMPARE(spec.eventWidth(), 4); // hr: value, missing, change since first; time

    // Cases 0 (no image, no events), 3 (1 event), 2 (3 events, cut to the last 2), 7 (x missing).
    Batch b = ds.value()->collate({ 0, 3, 2, 7 });
    QCOMPARE(b.image.sizes(), (c10::IntArrayRef { 4, 1, 32, 32 }));
    QCOMPARE(b.recordValues.sizes(), (c10::IntArrayRef { 4, 2 }));
    QCOMPARE(b.events.sizes(), (c10::IntArrayRef { 4, 2, 4 }));
    QCOMPARE(b.imagePresent[0].item<bool>(), false);
    QCOMPARE(b.image[0].abs().sum().item<float>(), 0.0f);
    QCOMPARE(b.imagePresent[1].item<bool>(), true);
    QCOMPARE(b.historyPresent[0].item<bool>(), false);
    QCOMPARE(b.eventLengths[1].item<std::int64_t>(), std::int64_t(1));
    QCOMPARE(b.eventLengths[2].item<std::int64_t>(), std::int64_t(2));
    QCOMPARE(b.eventMask[1][1].item<bool>(), false);
    QCOMPARE(b.eventMask[2][1].item<bool>(), true);
    // The time feature counts back from the last event: 0 for the newest.
    QCOMPARE(b.events[2][1][3].item<float>(), 0.0f);
    QVERIFY(b.events[2][0][3].item<float>() > 0.0f);
    // Change since the first kept value: hr 70 → 80 for case 2, standardised.
    QCOMPARE(b.events[2][0][2].item<float>(), 0.0f);
    const FieldEncoding &hr = spec.eventFields[0];
    QVERIFY(qAbs(b.events[2][1][2].item<float>() - static_cast<float>(10.0 / hr.std)) < 1e-5f);
    QCOMPARE(b.recordMissing[3][0].item<float>(), 1.0f);
    QCOMPARE(b.recordValues[3][0].item<float>(), 0.0f);
    QCOMPARE(b.recordMissing[2][0].item<float>(), 0.0f);
    // Categorical field: index + 1 of A/B/C.
    QCOMPARE(b.recordCategory[0][1].item<std::int64_t>(), std::int64_t(1));
    QCOMPARE(b.recordCategory[2][1].item<std::int64_t>(), std::int64_t(3));
    QCOMPARE(b.recordCategory[0][0].item<std::int64_t>(), std::int64_t(0));
    QCOMPARE(b.labels[0].item<std::int64_t>(), std::int64_t(0));
    QCOMPARE(b.labels[1].item<std::int64_t>(), std::int64_t(1));
    QVERIFY(torch::isfinite(b.image).all().item<bool>());
}

void TestDataset::normalisationUsesTrainOnly()
{
    auto ds = MultimodalDataset::load(*m_study, m_id, DatasetOptions());
    QVERIFY(ds);
    // Train cases 0..27 without 7: mean of x.
    double sum = 0, n = 0;
    for (int i = 0; i < 28; ++i)
        if (i != 7) {
            sum += i;
            ++n;
        }
    QCOMPARE(ds.value()->spec().recordFields[0].mean, sum / n);
    // The standardised value of a train case follows from those statistics.
    const FieldEncoding &x = ds.value()->spec().recordFields[0];
    QVERIFY(qAbs(ds.value()->at(10).recordValues[0] - static_cast<float>((10 - x.mean) / x.std)) < 1e-5f);

    // Wild values in the test split change nothing that was fitted.
    const qint64 other = importDataset(manifest(1e6), events());
    QVERIFY(other > 0);
    auto ds2 = MultimodalDataset::load(*m_study, other, DatasetOptions());
    QVERIFY(ds2);
    QCOMPARE(ds2.value()->spec().recordFields[0].mean, x.mean);
    QCOMPARE(ds2.value()->spec().recordFields[0].std, x.std);
    QCOMPARE(ds2.value()->spec().imageMean, ds.value()->spec().imageMean);
}

void TestDataset::givenSpecIsUsedAsIs()
{
    auto ds = MultimodalDataset::load(*m_study, m_id, DatasetOptions());
    QVERIFY(ds);
    FeatureSpec spec = FeatureSpec::fromJson(ds.value()->spec().toJson());
    spec.recordFields[0].mean = 100.0;
    spec.recordFields[0].std = 2.0;
    auto again = MultimodalDataset::load(*m_study, m_id, DatasetOptions(), &spec);
    QVERIFY(again);
    QCOMPARE(again.value()->at(10).recordValues[0], -45.0f);
    FeatureSpec wrong = spec;
    wrong.recordFields.pop_back();
    auto refused = MultimodalDataset::load(*m_study, m_id, DatasetOptions(), &wrong);
    QVERIFY(!refused);
    QVERIFY(refused.error().contains(QStringLiteral("fields")));
}

void TestDataset::skewedPositiveFieldIsLogged()
{
    // x = 0..39 is neither positive everywhere nor skewed: standardised as it is.
    auto plain = MultimodalDataset::load(*m_study, m_id, DatasetOptions());
    QVERIFY(plain);
    QVERIFY(!plain.value()->spec().recordFields[0].log);
    // x = e^(i/4) spans 1 to 800, like a lab value: standardised on its logarithm.
    const qint64 id = importDataset(manifest(-1, true), events());
    QVERIFY(id > 0);
    auto ds = MultimodalDataset::load(*m_study, id, DatasetOptions());
    QVERIFY2(ds, qPrintable(ds.error()));
    const FieldEncoding &x = ds.value()->spec().recordFields[0];
    QVERIFY(x.log);
    double sum = 0, n = 0; // mean of log x over the train cases (7 is missing)
    for (int i = 0; i < 28; ++i)
        if (i != 7) {
            sum += std::log(std::stod(QString::number(std::exp(i / 4.0), 'f', 4).toStdString()));
            ++n;
        }
    QVERIFY(qAbs(x.mean - sum / n) < 1e-9);
    QVERIFY(qAbs(ds.value()->at(10).recordValues[0] - static_cast<float>((std::log(std::exp(2.5)) - x.mean) / x.std))
        < 1e-3f);
    // The flag travels with the spec that a run stores.
    QVERIFY(FeatureSpec::fromJson(ds.value()->spec().toJson()).recordFields[0].log);
    QVERIFY(!FeatureSpec::fromJson(plain.value()->spec().toJson()).recordFields[0].log);
}

void TestDataset::loaderCoversEveryCaseOnce()
{
    DatasetOptions o;
    o.imageSize = 16;
    auto ds = MultimodalDataset::load(*m_study, m_id, o);
    QVERIFY(ds);
    const std::vector<int> train = ds.value()->indicesOf(QStringLiteral("train"));
    LoaderOptions lo;
    lo.batchSize = 5;
    lo.workers = 3;
    lo.prefetch = 2;
    BatchLoader loader(ds.value(), train, lo);
    QCOMPARE(loader.batchesPerEpoch(), 6);
    for (int epoch = 0; epoch < 2; ++epoch) {
        loader.startEpoch(epoch);
        std::multiset<int> seen;
        int batches = 0;
        while (auto b = loader.next()) {
            ++batches;
            QVERIFY(b->size() <= 5);
            seen.insert(b->indices.begin(), b->indices.end());
        }
        QCOMPARE(batches, 6);
        QCOMPARE(seen, std::multiset<int>(train.begin(), train.end()));
    }
    QVERIFY(loader.epochOrder(0) != loader.epochOrder(1));
    // Stopping mid-epoch returns at once and ends the epoch.
    loader.startEpoch(2);
    QVERIFY(loader.next());
    loader.stop();
    QVERIFY(!loader.next());
}

void TestDataset::loaderIsSeeded()
{
    DatasetOptions o;
    o.imageSize = 16;
    auto ds = MultimodalDataset::load(*m_study, m_id, o);
    QVERIFY(ds);
    const std::vector<int> train = ds.value()->indicesOf(QStringLiteral("train"));
    auto firstBatches = [&](std::uint64_t seed, int workers) {
        LoaderOptions lo;
        lo.batchSize = 8;
        lo.seed = seed;
        lo.workers = workers;
        lo.augment = AugmentOptions();
        BatchLoader loader(ds.value(), train, lo);
        loader.startEpoch(3);
        std::vector<torch::Tensor> images;
        while (auto b = loader.next())
            images.push_back(b->image);
        return torch::cat(images);
    };
    const torch::Tensor a = firstBatches(11, 1);
    const torch::Tensor b = firstBatches(11, 3);
    const torch::Tensor c = firstBatches(12, 2);
    QVERIFY(torch::equal(a, b)); // thread count does not matter
    QVERIFY(!torch::equal(a, c));
}

void TestDataset::augmentationIsSeeded()
{
    cv::Mat base(32, 32, CV_32F, cv::Scalar(0.2));
    cv::rectangle(base, cv::Rect(4, 4, 10, 6), cv::Scalar(0.9), -1);
    ImageAugmenter aug { AugmentOptions() };
    cv::Mat a = base.clone(), b = base.clone(), c = base.clone();
    aug.apply(a, 5);
    aug.apply(b, 5);
    aug.apply(c, 6);
    QCOMPARE(cv::norm(a, b, cv::NORM_INF), 0.0);
    QVERIFY(cv::norm(a, c, cv::NORM_INF) > 0.01);
    QVERIFY(cv::norm(a, base, cv::NORM_INF) > 0.01);
    AugmentOptions off;
    off.enabled = false;
    cv::Mat d = base.clone();
    ImageAugmenter(off).apply(d, 5);
    QCOMPARE(cv::norm(d, base, cv::NORM_INF), 0.0);
}

void TestDataset::cacheHoldsDecodedImages()
{
    DatasetOptions o;
    o.imageSize = 32;
    auto ds = MultimodalDataset::load(*m_study, m_id, o);
    QVERIFY(ds);
    QVERIFY(ds.value()->warmCache());
    QCOMPARE(ds.value()->cachedBytes(), qint64(32 * 32 * 32)); // 32 cases have images
    o.cacheBytes = 0;
    auto uncached = MultimodalDataset::load(*m_study, m_id, o);
    QVERIFY(uncached);
    QVERIFY(!uncached.value()->image(1).empty());
    QCOMPARE(uncached.value()->cachedBytes(), qint64(0));
    // A cached image equals a freshly decoded one.
    QCOMPARE(cv::norm(ds.value()->image(1), uncached.value()->image(1), cv::NORM_INF), 0.0);
}

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
