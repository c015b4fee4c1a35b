// SPDX-License-Identifier: GPL-3.0-or-later
// The services the Inspector and Review views call, without a window: the case view (one call for
// everything a case panel shows), its loader off the calling thread (newest request wins), the
// prediction query, the review service and the review report's data, on a tiny trained, predicted
// and explained study.
#include "TinyStudy.h"

#include "data/Dicom.h"
#include "explain/PredictionService.h"
#include "service/CaseListService.h"
#include "service/CaseViewLoader.h"
#include "service/CaseViewService.h"
#include "service/ReviewReportService.h"
#include "service/ReviewService.h"
#include "store/AuditLog.h"
#include "store/PredictionQuery.h"
#include "store/Study.h"
#include "train/Trainer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>

using namespace lepton;

class TestCaseView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void predictedCaseHasEverything();
    void caseWithoutPredictionSaysWhatToDo();
    void caseWithoutRunHasNoPrediction();
    void unknownCaseFails();
    void groundTruthGivesTheLesionBox();
    void missingImageIsAMessage();
    void findCaseByKey();
    void runsNewestFirst();
    void thumbnailOfAThinImage();
    void dicomIsReadForTheViewer();
    void loaderDeliversOnTheCallersThread();
    void loaderDeliversOnlyTheNewest();
    void loaderCancelDeliversNothing();
    void loaderWithoutStudyFails();
    void caseListPages();
    void predictionQueryFiltersAndCounts();
    void reviewServiceListsSavesAndKeepsHistory();
    void reviewQueueOpensInOneCall();
    void reportCsvAndItsAuditEntry();
    void reportRefusedOnAReadOnlyStudy();

private:
    /// A case of the test split (predicted and explained) and one of the train split (not predicted).
    qint64 predictedCase() const;
    qint64 trainCase() const;

    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_dataset = 0;
    qint64 m_run = 0;
};

void TestCaseView::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_dataset = tiny::makeStudy(m_dir.path(), m_study);
    QVERIFY(m_dataset > 0);
    TrainConfig c = tiny::config();
    c.epochs = 2;
    auto out = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY2(out, qPrintable(out.error()));
    m_run = out->runId;
    PredictOptions o;
    o.runId = m_run;
    o.split = QStringLiteral("test");
    o.device = QStringLiteral("cpu");
    o.explain = true;
    auto summary = PredictionService::run(*m_study, o);
    QVERIFY2(summary, qPrintable(summary.error()));
    QVERIFY(summary->explained > 0);
}

qint64 TestCaseView::predictedCase() const
{
    PredictionFilter f;
    f.runId = m_run;
    auto rows = PredictionQuery(*m_study).list(f);
    return rows && !rows->empty() ? rows->front().caseId : 0;
}

qint64 TestCaseView::trainCase() const
{
    CaseFilter f;
    f.split = QStringLiteral("train");
    auto page = CaseListService(*m_study).page(m_dataset, f, 0, 1);
    return page && !page->empty() ? page->front().id : 0;
}

void TestCaseView::predictedCaseHasEverything()
{
    const qint64 caseId = predictedCase();
    QVERIFY(caseId > 0);
    auto view = CaseViewService(*m_study).load({ m_run, caseId, true });
    QVERIFY2(view, qPrintable(view.error()));
    QCOMPARE(view->record.id, caseId);
    QCOMPARE(view->datasetId, m_dataset);
    QCOMPARE(view->runId, m_run);
    // Record fields in the dataset's order, with values.
    QCOMPARE(int(view->fields.size()), 2);
    QCOMPARE(view->fields[0].name, QStringLiteral("x"));
    QCOMPARE(view->fields[0].type, FieldType::Numeric);
    QVERIFY(!view->fields[0].missing());
    QCOMPARE(view->fields[0].text, view->fields[0].value.toString());
    QCOMPARE(view->fields[1].name, QStringLiteral("kind"));
    QVERIFY(view->fields[1].text == QLatin1String("a") || view->fields[1].text == QLatin1String("b"));
    // The event history: one series for the numeric event field, times in order.
    QCOMPARE(int(view->history.size()), 1);
    QCOMPARE(view->history[0].name, QStringLiteral("v"));
    QVERIFY(view->history[0].times.size() >= 2);
    QCOMPARE(view->history[0].times.size(), view->history[0].values.size());
    QVERIFY(std::is_sorted(view->history[0].times.begin(), view->history[0].times.end()));
    // The image, decoded to packed 8-bit grey.
    QVERIFY(!view->image.isNull());
    QCOMPARE(view->image.width, 32);
    QCOMPARE(view->image.height, 32);
    QCOMPARE(view->image.channels, 1);
    QCOMPARE(view->image.pixels.size(), 32 * 32);
    const cv::Mat original = cv::imread(view->record.imagePath.toStdString(), cv::IMREAD_GRAYSCALE);
    QCOMPARE(uchar(view->image.pixels.at(5 * 32 + 7)), original.at<uchar>(5, 7));
    // The prediction and the decision, with p(positive) named by the run's classes.
    QVERIFY(view->prediction.has_value());
    QVERIFY(view->predictionMessage.isEmpty());
    QCOMPARE(view->classes, QStringList({ QStringLiteral("no"), QStringLiteral("yes") }));
    QVERIFY(view->classes.contains(view->positiveClass));
    QVERIFY(std::isfinite(view->positiveProbability));
    QVERIFY(view->positiveProbability >= 0.0 && view->positiveProbability <= 1.0);
    QVERIFY(!view->decision().isEmpty());
    // The decision is the answer, with the rule in words; the most likely class and why the
    // decision differs from it only where they differ.
    QVERIFY(view->classes.contains(view->decidedClass));
    QVERIFY(view->classes.contains(view->mostLikelyClass));
    QVERIFY2(view->ruleText.startsWith(
                 view->positiveClass + QStringLiteral(" when p(") + view->positiveClass + QStringLiteral(") ≥ ")),
        qPrintable(view->ruleText + view->ruleMessage));
    QCOMPARE(view->differsText.isEmpty(), view->decidedClass == view->mostLikelyClass);
    // The stored explanation: maps, modality weights, attributions, temporal attention.
    const ExplanationView &e = view->explanation;
    QVERIFY(e.stored);
    QVERIFY(!e.attention.isEmpty());
    QCOMPARE(int(e.attention.values.size()), e.attention.width * e.attention.height);
    QVERIFY(*std::max_element(e.attention.values.begin(), e.attention.values.end()) <= 1.0f);
    QVERIFY(!e.gradcam.isEmpty());
    QCOMPARE(int(e.modalityWeights.size()), 3);
    QCOMPARE(e.modalityWeights[0].first, QStringLiteral("image"));
    double sum = 0;
    for (const auto &w : e.modalityWeights)
        sum += w.second;
    QVERIFY2(std::abs(sum - 1.0) < 1e-3, qPrintable(QString::number(sum)));
    QVERIFY(!e.fieldAttention.empty());
    QCOMPARE(e.temporalTimes.size(), e.temporalWeights.size());
    QVERIFY(!e.temporalWeights.empty());
    QVERIFY(e.hasCounterfactual);
    QVERIFY(!e.counterfactualText.isEmpty());
    // Without the image asked for, none is decoded.
    auto light = CaseViewService(*m_study).load({ m_run, caseId, false });
    QVERIFY(light);
    QVERIFY(light->image.isNull());
}

void TestCaseView::caseWithoutPredictionSaysWhatToDo()
{
    const qint64 caseId = trainCase();
    QVERIFY(caseId > 0);
    auto view = CaseViewService(*m_study).load({ m_run, caseId, true });
    QVERIFY2(view, qPrintable(view.error()));
    QVERIFY(!view->prediction);
    QVERIFY2(view->predictionMessage.contains(view->record.caseKey), qPrintable(view->predictionMessage));
    QVERIFY2(view->predictionMessage.contains(QStringLiteral("predict")), qPrintable(view->predictionMessage));
    QVERIFY(!view->explanation.stored);
    QVERIFY(!view->image.isNull()); // the case itself is still there to see
}

void TestCaseView::caseWithoutRunHasNoPrediction()
{
    auto view = CaseViewService(*m_study).load({ 0, predictedCase(), true });
    QVERIFY2(view, qPrintable(view.error()));
    QVERIFY(!view->prediction);
    QVERIFY(view->predictionMessage.isEmpty());
    QVERIFY(view->classes.isEmpty());
    QCOMPARE(int(view->fields.size()), 2);
}

void TestCaseView::unknownCaseFails()
{
    auto view = CaseViewService(*m_study).load({ m_run, 987654, true });
    QVERIFY(!view);
    QVERIFY(!view.error().isEmpty());
    auto run = CaseViewService(*m_study).load({ 987654, predictedCase(), true });
    QVERIFY(!run); // a run that is not in the study
    QVERIFY(!run.error().isEmpty());
}

void TestCaseView::groundTruthGivesTheLesionBox()
{
    const qint64 caseId = predictedCase();
    auto before = CaseViewService(*m_study).load({ m_run, caseId, false });
    QVERIFY(before);
    QVERIFY(!before->lesionBox);
    const QString key = before->record.caseKey;
    QFile f(m_dir.filePath(QStringLiteral("ground_truth.json")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral(
        R"({"causal_fields": ["x"], "case_list": [{"case_id": "%1", "lesion": {"x": 3, "y": 4, "w": 5, "h": 6}}]})")
                .arg(key)
                .toUtf8());
    f.close();
    auto after = CaseViewService(*m_study).load({ m_run, caseId, false });
    QVERIFY(QFile::remove(f.fileName()));
    QVERIFY(after);
    QVERIFY(after->lesionBox.has_value());
    QCOMPARE(*after->lesionBox, QRectF(3, 4, 5, 6));
}

void TestCaseView::missingImageIsAMessage()
{
    const qint64 caseId = trainCase();
    auto view = CaseViewService(*m_study).load({ 0, caseId, true });
    QVERIFY(view);
    const QString path = view->record.imagePath;
    const QString moved = path + QStringLiteral(".away");
    QVERIFY(QFile::rename(path, moved));
    auto gone = CaseViewService(*m_study).load({ 0, caseId, true });
    QVERIFY(QFile::rename(moved, path));
    QVERIFY2(gone, qPrintable(gone.error())); // the case still shows, without its image
    QVERIFY(gone->image.isNull());
    QVERIFY2(gone->imageMessage.contains(QFileInfo(path).fileName()), qPrintable(gone->imageMessage));
}

void TestCaseView::findCaseByKey()
{
    CaseViewService cases(*m_study);
    auto found = cases.findCase(m_run, QStringLiteral("T5"));
    QVERIFY2(found, qPrintable(found.error()));
    auto view = cases.load({ 0, found.value(), false });
    QVERIFY(view);
    QCOMPARE(view->record.caseKey, QStringLiteral("T5"));
    auto missing = cases.findCase(m_run, QStringLiteral("no-such-case"));
    QVERIFY(!missing);
    QVERIFY(missing.error().contains(QStringLiteral("no-such-case")));
}

void TestCaseView::runsNewestFirst()
{
    auto runs = CaseViewService(*m_study).runs();
    QVERIFY2(runs, qPrintable(runs.error()));
    QCOMPARE(int(runs->size()), 1);
    QCOMPARE(runs->front().id, m_run);
    QCOMPARE(runs->front().datasetId, m_dataset);
    QCOMPARE(runs->front().status, QStringLiteral("completed")); // by its name, as the views show it
}

void TestCaseView::thumbnailOfAThinImage()
{
    const QString path = m_dir.filePath(QStringLiteral("thin.png"));
    QVERIFY(cv::imwrite(path.toStdString(), cv::Mat(2000, 8, CV_8UC3, cv::Scalar(10, 20, 200))));
    auto thumb = CaseViewService::thumbnail(path, 96);
    QVERIFY2(thumb, qPrintable(thumb.error()));
    QCOMPARE(thumb->height, 96);
    QVERIFY(thumb->width >= 1);
    QCOMPARE(thumb->channels, 1);
    QCOMPARE(thumb->pixels.size(), qsizetype(thumb->width) * thumb->height);
    // Colour stays colour at full size, in RGB order.
    auto full = CaseViewService::decodeImage(path);
    QVERIFY(full);
    QCOMPARE(full->channels, 3);
    QCOMPARE(uchar(full->pixels.at(0)), uchar(200));
    QCOMPARE(uchar(full->pixels.at(2)), uchar(10));
    QVERIFY(!CaseViewService::thumbnail(m_dir.filePath(QStringLiteral("none.png")), 96));
}

void TestCaseView::loaderDeliversOnTheCallersThread()
{
    CaseViewLoader loader;
    QThread *caller = QThread::currentThread();
    QThread *deliveredOn = nullptr;
    connect(&loader, &CaseViewLoader::loaded, this,
        [&deliveredOn](quint64, const CaseView &) { deliveredOn = QThread::currentThread(); });
    QSignalSpy loaded(&loader, &CaseViewLoader::loaded);
    const quint64 ticket = loader.request(m_study, { m_run, predictedCase(), true });
    QVERIFY(loader.isLoading());
    QCOMPARE(loaded.count(), 0); // never inside the call: the read runs elsewhere
    QVERIFY(loaded.wait(10000));
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(loaded.at(0).at(0).value<quint64>(), ticket);
    QCOMPARE(deliveredOn, caller);
    QVERIFY(!loader.isLoading());
    QCOMPARE(loaded.at(0).at(1).value<CaseView>().record.id, predictedCase());
}

void TestCaseView::loaderDeliversOnlyTheNewest()
{
    CaseViewLoader loader;
    QSignalSpy loaded(&loader, &CaseViewLoader::loaded);
    QSignalSpy failed(&loader, &CaseViewLoader::failed);
    // Three requests in a row (a reviewer pressing N quickly): only the last one is delivered.
    loader.request(m_study, { m_run, predictedCase(), true });
    loader.request(m_study, { m_run, 987654, true });
    const quint64 last = loader.request(m_study, { 0, trainCase(), true });
    QVERIFY(loaded.wait(10000));
    QVERIFY(loader.waitForDone(10000));
    QTest::qWait(50); // anything older that was still on its way has had its chance
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(loaded.at(0).at(0).value<quint64>(), last);
    QCOMPARE(loaded.at(0).at(1).value<CaseView>().record.id, trainCase());
}

void TestCaseView::loaderCancelDeliversNothing()
{
    CaseViewLoader loader;
    QSignalSpy loaded(&loader, &CaseViewLoader::loaded);
    loader.request(m_study, { m_run, predictedCase(), true });
    loader.cancel();
    QVERIFY(!loader.isLoading());
    QVERIFY(loader.waitForDone(10000));
    QTest::qWait(50);
    QCOMPARE(loaded.count(), 0);
    // A failure is delivered as such, with the reason.
    QSignalSpy failed(&loader, &CaseViewLoader::failed);
    loader.request(m_study, { m_run, 987654, true });
    QVERIFY(failed.wait(10000));
    QVERIFY(!failed.at(0).at(1).toString().isEmpty());
}

void TestCaseView::loaderWithoutStudyFails()
{
    CaseViewLoader loader;
    QSignalSpy failed(&loader, &CaseViewLoader::failed);
    loader.request(nullptr, { m_run, 1, true });
    QVERIFY(failed.wait(5000));
    QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("study")));
}

void TestCaseView::caseListPages()
{
    CaseListService cases(*m_study);
    auto all = cases.count(m_dataset, {});
    QVERIFY(all);
    QCOMPARE(all.value(), 64);
    CaseFilter f;
    f.sortColumn = QStringLiteral("case_key");
    f.descending = true;
    auto page = cases.page(m_dataset, f, 0, 5);
    QVERIFY(page);
    QCOMPARE(int(page->size()), 5);
    QCOMPARE(page->front().caseKey, QStringLiteral("T9"));
    auto problems = cases.problemCounts(m_dataset);
    QVERIFY2(problems, qPrintable(problems.error()));
}

void TestCaseView::predictionQueryFiltersAndCounts()
{
    PredictionQuery query(*m_study);
    PredictionFilter f;
    f.runId = m_run;
    auto all = query.list(f);
    QVERIFY2(all, qPrintable(all.error()));
    QVERIFY(!all->empty());
    QCOMPARE(query.count(f).value(), int(all->size()));
    for (std::size_t i = 1; i < all->size(); ++i)
        QVERIFY((*all)[i - 1].caseKey < (*all)[i].caseKey);
    for (const CasePrediction &p : all.value()) {
        QCOMPARE(p.split, QStringLiteral("test"));
        QCOMPARE(int(p.probabilities.size()), 2);
        QVERIFY(!p.predicted.isEmpty());
    }
    // Each filter narrows, and list and count agree.
    f.label = QStringLiteral("yes");
    auto positives = query.list(f);
    QVERIFY(positives);
    QCOMPARE(query.count(f).value(), int(positives->size()));
    for (const CasePrediction &p : positives.value())
        QCOMPARE(p.label, QStringLiteral("yes"));
    f.label.clear();
    f.predicted = QStringLiteral("no");
    auto predictedNo = query.list(f);
    QVERIFY(predictedNo);
    for (const CasePrediction &p : predictedNo.value())
        QCOMPARE(p.predicted, QStringLiteral("no"));
    f.predicted.clear();
    f.split = QStringLiteral("train");
    QCOMPARE(query.count(f).value(), 0);
    f.split.clear();
    f.datasetId = m_dataset + 100;
    QCOMPARE(query.count(f).value(), 0);
    f.datasetId = 0;
    f.runId = 987654;
    QCOMPARE(query.count(f).value(), 0);
}

void TestCaseView::reviewServiceListsSavesAndKeepsHistory()
{
    ReviewService reviews(*m_study);
    auto runs = reviews.runs();
    QVERIFY2(runs, qPrintable(runs.error()));
    QCOMPARE(int(runs->size()), 1);
    QCOMPARE(runs->front().id, m_run);
    PredictionFilter all;
    all.runId = m_run;
    QCOMPARE(runs->front().predictions, PredictionQuery(*m_study).count(all).value());
    auto decisions = reviews.decisions(m_run);
    QVERIFY2(decisions, qPrintable(decisions.error()));
    QVERIFY(!decisions->isEmpty());
    QStringList sorted = decisions.value();
    sorted.sort();
    QCOMPARE(decisions.value(), sorted);
    QCOMPARE(reviews.classes(m_run).value(), QStringList({ QStringLiteral("no"), QStringLiteral("yes") }));

    auto queue = reviews.queue(m_run, {}, 0, 2);
    QVERIFY(queue);
    QCOMPARE(int(queue->size()), 2);
    const ReviewItem item = queue->front();
    auto id = reviews.save(item, QStringLiteral("dr. service"), { QStringLiteral("accept"), {}, {}, {} },
        QJsonObject { { QStringLiteral("overlay"), QStringLiteral("Attention map") } });
    QVERIFY2(id, qPrintable(id.error()));
    auto progress = reviews.progress(m_run);
    QVERIFY(progress);
    QCOMPARE(progress->first, 1);
    auto history = reviews.history(item.predictionId);
    QVERIFY(history);
    QCOMPARE(int(history->size()), 1);
    const ReviewRecord &r = history->front();
    QCOMPARE(r.reviewer, QStringLiteral("dr. service"));
    QCOMPARE(r.seen.value(QStringLiteral("case")).toString(), item.caseKey);
    QCOMPARE(r.seen.value(QStringLiteral("decision")).toString(), item.decision);
    QCOMPARE(r.seen.value(QStringLiteral("overlay")).toString(), QStringLiteral("Attention map"));
    QVERIFY(ReviewService::historyLine(r).contains(QStringLiteral("dr. service")));
    QVERIFY(reviews.item(item.predictionId)->latest.has_value());
    // An override needs a reason: refused with a message, nothing stored.
    auto refused
        = reviews.save(queue->at(1), QString(), { QStringLiteral("override"), QStringLiteral("yes"), {}, {} }, {});
    QVERIFY(!refused);
    QVERIFY(!refused.error().isEmpty());
    QCOMPARE(int(reviews.history(queue->at(1).predictionId)->size()), 0);
    ReviewFilter unreviewed;
    unreviewed.unreviewedOnly = true;
    QCOMPARE(reviews.count(m_run, unreviewed).value(), runs->front().predictions - 1);
    QCOMPARE(reviews.firstUnreviewed(m_run, {}).value(), 1);
}

void TestCaseView::reviewQueueOpensInOneCall()
{
    ReviewService reviews(*m_study);
    ReviewFilter f;
    f.sort = QStringLiteral("uncertainty");
    auto start = reviews.openQueue(m_run, f, 3);
    QVERIFY2(start, qPrintable(start.error()));
    QCOMPARE(start->total, reviews.count(m_run, f).value());
    QCOMPARE(int(start->firstPage.size()), std::min(3, start->total));
    auto page = reviews.queue(m_run, f, 0, 3);
    QVERIFY(page);
    for (std::size_t i = 0; i < page->size(); ++i)
        QCOMPARE(start->firstPage[i].predictionId, page->at(i).predictionId);
    QCOMPARE(start->firstUnreviewed, reviews.firstUnreviewed(m_run, f).value());
    const auto progress = reviews.progress(m_run).value();
    QCOMPARE(start->reviewed, progress.first);
    QCOMPARE(start->predictions, progress.second);
    QVERIFY(!reviews.openQueue(987654, f, 3)); // a run that is not in the study
}

void TestCaseView::reportCsvAndItsAuditEntry()
{
    ReviewReportService reports(*m_study);
    const QString path = m_dir.filePath(QStringLiteral("report.csv"));
    auto data = reports.collect(m_run, {}, path);
    QVERIFY2(data, qPrintable(data.error()));
    QVERIFY(!data->runName.isEmpty());
    QCOMPARE(data->studyName, QFileInfo(m_study->path()).fileName());
    QCOMPARE(data->predictions, int(data->queue.size()));
    const QList<QByteArray> lines = ReviewReportService::csv(data.value()).trimmed().split('\n');
    QCOMPARE(lines.size(), int(data->queue.size()) + 1);
    QVERIFY(lines.front().startsWith("case_id,label,split,most_likely,p_yes,decision"));

    const int before = AuditLog(*m_study).count().value();
    const Status written = reports.writeCsv(m_run, {}, path, QStringLiteral("dr. csv"));
    QVERIFY2(written, qPrintable(written.error()));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    auto entries = AuditLog(*m_study).entries(before);
    QVERIFY(entries);
    QCOMPARE(int(entries->size()), 1);
    const AuditEntry &e = entries->front();
    QCOMPARE(e.action, QStringLiteral("export.review_report.csv"));
    QCOMPARE(e.actor, QStringLiteral("dr. csv"));
    QCOMPARE(e.entity, QStringLiteral("run:%1").arg(m_run));
    QCOMPARE(e.details.value(QStringLiteral("cases")).toInt(), int(data->queue.size()));
    QCOMPARE(e.details.value(QStringLiteral("sha256")).toString(),
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
    QVERIFY(e.details.value(QStringLiteral("filter")).isObject());
    // A folder that does not exist: the message names the file; nothing is recorded.
    const Status refused = reports.writeCsv(m_run, {}, QStringLiteral("/nonexistent-folder/r.csv"), QString());
    QVERIFY(!refused);
    QVERIFY(refused.error().contains(QStringLiteral("/nonexistent-folder/r.csv")));
    QCOMPARE(AuditLog(*m_study).count().value(), before + 1);
}

void TestCaseView::reportRefusedOnAReadOnlyStudy()
{
    auto ro = Study::open(m_study->path(), Study::Mode::ReadOnly);
    QVERIFY2(ro, qPrintable(ro.error()));
    const QString path = m_dir.filePath(QStringLiteral("ro.csv"));
    const Status refused = ReviewReportService(*ro.value()).writeCsv(m_run, {}, path, QString());
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QStringLiteral("read-only")) && refused.error().contains(path),
        qPrintable(refused.error()));
    QVERIFY(!QFile::exists(path));
}

void TestCaseView::dicomIsReadForTheViewer()
{
    // A CT-like file: values -1000..1000 left to right, a soft-tissue window and a few tags.
    DicomWriteSpec spec;
    spec.pixels = cv::Mat(16, 256, CV_16SC1);
    for (int y = 0; y < spec.pixels.rows; ++y)
        for (int x = 0; x < spec.pixels.cols; ++x)
            spec.pixels.at<qint16>(y, x) = qint16(-1000 + (2000 * x) / 255);
    spec.window = true;
    spec.windowCenter = 40;
    spec.windowWidth = 400;
    spec.attributes.insert(QStringLiteral("Modality"), QStringLiteral("CT"));
    const QString path = m_dir.filePath(QStringLiteral("viewer.dcm"));
    const QString written = writeDicom(path, spec);
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QVERIFY(CaseViewService::isDicom(path));
    cv::Mat png(16, 16, CV_8UC1, cv::Scalar(9));
    QVERIFY(cv::imwrite(m_dir.filePath(QStringLiteral("viewer.png")).toStdString(), png));
    QVERIFY(!CaseViewService::isDicom(m_dir.filePath(QStringLiteral("viewer.png"))));

    auto dicom = CaseViewService::readDicom(path);
    QVERIFY2(dicom, qPrintable(dicom.error()));
    QVERIFY(!dicom->isNull());
    QVERIFY(dicom->grey);
    QCOMPARE(dicom->center, 40.0);
    QCOMPARE(dicom->width, 400.0);
    QCOMPARE(dicom->minValue, -1000.0);
    QCOMPARE(dicom->maxValue, 1000.0);
    const auto modality = std::find_if(dicom->keyTags.begin(), dicom->keyTags.end(),
        [](const auto &tag) { return tag.first == QStringLiteral("Modality"); });
    QVERIFY(modality != dicom->keyTags.end());
    QCOMPARE(modality->second, QStringLiteral("CT"));

    // The file's window, then a wider one: the value 250 (column 160) is white, then grey.
    const CaseImage file = CaseViewService::renderDicom(dicom.value());
    QCOMPARE(file.width, 256);
    QCOMPARE(file.channels, 1);
    QCOMPARE(uchar(file.pixels.at(160)), uchar(255));
    QCOMPARE(uchar(file.pixels.at(0)), uchar(0));
    const CaseImage wide = CaseViewService::renderDicom(dicom.value(), 0, 2000);
    QVERIFY(uchar(wide.pixels.at(160)) > 100 && uchar(wide.pixels.at(160)) < 255);
    // Nothing to render without a DICOM image; a PNG is not read as one.
    QVERIFY(CaseViewService::renderDicom(CaseDicom(), 0, 10).isNull());
    QVERIFY(!CaseViewService::readDicom(m_dir.filePath(QStringLiteral("viewer.png"))));
}

QTEST_MAIN(TestCaseView)
#include "tst_caseview.moc"
