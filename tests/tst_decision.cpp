// SPDX-License-Identifier: GPL-3.0-or-later
#include "decision/Calibration.h"
#include "decision/DecisionPolicy.h"
#include "decision/DomainTemplate.h"
#include "util/Rng.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lepton;

class TestDecision : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinTemplatesLoadAndRoundTrip();
    void templateErrorsNameKeyAndReason_data();
    void templateErrorsNameKeyAndReason();
    void templateFilesAndJsonErrors();
    void bindingFollowsTheData();
    void costRulePicksTheCheaperDecision();
    void thresholdRuleAndGrades();
    void abstentionRefers();
    void calibrationLowersEce();
    void calibrationKeepsAGoodModel();
};

namespace {
DomainTemplate bound(const QString &name, const QStringList &classes, const QStringList &fields = {})
{
    auto t = DomainTemplate::load(name);
    if (!t)
        qFatal("%s", qPrintable(t.error()));
    auto b = t->boundTo(classes, QString(), fields);
    if (!b)
        qFatal("%s", qPrintable(b.error()));
    return b.value();
}

const QStringList kMedicalFields { QStringLiteral("age"), QStringLiteral("sex"), QStringLiteral("crp_mg_l"),
    QStringLiteral("wbc_10e9_l"), QStringLiteral("lactate_mmol_l"), QStringLiteral("systolic_bp"),
    QStringLiteral("smoker") };
const QStringList kFinanceFields { QStringLiteral("age"), QStringLiteral("loan_amount"),
    QStringLiteral("duration_months"), QStringLiteral("debt_ratio") };
} // namespace

void TestDecision::builtinTemplatesLoadAndRoundTrip()
{
    QCOMPARE(DomainTemplate::builtinNames(),
        (QStringList { QStringLiteral("medical"), QStringLiteral("finance"), QStringLiteral("generic") }));
    for (const QString &name : DomainTemplate::builtinNames()) {
        auto t = DomainTemplate::load(name);
        QVERIFY2(t, qPrintable(t.error()));
        QCOMPARE(t->name, name);
        auto again = DomainTemplate::fromJson(t->toJson());
        QVERIFY2(again, qPrintable(again.error()));
        QCOMPARE(again->toJson(), t->toJson());
    }
    auto medical = DomainTemplate::load(QStringLiteral("medical"));
    QCOMPARE(medical->rule, DomainTemplate::Rule::MinimiseExpectedCost);
    QCOMPARE(medical->positiveClass, QStringLiteral("abnormal"));
    QVERIFY(medical->cost[1][0] > 10 * medical->cost[0][1]); // a missed abnormal ≫ a false alarm
    QVERIFY(medical->abstainEnabled);
    QVERIFY(medical->immutableFields.contains(QStringLiteral("age")));
    auto finance = DomainTemplate::load(QStringLiteral("finance"));
    QCOMPARE(finance->decisionLabel(QStringLiteral("bad")), QStringLiteral("decline"));
    QCOMPARE(finance->grades.size(), std::size_t(5));
}

void TestDecision::templateErrorsNameKeyAndReason_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown key") << "colour" << QJsonValue(1) << "colour: unknown key";
    QTest::newRow("no name") << "name" << QJsonValue(QString()) << "name: missing";
    QTest::newRow("one class") << "classes" << QJsonValue(QJsonArray { "a" }) << "classes: one class";
    QTest::newRow("class twice") << "classes" << QJsonValue(QJsonArray { "normal", "normal" })
                                 << "classes: 'normal' is listed twice";
    QTest::newRow("positive not a class")
        << "positive_class" << QJsonValue("sick") << "positive_class: 'sick' is not one of the classes";
    QTest::newRow("negative cost") << "cost_matrix"
                                   << QJsonValue(QJsonObject {
                                          { "normal", QJsonObject { { "normal", 0 }, { "abnormal", -1 } } },
                                          { "abnormal", QJsonObject { { "normal", 5 }, { "abnormal", 0 } } } })
                                   << "cost_matrix.normal.abnormal: needs a cost ≥ 0";
    QTest::newRow("cost row missing") << "cost_matrix"
                                      << QJsonValue(QJsonObject {
                                             { "normal", QJsonObject { { "normal", 0 }, { "abnormal", 1 } } } })
                                      << "cost_matrix.abnormal: missing";
    QTest::newRow("bad rule") << "decision_rule" << QJsonValue("vote") << "decision_rule: 'vote' is not";
    QTest::newRow("threshold above 1") << "threshold" << QJsonValue(1.5) << "threshold: needs a probability";
    QTest::newRow("grades not ascending") << "grades"
                                          << QJsonValue(QJsonArray { QJsonObject { { "name", "a" }, { "below", 0.5 } },
                                                 QJsonObject { { "name", "b" }, { "below", 0.3 } } })
                                          << "grades[2].below: 0.3 must be above";
    QTest::newRow("grades end early") << "grades"
                                      << QJsonValue(QJsonArray { QJsonObject { { "name", "a" }, { "below", 0.5 } } })
                                      << "grades: the last band must reach 1";
    QTest::newRow("abstain inverted") << "abstain" << QJsonValue(QJsonObject { { "low", 0.6 }, { "high", 0.4 } })
                                      << "abstain: low (0.6) must be below high (0.4)";
    QTest::newRow("actionable and immutable")
        << "actionable_fields" << QJsonValue(QJsonArray { "age" }) << "actionable_fields: 'age' is also immutable";
    QTest::newRow("range inverted") << "ranges" << QJsonValue(QJsonObject { { "crp_mg_l", QJsonArray { 10, 1 } } })
                                    << "ranges.crp_mg_l: min 10 must be below max 1";
    QTest::newRow("range not a pair") << "ranges" << QJsonValue(QJsonObject { { "crp_mg_l", 3 } })
                                      << "ranges.crp_mg_l: needs [min, max]";
}

void TestDecision::templateErrorsNameKeyAndReason()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);
    QJsonObject json = DomainTemplate::load(QStringLiteral("medical"))->toJson();
    json.insert(key, value);
    auto t = DomainTemplate::fromJson(json, QStringLiteral("mine.json"));
    QVERIFY(!t);
    QVERIFY2(t.error().startsWith(QStringLiteral("mine.json: ")), qPrintable(t.error()));
    QVERIFY2(t.error().contains(expected), qPrintable(t.error()));
}

void TestDecision::templateFilesAndJsonErrors()
{
    QTemporaryDir dir;
    const QString good = dir.filePath(QStringLiteral("ward7.json"));
    QJsonObject json = DomainTemplate::load(QStringLiteral("medical"))->toJson();
    json.insert(QStringLiteral("name"), QStringLiteral("ward 7"));
    QFile f(good);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(json).toJson());
    f.close();
    auto t = DomainTemplate::load(good);
    QVERIFY2(t, qPrintable(t.error()));
    QCOMPARE(t->name, QStringLiteral("ward 7"));

    const QString broken = dir.filePath(QStringLiteral("broken.json"));
    QFile b(broken);
    QVERIFY(b.open(QIODevice::WriteOnly));
    b.write("{\n  \"name\": \"x\",\n  \"classes\": [\"a\" \"b\"]\n}\n");
    b.close();
    auto e = DomainTemplate::load(broken);
    QVERIFY(!e);
    QVERIFY2(e.error().contains(QStringLiteral("broken.json")) && e.error().contains(QStringLiteral("line 3")),
        qPrintable(e.error()));

    auto missing = DomainTemplate::load(dir.filePath(QStringLiteral("none.json")));
    QVERIFY(!missing);
    QVERIFY2(missing.error().contains(QStringLiteral("medical, finance, generic")), qPrintable(missing.error()));
}

void TestDecision::bindingFollowsTheData()
{
    // The data's class order differs from the template's: costs follow the classes.
    DomainTemplate t
        = bound(QStringLiteral("medical"), { QStringLiteral("abnormal"), QStringLiteral("normal") }, kMedicalFields);
    QCOMPARE(t.classes.first(), QStringLiteral("abnormal"));
    QCOMPARE(t.positiveIndex(), 0);
    QCOMPARE(t.cost[0][1], 20.0); // true abnormal, decided normal
    QCOMPARE(t.cost[1][0], 1.0);

    auto medical = DomainTemplate::load(QStringLiteral("medical"));
    auto wrongClasses = medical->boundTo({ QStringLiteral("good"), QStringLiteral("bad") }, QString(), kMedicalFields);
    QVERIFY(!wrongClasses);
    QVERIFY2(wrongClasses.error().contains(QStringLiteral("class 'good'")), qPrintable(wrongClasses.error()));
    auto wrongFields = medical->boundTo(
        { QStringLiteral("normal"), QStringLiteral("abnormal") }, QString(), { QStringLiteral("age") });
    QVERIFY(!wrongFields);
    QVERIFY2(wrongFields.error().contains(QStringLiteral("field 'sex'"))
            || wrongFields.error().contains(QStringLiteral("field 'crp_mg_l'")),
        qPrintable(wrongFields.error()));

    // The generic template takes everything from the data: classes, the rarer positive class, 0/1 costs.
    auto generic = DomainTemplate::load(QStringLiteral("generic"))
                       ->boundTo({ QStringLiteral("no"), QStringLiteral("yes") }, QStringLiteral("yes"), {});
    QVERIFY2(generic, qPrintable(generic.error()));
    QCOMPARE(generic->positiveClass, QStringLiteral("yes"));
    QCOMPARE(generic->cost, (std::vector<std::vector<double>> { { 0, 1 }, { 1, 0 } }));
}

void TestDecision::costRulePicksTheCheaperDecision()
{
    DomainTemplate t
        = bound(QStringLiteral("medical"), { QStringLiteral("normal"), QStringLiteral("abnormal") }, kMedicalFields);
    // p(abnormal) = 0.1: deciding normal costs 0.1 · 20 = 2, abnormal 0.9 · 1 = 0.9.
    Decision d = decide(t, { 0.9, 0.1 });
    QCOMPARE(d.decidedClassName, QStringLiteral("abnormal"));
    QVERIFY(qAbs(d.expectedCost - 0.9) < 1e-12);
    const auto costs = expectedCosts(t, { 0.9, 0.1 });
    QVERIFY(qAbs(costs[0] - 2.0) < 1e-12);
    // p = 0.02: normal costs 0.4, abnormal 0.98.
    d = decide(t, { 0.98, 0.02 });
    QCOMPARE(d.decidedClassName, QStringLiteral("normal"));
    QVERIFY(qAbs(d.expectedCost - 0.4) < 1e-12);
    // The break-even point is p = 1/21: just above it the rule flags the case.
    QCOMPARE(decide(t, { 1 - 0.0470, 0.0470 }).decidedClassName, QStringLiteral("normal"));
    QCOMPARE(decide(t, { 1 - 0.0482, 0.0482 }).decidedClassName, QStringLiteral("abnormal"));
    // Finance: approving a bad loan costs 5, declining a good one 1: decline above p(bad) = 1/6.
    DomainTemplate f
        = bound(QStringLiteral("finance"), { QStringLiteral("good"), QStringLiteral("bad") }, kFinanceFields);
    QCOMPARE(decide(f, { 0.9, 0.1 }).action, QStringLiteral("approve"));
    QCOMPARE(decide(f, { 0.8, 0.2 }).action, QStringLiteral("decline"));
}

void TestDecision::thresholdRuleAndGrades()
{
    auto g = DomainTemplate::load(QStringLiteral("generic"))
                 ->boundTo({ QStringLiteral("no"), QStringLiteral("yes") }, QStringLiteral("yes"), {});
    QVERIFY(g);
    QCOMPARE(decide(g.value(), { 0.51, 0.49 }).decidedClassName, QStringLiteral("no"));
    QCOMPARE(decide(g.value(), { 0.5, 0.5 }).decidedClassName, QStringLiteral("yes")); // ≥ threshold
    QCOMPARE(decide(g.value(), { 0.5, 0.5 }).grade, QStringLiteral("high"));
    QCOMPARE(decide(g.value(), { 0.7, 0.3 }).grade, QStringLiteral("low"));
    DomainTemplate f
        = bound(QStringLiteral("finance"), { QStringLiteral("good"), QStringLiteral("bad") }, kFinanceFields);
    QCOMPARE(decide(f, { 0.97, 0.03 }).grade, QStringLiteral("A"));
    QCOMPARE(decide(f, { 0.7, 0.3 }).grade, QStringLiteral("D"));
    QCOMPARE(decide(f, { 0.0, 1.0 }).grade, QStringLiteral("E")); // the last band includes 1
}

void TestDecision::abstentionRefers()
{
    DomainTemplate f
        = bound(QStringLiteral("finance"), { QStringLiteral("good"), QStringLiteral("bad") }, kFinanceFields);
    const Decision inBand = decide(f, { 0.82, 0.18 });
    QVERIFY(inBand.referred);
    QCOMPARE(inBand.action, QStringLiteral("decline")); // the policy's choice is kept for the reviewer
    QVERIFY(!decide(f, { 0.95, 0.05 }).referred);
    QVERIFY(!decide(f, { 0.5, 0.5 }).referred);
    auto g = DomainTemplate::load(QStringLiteral("generic"))
                 ->boundTo({ QStringLiteral("no"), QStringLiteral("yes") }, QString(), {});
    QVERIFY(!decide(g.value(), { 0.5, 0.5 }).referred); // no band: never refers
}

void TestDecision::calibrationLowersEce()
{
    // An over-confident model: it says 0.95 where the truth is 0.7 (and 0.05 for 0.3).
    Rng rng(11);
    std::vector<float> probs;
    std::vector<int> labels;
    for (int i = 0; i < 2000; ++i) {
        const bool high = i % 2 == 0;
        const double truth = high ? 0.7 : 0.3;
        const float said = high ? 0.95f : 0.05f;
        probs.push_back(1.0f - said);
        probs.push_back(said);
        labels.push_back(rng.uniform() < truth ? 1 : 0);
    }
    const Calibration c = Calibration::fit(probs, labels, 2);
    QVERIFY2(c.temperature > 2.0, qPrintable(QString::number(c.temperature)));
    QVERIFY2(c.eceAfter < c.eceBefore / 3, qPrintable(QStringLiteral("%1 → %2").arg(c.eceBefore).arg(c.eceAfter)));
    QVERIFY(c.nllAfter < c.nllBefore);
    // The calibrated probability is close to the truth and the ranking is unchanged.
    const auto q = c.apply(probs.data(), 2);
    QVERIFY2(qAbs(q[1] - 0.7) < 0.04, qPrintable(QString::number(q[1])));
    QVERIFY(c.apply(probs.data() + 2, 2)[1] < q[1]);
    const Calibration back = Calibration::fromJson(c.toJson());
    QCOMPARE(back.temperature, c.temperature);
}

void TestDecision::calibrationKeepsAGoodModel()
{
    // Already calibrated: T stays near 1. Too few cases: T is exactly 1.
    Rng rng(5);
    std::vector<float> probs;
    std::vector<int> labels;
    for (int i = 0; i < 4000; ++i) {
        const float p = static_cast<float>(rng.uniform());
        probs.push_back(1 - p);
        probs.push_back(p);
        labels.push_back(rng.uniform() < p ? 1 : 0);
    }
    const Calibration c = Calibration::fit(probs, labels, 2);
    QVERIFY2(qAbs(c.temperature - 1.0) < 0.1, qPrintable(QString::number(c.temperature)));
    const Calibration few = Calibration::fit({ 0.2f, 0.8f, 0.6f, 0.4f }, { 1, 0 }, 2);
    QCOMPARE(few.temperature, 1.0);
    QCOMPARE(few.cases, 2);
}

QTEST_GUILESS_MAIN(TestDecision)
#include "tst_decision.moc"
