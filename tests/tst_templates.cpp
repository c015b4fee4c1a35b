// SPDX-License-Identifier: GPL-3.0-or-later
// Templates for any dataset: the decision texts, `template init` from a dataset that is not the
// demo (labels negative/positive with positive the majority, fields of its own, a field with
// missing values) and re-deciding a run's stored predictions with another template.
#include "data/Importer.h"
#include "dataset/FeatureSpec.h"
#include "decision/DecisionPolicy.h"
#include "decision/DecisionText.h"
#include "decision/DomainTemplate.h"
#include "explain/Redecide.h"
#include "explain/TemplateFromData.h"
#include "store/AuditActions.h"
#include "store/AuditLog.h"
#include "store/DatasetRepository.h"
#include "store/PredictionQuery.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include "CliRun.h"
#include <QFile>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <iterator>
#include <memory>

using namespace lepton;

namespace {

using Cli = clitest::Run;

Cli runCli(const QStringList &args)
{
    return clitest::lepton(args, 120000);
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

/// The nine calibrated p(positive) of the run's stored predictions; the last is stored without
/// calibrated probabilities (and without a decision), its model probability is used instead.
const double kPositive[] = { 0.10, 0.15, 0.25, 0.30, 0.45, 0.55, 0.70, 0.90, 0.35 };

const QByteArray kScreening = R"({"name": "screening", "decision_rule": "threshold", "threshold": 0.2,
    "grades": [{"name": "low", "below": 0.2}, {"name": "high", "below": 1.0}]})";

} // namespace

class TestTemplates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void positiveClassChoice();
    void probabilityAndRuleTexts();
    void differsTextSaysWhy();
    void fieldsKeyRoundTripsAndIsChecked();
    void percentileIsLinearBetweenRanks();
    void templateFromTrainingData();
    void templateFileLoadsAndBinds();
    void redecideChangesTheExpectedDecisions();
    void redecideWithTheSameTemplateWritesNothing();
    void redecideKeepsOrTakesThePositiveClass();
    void commandLine();

private:
    qint64 makeRun(const QString &name);

    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_dataset = 0;
    QStringList m_classes;
    QStringList m_fields;
    qint64 m_run = 0;
};

void TestTemplates::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // 20 training cases, 14 of them positive: "positive" is the majority class. Validation and
    // test cases carry extreme values and a category of their own, which no training range or
    // category list may show.
    QByteArray m = "case_id,label,split,glucose,bmi,smoking_status,insulin\n";
    const char *smoking[] = { "never", "former", "current" };
    for (int i = 0; i < 20; ++i)
        m += QStringLiteral("R%1,%2,train,%3,%4,%5,%6\n")
                 .arg(i)
                 .arg(i % 10 < 7 ? QStringLiteral("positive") : QStringLiteral("negative"))
                 .arg(70 + 5 * i)
                 .arg(i % 5 == 0 ? QStringLiteral("NA") : QString::number(20 + i))
                 .arg(QLatin1String(smoking[i % 3]))
                 .arg(i % 2 ? QStringLiteral("yes") : QStringLiteral("no"))
                 .toUtf8();
    for (int i = 0; i < 8; ++i)
        m += QStringLiteral("X%1,%2,%3,%4,%5,%6,no\n")
                 .arg(i)
                 .arg(i % 2 ? QStringLiteral("positive") : QStringLiteral("negative"))
                 .arg(i < 4 ? QStringLiteral("val") : QStringLiteral("test"))
                 .arg(i % 2 ? 900 + i : 1 + i)
                 .arg(i % 2 ? 90 + i : 5 + i)
                 .arg(i % 2 ? QStringLiteral("unknown_elsewhere") : QStringLiteral("never"))
                 .toUtf8();
    QVERIFY(writeFile(m_dir.filePath(QStringLiteral("diabetes.csv")), m));
    ImportOptions o;
    o.manifestPath = m_dir.filePath(QStringLiteral("diabetes.csv"));
    o.name = QStringLiteral("diabetes");
    auto out = Importer::run(o);
    QVERIFY(out.dataset.has_value());
    auto s = Study::open(m_dir.filePath(QStringLiteral("t.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY2(s, qPrintable(s.error()));
    m_study = s.value();
    auto id = DatasetRepository(*m_study).save(*out.dataset, out.report);
    QVERIFY2(id, qPrintable(id.error()));
    m_dataset = id.value();
    auto summary = DatasetRepository(*m_study).dataset(m_dataset);
    QVERIFY2(summary, qPrintable(summary.error()));
    m_classes = summary->classes;
    QCOMPARE(QSet<QString>(m_classes.begin(), m_classes.end()),
        (QSet<QString> { QStringLiteral("negative"), QStringLiteral("positive") }));
    auto fields = DatasetRepository(*m_study).fields(m_dataset, QStringLiteral("record"));
    QVERIFY(fields);
    for (const StoredField &f : fields.value())
        m_fields.append(f.name);
    QCOMPARE(m_fields,
        (QStringList { QStringLiteral("glucose"), QStringLiteral("bmi"), QStringLiteral("smoking_status"),
            QStringLiteral("insulin") }));
    QVERIFY(writeFile(m_dir.filePath(QStringLiteral("screening.json")), kScreening));
}

void TestTemplates::positiveClassChoice()
{
    const QStringList noYes { QStringLiteral("no"), QStringLiteral("yes") };
    QCOMPARE(choosePositiveClass(noYes, { 10, 90 }), 1); // a known name, though the majority
    QCOMPARE(choosePositiveClass({ QStringLiteral("a"), QStringLiteral("b") }, { 30, 10 }), 1); // the rarer
    QCOMPARE(choosePositiveClass({ QStringLiteral("a"), QStringLiteral("b") }, { 10, 30 }), 0);
    QCOMPARE(choosePositiveClass({ QStringLiteral("a"), QStringLiteral("b") }, { 20, 20 }), 1); // equal: the last
    QCOMPARE(choosePositiveClass({ QStringLiteral("positive"), QStringLiteral("negative") }, { 14, 6 }), 0);
    QCOMPARE(choosePositiveClass({ QStringLiteral("Malignant"), QStringLiteral("benign") }, { 70, 30 }), 0);
    // Three classes: the rarer, whatever the names.
    QCOMPARE(choosePositiveClass({ QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z") }, { 5, 2, 9 }), 1);
    QVERIFY(positiveClassReason(noYes, { 10, 90 }).contains(QStringLiteral("yes")));
}

void TestTemplates::probabilityAndRuleTexts()
{
    QCOMPARE(probabilityText(QStringLiteral("abnormal"), 0.35), QStringLiteral("p(abnormal) = 35 %"));

    DomainTemplate medical;
    medical.name = QStringLiteral("costs");
    medical.classes = { QStringLiteral("normal"), QStringLiteral("abnormal") };
    medical.positiveClass = QStringLiteral("abnormal");
    medical.rule = DomainTemplate::Rule::MinimiseExpectedCost;
    medical.cost = { { 0.0, 1.0 }, { 20.0, 0.0 } }; // cost[true][decided]: a false alarm 1, a miss 20
    QVERIFY(std::abs(decisionThreshold(medical) - 1.0 / 21.0) < 1e-12);
    QCOMPARE(ruleText(medical),
        QStringLiteral("abnormal when p(abnormal) ≥ 4.8 %: a missed abnormal costs 20× a false alarm, else normal"));
    // The threshold is where the cost rule changes its mind.
    QCOMPARE(decide(medical, { 1.0 - 0.047, 0.047 }).decidedClassName, QStringLiteral("normal"));
    QCOMPARE(decide(medical, { 1.0 - 0.049, 0.049 }).decidedClassName, QStringLiteral("abnormal"));

    auto generic = DomainTemplate::load(QStringLiteral("generic"));
    QVERIFY(generic);
    auto bound
        = generic->boundTo({ QStringLiteral("negative"), QStringLiteral("positive") }, QStringLiteral("positive"), {});
    QVERIFY(bound);
    QCOMPARE(decisionThreshold(bound.value()), 0.5);
    QCOMPARE(ruleText(bound.value()), QStringLiteral("positive when p(positive) ≥ 50 %, else negative"));

    DomainTemplate three = medical;
    three.classes.append(QStringLiteral("unclear"));
    QVERIFY(std::isnan(decisionThreshold(three)));
}

void TestTemplates::differsTextSaysWhy()
{
    DomainTemplate medical;
    medical.name = QStringLiteral("costs");
    medical.classes = { QStringLiteral("normal"), QStringLiteral("abnormal") };
    medical.positiveClass = QStringLiteral("abnormal");
    medical.rule = DomainTemplate::Rule::MinimiseExpectedCost;
    medical.cost = { { 0.0, 1.0 }, { 20.0, 0.0 } };
    const std::vector<double> p { 0.65, 0.35 };
    QCOMPARE(mostLikelyClass(p), 0);
    QCOMPARE(decide(medical, p).decidedClass, 1);
    QCOMPARE(differsText(medical, p, 1),
        QStringLiteral("normal is more likely (p(normal) = 65 %), but abnormal is decided: p(abnormal) = 35 % ≥ 4.8 "
                       "%, and a missed abnormal costs 20× a false alarm"));
    QVERIFY(differsText(medical, p, 0).isEmpty()); // the decision is the most likely class
    QCOMPARE(overrideChoices(medical.classes, QStringLiteral("abnormal")), QStringList { QStringLiteral("normal") });
}

void TestTemplates::fieldsKeyRoundTripsAndIsChecked()
{
    const QByteArray text = R"({"name": "f", "fields": {"bmi": {"type": "numeric"},
        "smoking_status": {"type": "categorical", "categories": ["never", "former"]}}})";
    auto t = DomainTemplate::fromJson(QJsonDocument::fromJson(text).object());
    QVERIFY2(t, qPrintable(t.error()));
    QCOMPARE(t->fields.size(), 2);
    QCOMPARE(t->fields.value(QStringLiteral("smoking_status")).categories,
        (QStringList { QStringLiteral("never"), QStringLiteral("former") }));
    auto again = DomainTemplate::fromJson(t->toJson());
    QVERIFY2(again, qPrintable(again.error()));
    QCOMPARE(again->toJson(), t->toJson());
    QVERIFY(again->fields == t->fields);

    const struct
    {
        const char *json;
        const char *says;
    } bad[] = {
        { R"({"name": "f", "fields": []})", "fields: needs" },
        { R"({"name": "f", "fields": {"bmi": {"type": "number"}}})", "fields.bmi.type" },
        { R"({"name": "f", "fields": {"bmi": {"type": "numeric", "range": [1, 2]}}})",
            "fields.bmi.range: unknown key" },
        { R"({"name": "f", "fields": {"bmi": {"type": "numeric", "categories": ["a"]}}})",
            "fields.bmi.categories: only a categorical" },
        { R"({"name": "f", "fields": {"s": {"type": "categorical", "categories": ["a", "a"]}}})",
            "fields.s.categories: 'a' is listed twice" },
    };
    for (const auto &b : bad) {
        auto r = DomainTemplate::fromJson(QJsonDocument::fromJson(b.json).object(), QStringLiteral("t.json"));
        QVERIFY2(!r, b.json);
        QVERIFY2(r.error().startsWith(QStringLiteral("t.json: ")), qPrintable(r.error()));
        QVERIFY2(r.error().contains(QLatin1String(b.says)), qPrintable(r.error()));
    }
}

void TestTemplates::percentileIsLinearBetweenRanks()
{
    // Ranks 0 … n−1; p/100·(n−1) between two ranks interpolates linearly.
    QCOMPARE(percentile({ 3.0, 1.0, 2.0 }, 50.0), 2.0);
    QCOMPARE(percentile({ 1.0, 2.0, 3.0, 4.0 }, 50.0), 2.5);
    QCOMPARE(percentile({ 10.0, 20.0 }, 1.0), 10.1);
    QCOMPARE(percentile({ 7.0 }, 99.0), 7.0);
    QCOMPARE(percentile({ 1.0, 5.0 }, 0.0), 1.0);
    QCOMPARE(percentile({ 1.0, 5.0 }, 100.0), 5.0);
    QVERIFY(std::isnan(percentile({}, 50.0)));
}

void TestTemplates::templateFromTrainingData()
{
    TemplateFromDataNotes notes;
    auto t = templateFromData(*m_study, m_dataset, &notes);
    QVERIFY2(t, qPrintable(t.error()));
    QCOMPARE(t->name, QStringLiteral("diabetes template"));
    QCOMPARE(t->classes, m_classes);
    // "positive" is the majority in training (14 of 20): the known name beats rarity.
    QCOMPARE(notes.trainCases, 20);
    QCOMPARE(notes.trainCounts[static_cast<std::size_t>(m_classes.indexOf(QStringLiteral("positive")))], 14);
    QCOMPARE(t->positiveClass, QStringLiteral("positive"));
    QCOMPARE(t->rule, DomainTemplate::Rule::Threshold);
    QCOMPARE(t->threshold, 0.5);
    QCOMPARE(t->grades.size(), std::size_t(2));
    QCOMPARE(t->grades[0].name, QStringLiteral("low"));
    QCOMPARE(t->grades[1].name, QStringLiteral("high"));
    QVERIFY(t->actionableFields.isEmpty());
    QVERIFY(t->immutableFields.isEmpty());
    QVERIFY(t->units.isEmpty());
    QVERIFY(!t->abstainEnabled);

    // glucose: training values 70, 75, …, 165 (n = 20). 1st percentile at rank 0.19:
    // 70 + 0.19·5 = 70.95; 99th at rank 18.81: 160 + 0.81·5 = 164.05. Val/test (1 … 907) ignored.
    QCOMPARE(t->ranges.size(), 2);
    QVERIFY(std::abs(t->ranges.value(QStringLiteral("glucose")).first - 70.95) < 1e-9);
    QVERIFY(std::abs(t->ranges.value(QStringLiteral("glucose")).second - 164.05) < 1e-9);
    // bmi: missing for cases 0, 5, 10, 15; the other 16 are 21–24, 26–29, 31–34, 36–39. 1st
    // percentile at rank 0.15: 21 + 0.15 = 21.15; 99th at rank 14.85: 38 + 0.85 = 38.85.
    QVERIFY(std::abs(t->ranges.value(QStringLiteral("bmi")).first - 21.15) < 1e-9);
    QVERIFY(std::abs(t->ranges.value(QStringLiteral("bmi")).second - 38.85) < 1e-9);

    QCOMPARE(t->fields.size(), 4);
    QCOMPARE(t->fields.value(QStringLiteral("glucose")).type, QStringLiteral("numeric"));
    QCOMPARE(t->fields.value(QStringLiteral("bmi")).type, QStringLiteral("numeric"));
    QCOMPARE(t->fields.value(QStringLiteral("insulin")).type, QStringLiteral("boolean"));
    const TemplateField smoking = t->fields.value(QStringLiteral("smoking_status"));
    QCOMPARE(smoking.type, QStringLiteral("categorical"));
    // The categories seen in training; "unknown_elsewhere" is only in val and test.
    QCOMPARE(QSet<QString>(smoking.categories.begin(), smoking.categories.end()),
        (QSet<QString> { QStringLiteral("never"), QStringLiteral("former"), QStringLiteral("current") }));
}

void TestTemplates::templateFileLoadsAndBinds()
{
    auto t = templateFromData(*m_study, m_dataset);
    QVERIFY2(t, qPrintable(t.error()));
    const QString path = m_dir.filePath(QStringLiteral("diabetes-template.json"));
    QVERIFY(writeFile(path, QJsonDocument(t->toJson()).toJson()));
    auto loaded = DomainTemplate::load(path);
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(loaded->toJson(), t->toJson());
    // Bound to the data: its classes and fields, the positive class it names (not the rarer one).
    auto bound = loaded->boundTo(m_classes, QStringLiteral("negative"), m_fields);
    QVERIFY2(bound, qPrintable(bound.error()));
    QCOMPARE(bound->positiveClass, QStringLiteral("positive"));
    QCOMPARE(bound->classes, m_classes);
    QCOMPARE(ruleText(bound.value()), QStringLiteral("positive when p(positive) ≥ 50 %, else negative"));
}

qint64 TestTemplates::makeRun(const QString &name)
{
    auto generic = DomainTemplate::load(QStringLiteral("generic"));
    auto bound = generic ? generic->boundTo(m_classes, QStringLiteral("positive"), m_fields)
                         : Result<DomainTemplate>::failure(generic.error());
    if (!bound)
        return -1;
    FeatureSpec spec;
    spec.classes = m_classes;
    for (const QString &f : m_fields) {
        FieldEncoding e;
        e.name = f;
        spec.recordFields.push_back(e);
    }
    RunRecord rec;
    rec.name = name;
    rec.datasetId = m_dataset;
    rec.config = QJsonObject { { QStringLiteral("feature_spec"), spec.toJson() },
        { QStringLiteral("positive_class"), QStringLiteral("positive") },
        { QStringLiteral("template"), bound->toJson() } };
    RunRepository runs(*m_study);
    auto id = runs.create(rec);
    if (!id || !runs.setStatus(id.value(), RunStatus::Completed))
        return -1;
    auto cases = DatasetRepository(*m_study).cases(m_dataset);
    if (!cases || cases->size() < std::size(kPositive))
        return -1;
    const int pos = static_cast<int>(m_classes.indexOf(QStringLiteral("positive")));
    std::vector<PredictionRow> rows;
    for (std::size_t i = 0; i < std::size(kPositive); ++i) {
        PredictionRow r;
        r.caseId = cases->at(i).id;
        std::vector<double> p(2);
        p[static_cast<std::size_t>(pos)] = kPositive[i];
        p[static_cast<std::size_t>(1 - pos)] = 1.0 - kPositive[i];
        r.probabilities = { static_cast<float>(p[0]), static_cast<float>(p[1]) };
        r.predicted = m_classes.value(mostLikelyClass(p));
        if (i + 1 < std::size(kPositive)) { // the last one is stored undecided
            r.calibrated = p;
            const Decision d = decide(bound.value(), p);
            r.decision = d.action;
            r.grade = d.grade;
            r.expectedCost = d.expectedCost;
        }
        rows.push_back(r);
    }
    if (!runs.savePredictions(id.value(), rows))
        return -1;
    return id.value();
}

void TestTemplates::redecideChangesTheExpectedDecisions()
{
    m_run = makeRun(QStringLiteral("redecided"));
    QVERIFY(m_run > 0);
    auto before = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(m_run));
    QVERIFY(before && before->empty());

    auto screening = DomainTemplate::load(m_dir.filePath(QStringLiteral("screening.json")));
    QVERIFY2(screening, qPrintable(screening.error()));
    auto preview = redecideRun(*m_study, m_run, screening.value(), QStringLiteral("tester"), { false, {}, {} });
    QVERIFY2(preview, qPrintable(preview.error()));
    QVERIFY(!preview->written);
    QCOMPARE(preview->changed, 4);

    auto out = redecideRun(*m_study, m_run, screening.value(), QStringLiteral("tester"));
    QVERIFY2(out, qPrintable(out.error()));
    // Under 0.5: positive for 0.55, 0.70, 0.90; 0.35 undecided. Under 0.2: positive from 0.25 on,
    // so 0.25, 0.30 and 0.45 go negative → positive and the undecided 0.35 becomes positive.
    QCOMPARE(out->predictions, 9);
    QCOMPARE(out->changed, 4);
    QCOMPARE(out->changedTo, (QMap<QString, int> { { QStringLiteral("positive"), 4 } }));
    QCOMPARE(out->before,
        (QMap<QString, int> {
            { QString(), 1 }, { QStringLiteral("negative"), 5 }, { QStringLiteral("positive"), 3 } }));
    QCOMPARE(out->after, (QMap<QString, int> { { QStringLiteral("negative"), 2 }, { QStringLiteral("positive"), 7 } }));
    QCOMPARE(out->transitions.size(), std::size_t(2));
    QCOMPARE(out->transitions[0].from, QString());
    QCOMPARE(out->transitions[0].cases, 1);
    QCOMPARE(out->transitions[1].from, QStringLiteral("negative"));
    QCOMPARE(out->transitions[1].to, QStringLiteral("positive"));
    QCOMPARE(out->transitions[1].cases, 3);
    QCOMPARE(out->oldTemplate, QStringLiteral("generic"));
    QCOMPARE(out->newTemplate, QStringLiteral("screening"));
    QCOMPARE(out->positiveClass, QStringLiteral("positive"));
    QVERIFY(out->written);

    // The stored rows, the run's config and one audit entry.
    PredictionFilter f;
    f.runId = m_run;
    auto stored = PredictionQuery(*m_study).list(f);
    QVERIFY(stored);
    QCOMPARE(stored->size(), std::size(kPositive));
    const int pos = static_cast<int>(m_classes.indexOf(QStringLiteral("positive")));
    int positive = 0;
    for (const CasePrediction &p : stored.value()) {
        QCOMPARE(p.calibrated.size(), std::size_t(2)); // the undecided one decided from its probabilities
        const bool expected = p.calibrated[static_cast<std::size_t>(pos)] >= 0.2;
        QCOMPARE(p.decision, expected ? QStringLiteral("positive") : QStringLiteral("negative"));
        QCOMPARE(p.grade, expected ? QStringLiteral("high") : QStringLiteral("low"));
        positive += expected ? 1 : 0;
    }
    QCOMPARE(positive, 7);
    auto run = RunRepository(*m_study).run(m_run);
    QVERIFY(run);
    auto kept = DomainTemplate::fromJson(run->config.value(QStringLiteral("template")).toObject());
    QVERIFY2(kept, qPrintable(kept.error()));
    QCOMPARE(kept->name, QStringLiteral("screening"));
    QCOMPARE(kept->threshold, 0.2);
    QCOMPARE(run->config.value(QStringLiteral("positive_class")).toString(), QStringLiteral("positive"));
    auto entries = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(m_run));
    QVERIFY(entries);
    QCOMPARE(entries->size(), std::size_t(1));
    const AuditEntry &e = entries->front();
    QCOMPARE(e.id, out->auditEntry);
    QCOMPARE(e.action, auditaction::RunRedecide);
    QCOMPARE(e.actor, QStringLiteral("tester"));
    QCOMPARE(e.details.value(QStringLiteral("old_template")).toString(), QStringLiteral("generic"));
    QCOMPARE(e.details.value(QStringLiteral("new_template")).toString(), QStringLiteral("screening"));
    QCOMPARE(e.details.value(QStringLiteral("changed")).toInt(), 4);
    QCOMPARE(e.details.value(QStringLiteral("predictions")).toInt(), 9);
    QCOMPARE(e.details.value(QStringLiteral("run_id")).toInteger(), m_run);
    auto verified = AuditLog(*m_study).verify();
    QVERIFY(verified && verified->ok);
}

void TestTemplates::redecideWithTheSameTemplateWritesNothing()
{
    auto screening = DomainTemplate::load(m_dir.filePath(QStringLiteral("screening.json")));
    QVERIFY(screening);
    auto out = redecideRun(*m_study, m_run, screening.value(), QStringLiteral("tester"));
    QVERIFY2(out, qPrintable(out.error()));
    QCOMPARE(out->changed, 0);
    QVERIFY(!out->written);
    QCOMPARE(out->auditEntry, qint64(0));
    auto entries = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(m_run));
    QVERIFY(entries);
    QCOMPARE(entries->size(), std::size_t(1));
}

void TestTemplates::redecideKeepsOrTakesThePositiveClass()
{
    // A template that names "negative" as its positive class: decided negative when
    // p(negative) ≥ 0.5, i.e. p(positive) ≤ 0.5, which changes none of the nine but the
    // config's positive class and the template.
    auto t = DomainTemplate::fromJson(
        QJsonDocument::fromJson(R"({"name": "negatives", "positive_class": "negative", "threshold": 0.5})").object());
    QVERIFY2(t, qPrintable(t.error()));
    const qint64 run = makeRun(QStringLiteral("positive class"));
    QVERIFY(run > 0);
    auto out = redecideRun(*m_study, run, t.value(), QStringLiteral("tester"));
    QVERIFY2(out, qPrintable(out.error()));
    QCOMPARE(out->oldPositiveClass, QStringLiteral("positive"));
    QCOMPARE(out->positiveClass, QStringLiteral("negative"));
    QCOMPARE(out->changed, 1); // only the undecided one (p(positive) = 0.35: negative)
    QCOMPARE(out->changedTo, (QMap<QString, int> { { QStringLiteral("negative"), 1 } }));
    auto rec = RunRepository(*m_study).run(run);
    QVERIFY(rec);
    QCOMPARE(rec->config.value(QStringLiteral("positive_class")).toString(), QStringLiteral("negative"));

    // A template of other classes is refused and changes nothing.
    auto medical = DomainTemplate::load(QStringLiteral("medical"));
    QVERIFY(medical);
    auto refused = redecideRun(*m_study, run, medical.value(), QStringLiteral("tester"));
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QStringLiteral("class")), qPrintable(refused.error()));
    auto entries = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(run));
    QVERIFY(entries);
    QCOMPARE(entries->size(), std::size_t(1));
}

void TestTemplates::commandLine()
{
    const QString study = m_study->path();
    const QString file = m_dir.filePath(QStringLiteral("cli-template.json"));
    Cli r = runCli({ QStringLiteral("template"), QStringLiteral("init"), study, QStringLiteral("--output"), file });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("positive class positive")), qPrintable(r.err));
    auto loaded = DomainTemplate::load(file);
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(loaded->toJson(), templateFromData(*m_study, m_dataset)->toJson());
    // An existing file is kept unless --force.
    r = runCli({ QStringLiteral("template"), QStringLiteral("init"), study, QStringLiteral("--output"), file });
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("--force")), qPrintable(r.err));
    r = runCli({ QStringLiteral("template"), QStringLiteral("init"), study, QStringLiteral("--output"), file,
        QStringLiteral("--force") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    // Without --output: the template on stdout.
    r = runCli({ QStringLiteral("template"), QStringLiteral("init"), study, QStringLiteral("--dataset"),
        QString::number(m_dataset) });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object(), loaded->toJson());

    // Re-deciding from the command line: a dry run writes nothing, the real one its audit entry.
    const qint64 run = makeRun(QStringLiteral("cli"));
    QVERIFY(run > 0);
    const QStringList redecide { QStringLiteral("runs"), QStringLiteral("redecide"), study, QStringLiteral("--run"),
        QString::number(run), QStringLiteral("--template"), m_dir.filePath(QStringLiteral("screening.json")) };
    r = runCli(redecide + QStringList { QStringLiteral("--dry-run"), QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject dry = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(dry.value(QStringLiteral("changed")).toInt(), 4);
    QCOMPARE(dry.value(QStringLiteral("written")).toBool(), false);
    auto entries = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(run));
    QVERIFY(entries && entries->empty());
    r = runCli(redecide + QStringList { QStringLiteral("--actor"), QStringLiteral("dr who") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("4 of 9 decisions changed")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("negative → positive: 3")), qPrintable(r.out));
    entries = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(run));
    QVERIFY(entries);
    QCOMPARE(entries->size(), std::size_t(1));
    QCOMPARE(entries->front().actor, QStringLiteral("dr who"));
    QCOMPARE(entries->front().action, auditaction::RunRedecide);
    // Usage errors, then bad input (exit 3): a dataset the study lacks, a template file that is not one.
    r = runCli(
        { QStringLiteral("runs"), QStringLiteral("redecide"), study, QStringLiteral("--run"), QString::number(run) });
    QCOMPARE(r.code, 2);
    r = runCli({ QStringLiteral("template"), QStringLiteral("init"), study, QStringLiteral("--dataset"),
        QStringLiteral("999") });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QStringLiteral("999")), qPrintable(r.err));
    const QString broken = m_dir.filePath(QStringLiteral("broken-template.json"));
    QFile f(broken);
    QVERIFY(f.open(QIODevice::WriteOnly) && f.write("{\"classes\": [") > 0);
    f.close();
    r = runCli({ QStringLiteral("runs"), QStringLiteral("redecide"), study, QStringLiteral("--run"),
        QString::number(run), QStringLiteral("--template"), broken });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QStringLiteral("broken-template.json")), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestTemplates)
#include "tst_templates.moc"
