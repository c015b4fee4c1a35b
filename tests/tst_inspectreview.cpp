// SPDX-License-Identifier: GPL-3.0-or-later
// The Inspector and the Review view, clicked and typed through under QT_QPA_PLATFORM=offscreen,
// on a tiny trained, predicted and explained study; the audit chain checked and tampered with.
#include "CaseExplanationPanel.h"
#include "CaseTableModel.h"
#include "ClassColours.h"
#include "DataView.h"
#include "HeatmapView.h"
#include "InspectorView.h"
#include "MainWindow.h"
#include "ReviewQueueModel.h"
#include "ReviewView.h"
#include "SignedBarChart.h"
#include "TinyStudy.h"

#include "explain/PredictionService.h"
#include "store/AuditLog.h"
#include "store/ReviewRepository.h"
#include "store/RunRepository.h"
#include "train/Trainer.h"

#include <QApplication>
#include <QColor>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace lepton;

class TestInspectReview : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void inspectorShowsAndTogglesACase();
    void inspectorShowsOnlyTheNewestCase();
    void inspectorRefusesAnUnknownCase();
    void caseFromTheDataViewOpensInTheInspector();
    void reviewThreeCasesByKeyboard();
    void queueResumesWhereTheReviewerLeft();
    void queueFilters();
    void reviewOfAnEarlierDecisionIsFlagged();
    void exportsTheReviewReport();
    void exportsInTheBackground();
    void readOnlyStudyRefusesTheExport();
    void auditChainVerifiesAndCatchesTampering();

private:
    QString firstTestCase() const;
    static void clickOk(QDialog *dialog);
    /// The dialog the view has open, as a user meets it: the active modal window.
    static QDialog *modalDialog();
    /// Waits until the review view has read and shown its queue (it reads off the GUI thread).
    static void waitForQueue(const ReviewView &view);

    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_run = 0;
    qint64 m_second = 0;
};

void TestInspectReview::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LeptonTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_inspectreview"));
    QSettings().clear();
    QVERIFY(tiny::makeStudy(m_dir.path(), m_study) > 0);
    TrainConfig c = tiny::config();
    c.epochs = 3;
    for (qint64 *run : { &m_run, &m_second }) {
        auto out = Trainer::train(*m_study, 1, c, {});
        QVERIFY2(out, qPrintable(out.error()));
        *run = out->runId;
        PredictOptions o;
        o.runId = *run;
        o.split = QStringLiteral("test");
        o.device = QStringLiteral("cpu");
        o.explain = true;
        auto summary = PredictionService::run(*m_study, o);
        QVERIFY2(summary, qPrintable(summary.error()));
        QVERIFY(summary->explained > 0);
        c.seed = 2;
    }
}

QString TestInspectReview::firstTestCase() const
{
    auto queue = ReviewRepository(*m_study).queue(m_run);
    return queue && !queue->empty() ? queue->front().caseKey : QString();
}

void TestInspectReview::clickOk(QDialog *dialog)
{
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QVERIFY(buttons);
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
}

QDialog *TestInspectReview::modalDialog()
{
    for (int waited = 0; !QApplication::activeModalWidget() && waited < 2000; waited += 20)
        QTest::qWait(20);
    return qobject_cast<QDialog *>(QApplication::activeModalWidget());
}

void TestInspectReview::waitForQueue(const ReviewView &view)
{
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 10000);
}

void TestInspectReview::inspectorShowsAndTogglesACase()
{
    InspectorView view;
    view.resize(1200, 800);
    view.setStudy(m_study);
    view.show();
    auto *runs = view.findChild<QComboBox *>(QStringLiteral("runBox"));
    auto *caseEdit = view.findChild<QLineEdit *>(QStringLiteral("caseEdit"));
    auto *p = view.findChild<CaseExplanationPanel *>(QStringLiteral("casePanel"));
    auto *compare = view.findChild<CaseExplanationPanel *>(QStringLiteral("comparePanel"));
    QVERIFY(runs && caseEdit && p && compare);
    QCOMPARE(runs->count(), 2);
    const QString key = firstTestCase();
    QVERIFY(!key.isEmpty());
    runs->setCurrentIndex(runs->findData(m_run));
    // The case is read off the GUI thread; the view says when it is shown.
    QSignalSpy opened(&view, &InspectorView::caseOpened);
    QTest::keyClicks(caseEdit, key);
    QTest::keyClick(caseEdit, Qt::Key_Return);
    QVERIFY(opened.wait(10000));
    QCOMPARE(opened.count(), 1);
    QVERIFY(opened.at(0).at(0).toBool());
    QVERIFY2(view.error().isEmpty(), qPrintable(view.error()));
    QVERIFY(p->titleLabel()->text().contains(key));
    // The decision is the answer; its probability names its class; the rule is in words.
    const QString decision = p->decisionLabel()->text();
    QVERIFY2(decision.contains(QStringLiteral("Decision: ")), qPrintable(decision));
    const QString positive
        = RunRepository(*m_study).run(m_run)->config.value(QStringLiteral("positive_class")).toString();
    const QString negative = positive == QLatin1String("yes") ? QStringLiteral("no") : QStringLiteral("yes");
    QVERIFY2(decision.contains(QStringLiteral("p(%1) = ").arg(positive)), qPrintable(decision));
    // The tiny run's generic template: a threshold of 50 %.
    QVERIFY2(decision.contains(QStringLiteral("Rule: %1 when p(%1) ≥ 50 %, else %2").arg(positive, negative)),
        qPrintable(decision));
    // Modality weights and field attributions as bars.
    QCOMPARE(p->modalityChart()->barCount(), 3);
    QVERIFY(p->fieldChart()->barCount() >= 1);
    // The image with Grad-CAM by default; toggling to the attention map changes the picture; none
    // hides it.
    QVERIFY(p->heatmap()->hasImage());
    QVERIFY(p->heatmap()->hasMap());
    QCOMPARE(p->overlayBox()->currentData().toInt(), int(CaseExplanationPanel::Overlay::GradCam));
    const QImage cam = p->heatmap()->composed();
    p->overlayBox()->setCurrentIndex(p->overlayBox()->findData(int(CaseExplanationPanel::Overlay::Attention)));
    const QImage attention = p->heatmap()->composed();
    QVERIFY(attention != cam);
    p->overlayBox()->setCurrentIndex(p->overlayBox()->findData(int(CaseExplanationPanel::Overlay::None)));
    QVERIFY(!p->heatmap()->overlayVisible());
    p->overlayBox()->setCurrentIndex(p->overlayBox()->findData(int(CaseExplanationPanel::Overlay::Attention)));
    p->opacitySlider()->setValue(90);
    QVERIFY(p->heatmap()->composed() != attention);
    p->colourMapBox()->setCurrentIndex(1);
    QVERIFY(p->heatmap()->composed() != attention);
    // The counterfactual is a sentence (or says why there is none).
    QVERIFY(!p->counterfactualLabel()->text().isEmpty());
    // The same case under the second run, side by side.
    QVERIFY(!compare->isVisible());
    QSignalSpy compared(compare, &CaseExplanationPanel::caseShown);
    auto *compareRuns = view.findChild<QComboBox *>(QStringLiteral("compareBox"));
    compareRuns->setCurrentIndex(compareRuns->findData(m_second));
    QVERIFY(compare->isVisible());
    QVERIFY(compared.wait(10000));
    QVERIFY(compare->titleLabel()->text().contains(QStringLiteral("run %1").arg(m_second)));
    QCOMPARE(compare->modalityChart()->barCount(), 3);
    QCOMPARE(compare->shownCase(), view.currentCase());
}

void TestInspectReview::inspectorShowsOnlyTheNewestCase()
{
    // Cases asked for quickly one after another (a reviewer paging): only the last one is shown.
    InspectorView view;
    view.setStudy(m_study);
    auto queue = ReviewRepository(*m_study).queue(m_run);
    QVERIFY(queue && queue->size() >= 3);
    auto *p = view.findChild<CaseExplanationPanel *>(QStringLiteral("casePanel"));
    QSignalSpy shown(p, &CaseExplanationPanel::caseShown);
    for (std::size_t i = 0; i < 3; ++i)
        QVERIFY(view.openCase(m_run, queue->at(i).caseId));
    QCOMPARE(view.currentCase(), queue->at(2).caseId);
    QVERIFY(shown.wait(10000));
    QTest::qWait(100);
    QCOMPARE(shown.count(), 1);
    QCOMPARE(p->shownCase(), queue->at(2).caseId);
    QVERIFY(p->titleLabel()->text().contains(queue->at(2).caseKey));
}

void TestInspectReview::inspectorRefusesAnUnknownCase()
{
    InspectorView view;
    view.setStudy(m_study);
    QSignalSpy errors(&view, &InspectorView::errorOccurred);
    QVERIFY(!view.openCaseKey(m_run, QStringLiteral("no-such-case")));
    QCOMPARE(errors.count(), 1);
    QVERIFY(view.error().contains(QStringLiteral("no-such-case")));
    // A training case has no prediction: the panel says what to do.
    auto train = DatasetRepository(*m_study).caseByKey(1, QStringLiteral("T0"));
    QVERIFY(train);
    auto predicted = ReviewRepository(*m_study).queue(m_run);
    QVERIFY(predicted);
    bool isTest = false;
    for (const auto &i : predicted.value())
        isTest = isTest || i.caseId == train->id;
    if (!isTest) {
        QSignalSpy opened(&view, &InspectorView::caseOpened);
        QVERIFY(view.openCase(m_run, train->id));
        QVERIFY(opened.wait(10000));
        QVERIFY(!opened.at(0).at(0).toBool());
        QVERIFY2(view.error().contains(QStringLiteral("predict")), qPrintable(view.error()));
        QVERIFY(view.panel()->titleLabel()->text().contains(QStringLiteral("T0")));
    }
    // A run that is not in the study is refused at once.
    QVERIFY(!view.openCase(987654, train->id));
    QVERIFY(view.error().contains(QStringLiteral("987654")));
}

void TestInspectReview::caseFromTheDataViewOpensInTheInspector()
{
    MainWindow w;
    w.setInteractive(false);
    w.resize(1200, 800);
    w.show();
    QVERIFY(w.openStudy(m_study->path()));
    DataView *d = w.dataView();
    int testRow = -1, trainRow = -1;
    for (int r = 0; r < d->caseModel()->rowCount(); ++r) {
        const QString split = d->caseModel()->caseAt(r)->split;
        if (split == QLatin1String("test") && testRow < 0)
            testRow = r;
        if (split == QLatin1String("train") && trainRow < 0)
            trainRow = r;
    }
    QVERIFY(testRow >= 0 && trainRow >= 0);
    // Enter on a predicted case (as a double-click): the Inspector shows it under the newest run
    // that predicted it.
    d->caseView()->setFocus();
    d->caseView()->setCurrentIndex(d->caseModel()->index(testRow, 0));
    QTest::keyClick(d->caseView(), Qt::Key_Return);
    QTRY_COMPARE(w.currentView(), MainWindow::InspectorPage);
    QCOMPARE(w.inspectorView()->currentCase(), d->caseModel()->caseAt(testRow)->id);
    QCOMPARE(w.inspectorView()->currentRun(), m_second);
    // A case no run predicted: a message says what to do; the view stays.
    w.showView(MainWindow::DataPage);
    QSignalSpy errors(&w, &MainWindow::errorShown);
    d->caseView()->setCurrentIndex(d->caseModel()->index(trainRow, 0));
    Q_EMIT d->caseView()->activated(d->caseModel()->index(trainRow, 0));
    QCOMPARE(errors.count(), 1);
    QVERIFY(w.lastError().contains(QStringLiteral("No run has predicted")));
    QCOMPARE(w.currentView(), MainWindow::DataPage);
}

void TestInspectReview::reviewThreeCasesByKeyboard()
{
    ReviewView view;
    view.setInteractive(false);
    view.setReviewer(QStringLiteral("dr. test"));
    view.resize(1200, 800);
    view.setStudy(m_study);
    view.selectRun(m_run);
    QVERIFY(view.isLoading()); // the queue is read off the GUI thread
    waitForQueue(view);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.queueView()->setFocus();
    const int total = view.queueModel()->totalCount();
    QVERIFY(total >= 3);
    QVERIFY(view.progressLabel()->text().startsWith(QStringLiteral("0 of %1").arg(total)));
    // The run's rule in words above the queue; the probability column names its class.
    const QString positive
        = RunRepository(*m_study).run(m_run)->config.value(QStringLiteral("positive_class")).toString();
    const QString negative = positive == QLatin1String("yes") ? QStringLiteral("no") : QStringLiteral("yes");
    QCOMPARE(view.queueModel()->positiveClass(), positive);
    QCOMPARE(view.ruleLabel()->text(), QStringLiteral("Rule: %1 when p(%1) ≥ 50 %, else %2").arg(positive, negative));
    QCOMPARE(view.queueModel()->headerData(ReviewQueueModel::Probability, Qt::Horizontal).toString(),
        QStringLiteral("p(%1)").arg(positive));
    // Class colours: the worrying class (the positive one) warm, the reassuring one cool, the
    // same in the queue as everywhere (ClassColours.h).
    QVERIFY(classColour(QStringLiteral("yes"), QStringLiteral("yes")).red()
        > classColour(QStringLiteral("yes"), QStringLiteral("yes")).blue());
    QVERIFY(classColour(QStringLiteral("no"), QStringLiteral("yes")).blue()
        > classColour(QStringLiteral("no"), QStringLiteral("yes")).red());
    for (int r = 0; r < view.queueModel()->rowCount(); ++r) {
        const ReviewItem *it = view.queueModel()->itemAt(r);
        QCOMPARE(view.queueModel()->index(r, ReviewQueueModel::Decision).data(Qt::ForegroundRole).value<QColor>(),
            classColour(it->decidedClass, positive));
        // The most likely class is shown only where it differs from the decision.
        QCOMPARE(view.queueModel()->index(r, ReviewQueueModel::MostLikely).data().toString().isEmpty(),
            it->predicted == it->decidedClass);
    }
    const qint64 first = view.currentPrediction();
    QSignalSpy saved(&view, &ReviewView::reviewSaved);
    // A: accept, and on to the next case.
    QTest::keyClick(view.queueView(), Qt::Key_A);
    QCOMPARE(saved.count(), 1);
    QVERIFY(view.currentPrediction() != first);
    const qint64 second = view.currentPrediction();
    // O: override, with the right class and a reason.
    QTest::keyClick(view.queueView(), Qt::Key_O);
    QDialog *dialog = modalDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog, view.pendingDialog());
    // It says what the decision is and offers every class but it: with two classes, the other
    // one (the most likely class where the two differ).
    const ReviewItem *current = view.queueModel()->itemAt(view.currentRow());
    QVERIFY(current);
    QVERIFY(!current->decidedClass.isEmpty());
    auto *decisionText = dialog->findChild<QLabel *>(QStringLiteral("decisionText"));
    QVERIFY(decisionText);
    QVERIFY(decisionText->text().contains(current->decidedClass));
    auto *classBox = dialog->findChild<QComboBox *>(QStringLiteral("classBox"));
    QVERIFY(classBox);
    QCOMPARE(classBox->count(), 1);
    const QString other = current->decidedClass == QLatin1String("yes") ? QStringLiteral("no") : QStringLiteral("yes");
    QCOMPARE(classBox->itemText(0), other);
    if (current->predicted != current->decidedClass)
        QCOMPARE(classBox->itemText(0), current->predicted);
    auto *reason = dialog->findChild<QPlainTextEdit *>(QStringLiteral("reasonEdit"));
    QVERIFY(reason);
    QVERIFY(!dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled()); // reason required
    QTest::keyClicks(reason, QStringLiteral("blob is an artefact"));
    clickOk(dialog);
    QCOMPARE(saved.count(), 2);
    QVERIFY(view.currentPrediction() != second);
    // C: a comment on the third case (it stays selected).
    const qint64 third = view.currentPrediction();
    view.queueView()->setFocus();
    QTest::keyClick(view.queueView(), Qt::Key_C);
    dialog = modalDialog();
    QVERIFY(dialog);
    // The dialog says what a comment is for, and that it does not review the case.
    auto *hint = dialog->findChild<QLabel *>(QStringLiteral("commentHint"));
    QVERIFY(hint);
    QVERIFY2(hint->text().contains(QStringLiteral("does not review the case")), qPrintable(hint->text()));
    auto *commentEdit = dialog->findChild<QPlainTextEdit *>(QStringLiteral("commentEdit"));
    QTest::keyClicks(commentEdit, QStringLiteral("ask for a CT"));
    // Ctrl+Enter saves, as OK does.
    QTest::keyClick(commentEdit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(saved.count(), 3);
    QCOMPARE(view.currentPrediction(), third);
    QCOMPARE(view.historyList()->count(), 1);
    QVERIFY(view.historyList()->item(0)->text().contains(QStringLiteral("ask for a CT")));
    // A comment alone does not review a case: 2 of them reviewed, and this one still to review.
    QVERIFY(view.progressLabel()->text().startsWith(QStringLiteral("2 of %1").arg(total)));
    QVERIFY(!view.queueModel()->itemAt(view.currentRow())->reviewed);
    QVERIFY(view.queueModel()
                ->index(view.currentRow(), ReviewQueueModel::Verdict)
                .data()
                .toString()
                .startsWith(QStringLiteral("to review")));
    // T shows the next overlay (Grad-CAM, attention, none, and round again).
    const int overlayBefore = view.panel()->overlayBox()->currentIndex();
    QTest::keyClick(view.queueView(), Qt::Key_T);
    QCOMPARE(view.panel()->overlayBox()->currentIndex(), (overlayBefore + 1) % view.panel()->overlayBox()->count());
    // P goes back; the override is in the second case's history with who and why.
    QTest::keyClick(view.queueView(), Qt::Key_P);
    QCOMPARE(view.currentPrediction(), second);
    QCOMPARE(view.historyList()->count(), 1);
    QVERIFY(view.historyList()->item(0)->text().contains(QStringLiteral("dr. test")));
    QVERIFY(view.historyList()->item(0)->text().contains(QStringLiteral("blob is an artefact")));
    // Each review is in the audit log, chained.
    auto entries = AuditLog(*m_study).entries();
    QVERIFY(entries);
    QStringList actions;
    for (const AuditEntry &e : entries.value())
        if (e.action.startsWith(QLatin1String("review.")))
            actions.append(e.action);
    QCOMPARE(actions,
        QStringList(
            { QStringLiteral("review.accept"), QStringLiteral("review.override"), QStringLiteral("review.comment") }));
    QCOMPARE(entries->back().actor, QStringLiteral("dr. test"));
    // Editing a verdict is a new review and a new entry, never a rewrite.
    QTest::keyClick(view.queueView(), Qt::Key_A);
    QCOMPARE(ReviewRepository(*m_study).history(second).value().size(), std::size_t(2));
    QCOMPARE(AuditLog(*m_study).entries().value().back().action, QStringLiteral("review.edit"));
    // Override without a reason is refused with a message.
    QSignalSpy errors(&view, &ReviewView::errorOccurred);
    const Status refused = view.overrideCurrent(QStringLiteral("yes"), QString());
    QVERIFY(!refused);
    QVERIFY(!refused.error().isEmpty());
    QCOMPARE(errors.count(), 1);
}

void TestInspectReview::queueResumesWhereTheReviewerLeft()
{
    qint64 leftAt = 0;
    {
        ReviewView view;
        view.setInteractive(false);
        view.setStudy(m_study);
        view.selectRun(m_run);
        waitForQueue(view);
        view.next();
        view.next();
        leftAt = view.currentPrediction();
        QVERIFY(leftAt > 0);
    }
    ReviewView again;
    again.setInteractive(false);
    again.setStudy(m_study);
    again.selectRun(m_run);
    waitForQueue(again);
    QCOMPARE(again.currentPrediction(), leftAt);
}

void TestInspectReview::queueFilters()
{
    ReviewView view;
    view.setInteractive(false);
    view.setStudy(m_study);
    view.selectRun(m_second);
    waitForQueue(view);
    const int total = view.queueModel()->totalCount();
    view.statusBox()->setCurrentIndex(view.statusBox()->findData(QStringLiteral("unreviewed")));
    Q_EMIT view.statusBox()->activated(view.statusBox()->currentIndex());
    waitForQueue(view);
    QCOMPARE(view.queueModel()->totalCount(), total); // nothing reviewed in this run
    QVERIFY(view.accept());
    Q_EMIT view.statusBox()->activated(view.statusBox()->currentIndex());
    waitForQueue(view);
    QCOMPARE(view.queueModel()->totalCount(), total - 1);
    view.statusBox()->setCurrentIndex(view.statusBox()->findData(QStringLiteral("disagreement")));
    Q_EMIT view.statusBox()->activated(view.statusBox()->currentIndex());
    waitForQueue(view);
    for (int r = 0; r < view.queueModel()->rowCount(); ++r) {
        const ReviewItem *it = view.queueModel()->itemAt(r);
        QVERIFY(it->predicted != it->label);
    }
    view.statusBox()->setCurrentIndex(0);
    view.sortBox()->setCurrentIndex(view.sortBox()->findData(QStringLiteral("probability")));
    Q_EMIT view.sortBox()->activated(view.sortBox()->currentIndex());
    waitForQueue(view);
    for (int r = 1; r < view.queueModel()->rowCount(); ++r)
        QVERIFY(view.queueModel()->itemAt(r - 1)->probability <= view.queueModel()->itemAt(r)->probability);
}

void TestInspectReview::reviewOfAnEarlierDecisionIsFlagged()
{
    // Two accepted cases: one still has the decision the reviewer saw, the other was decided again
    // since (another template); only that one says so.
    std::vector<ReviewItem> items(2);
    for (std::size_t i = 0; i < items.size(); ++i) {
        ReviewItem &it = items[i];
        it.predictionId = static_cast<qint64>(i + 1);
        it.caseKey = QStringLiteral("C%1").arg(i + 1);
        it.decision = it.decidedClass = it.predicted = QStringLiteral("normal");
        it.reviewed = true;
        ReviewRecord r;
        r.reviewer = QStringLiteral("dr. test");
        r.verdict = QStringLiteral("accept");
        r.seen = QJsonObject { { QStringLiteral("decision"),
            i == 0 ? QStringLiteral("normal") : QStringLiteral("abnormal") } };
        it.latest = r;
    }
    ReviewQueueModel model;
    model.setLoadedQueue(nullptr, 1, ReviewFilter(), 2, items);
    QCOMPARE(model.index(0, ReviewQueueModel::Verdict).data().toString(), QStringLiteral("accept (dr. test)"));
    QCOMPARE(model.index(1, ReviewQueueModel::Verdict).data().toString(),
        QStringLiteral("accept (dr. test) · decided abnormal then"));
    QVERIFY(model.index(1, ReviewQueueModel::Verdict)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("decided again")));
}

void TestInspectReview::exportsTheReviewReport()
{
    ReviewView view;
    view.setInteractive(false);
    view.setReviewer(QStringLiteral("dr. export"));
    view.setStudy(m_study);
    view.selectRun(m_run);
    waitForQueue(view);
    const int before = AuditLog(*m_study).count().value();
    // CSV: a header and one row per case of the queue, with the verdicts given above.
    const QString csv = m_dir.filePath(QStringLiteral("review.csv"));
    const Status csvWritten = view.exportCsv(csv);
    QVERIFY2(csvWritten, qPrintable(csvWritten.error()));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), view.queueModel()->totalCount() + 1);
    QVERIFY(lines.first().startsWith(QStringLiteral("case_id,label,split,most_likely,p_yes,decision")));
    QVERIFY(lines.join(QLatin1Char('\n')).contains(QStringLiteral("ask for a CT"))); // the latest verdict per case
    // PDF: a real PDF with the cases (its pages are looked at by hand: docs/workbench-review-report.png).
    const QString pdf = m_dir.filePath(QStringLiteral("review.pdf"));
    const Status pdfWritten = view.exportPdf(pdf);
    QVERIFY2(pdfWritten, qPrintable(pdfWritten.error()));
    QFile g(pdf);
    QVERIFY(g.open(QIODevice::ReadOnly));
    QVERIFY(g.read(5) == "%PDF-");
    QVERIFY(g.size() > 2000);
    if (!qEnvironmentVariableIsEmpty("LEPTON_KEEP_REPORT"))
        QFile::copy(pdf, qEnvironmentVariable("LEPTON_KEEP_REPORT"));
    // Who exported what is in the audit log: the file with its SHA-256 and size, the run, the cases.
    auto entries = AuditLog(*m_study).entries(before);
    QVERIFY(entries);
    QCOMPARE(int(entries->size()), 2);
    QCOMPARE(entries->at(0).action, QStringLiteral("export.review_report.csv"));
    QCOMPARE(entries->at(1).action, QStringLiteral("export.review_report.pdf"));
    const QStringList files { csv, pdf };
    for (int i = 0; i < 2; ++i) {
        const AuditEntry &e = entries->at(std::size_t(i));
        QCOMPARE(e.actor, QStringLiteral("dr. export"));
        QCOMPARE(e.entity, QStringLiteral("run:%1").arg(m_run));
        QFile written(files.at(i));
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray bytes = written.readAll();
        QCOMPARE(e.details.value(QStringLiteral("file")).toString(), QFileInfo(files.at(i)).absoluteFilePath());
        QCOMPARE(e.details.value(QStringLiteral("sha256")).toString(),
            QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
        QCOMPARE(e.details.value(QStringLiteral("bytes")).toInteger(), bytes.size());
        QCOMPARE(e.details.value(QStringLiteral("run_id")).toInteger(), m_run);
        QCOMPARE(e.details.value(QStringLiteral("cases")).toInt(), view.queueModel()->totalCount());
        QVERIFY(e.details.value(QStringLiteral("filter")).isObject());
    }
    // A folder that does not exist: a message naming the file, nothing recorded.
    const Status noFolder = view.exportCsv(QStringLiteral("/nonexistent-folder/r.csv"));
    QVERIFY(!noFolder);
    QVERIFY(noFolder.error().contains(QStringLiteral("/nonexistent-folder/r.csv")));
    QVERIFY(!view.exportPdf(QStringLiteral("/nonexistent-folder/r.pdf")));
    QCOMPARE(AuditLog(*m_study).count().value(), before + 2);
}

void TestInspectReview::exportsInTheBackground()
{
    // The export buttons write the report on a worker thread; the PDF is drawn without widgets.
    ReviewView view;
    view.setInteractive(false);
    view.setReviewer(QStringLiteral("dr. background"));
    view.setStudy(m_study);
    view.selectRun(m_run);
    waitForQueue(view);
    const int before = AuditLog(*m_study).count().value();
    QSignalSpy finished(&view, &ReviewView::exportFinished);
    const QString csv = m_dir.filePath(QStringLiteral("background.csv"));
    QVERIFY(view.startExport(csv, false));
    QVERIFY(view.isExporting());
    QVERIFY(!view.startExport(csv, false)); // one at a time
    QVERIFY(finished.wait(30000));
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QVERIFY(QFile::exists(csv));
    const QString pdf = m_dir.filePath(QStringLiteral("background.pdf"));
    QVERIFY(view.startExport(pdf, true));
    QVERIFY(finished.wait(60000));
    QVERIFY2(finished.at(1).at(0).toBool(), qPrintable(finished.at(1).at(1).toString()));
    QFile g(pdf);
    QVERIFY(g.open(QIODevice::ReadOnly));
    QVERIFY(g.read(5) == "%PDF-");
    auto entries = AuditLog(*m_study).entries(before);
    QVERIFY(entries);
    QCOMPARE(int(entries->size()), 2);
    QCOMPARE(entries->at(0).actor, QStringLiteral("dr. background"));
    QCOMPARE(entries->at(1).action, QStringLiteral("export.review_report.pdf"));
    // A failure arrives as a message, nothing recorded.
    QVERIFY(view.startExport(QStringLiteral("/nonexistent-folder/b.csv"), false));
    QVERIFY(finished.wait(30000));
    QVERIFY(!finished.at(2).at(0).toBool());
    QVERIFY(finished.at(2).at(1).toString().contains(QStringLiteral("/nonexistent-folder/b.csv")));
    QCOMPARE(AuditLog(*m_study).count().value(), before + 2);
}

void TestInspectReview::readOnlyStudyRefusesTheExport()
{
    // The study open read-only cannot record the export, so nothing is written (docs/AUDIT.md).
    auto ro = Study::open(m_study->path(), Study::Mode::ReadOnly);
    QVERIFY2(ro, qPrintable(ro.error()));
    ReviewView view;
    view.setInteractive(false);
    view.setStudy(ro.value());
    view.selectRun(m_run);
    waitForQueue(view);
    const int before = AuditLog(*m_study).count().value();
    for (const QString &name : { QStringLiteral("ro.csv"), QStringLiteral("ro.pdf") }) {
        const QString path = m_dir.filePath(name);
        const Status refused = name.endsWith(QLatin1String(".csv")) ? view.exportCsv(path) : view.exportPdf(path);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(path) && refused.error().contains(QStringLiteral("read-only")),
            qPrintable(refused.error()));
        QVERIFY(!QFile::exists(path));
    }
    QCOMPARE(AuditLog(*m_study).count().value(), before);
}

void TestInspectReview::auditChainVerifiesAndCatchesTampering()
{
    // The chain of the study, as written by the reviews above, is intact.
    MainWindow w;
    w.setInteractive(false);
    QVERIFY(w.openStudy(m_study->path()));
    QVERIFY(w.verifyAuditLog());
    // A test copy with one entry changed behind the database's back fails at that entry.
    const QString copy = m_dir.filePath(QStringLiteral("tampered.lepton"));
    {
        QSqlQuery checkpoint(m_study->database());
        QVERIFY(checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
    }
    QVERIFY(QFile::copy(m_study->path(), copy));
    qint64 victim = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(copy);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 1")) && q.next());
        victim = q.value(0).toLongLong();
        QVERIFY(q.exec(QStringLiteral("DROP TRIGGER audit_log_no_update")));
        QVERIFY(q.exec(QStringLiteral("UPDATE audit_log SET actor = 'someone else' WHERE id = %1").arg(victim)));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
    QSignalSpy errors(&w, &MainWindow::errorShown);
    QVERIFY(w.openStudy(copy));
    QVERIFY(!w.verifyAuditLog());
    QCOMPARE(errors.count(), 1);
    QVERIFY2(w.lastError().contains(QStringLiteral("entry %1").arg(victim)), qPrintable(w.lastError()));
}

QTEST_MAIN(TestInspectReview)
#include "tst_inspectreview.moc"
