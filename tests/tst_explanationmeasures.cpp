// SPDX-License-Identifier: GPL-3.0-or-later
// The arithmetic of the faithfulness report (metrics/ExplanationMeasures) and the ground-truth file
// it scores against (data/GroundTruth), on hand-made inputs whose answers are worked out by hand.
#include "data/GroundTruth.h"
#include "metrics/ExplanationMeasures.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace lepton;
using namespace lepton::measures;

namespace {

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-9;
}

} // namespace

class TestExplanationMeasures : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void precisionAndRecallAtK();
    void chanceLevelsAreTheMeanOverEveryOrdering();
    void anyInTopKChanceCountsEveryOrdering();
    void pointingGameAndItsChance();
    void spearmanByHand();
    void meansSpreadsAndDeletion();
    void modalityAblation();
    void groundTruthGeneralFormat();
    void groundTruthDemoFormat();
    void groundTruthErrorsNameTheProblem();
};

void TestExplanationMeasures::precisionAndRecallAtK()
{
    const QStringList ranking { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d") };
    const QStringList causal { QStringLiteral("a"), QStringLiteral("d") };
    // k = 2: {a, b} holds one of the two causal fields.
    QCOMPARE(hitsAtK(ranking, causal, 2), 1);
    QCOMPARE(causalCandidates(ranking, causal), 2);
    QVERIFY(near(precisionAtK(ranking, causal, 2), 0.5));
    QVERIFY(near(recallAtK(ranking, causal, 2), 0.5));
    QVERIFY(near(precisionAtKChance(4, 2, 2), 0.5)); // c/n = 2/4
    QVERIFY(near(recallAtKChance(4, 2, 2), 0.5)); // k/n = 2/4
    // k = 3: {a, b, c}: 1 of 3 picks causal, 1 of 2 causal found; chance recall 3/4.
    QVERIFY(near(precisionAtK(ranking, causal, 3), 1.0 / 3.0));
    QVERIFY(near(recallAtK(ranking, causal, 3), 0.5));
    QVERIFY(near(precisionAtKChance(4, 2, 3), 0.5));
    QVERIFY(near(recallAtKChance(4, 2, 3), 0.75));
    // k beyond the ranking: everything is picked; recall 1, chance recall capped at 1.
    QVERIFY(near(precisionAtK(ranking, causal, 10), 0.5));
    QVERIFY(near(recallAtK(ranking, causal, 10), 1.0));
    QVERIFY(near(recallAtKChance(4, 2, 10), 1.0));
    // A perfect ranking, and the best recall@1 possible with two causal fields.
    const QStringList best { QStringLiteral("d"), QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") };
    QVERIFY(near(precisionAtK(best, causal, 2), 1.0));
    QVERIFY(near(recallAtK(best, causal, 1), 0.5));
    // A causal field the ranking does not hold cannot be found and does not count.
    const QStringList withAbsent { QStringLiteral("a"), QStringLiteral("d"), QStringLiteral("z") };
    QCOMPARE(causalCandidates(ranking, withAbsent), 2);
    QVERIFY(near(recallAtK(ranking, withAbsent, 2), 0.5));
    // Degenerate inputs.
    QVERIFY(near(precisionAtK(ranking, causal, 0), 0.0));
    QVERIFY(near(precisionAtK({}, causal, 3), 0.0));
    QVERIFY(near(recallAtK(ranking, {}, 3), 0.0));
    QVERIFY(near(recallAtKChance(4, 0, 2), 0.0));
    QVERIFY(near(precisionAtKChance(4, 0, 2), 0.0));
    QVERIFY(near(precisionAtKChance(0, 0, 2), 0.0));
    // The issue's case: 8 fields, 6 causal, k = 3: chance precision 0.75, chance recall 0.375.
    QVERIFY(near(precisionAtKChance(8, 6, 3), 0.75));
    QVERIFY(near(recallAtKChance(8, 6, 3), 0.375));
}

void TestExplanationMeasures::chanceLevelsAreTheMeanOverEveryOrdering()
{
    // Five fields, two causal: the mean precision@k and recall@k over all 120 orderings is what a
    // random ranking scores on average, and must equal the closed forms c/n and min(k, n)/n.
    QStringList fields { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"),
        QStringLiteral("e") };
    const QStringList causal { QStringLiteral("b"), QStringLiteral("e") };
    for (int k = 1; k <= 6; ++k) {
        std::sort(fields.begin(), fields.end());
        double precision = 0.0, recall = 0.0;
        int orderings = 0;
        do {
            precision += precisionAtK(fields, causal, k);
            recall += recallAtK(fields, causal, k);
            ++orderings;
        } while (std::next_permutation(fields.begin(), fields.end()));
        QCOMPARE(orderings, 120);
        QVERIFY2(near(precision / orderings, precisionAtKChance(5, 2, k)), qPrintable(QString::number(k)));
        QVERIFY2(near(recall / orderings, recallAtKChance(5, 2, k)), qPrintable(QString::number(k)));
    }
}

void TestExplanationMeasures::anyInTopKChanceCountsEveryOrdering()
{
    // Six words, two planted: the share of the 720 orderings whose first k hold a planted word is
    // the chance of a random top k, and must equal 1 − C(4, k)/C(6, k).
    QStringList words { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"),
        QStringLiteral("e"), QStringLiteral("f") };
    const QStringList planted { QStringLiteral("b"), QStringLiteral("e") };
    for (int k = 1; k <= 6; ++k) {
        std::sort(words.begin(), words.end());
        int hits = 0, orderings = 0;
        do {
            hits += hitsAtK(words, planted, k) > 0 ? 1 : 0;
            ++orderings;
        } while (std::next_permutation(words.begin(), words.end()));
        QVERIFY2(near(static_cast<double>(hits) / orderings, anyInTopKChance(6, 2, k)), qPrintable(QString::number(k)));
    }
    QVERIFY(near(anyInTopKChance(10, 2, 3), 1.0 - 56.0 / 120.0));
    QVERIFY(near(anyInTopKChance(5, 1, 1), 0.2));
    QCOMPARE(anyInTopKChance(5, 0, 3), 0.0);
    QCOMPARE(anyInTopKChance(0, 1, 3), 0.0);
    QCOMPARE(anyInTopKChance(4, 2, 3), 1.0);
}

void TestExplanationMeasures::pointingGameAndItsChance()
{
    // A 4×4 map over a 16×16 image: cells of 4×4 pixels. The rectangle (4, 4, 8, 8) covers the
    // four middle cells (their centres (6, 6), (10, 6), (6, 10), (10, 10)) and only touches the
    // others' edges: chance 4/16.
    const ImageRegion box = ImageRegion::rectangle(4, 4, 8, 8);
    QVERIFY(near(pointingChance(box, 4, 4, 16, 16), 0.25));
    QVERIFY(pointingHit(box, 1, 1, 4, 4, 16, 16));
    QVERIFY(pointingHit(box, 2, 2, 4, 4, 16, 16));
    QVERIFY(pointingHit(box, 1, 2, 4, 4, 16, 16));
    QVERIFY(!pointingHit(box, 0, 0, 4, 4, 16, 16));
    QVERIFY(!pointingHit(box, 0, 1, 4, 4, 16, 16)); // shares only the edge y = 4
    QVERIFY(!pointingHit(box, 3, 3, 4, 4, 16, 16));
    QVERIFY(!pointingHit(box, 4, 1, 4, 4, 16, 16)); // outside the map
    // A disc of radius 1 at the image's centre (8, 8) overlaps the four cells meeting there.
    const ImageRegion disc = ImageRegion::circle(8, 8, 1);
    QVERIFY(near(pointingChance(disc, 4, 4, 16, 16), 0.25));
    QVERIFY(pointingHit(disc, 2, 1, 4, 4, 16, 16));
    QVERIFY(!pointingHit(disc, 0, 1, 4, 4, 16, 16)); // nearest point (8, 4): 4 px away
    // A small disc inside one cell: 1/16.
    QVERIFY(near(pointingChance(ImageRegion::circle(2, 2, 1), 4, 4, 16, 16), 1.0 / 16.0));
    // A disc at (7, 7), inside cell (1, 1), of radius 2 reaches the cell to its right (nearest
    // point (8, 7): 1 px), the one below ((7, 8): 1 px) and the diagonal one ((8, 8): √2 px); every
    // other cell is 3 px or more away: 4 cells.
    QVERIFY(near(pointingChance(ImageRegion::circle(7, 7, 2), 4, 4, 16, 16), 0.25));
    // A wide image: 32×16 under a 4×4 map, cells of 8×4 pixels; the box (0, 0, 8, 4) is one cell.
    QVERIFY(near(pointingChance(ImageRegion::rectangle(0, 0, 8, 4), 4, 4, 32, 16), 1.0 / 16.0));
    QVERIFY(pointingHit(ImageRegion::rectangle(0, 0, 8, 4), 0, 0, 4, 4, 32, 16));
    QVERIFY(!pointingHit(ImageRegion::rectangle(0, 0, 8, 4), 0, 1, 4, 4, 32, 16));
    // Empty maps and images score nothing.
    QVERIFY(near(pointingChance(box, 0, 0, 16, 16), 0.0));
    QVERIFY(!cellOnRegion(box, 0, 0, 4, 4, 0, 0));
    // The peak is the first largest value in row-major order.
    QCOMPARE(peakCell({ 0.1f, 0.5f, 0.5f, 0.2f }), 1);
    QCOMPARE(peakCell({}), -1);
}

void TestExplanationMeasures::spearmanByHand()
{
    QCOMPARE(averageRanks({ 10, 20, 20, 30 }), (std::vector<double> { 1, 2.5, 2.5, 4 }));
    QCOMPARE(averageRanks({ 5, 5, 5 }), (std::vector<double> { 2, 2, 2 }));
    QCOMPARE(averageRanks({ 0.3, -1, 2 }), (std::vector<double> { 2, 1, 3 }));
    QVERIFY(near(*spearman({ 1, 2, 3 }, { 3, 2, 1 }), -1.0));
    QVERIFY(near(*spearman({ 1, 2, 3 }, { 10, 200, 3000 }), 1.0)); // ranks, not values
    // [3, 1, 2] against [1, 2, 3]: rank differences 2, -1, -1; 1 − 6·6 / (3·8) = −0.5.
    QVERIFY(near(*spearman({ 3, 1, 2 }, { 1, 2, 3 }), -0.5));
    // Ties: ranks [1, 2.5, 2.5, 4] against [1, 2, 3, 4]; deviations (−1.5, 0, 0, 1.5) and
    // (−1.5, −0.5, 0.5, 1.5): 4.5 / √(4.5 · 5) = √0.9.
    QVERIFY(near(*spearman({ 1, 2, 2, 3 }, { 1, 2, 3, 4 }), std::sqrt(0.9)));
    // Undefined: a constant vector, different lengths, fewer than two values.
    QVERIFY(!spearman({ 1, 1, 1 }, { 1, 2, 3 }));
    QVERIFY(!spearman({ 1, 2 }, { 1, 2, 3 }));
    QVERIFY(!spearman({ 1 }, { 1 }));
}

void TestExplanationMeasures::meansSpreadsAndDeletion()
{
    const MeanSpread m = meanAndSpread({ 1, 2, 3, 4 });
    QCOMPARE(m.count, 4);
    QVERIFY(near(m.mean, 2.5));
    QVERIFY(near(m.sd, std::sqrt(5.0 / 3.0))); // (2.25 + 0.25 + 0.25 + 2.25) / 3
    const MeanSpread one = meanAndSpread({ 0.7 });
    QVERIFY(near(one.mean, 0.7) && near(one.sd, 0.0));
    const MeanSpread none = meanAndSpread({});
    QVERIFY(none.count == 0 && near(none.mean, 0.0));
    const DeletionMeans d = deletionMeans({ 0.2, 0.4 }, { 0.1, 0.1 });
    QVERIFY(near(d.top, 0.3));
    QVERIFY(near(d.random, 0.1));
    QVERIFY(near(d.ratio, 3.0));
    // Worse than chance is visible: top below random.
    const DeletionMeans worse = deletionMeans({ 0.0145 }, { 0.0184 });
    QVERIFY(worse.ratio < 1.0);
    QVERIFY(near(deletionMeans({ 0.2 }, { 0.0 }).ratio, 0.0));
}

void TestExplanationMeasures::modalityAblation()
{
    const std::array<double, 3> change { 0.1, -0.3, 0.2 };
    QCOMPARE(strongestModality(change, { true, true, true }), 1); // |−0.3| is largest
    QCOMPARE(strongestModality(change, { true, false, true }), 2);
    QCOMPARE(strongestModality(change, { false, false, false }), -1);
    QCOMPARE(strongestModality({ 0.2, 0.2, 0.0 }, { true, true, true }), 0); // a tie goes to the first
    QVERIFY(near(modalityAgreementChance({ true, true, true }), 1.0 / 3.0));
    QVERIFY(near(modalityAgreementChance({ true, false, true }), 0.5));
    QVERIFY(near(modalityAgreementChance({ false, false, false }), 0.0));
}

void TestExplanationMeasures::groundTruthGeneralFormat()
{
    const QByteArray json = R"({
        "causal_fields": ["a", "b"],
        "image_size": 64,
        "case_list": [
            {"case_id": "c1", "region": {"x": 1, "y": 2, "w": 3, "h": 4}, "causal_time_steps": [0, 2],
             "causal_words": [], "dominant_modality": "record"},
            {"case_id": "c2", "causal_fields": ["z"], "region": {"cx": 10, "cy": 12, "radius": 5},
             "image_size": [32, 48], "dominant_modality": null},
            {"case_id": "c3", "causal_fields": []}
        ]})";
    auto g = GroundTruth::parse(json, QStringLiteral("truth.json"));
    QVERIFY2(g, qPrintable(g.error()));
    QCOMPARE(g->cases(), 3);
    QCOMPARE(g->causalFields(), (QStringList { QStringLiteral("a"), QStringLiteral("b") }));
    const CaseGroundTruth *c1 = g->find(QStringLiteral("c1"));
    QVERIFY(c1);
    QCOMPARE(c1->causalFields, (QStringList { QStringLiteral("a"), QStringLiteral("b") })); // the global list
    QVERIFY(c1->region && c1->region->shape == GroundTruthRegion::Shape::Rectangle);
    QCOMPARE(*g->lesionBox(QStringLiteral("c1")), QRectF(1, 2, 3, 4));
    QVERIFY(near(c1->imageWidth, 64) && near(c1->imageHeight, 64));
    QCOMPARE(c1->causalTimeSteps, (std::vector<int> { 0, 2 }));
    QVERIFY(c1->causalWords.isEmpty());
    QCOMPARE(c1->dominantModality, 1);
    const CaseGroundTruth *c2 = g->find(QStringLiteral("c2"));
    QVERIFY(c2);
    QCOMPARE(c2->causalFields, QStringList { QStringLiteral("z") }); // its own list wins
    QVERIFY(c2->region && c2->region->shape == GroundTruthRegion::Shape::Circle);
    QVERIFY(near(c2->region->cx, 10) && near(c2->region->cy, 12) && near(c2->region->radius, 5));
    QCOMPARE(*g->lesionBox(QStringLiteral("c2")), QRectF(5, 7, 10, 10)); // the disc's bounds
    QVERIFY(near(c2->imageWidth, 32) && near(c2->imageHeight, 48));
    QCOMPARE(c2->dominantModality, -1);
    const CaseGroundTruth *c3 = g->find(QStringLiteral("c3"));
    QVERIFY(c3);
    QVERIFY(c3->causalFields.isEmpty()); // an empty list of its own: nothing causal
    QVERIFY(!c3->region); // not counted for the pointing game
    QVERIFY(!g->lesionBox(QStringLiteral("c3")));
    QVERIFY(!g->find(QStringLiteral("c4")));
}

void TestExplanationMeasures::groundTruthDemoFormat()
{
    // As `lepton demo-data` writes it: top-level causal fields and image size, per case a lesion
    // (box and disc) or null, and the per-modality risk terms.
    const QByteArray json = R"({
        "generator": "lepton-demo 1", "domain": "medical", "seed": 7, "cases": 4, "image_size": 128,
        "causal_fields": ["crp_mg_l", "age"],
        "causal_event_fields": ["temperature_c"],
        "case_list": [
            {"case_id": "P00001", "label": "abnormal", "image": "images/P00001.png",
             "lesion": {"x": 40, "y": 50, "w": 21, "h": 21, "cx": 50.5, "cy": 60.5, "radius": 10.5, "contrast": 30.0},
             "lesion_planted": true, "has_events": true,
             "risk": {"image": 2.0, "record": 0.5, "history": -0.4, "noise": 3.0, "total": 5.1}},
            {"case_id": "P00002", "label": "normal", "image": null, "lesion": null, "lesion_planted": true,
             "has_events": false, "risk": {"image": -0.9, "record": 1.0, "history": 0.6, "noise": 0.1, "total": 0.8}},
            {"case_id": "F00001", "label": "bad", "has_events": true,
             "risk": {"record": 0.3, "history": 0.1, "affordability": 1.0, "noise": 0.0, "total": 1.4}},
            {"case_id": "F00002", "label": "bad", "has_events": true,
             "risk": {"record": -1.0, "history": 0.4, "affordability": 0.2, "noise": 0.0, "total": -0.4}}
        ]})";
    auto g = GroundTruth::parse(json, QStringLiteral("ground_truth.json"));
    QVERIFY2(g, qPrintable(g.error()));
    QCOMPARE(g->cases(), 4);
    const CaseGroundTruth *p1 = g->find(QStringLiteral("P00001"));
    QVERIFY(p1 && p1->region);
    QVERIFY(p1->region->shape == GroundTruthRegion::Shape::Circle); // the disc, as the lesion was drawn
    QVERIFY(near(p1->region->cx, 50.5) && near(p1->region->radius, 10.5));
    QCOMPARE(*g->lesionBox(QStringLiteral("P00001")), QRectF(40, 50, 21, 21)); // the box views draw
    QVERIFY(near(p1->imageWidth, 128) && near(p1->imageHeight, 128));
    QCOMPARE(p1->causalFields, (QStringList { QStringLiteral("crp_mg_l"), QStringLiteral("age") }));
    QCOMPARE(p1->dominantModality, 0); // |2.0| ≥ 2 × |0.5|; noise does not count
    const CaseGroundTruth *p2 = g->find(QStringLiteral("P00002"));
    QVERIFY(p2 && !p2->region); // no image, no region
    QCOMPARE(p2->dominantModality, -1); // 1.0 < 2 × 0.9
    QCOMPARE(g->find(QStringLiteral("F00001"))->dominantModality, -1); // affordability is no single modality
    QCOMPARE(g->find(QStringLiteral("F00002"))->dominantModality, 1); // |−1.0| ≥ 2 × 0.4
}

void TestExplanationMeasures::groundTruthErrorsNameTheProblem()
{
    auto noList = GroundTruth::parse(R"({"causal_fields": ["a"]})", QStringLiteral("t.json"));
    QVERIFY(!noList);
    QVERIFY2(noList.error().contains(QStringLiteral("t.json: has no case_list")), qPrintable(noList.error()));
    auto noId = GroundTruth::parse(R"({"case_list": [{"causal_fields": ["a"]}]})", QStringLiteral("t.json"));
    QVERIFY(!noId);
    QVERIFY2(noId.error().contains(QStringLiteral("case_list[0] has no case_id")), qPrintable(noId.error()));
    auto badRegion
        = GroundTruth::parse(R"({"case_list": [{"case_id": "c", "region": {"x": 1}}]})", QStringLiteral("t.json"));
    QVERIFY(!badRegion);
    QVERIFY2(badRegion.error().contains(QStringLiteral("case c")) && badRegion.error().contains(QStringLiteral("cx")),
        qPrintable(badRegion.error()));
    auto badModality = GroundTruth::parse(
        R"({"case_list": [{"case_id": "c", "dominant_modality": "smell"}]})", QStringLiteral("t.json"));
    QVERIFY(!badModality);
    QVERIFY(badModality.error().contains(QStringLiteral("dominant_modality")));
    auto badSteps = GroundTruth::parse(
        R"({"case_list": [{"case_id": "c", "causal_time_steps": [1.5]}]})", QStringLiteral("t.json"));
    QVERIFY(!badSteps);
    QVERIFY(badSteps.error().contains(QStringLiteral("causal_time_steps")));
    auto notJson = GroundTruth::parse("{", QStringLiteral("t.json"));
    QVERIFY(!notJson);
    QVERIFY(notJson.error().startsWith(QStringLiteral("t.json: not a ground-truth file")));
    // A region without any image size still loads (views draw the box); the report asks for it.
    auto noSize = GroundTruth::parse(
        R"({"case_list": [{"case_id": "c", "region": {"x": 1, "y": 2, "w": 3, "h": 4}}]})", QStringLiteral("t.json"));
    QVERIFY2(noSize, qPrintable(noSize.error()));
    QVERIFY(near(noSize->find(QStringLiteral("c"))->imageWidth, 0.0));
}

QTEST_APPLESS_MAIN(TestExplanationMeasures)
#include "tst_explanationmeasures.moc"
