// SPDX-License-Identifier: GPL-3.0-or-later
// The template editor on a tiny trained study with stored validation predictions: the live
// validation line counted by hand, actionable and immutable exclusive, a saved template read
// back, the preview against redecideRun's, and an applied template audited.
#include "TemplateEditorDialog.h"
#include "TinyStudy.h"

#include "dataset/FeatureSpec.h"
#include "explain/PredictionService.h"
#include "explain/Redecide.h"
#include "service/TemplateEditorService.h"
#include "store/AuditActions.h"
#include "store/AuditLog.h"
#include "store/PredictionQuery.h"
#include "store/RunRepository.h"
#include "train/Trainer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace lepton;

class TestTemplateEditor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void validationLineCountsTheThreshold();
    void actionableAndImmutableExclude();
    void badGradeNamesTheRow();
    void savesAndApplies();

private:
    /// Sets the rule to a 30 % threshold with no referral band; the dialog has been read.
    void chooseThreshold(TemplateEditorDialog &dialog, double percent);
    void waitForLoad(TemplateEditorDialog &dialog);
    /// The row of record field `field` in the fields table (-1: none).
    static int fieldRow(QTableWidget *table, const QString &field);

    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_run = 0;
    QStringList m_classes;
};

void TestTemplateEditor::initTestCase()
{
    QVERIFY(tiny::makeStudy(m_dir.path(), m_study) > 0);
    TrainConfig c = tiny::config();
    c.epochs = 3;
    auto out = Trainer::train(*m_study, 1, c, {});
    QVERIFY2(out, qPrintable(out.error()));
    m_run = out->runId;
    for (const QString &split : { QStringLiteral("val"), QStringLiteral("test") }) {
        PredictOptions o;
        o.runId = m_run;
        o.split = split;
        o.device = QStringLiteral("cpu");
        auto summary = PredictionService::run(*m_study, o);
        QVERIFY2(summary, qPrintable(summary.error()));
    }
    auto run = RunRepository(*m_study).run(m_run);
    QVERIFY2(run, qPrintable(run.error()));
    m_classes = FeatureSpec::fromJson(run->config.value(QStringLiteral("feature_spec")).toObject()).classes;
    QCOMPARE(m_classes.size(), 2);
    QVERIFY(m_classes.contains(QStringLiteral("yes")));
}

void TestTemplateEditor::waitForLoad(TemplateEditorDialog &dialog)
{
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isLoading(), 20000);
    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
}

void TestTemplateEditor::chooseThreshold(TemplateEditorDialog &dialog, double percent)
{
    auto *positive = dialog.findChild<QComboBox *>(QStringLiteral("templatePositiveClass"));
    auto *rule = dialog.findChild<QComboBox *>(QStringLiteral("templateRule"));
    auto *threshold = dialog.findChild<QDoubleSpinBox *>(QStringLiteral("templateThreshold"));
    auto *refer = dialog.findChild<QCheckBox *>(QStringLiteral("templateRefer"));
    QVERIFY(positive && rule && threshold && refer);
    positive->setCurrentIndex(positive->findText(QStringLiteral("yes")));
    rule->setCurrentIndex(rule->findData(static_cast<int>(DomainTemplate::Rule::Threshold)));
    refer->setChecked(false);
    threshold->setValue(percent);
    QVERIFY(threshold->isVisibleTo(&dialog));
    QVERIFY(!dialog.findChild<QDoubleSpinBox *>(QStringLiteral("templateMissCost"))->isVisibleTo(&dialog));
}

int TestTemplateEditor::fieldRow(QTableWidget *table, const QString &field)
{
    for (int row = 0; row < table->rowCount(); ++row)
        if (table->item(row, 0) && table->item(row, 0)->text() == field)
            return row;
    return -1;
}

void TestTemplateEditor::validationLineCountsTheThreshold()
{
    TemplateEditorDialog dialog(m_study, m_run, QStringLiteral("tester"));
    dialog.show();
    waitForLoad(dialog);
    chooseThreshold(dialog, 30.0);
    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));

    // By hand from the stored validation predictions: positive when p(yes) ≥ 0.30.
    PredictionFilter filter;
    filter.runId = m_run;
    filter.split = QStringLiteral("val");
    auto stored = PredictionQuery(*m_study).list(filter);
    QVERIFY2(stored, qPrintable(stored.error()));
    QVERIFY(!stored->empty());
    const int yes = static_cast<int>(m_classes.indexOf(QStringLiteral("yes")));
    int decidedYes = 0, decidedNo = 0, truePositive = 0, positives = 0, trueNegative = 0, negatives = 0;
    for (const CasePrediction &p : stored.value()) {
        const std::vector<double> &probabilities = p.calibrated.empty() ? p.probabilities : p.calibrated;
        const bool positive = probabilities.at(static_cast<std::size_t>(yes)) >= 0.30;
        ++(positive ? decidedYes : decidedNo);
        if (p.label == QStringLiteral("yes")) {
            ++positives;
            truePositive += positive ? 1 : 0;
        } else if (!p.label.isEmpty()) {
            ++negatives;
            trueNegative += positive ? 0 : 1;
        }
    }
    QVERIFY(positives > 0 && negatives > 0);
    auto edited = dialog.editedTemplate();
    QVERIFY2(edited, qPrintable(edited.error()));
    QCOMPARE(edited->threshold, 0.30);
    const QString yesLabel = edited->decisionLabel(QStringLiteral("yes"));
    const QString noLabel = edited->decisionLabel(m_classes.at(1 - yes));
    const QString expected = QStringLiteral("Validation: %1 decided %2, %3 %4 · sensitivity %5 · specificity %6")
                                 .arg(decidedYes)
                                 .arg(yesLabel)
                                 .arg(decidedNo)
                                 .arg(noLabel)
                                 .arg(QString::number(static_cast<double>(truePositive) / positives, 'f', 2))
                                 .arg(QString::number(static_cast<double>(trueNegative) / negatives, 'f', 2));
    QCOMPARE(dialog.validationText(), expected);

    // The in-memory preview agrees with redecideRun's preview of the validation split.
    RedecideOptions options;
    options.write = false;
    options.split = QStringLiteral("val");
    auto outcome = redecideRun(*m_study, m_run, edited.value(), QString(), options);
    QVERIFY2(outcome, qPrintable(outcome.error()));
    QCOMPARE(outcome->predictions, static_cast<int>(stored->size()));
    QCOMPARE(outcome->after.value(yesLabel), decidedYes);
    QCOMPARE(outcome->after.value(noLabel), decidedNo);
    QVERIFY(!outcome->written);

    // Every change is counted again: at 100 % (almost) nothing is decided positive.
    dialog.findChild<QDoubleSpinBox *>(QStringLiteral("templateThreshold"))->setValue(100.0);
    QVERIFY(dialog.validationText() != expected || decidedYes == 0);
}

void TestTemplateEditor::actionableAndImmutableExclude()
{
    TemplateEditorDialog dialog(m_study, m_run, QStringLiteral("tester"));
    waitForLoad(dialog);
    auto *fields = dialog.findChild<QTableWidget *>(QStringLiteral("templateFields"));
    QVERIFY(fields);
    const int row = fieldRow(fields, QStringLiteral("x"));
    QVERIFY(row >= 0);
    QTableWidgetItem *actionable = fields->item(row, 2);
    QTableWidgetItem *immutable = fields->item(row, 3);
    actionable->setCheckState(Qt::Checked);
    QCOMPARE(immutable->checkState(), Qt::Unchecked);
    immutable->setCheckState(Qt::Checked);
    QCOMPARE(actionable->checkState(), Qt::Unchecked);
    auto edited = dialog.editedTemplate();
    QVERIFY2(edited, qPrintable(edited.error()));
    QVERIFY(edited->immutableFields.contains(QStringLiteral("x")));
    QVERIFY(!edited->actionableFields.contains(QStringLiteral("x")));
}

void TestTemplateEditor::badGradeNamesTheRow()
{
    TemplateEditorDialog dialog(m_study, m_run, QStringLiteral("tester"));
    waitForLoad(dialog);
    auto *grades = dialog.findChild<QTableWidget *>(QStringLiteral("templateGrades"));
    auto *add = dialog.findChild<QPushButton *>(QStringLiteral("templateAddGrade"));
    QVERIFY(grades && add);
    const int before = grades->rowCount();
    add->click();
    QCOMPARE(grades->rowCount(), before + 1);
    grades->item(before, 1)->setText(QStringLiteral("lots"));
    QVERIFY2(dialog.problem().contains(QStringLiteral("grades row %1").arg(before + 1)), qPrintable(dialog.problem()));
    QVERIFY(!dialog.saveTo(m_dir.filePath(QStringLiteral("bad.json"))));
    grades->setCurrentCell(before, 0);
    dialog.findChild<QPushButton *>(QStringLiteral("templateRemoveGrade"))->click();
    QCOMPARE(grades->rowCount(), before);
    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
}

void TestTemplateEditor::savesAndApplies()
{
    TemplateEditorDialog dialog(m_study, m_run, QStringLiteral("tester"));
    waitForLoad(dialog);
    chooseThreshold(dialog, 30.0);
    auto *fields = dialog.findChild<QTableWidget *>(QStringLiteral("templateFields"));
    const int row = fieldRow(fields, QStringLiteral("x"));
    QVERIFY(row >= 0);
    fields->item(row, 3)->setCheckState(Qt::Checked);

    const QString path = m_dir.filePath(QStringLiteral("edited.json"));
    const Status saved = dialog.saveTo(path);
    QVERIFY2(saved, qPrintable(saved.error()));
    auto loaded = DomainTemplate::load(path);
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(loaded->rule, DomainTemplate::Rule::Threshold);
    QCOMPARE(loaded->threshold, 0.3);
    QVERIFY(loaded->immutableFields.contains(QStringLiteral("x")));
    QVERIFY(!loaded->abstainEnabled);

    auto countRedecides = [this] {
        auto entries = AuditLog(*m_study).entries();
        int n = 0;
        if (entries)
            for (const AuditEntry &e : entries.value())
                n += e.action == auditaction::RunRedecide ? 1 : 0;
        return n;
    };
    const int before = countRedecides();
    auto edited = dialog.editedTemplate();
    QVERIFY2(edited, qPrintable(edited.error()));
    auto outcome = TemplateEditorService::apply(
        *m_study, m_run, edited.value(), QStringLiteral("tester"), QStringLiteral("test"));
    QVERIFY2(outcome, qPrintable(outcome.error()));
    QVERIFY(outcome->written);
    QCOMPARE(countRedecides(), before + 1);
    auto entries = AuditLog(*m_study).entries();
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->back().action, auditaction::RunRedecide);
    QCOMPARE(entries->back().actor, QStringLiteral("tester"));

    // The stored validation decisions are now the threshold's.
    PredictionFilter filter;
    filter.runId = m_run;
    filter.split = QStringLiteral("val");
    auto stored = PredictionQuery(*m_study).list(filter);
    QVERIFY2(stored, qPrintable(stored.error()));
    const int yes = static_cast<int>(m_classes.indexOf(QStringLiteral("yes")));
    const QString yesLabel = edited->decisionLabel(QStringLiteral("yes"));
    for (const CasePrediction &p : stored.value()) {
        const std::vector<double> &probabilities = p.calibrated.empty() ? p.probabilities : p.calibrated;
        QCOMPARE(p.decision == yesLabel, probabilities.at(static_cast<std::size_t>(yes)) >= 0.30);
    }

    // A fresh editor reads the applied template: nothing changes against the stored decisions.
    TemplateEditorDialog again(m_study, m_run, QStringLiteral("tester"));
    waitForLoad(again);
    auto reread = again.editedTemplate();
    QVERIFY2(reread, qPrintable(reread.error()));
    QCOMPARE(reread->threshold, 0.3);
    QVERIFY(reread->immutableFields.contains(QStringLiteral("x")));
}

QTEST_MAIN(TestTemplateEditor)
#include "tst_templateeditor.moc"
