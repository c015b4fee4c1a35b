// SPDX-License-Identifier: GPL-3.0-or-later
// Reviews of predictions (validation, history, what the reviewer saw), the review queue (filters,
// sorts, pages, progress, resume) and run management, each with its audit entry.
#include "data/Importer.h"
#include "service/ReviewService.h"
#include "store/AuditLog.h"
#include "store/DatasetRepository.h"
#include "store/ReviewRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace lepton;

namespace {

constexpr int kCases = 20;

/// What the test planted for one case and its prediction.
struct Planted
{
    int index = 0;
    qint64 caseId = 0, predictionId = 0;
    QString key, label, split;
    QString predicted, decision;
    double probability = 0; ///< what the queue shows: calibrated if any, else the model's
    bool referred = false;
};

double modelProbability(int i)
{
    return (i + 0.5) / kCases;
}

bool decided(int i)
{
    return i % 4 != 3;
}

double calibrated(int i)
{
    return 0.25 + 0.5 * modelProbability(i);
}

QString decisionFor(double c)
{
    return c >= 0.6 ? QStringLiteral("urgent") : c <= 0.4 ? QStringLiteral("routine") : QStringLiteral("refer");
}

const QString kHostile = QStringLiteral("O'Brien said \"no\"'); DROP TABLE runs; -- \\ ☃\n2nd line");

} // namespace

class TestReview : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void schemaIndexesReviews();
    void validation();
    void reviewsAreNewRowsWithAudit();
    void seenKeepsWhatTheReviewerSaw();
    void queueFilters();
    void queueSorts();
    void pagesAndItems();
    void progressAndResume();
    void decisionIsTheAnswer();
    void classesAndUnknownRun();
    void runRenameTagsNotes();
    void runRemove();
    void hostileStringsStoredVerbatim();

private:
    ReviewRecord review(int index, const QString &verdict, const QString &chosen = QString(),
        const QString &reason = QString(), const QString &comment = QString()) const;
    bool verifies() const { return AuditLog(*m_study).verify().value().ok; }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_datasetId = 0, m_runId = 0;
    std::vector<Planted> m_cases; ///< by index
};

void TestReview::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_cases.clear();

    // 16 labelled cases (yes/no alternating) and 4 unlabelled, in three splits; no images.
    QByteArray manifest = "case_id,label,split,x\n";
    for (int i = 0; i < kCases; ++i) {
        const QString label = i < 16 ? (i % 2 ? QStringLiteral("yes") : QStringLiteral("no")) : QString();
        const QString split = i % 4 == 0 ? QStringLiteral("test")
            : i % 4 == 1                 ? QStringLiteral("val")
                                         : QStringLiteral("train");
        manifest += QStringLiteral("C%1,%2,%3,%4\n").arg(i, 2, 10, QLatin1Char('0')).arg(label, split).arg(i).toUtf8();
    }
    const QString manifestPath = m_dir->filePath(QStringLiteral("m.csv"));
    QFile f(manifestPath);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(manifest);
    f.close();
    ImportOptions o;
    o.manifestPath = manifestPath;
    auto out = Importer::run(o);
    QVERIFY(out.dataset);
    auto study = Study::open(m_dir->filePath(QStringLiteral("r.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY2(study, qPrintable(study.error()));
    m_study = study.value();
    auto ds = DatasetRepository(*m_study).save(*out.dataset, out.report);
    QVERIFY2(ds, qPrintable(ds.error()));
    m_datasetId = ds.value();

    RunRepository runs(*m_study);
    RunRecord rec;
    rec.name = QStringLiteral("fusion seed 1");
    rec.datasetId = m_datasetId;
    rec.config = QJsonObject {
        { QStringLiteral("feature_spec"),
            QJsonObject { { QStringLiteral("classes"), QJsonArray { QStringLiteral("no"), QStringLiteral("yes") } } } },
        { QStringLiteral("positive_class"), QStringLiteral("yes") }
    };
    auto run = runs.create(rec);
    QVERIFY(run);
    m_runId = run.value();
    QVERIFY(runs.setStatus(m_runId, RunStatus::Completed));

    auto cases = DatasetRepository(*m_study).cases(m_datasetId);
    QVERIFY(cases);
    QCOMPARE(cases->size(), std::size_t(kCases));
    m_cases.resize(kCases);
    std::vector<PredictionRow> rows;
    for (const StoredCase &c : cases.value()) {
        const int i = c.caseKey.mid(1).toInt();
        Planted &p = m_cases[static_cast<std::size_t>(i)];
        p.index = i;
        p.caseId = c.id;
        p.key = c.caseKey;
        p.label = c.label;
        p.split = c.split;
        const double pm = modelProbability(i);
        PredictionRow row;
        row.caseId = c.id;
        row.probabilities = { static_cast<float>(1.0 - pm), static_cast<float>(pm) };
        row.predicted = pm >= 0.5 ? QStringLiteral("yes") : QStringLiteral("no");
        p.predicted = row.predicted;
        p.probability = static_cast<double>(static_cast<float>(pm));
        if (decided(i)) {
            const double pc = calibrated(i);
            row.calibrated = { 1.0 - pc, pc };
            row.decision = decisionFor(pc);
            row.grade = pc >= 0.6 ? QStringLiteral("B") : QStringLiteral("A");
            row.referred = row.decision == QLatin1String("refer");
            p.probability = pc;
            p.decision = row.decision;
            p.referred = row.referred;
        }
        rows.push_back(row);
    }
    QVERIFY(runs.savePredictions(m_runId, rows));
    QSqlQuery q(m_study->database());
    q.prepare(QStringLiteral("SELECT id, case_id FROM predictions WHERE run_id = ?"));
    q.addBindValue(m_runId);
    QVERIFY(q.exec());
    while (q.next())
        for (Planted &p : m_cases)
            if (p.caseId == q.value(1).toLongLong())
                p.predictionId = q.value(0).toLongLong();
    for (const Planted &p : m_cases)
        QVERIFY(p.predictionId > 0);
    // Sanity of the plant: some of each kind the filters look for.
    QVERIFY(std::any_of(m_cases.begin(), m_cases.end(), [](const Planted &p) { return p.referred; }));
    QVERIFY(std::any_of(m_cases.begin(), m_cases.end(), [](const Planted &p) { return p.decision.isEmpty(); }));
}

void TestReview::cleanup()
{
    m_study.reset();
    m_dir.reset();
}

ReviewRecord TestReview::review(
    int index, const QString &verdict, const QString &chosen, const QString &reason, const QString &comment) const
{
    ReviewRecord r;
    r.predictionId = m_cases[static_cast<std::size_t>(index)].predictionId;
    r.reviewer = QStringLiteral("dr.ana");
    r.verdict = verdict;
    r.chosenClass = chosen;
    r.reason = reason;
    r.comment = comment;
    return r;
}

void TestReview::schemaIndexesReviews()
{
    QSqlQuery q(m_study->database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                  "('reviews_by_prediction', 'audit_log_by_entity')")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 2);
}

void TestReview::validation()
{
    ReviewRepository reviews(*m_study);
    auto noReason = reviews.save(review(2, QStringLiteral("override"), QStringLiteral("yes")));
    QVERIFY(!noReason);
    QVERIFY2(noReason.error().startsWith(QStringLiteral("reason")), qPrintable(noReason.error()));
    auto blankReason = reviews.save(review(2, QStringLiteral("override"), QStringLiteral("yes"), QStringLiteral("  ")));
    QVERIFY(!blankReason);
    QVERIFY2(blankReason.error().contains(QStringLiteral("reason")), qPrintable(blankReason.error()));
    auto notAClass = reviews.save(review(2, QStringLiteral("override"), QStringLiteral("maybe"), QStringLiteral("x")));
    QVERIFY(!notAClass);
    QVERIFY2(notAClass.error().contains(QStringLiteral("'maybe' is not a class")), qPrintable(notAClass.error()));
    QVERIFY2(notAClass.error().contains(QStringLiteral("no, yes")), qPrintable(notAClass.error()));
    auto noClass = reviews.save(review(2, QStringLiteral("override"), QString(), QStringLiteral("x")));
    QVERIFY(!noClass);
    auto emptyComment = reviews.save(review(2, QStringLiteral("comment")));
    QVERIFY(!emptyComment);
    QVERIFY2(emptyComment.error().startsWith(QStringLiteral("comment")), qPrintable(emptyComment.error()));
    auto badVerdict = reviews.save(review(2, QStringLiteral("approve")));
    QVERIFY(!badVerdict);
    QVERIFY2(badVerdict.error().startsWith(QStringLiteral("verdict")), qPrintable(badVerdict.error()));
    // Accepting confirms the predicted class; another class needs an override.
    auto acceptOther = reviews.save(review(2, QStringLiteral("accept"), QStringLiteral("yes")));
    QVERIFY(!acceptOther);
    QVERIFY2(acceptOther.error().contains(QStringLiteral("override")), qPrintable(acceptOther.error()));
    ReviewRecord missing = review(2, QStringLiteral("accept"));
    missing.predictionId = 999999;
    auto noPrediction = reviews.save(missing);
    QVERIFY(!noPrediction);
    QVERIFY2(noPrediction.error().contains(QStringLiteral("no prediction 999999")), qPrintable(noPrediction.error()));
    // Nothing of the refused ones was written, in reviews or in the audit log.
    QCOMPARE(reviews.history(m_cases[2].predictionId)->size(), std::size_t(0));
    QCOMPARE(AuditLog(*m_study).count().value(), 0);

    auto accepted = reviews.save(review(2, QStringLiteral("accept")));
    QVERIFY2(accepted, qPrintable(accepted.error()));
    auto overridden
        = reviews.save(review(3, QStringLiteral("override"), QStringLiteral("yes"), QStringLiteral("lesion visible")));
    QVERIFY2(overridden, qPrintable(overridden.error()));
    auto commented
        = reviews.save(review(4, QStringLiteral("comment"), QString(), QString(), QStringLiteral("ask lab")));
    QVERIFY2(commented, qPrintable(commented.error()));
    const auto h2 = reviews.history(m_cases[2].predictionId).value();
    QCOMPARE(h2.size(), std::size_t(1));
    QCOMPARE(h2[0].verdict, QStringLiteral("accept"));
    QCOMPARE(h2[0].chosenClass, QStringLiteral("no")); // the predicted class, filled in
    QCOMPARE(h2[0].reviewer, QStringLiteral("dr.ana"));
    QVERIFY(QDateTime::fromString(h2[0].createdAt, Qt::ISODateWithMs).isValid());
    const auto h3 = reviews.history(m_cases[3].predictionId).value();
    QCOMPARE(h3[0].chosenClass, QStringLiteral("yes"));
    QCOMPARE(h3[0].reason, QStringLiteral("lesion visible"));
    const auto h4 = reviews.history(m_cases[4].predictionId).value();
    QCOMPARE(h4[0].comment, QStringLiteral("ask lab"));
    QVERIFY(h4[0].chosenClass.isEmpty());
}

void TestReview::reviewsAreNewRowsWithAudit()
{
    ReviewRepository reviews(*m_study);
    const qint64 pid = m_cases[5].predictionId;
    auto first = reviews.save(review(5, QStringLiteral("accept")));
    QVERIFY(first);
    auto note = reviews.save(review(5, QStringLiteral("comment"), QString(), QString(), QStringLiteral("borderline")));
    QVERIFY(note);
    ReviewRecord second = review(5, QStringLiteral("override"), QStringLiteral("no"), QStringLiteral("artefact"));
    second.reviewer = QStringLiteral("dr.ben");
    auto edited = reviews.save(second);
    QVERIFY2(edited, qPrintable(edited.error()));
    QVERIFY(first.value() < note.value() && note.value() < edited.value());

    auto history = reviews.history(pid);
    QVERIFY(history);
    QCOMPARE(history->size(), std::size_t(3));
    QCOMPARE(history->at(0).id, first.value());
    QCOMPARE(history->at(0).verdict, QStringLiteral("accept")); // the first is kept as it was
    QCOMPARE(history->at(0).reviewer, QStringLiteral("dr.ana"));
    QCOMPARE(history->at(2).verdict, QStringLiteral("override"));
    QCOMPARE(history->at(2).reviewer, QStringLiteral("dr.ben"));

    // The queue shows the newest review.
    auto item = reviews.item(pid);
    QVERIFY2(item, qPrintable(item.error()));
    QVERIFY(item->latest);
    QCOMPARE(item->latest->id, edited.value());
    QCOMPARE(item->latest->chosenClass, QStringLiteral("no"));

    // One audit entry per review, about the prediction, chained and intact.
    auto entries = AuditLog(*m_study).entriesFor(QStringLiteral("prediction:%1").arg(pid));
    QVERIFY(entries);
    QCOMPARE(entries->size(), std::size_t(3));
    QCOMPARE(entries->at(0).action, QStringLiteral("review.accept"));
    QCOMPARE(entries->at(0).actor, QStringLiteral("dr.ana"));
    QCOMPARE(entries->at(1).action, QStringLiteral("review.comment"));
    QCOMPARE(entries->at(2).action, QStringLiteral("review.edit"));
    QCOMPARE(entries->at(2).actor, QStringLiteral("dr.ben"));
    const QJsonObject d = entries->at(2).details;
    QCOMPARE(d.value(QStringLiteral("review_id")).toInteger(), edited.value());
    QCOMPARE(d.value(QStringLiteral("verdict")).toString(), QStringLiteral("override"));
    QCOMPARE(d.value(QStringLiteral("chosen_class")).toString(), QStringLiteral("no"));
    QCOMPARE(d.value(QStringLiteral("reason")).toString(), QStringLiteral("artefact"));
    QCOMPARE(d.value(QStringLiteral("previous_review_id")).toInteger(), note.value());
    QCOMPARE(d.value(QStringLiteral("run_id")).toInteger(), m_runId);
    QCOMPARE(d.value(QStringLiteral("case_key")).toString(), m_cases[5].key);

    // A first override of another prediction is review.override.
    QVERIFY(reviews.save(review(6, QStringLiteral("override"), QStringLiteral("yes"), QStringLiteral("r"))));
    QCOMPARE(AuditLog(*m_study).entries()->back().action, QStringLiteral("review.override"));
    QCOMPARE(AuditLog(*m_study).count().value(), 4);
    QVERIFY(verifies());

    // Review rows cannot be told apart from the audit: the database holds exactly these.
    QSqlQuery q(m_study->database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM reviews")) && q.next());
    QCOMPARE(q.value(0).toInt(), 4);
}

void TestReview::seenKeepsWhatTheReviewerSaw()
{
    ReviewRepository reviews(*m_study);
    ReviewRecord r = review(1, QStringLiteral("accept"));
    r.seen
        = QJsonObject { { QStringLiteral("explanation"),
                            QJsonObject { { QStringLiteral("modality_weights"), QJsonArray { 0.5, 0.3, 0.2 } },
                                { QStringLiteral("counterfactual"), QStringLiteral("x 1 → 3 would give urgent") } } },
              { QStringLiteral("probability"), 0.3 } };
    auto id = reviews.save(r);
    QVERIFY2(id, qPrintable(id.error()));
    // The prediction changes after the review (a new predict run): the review keeps the old one.
    PredictionRow changed;
    changed.caseId = m_cases[1].caseId;
    changed.probabilities = { 0.1f, 0.9f };
    changed.predicted = QStringLiteral("yes");
    changed.calibrated = { 0.2, 0.8 };
    changed.decision = QStringLiteral("urgent");
    QVERIFY(RunRepository(*m_study).savePredictions(m_runId, { changed }));

    const ReviewRecord stored = reviews.history(m_cases[1].predictionId)->front();
    QCOMPARE(stored.seen.value(QStringLiteral("explanation")), r.seen.value(QStringLiteral("explanation")));
    QCOMPARE(stored.seen.value(QStringLiteral("probability")).toDouble(), 0.3);
    const QJsonObject atSave = stored.seen.value(QStringLiteral("prediction_at_save")).toObject();
    QCOMPARE(atSave.value(QStringLiteral("predicted")).toString(), QStringLiteral("no"));
    QCOMPARE(atSave.value(QStringLiteral("decision")).toString(), m_cases[1].decision);
    QCOMPARE(atSave.value(QStringLiteral("referred")).toBool(), m_cases[1].referred);
    QCOMPARE(atSave.value(QStringLiteral("probabilities")).toArray().size(), 2);
    QVERIFY(std::abs(atSave.value(QStringLiteral("probabilities")).toArray().at(1).toDouble() - modelProbability(1))
        < 1e-6);
    QVERIFY(std::abs(atSave.value(QStringLiteral("calibrated")).toArray().at(1).toDouble() - calibrated(1)) < 1e-12);
    QVERIFY(!atSave.value(QStringLiteral("created_at")).toString().isEmpty());
    // An undecided prediction has no calibration or decision to record.
    QVERIFY(reviews.save(review(3, QStringLiteral("accept"))));
    const QJsonObject undecided
        = reviews.history(m_cases[3].predictionId)->front().seen.value(QStringLiteral("prediction_at_save")).toObject();
    QVERIFY(undecided.value(QStringLiteral("calibrated")).isNull());
    QVERIFY(undecided.value(QStringLiteral("decision")).isNull());
}

void TestReview::queueFilters()
{
    ReviewRepository reviews(*m_study);
    for (int i : { 0, 7, 10 })
        QVERIFY(reviews.save(review(i, QStringLiteral("accept"))));
    auto reviewed = [](const Planted &p) { return p.index == 0 || p.index == 7 || p.index == 10; };

    struct Case
    {
        const char *name;
        ReviewFilter filter;
        std::function<bool(const Planted &)> keep;
    };
    std::vector<Case> cases;
    cases.push_back({ "all", {}, [](const Planted &) { return true; } });
    ReviewFilter f;
    f.unreviewedOnly = true;
    cases.push_back({ "unreviewed", f, [&](const Planted &p) { return !reviewed(p); } });
    f = {};
    f.referredOnly = true;
    cases.push_back({ "referred", f, [](const Planted &p) { return p.referred; } });
    f = {};
    f.disagreementOnly = true;
    cases.push_back(
        { "disagreement", f, [](const Planted &p) { return !p.label.isEmpty() && p.predicted != p.label; } });
    f = {};
    f.decision = QStringLiteral("urgent");
    cases.push_back({ "decision", f, [](const Planted &p) { return p.decision == QLatin1String("urgent"); } });
    f = {};
    f.minProbability = 0.4;
    f.maxProbability = 0.6;
    cases.push_back({ "band", f, [](const Planted &p) { return p.probability >= 0.4 && p.probability <= 0.6; } });
    f = {};
    f.split = QStringLiteral("val");
    cases.push_back({ "split", f, [](const Planted &p) { return p.split == QLatin1String("val"); } });
    f = {};
    f.split = QStringLiteral("train");
    f.unreviewedOnly = true;
    f.disagreementOnly = true;
    f.maxProbability = 0.55;
    cases.push_back({ "combined", f, [&](const Planted &p) {
                         return p.split == QLatin1String("train") && !reviewed(p) && !p.label.isEmpty()
                             && p.predicted != p.label && p.probability <= 0.55;
                     } });

    for (const Case &c : cases) {
        QStringList expected;
        for (const Planted &p : m_cases)
            if (c.keep(p))
                expected << p.key;
        std::sort(expected.begin(), expected.end());
        QVERIFY2(!expected.isEmpty(), c.name);
        if (QLatin1String(c.name) != QLatin1String("all"))
            QVERIFY2(expected.size() < kCases, c.name);
        auto items = reviews.queue(m_runId, c.filter);
        QVERIFY2(items, qPrintable(items.error()));
        QStringList got;
        for (const ReviewItem &it : items.value()) {
            got << it.caseKey;
            const Planted &p = m_cases[static_cast<std::size_t>(it.caseKey.mid(1).toInt())];
            QCOMPARE(it.predictionId, p.predictionId);
            QCOMPARE(it.caseId, p.caseId);
            QCOMPARE(it.label, p.label);
            QCOMPARE(it.split, p.split);
            QCOMPARE(it.predicted, p.predicted);
            QCOMPARE(it.decision, p.decision);
            QCOMPARE(it.referred, p.referred);
            QVERIFY2(std::abs(it.probability - p.probability) < 1e-9, qPrintable(it.caseKey));
            QCOMPARE(it.latest.has_value(), reviewed(p));
        }
        QVERIFY2(got == expected,
            qPrintable(QStringLiteral("%1: got %2, expected %3")
                           .arg(QLatin1String(c.name), got.join(QLatin1Char(' ')), expected.join(QLatin1Char(' ')))));
        QCOMPARE(reviews.count(m_runId, c.filter).value(), static_cast<int>(expected.size()));
    }
}

void TestReview::queueSorts()
{
    ReviewRepository reviews(*m_study);
    auto keys = [&](const ReviewFilter &f) {
        QStringList out;
        auto items = reviews.queue(m_runId, f);
        if (items)
            for (const ReviewItem &it : items.value())
                out << it.caseKey;
        return out;
    };
    auto expectedBy = [&](const std::function<bool(const Planted &, const Planted &)> &less) {
        std::vector<Planted> sorted = m_cases;
        std::stable_sort(
            sorted.begin(), sorted.end(), [](const Planted &a, const Planted &b) { return a.key < b.key; });
        std::stable_sort(sorted.begin(), sorted.end(), less);
        QStringList out;
        for (const Planted &p : sorted)
            out << p.key;
        return out;
    };

    ReviewFilter f;
    QCOMPARE(keys(f), expectedBy([](const Planted &, const Planted &) { return false; }));
    f.descending = true;
    QStringList reversed = expectedBy([](const Planted &, const Planted &) { return false; });
    std::reverse(reversed.begin(), reversed.end());
    QCOMPARE(keys(f), reversed);

    f = {};
    f.sort = QStringLiteral("probability");
    QCOMPARE(keys(f), expectedBy([](const Planted &a, const Planted &b) { return a.probability < b.probability; }));
    f.descending = true;
    QCOMPARE(keys(f), expectedBy([](const Planted &a, const Planted &b) { return a.probability > b.probability; }));

    f = {};
    f.sort = QStringLiteral("uncertainty");
    const QStringList byUncertainty = keys(f);
    QCOMPARE(byUncertainty.size(), kCases);
    double last = -1;
    for (const QString &k : byUncertainty) {
        const double u = std::abs(m_cases[static_cast<std::size_t>(k.mid(1).toInt())].probability - 0.5);
        QVERIFY2(u >= last - 1e-9, qPrintable(k));
        last = u;
    }
    f = {};
    f.sort = QStringLiteral("decision");
    QCOMPARE(keys(f), expectedBy([](const Planted &a, const Planted &b) { return a.decision < b.decision; }));

    f.sort = QStringLiteral("created_at; DROP TABLE runs");
    auto refused = reviews.queue(m_runId, f);
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QStringLiteral("cannot sort")), qPrintable(refused.error()));
    QVERIFY(!reviews.count(m_runId, f));
}

void TestReview::pagesAndItems()
{
    ReviewRepository reviews(*m_study);
    ReviewFilter f;
    f.sort = QStringLiteral("probability");
    const auto all = reviews.queue(m_runId, f).value();
    QCOMPARE(all.size(), std::size_t(kCases));
    const auto page = reviews.queue(m_runId, f, 5, 4).value();
    QCOMPARE(page.size(), std::size_t(4));
    for (std::size_t i = 0; i < page.size(); ++i)
        QCOMPARE(page[i].predictionId, all[i + 5].predictionId);
    QCOMPARE(reviews.queue(m_runId, f, 18, 10)->size(), std::size_t(2));
    QCOMPARE(reviews.queue(m_runId, f, 40, 10)->size(), std::size_t(0));

    auto one = reviews.item(m_cases[9].predictionId);
    QVERIFY2(one, qPrintable(one.error()));
    QCOMPARE(one->caseKey, m_cases[9].key);
    QVERIFY(std::abs(one->probability - m_cases[9].probability) < 1e-9);
    QVERIFY(!one->latest);
    QVERIFY(!reviews.item(424242));
}

void TestReview::progressAndResume()
{
    ReviewRepository reviews(*m_study);
    QCOMPARE(reviews.progress(m_runId).value(), std::make_pair(0, kCases));
    QCOMPARE(reviews.firstUnreviewed(m_runId).value(), 0);
    // Two predictions reviewed, one of them twice: 2 of 20.
    QVERIFY(reviews.save(review(0, QStringLiteral("accept"))));
    QVERIFY(reviews.save(review(0, QStringLiteral("comment"), QString(), QString(), QStringLiteral("again"))));
    QVERIFY(reviews.save(review(1, QStringLiteral("accept"))));
    QCOMPARE(reviews.progress(m_runId).value(), std::make_pair(2, kCases));
    // Resume: in case order C00 and C01 are done, so the reviewer goes on at position 2.
    QCOMPARE(reviews.firstUnreviewed(m_runId).value(), 2);
    // In another order the position is that of the first unreviewed one there.
    ReviewFilter f;
    f.sort = QStringLiteral("probability");
    f.descending = true;
    const auto queue = reviews.queue(m_runId, f).value();
    const int pos = reviews.firstUnreviewed(m_runId, f).value();
    QVERIFY(pos >= 0);
    QVERIFY(!queue[static_cast<std::size_t>(pos)].latest);
    for (int i = 0; i < pos; ++i)
        QVERIFY(queue[static_cast<std::size_t>(i)].latest);
    // Everything reviewed: nowhere to resume.
    for (int i = 2; i < kCases; ++i)
        QVERIFY(reviews.save(review(i, QStringLiteral("accept"))));
    QCOMPARE(reviews.progress(m_runId).value(), std::make_pair(kCases, kCases));
    QCOMPARE(reviews.firstUnreviewed(m_runId).value(), -1);
    ReviewFilter unreviewed;
    unreviewed.unreviewedOnly = true;
    QCOMPARE(reviews.count(m_runId, unreviewed).value(), 0);
    QVERIFY(verifies());
}

void TestReview::decisionIsTheAnswer()
{
    // A run whose template names what is done for each class (no → discharge, yes → admit) and
    // decides yes from p(yes) ≥ 30 %: C00 at p(yes) = 40 % is decided "admit" while "no" is more
    // likely; C01 at p(yes) = 10 % is decided "discharge".
    RunRepository runs(*m_study);
    RunRecord rec;
    rec.name = QStringLiteral("labelled decisions");
    rec.datasetId = m_datasetId;
    const QJsonArray classes { QStringLiteral("no"), QStringLiteral("yes") };
    rec.config = QJsonObject { { QStringLiteral("feature_spec"),
                                   QJsonObject { { QStringLiteral("classes"), classes } } },
        { QStringLiteral("positive_class"), QStringLiteral("yes") },
        { QStringLiteral("template"),
            QJsonObject { { QStringLiteral("name"), QStringLiteral("triage") }, { QStringLiteral("classes"), classes },
                { QStringLiteral("positive_class"), QStringLiteral("yes") },
                { QStringLiteral("decision_rule"), QStringLiteral("threshold") }, { QStringLiteral("threshold"), 0.3 },
                { QStringLiteral("decisions"),
                    QJsonObject { { QStringLiteral("no"), QStringLiteral("discharge") },
                        { QStringLiteral("yes"), QStringLiteral("admit") } } } } } };
    auto run = runs.create(rec);
    QVERIFY2(run, qPrintable(run ? QString() : run.error()));
    std::vector<PredictionRow> rows(2);
    rows[0].caseId = m_cases[0].caseId;
    rows[0].probabilities = { 0.6f, 0.4f };
    rows[0].calibrated = { 0.6, 0.4 };
    rows[0].predicted = QStringLiteral("no");
    rows[0].decision = QStringLiteral("admit");
    rows[1].caseId = m_cases[1].caseId;
    rows[1].probabilities = { 0.9f, 0.1f };
    rows[1].calibrated = { 0.9, 0.1 };
    rows[1].predicted = QStringLiteral("no");
    rows[1].decision = QStringLiteral("discharge");
    QVERIFY(runs.savePredictions(run.value(), rows));

    ReviewRepository reviews(*m_study);
    const auto queue = reviews.queue(run.value()).value();
    QCOMPARE(queue.size(), std::size_t(2));
    QCOMPARE(queue[0].caseKey, QStringLiteral("C00"));
    QCOMPARE(queue[0].decidedClass, QStringLiteral("yes")); // "admit" stands for yes
    QCOMPARE(queue[1].decidedClass, QStringLiteral("no"));

    // Override offers every class but the decision: for C00 that is "no", its most likely class.
    ReviewService service(*m_study);
    QCOMPARE(service.overrideChoices(run.value(), queue[0]).value(), QStringList { QStringLiteral("no") });
    QCOMPARE(service.overrideChoices(run.value(), queue[1]).value(), QStringList { QStringLiteral("yes") });
    // The rule in words, from the run's template.
    const ReviewRule rule = service.rule(run.value()).value();
    QCOMPARE(rule.positiveClass, QStringLiteral("yes"));
    QCOMPARE(rule.rule, QStringLiteral("yes when p(yes) ≥ 30 %, else no"));

    // A comment alone does not review a case.
    ReviewRecord note;
    note.predictionId = queue[0].predictionId;
    note.verdict = QStringLiteral("comment");
    note.comment = QStringLiteral("check the CRP");
    QVERIFY(reviews.save(note));
    QCOMPARE(reviews.progress(run.value()).value(), std::make_pair(0, 2));
    QCOMPARE(reviews.firstUnreviewed(run.value()).value(), 0);
    ReviewFilter unreviewed;
    unreviewed.unreviewedOnly = true;
    QCOMPARE(reviews.count(run.value(), unreviewed).value(), 2);
    QVERIFY(!reviews.item(queue[0].predictionId)->reviewed);
    QVERIFY(reviews.item(queue[0].predictionId)->latest.has_value()); // the comment is its latest review

    // Accepting confirms the decision on screen (yes), not the most likely class (no).
    ReviewRecord accept;
    accept.predictionId = queue[0].predictionId;
    accept.verdict = QStringLiteral("accept");
    QVERIFY(reviews.save(accept));
    QCOMPARE(reviews.history(queue[0].predictionId)->back().chosenClass, QStringLiteral("yes"));
    accept.predictionId = queue[1].predictionId;
    accept.chosenClass = QStringLiteral("yes");
    auto wrong = reviews.save(accept);
    QVERIFY(!wrong);
    QVERIFY2(wrong.error().contains(QStringLiteral("decided class 'no'")), qPrintable(wrong.error()));
    QCOMPARE(reviews.progress(run.value()).value(), std::make_pair(1, 2));
    QCOMPARE(reviews.firstUnreviewed(run.value()).value(), 1);
    QVERIFY(reviews.item(queue[0].predictionId)->reviewed);
    QVERIFY(verifies());
}

void TestReview::classesAndUnknownRun()
{
    ReviewRepository reviews(*m_study);
    QCOMPARE(reviews.classes(m_runId).value(), (QStringList { QStringLiteral("no"), QStringLiteral("yes") }));
    // A run whose config does not name them has its dataset's classes.
    RunRecord bare;
    bare.name = QStringLiteral("bare");
    bare.datasetId = m_datasetId;
    auto bareId = RunRepository(*m_study).create(bare);
    QVERIFY(bareId);
    auto classes = reviews.classes(bareId.value());
    QVERIFY(classes);
    QCOMPARE(classes.value(), DatasetRepository(*m_study).dataset(m_datasetId)->classes);
    QCOMPARE(reviews.progress(bareId.value()).value(), std::make_pair(0, 0));
    QCOMPARE(reviews.queue(bareId.value())->size(), std::size_t(0));

    auto unknown = reviews.queue(9999);
    QVERIFY(!unknown);
    QVERIFY2(unknown.error().contains(QStringLiteral("no run 9999")), qPrintable(unknown.error()));
    QVERIFY(!reviews.count(9999));
    QVERIFY(!reviews.classes(9999));
}

void TestReview::runRenameTagsNotes()
{
    RunRepository runs(*m_study);
    AuditLog log(*m_study);
    const QString entity = QStringLiteral("run:%1").arg(m_runId);

    Status empty = runs.rename(m_runId, QStringLiteral("   "), QStringLiteral("ana"));
    QVERIFY(!empty);
    QVERIFY2(empty.error().contains(QStringLiteral("name")), qPrintable(empty.error()));
    QVERIFY(runs.rename(m_runId, QStringLiteral("  baseline  "), QStringLiteral("ana")));
    QCOMPARE(runs.run(m_runId)->name, QStringLiteral("baseline"));
    QVERIFY(runs.rename(m_runId, QStringLiteral("baseline"), QStringLiteral("ana"))); // unchanged: no entry
    QVERIFY(!runs.rename(777, QStringLiteral("x"), QStringLiteral("ana")));

    QVERIFY(runs.setTags(m_runId,
        { QStringLiteral(" fusion "), QString(), QStringLiteral("seed1, best"), QStringLiteral("fusion"),
            QStringLiteral(" ") },
        QStringLiteral("ana")));
    const QStringList tags { QStringLiteral("fusion"), QStringLiteral("seed1"), QStringLiteral("best") };
    QCOMPARE(runs.run(m_runId)->tags, tags);
    QCOMPARE(runs.runs()->front().tags, tags);
    QSqlQuery q(m_study->database());
    q.prepare(QStringLiteral("SELECT tags FROM runs WHERE id = ?"));
    q.addBindValue(m_runId);
    QVERIFY(q.exec() && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("fusion,seed1,best"));

    const QString notes = QStringLiteral("  Trained on the new scanner.\nCompare with run 2. ");
    QVERIFY(runs.setNotes(m_runId, notes, QStringLiteral("ben")));
    QCOMPARE(runs.run(m_runId)->notes, notes);
    QVERIFY(runs.setTags(m_runId, {}, QStringLiteral("ben")));
    QVERIFY(runs.run(m_runId)->tags.isEmpty());
    QVERIFY(runs.setNotes(m_runId, QString(), QStringLiteral("ben")));
    QVERIFY(runs.run(m_runId)->notes.isEmpty());

    auto entries = log.entriesFor(entity);
    QVERIFY(entries);
    QCOMPARE(entries->size(), std::size_t(5));
    QCOMPARE(entries->at(0).action, QStringLiteral("run.rename"));
    QCOMPARE(entries->at(0).actor, QStringLiteral("ana"));
    QCOMPARE(entries->at(0).details.value(QStringLiteral("old_name")).toString(), QStringLiteral("fusion seed 1"));
    QCOMPARE(entries->at(0).details.value(QStringLiteral("new_name")).toString(), QStringLiteral("baseline"));
    QCOMPARE(entries->at(0).details.value(QStringLiteral("run_id")).toInteger(), m_runId);
    QCOMPARE(entries->at(1).action, QStringLiteral("run.tag"));
    QCOMPARE(entries->at(1).details.value(QStringLiteral("new_tags")).toArray().size(), 3);
    QCOMPARE(entries->at(2).action, QStringLiteral("run.note"));
    QCOMPARE(entries->at(2).actor, QStringLiteral("ben"));
    QCOMPARE(entries->at(2).details.value(QStringLiteral("new_notes")).toString(), notes);
    QCOMPARE(entries->at(3).action, QStringLiteral("run.tag"));
    QCOMPARE(entries->at(3).details.value(QStringLiteral("old_tags")).toArray().size(), 3);
    QCOMPARE(entries->at(4).action, QStringLiteral("run.note"));
    QCOMPARE(entries->at(4).details.value(QStringLiteral("old_notes")).toString(), notes);
    QVERIFY(verifies());
}

void TestReview::runRemove()
{
    RunRepository runs(*m_study);
    ReviewRepository reviews(*m_study);
    QVERIFY(reviews.save(review(0, QStringLiteral("accept"))));
    QVERIFY(reviews.save(review(1, QStringLiteral("comment"), QString(), QString(), QStringLiteral("c"))));
    QVERIFY(runs.addMetrics(m_runId, { { QStringLiteral("val"), 0, -1, QStringLiteral("auroc"), 0.9 } }));
    QVERIFY(runs.saveCheckpoint(m_runId, 0, QByteArray("weights"), true));

    // A run still training is refused.
    RunRecord live;
    live.name = QStringLiteral("live");
    live.datasetId = m_datasetId;
    const qint64 liveId = runs.create(live).value();
    Status refused = runs.remove(liveId, QStringLiteral("ana"));
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QStringLiteral("still training")), qPrintable(refused.error()));
    QVERIFY(runs.run(liveId));

    QVERIFY(runs.rename(m_runId, QStringLiteral("to delete"), QStringLiteral("ana")));
    Status s = runs.remove(m_runId, QStringLiteral("ben"));
    QVERIFY2(s, qPrintable(s.error()));
    QVERIFY(!runs.run(m_runId));
    QVERIFY(!runs.remove(m_runId, QStringLiteral("ben")));
    QSqlQuery q(m_study->database());
    for (const QString &table : { QStringLiteral("predictions"), QStringLiteral("reviews"), QStringLiteral("metrics"),
             QStringLiteral("checkpoints") }) {
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM %1").arg(table)) && q.next());
        QVERIFY2(q.value(0).toInt() == 0, qPrintable(table));
    }
    // The log keeps the run's id, name and status, the reviews' entries, and still verifies.
    auto entries = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(m_runId));
    QVERIFY(entries);
    QCOMPARE(entries->size(), std::size_t(2));
    const AuditEntry &del = entries->back();
    QCOMPARE(del.action, QStringLiteral("run.delete"));
    QCOMPARE(del.actor, QStringLiteral("ben"));
    QCOMPARE(del.details.value(QStringLiteral("run_id")).toInteger(), m_runId);
    QCOMPARE(del.details.value(QStringLiteral("name")).toString(), QStringLiteral("to delete"));
    QCOMPARE(del.details.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    QCOMPARE(del.details.value(QStringLiteral("predictions")).toInt(), kCases);
    QCOMPARE(del.details.value(QStringLiteral("reviews")).toInt(), 2);
    QCOMPARE(AuditLog(*m_study).count().value(), 4);
    QVERIFY(verifies());
    QVERIFY(!reviews.queue(m_runId));
}

void TestReview::hostileStringsStoredVerbatim()
{
    RunRepository runs(*m_study);
    ReviewRepository reviews(*m_study);
    QVERIFY(runs.rename(m_runId, kHostile, kHostile));
    QVERIFY(runs.setNotes(m_runId, kHostile, kHostile));
    QVERIFY(runs.setTags(m_runId, { kHostile }, kHostile));
    QCOMPARE(runs.run(m_runId)->name, kHostile.trimmed());
    QCOMPARE(runs.run(m_runId)->notes, kHostile);
    QCOMPARE(runs.run(m_runId)->tags, RunRepository::normalizedTags({ kHostile }));

    ReviewRecord r = review(8, QStringLiteral("override"), QStringLiteral("yes"), kHostile, kHostile);
    r.reviewer = kHostile;
    r.seen = QJsonObject { { kHostile, kHostile } };
    QVERIFY(reviews.save(r));
    QVERIFY(reviews.save(review(9, QStringLiteral("comment"), QString(), QString(), kHostile)));
    const ReviewRecord stored = reviews.history(m_cases[8].predictionId)->front();
    QCOMPARE(stored.reason, kHostile);
    QCOMPARE(stored.comment, kHostile);
    QCOMPARE(stored.reviewer, kHostile);
    QCOMPARE(stored.seen.value(kHostile).toString(), kHostile);
    QCOMPARE(reviews.history(m_cases[9].predictionId)->front().comment, kHostile);
    // Hostile filter values only match nothing.
    ReviewFilter f;
    f.decision = kHostile;
    f.split = kHostile;
    QCOMPARE(reviews.count(m_runId, f).value(), 0);

    QCOMPARE(runs.runs()->size(), std::size_t(1)); // the runs table is still there
    auto entries = AuditLog(*m_study).entries();
    QVERIFY(entries);
    QCOMPARE(entries->size(), std::size_t(5));
    QCOMPARE(entries->front().actor, kHostile);
    QCOMPARE(entries->at(3).details.value(QStringLiteral("comment")).toString(), kHostile);
    QVERIFY(verifies());
}

QTEST_GUILESS_MAIN(TestReview)
#include "tst_review.moc"
