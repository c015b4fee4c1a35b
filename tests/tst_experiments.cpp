// SPDX-License-Identifier: GPL-3.0-or-later
// The Experiments view on two tiny trained runs, clicked through under QT_QPA_PLATFORM=offscreen:
// the runs table (sort, filter), comparing runs (curves, metrics, config diff), a prediction in
// the background, confusion-matrix cells listing their cases, ROC/PR and reliability plots, and
// renaming, tagging and deleting runs with their audit entries; and the ECE: `lepton evaluate`, the
// metrics table and the Calibration plot show one number. Widgets are found by objectName; the
// reads that grow with the study arrive off the GUI thread, so the checks wait for them.
//
#include "ConfusionMatrixView.h"
#include "CurvePlot.h"
#include "ExperimentsView.h"
#include "QCustomPlotInclude.h"
#include "RunCurvesPlot.h"
#include "RunTableModel.h"
#include "TinyStudy.h"

#include "service/RunHistory.h"
#include "service/RunListModel.h"
#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "train/Trainer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMouseEvent>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QSysInfo>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <set>

using namespace lepton;

namespace {
/// A mouse move over a widget (QTest::mouseMove does not reach widgets on every platform).
void hover(QWidget *widget, const QPoint &pos)
{
    QMouseEvent move(
        QEvent::MouseMove, QPointF(pos), QPointF(widget->mapToGlobal(pos)), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(widget, &move);
}
} // namespace

class TestExperiments : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void runsAreListed();
    void runTablesSayWhatRan();
    void sortAndFilter();
    void compareTwoRunsByClicking();
    void withoutPredictionsTheViewSaysSo();
    void predictInTheBackground();
    void confusionCellListsItsCases();
    void keyboardChoosesACell();
    void rocPrAndCalibrationPlots();
    void plotImagesAreNotAudited();
    void valSplitOnRequest();
    void eceAgreesAcrossCliMetricsAndCalibration();
    void renameTagNoteAndDelete();
    void runOfAnEndedProcessShowsInterrupted();
    void crossValidationGroupAndAggregate();

private:
    /// Case ids of run A's test predictions with this true class and this decision (or, with
    /// `byDecision` false, this most likely class), from SQL. The tiny run's generic template
    /// names no decisions, so a decision is its class.
    std::set<qint64> casesOf(const QString &label, const QString &column, bool byDecision = true) const;
    int proxyRowOf(qint64 runId) const;
    void save(const QString &name);
    /// Waits until the view's background reads have arrived.
    bool settle() const;
    template <typename T> T *child(const char *name) const
    {
        T *found = m_view->findChild<T *>(QString::fromLatin1(name));
        if (!found)
            qWarning("no child %s", name);
        return found;
    }
    QTableView *runTable() const { return child<QTableView>("runTable"); }
    QSortFilterProxyModel *runProxy() const { return qobject_cast<QSortFilterProxyModel *>(runTable()->model()); }
    RunTableModel *runModel() const { return qobject_cast<RunTableModel *>(runProxy()->sourceModel()); }
    RunCurvesPlot *curvesPlot() const { return child<RunCurvesPlot>("runCurves"); }
    QStandardItemModel *tableModel(const char *name) const
    {
        return qobject_cast<QStandardItemModel *>(child<QTableView>(name)->model());
    }
    ConfusionMatrixView *confusionMatrix() const { return child<ConfusionMatrixView>("confusionMatrix"); }
    QLabel *caseMessage() const { return child<QLabel>("caseMessage"); }
    bool caseTableShown() const
    {
        QTableView *cases = child<QTableView>("caseTable");
        auto *stack = qobject_cast<QStackedWidget *>(cases->parentWidget());
        return stack && stack->currentWidget() == cases;
    }
    CurvePlot *plot(const char *name) const { return child<CurvePlot>(name); }
    /// The metrics table's text in a row (by its title) and a column.
    QString metricText(const QString &title, int column) const;

    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_dataset = 0;
    qint64 m_a = 0, m_b = 0;
    ExperimentsView *m_view = nullptr;
};

void TestExperiments::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_dataset = tiny::makeStudy(m_dir.path(), m_study, 64);
    QVERIFY(m_dataset > 0);
    TrainConfig c = tiny::config();
    auto a = Trainer::train(*m_study, m_dataset, c, {}, QStringLiteral("alpha"));
    QVERIFY2(a, qPrintable(a ? QString() : a.error()));
    QCOMPARE(a->status, RunStatus::Completed);
    c.seed = 7;
    c.learningRate = 5e-3;
    auto b = Trainer::train(*m_study, m_dataset, c, {}, QStringLiteral("beta"));
    QVERIFY2(b, qPrintable(b ? QString() : b.error()));
    QCOMPARE(b->status, RunStatus::Completed);
    m_a = a->runId;
    m_b = b->runId;

    m_view = new ExperimentsView;
    m_view->setInteractive(false);
    m_view->setReviewer(QStringLiteral("dr. test"));
    m_view->resize(1600, 1000);
    m_view->setStudy(m_study);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
}

void TestExperiments::cleanupTestCase()
{
    delete m_view;
    m_view = nullptr;
}

std::set<qint64> TestExperiments::casesOf(const QString &label, const QString &column, bool byDecision) const
{
    std::set<qint64> ids;
    QSqlQuery q(m_study->database());
    q.prepare(QStringLiteral("SELECT p.case_id FROM predictions p JOIN cases c ON c.id = p.case_id "
                             "WHERE p.run_id = ? AND c.split = 'test' AND c.label = ? AND p.%1 = ?")
                  .arg(byDecision ? QStringLiteral("decision") : QStringLiteral("predicted")));
    q.addBindValue(m_a);
    q.addBindValue(label);
    q.addBindValue(column);
    if (q.exec())
        while (q.next())
            ids.insert(q.value(0).toLongLong());
    return ids;
}

int TestExperiments::proxyRowOf(qint64 runId) const
{
    QSortFilterProxyModel *proxy = runProxy();
    for (int r = 0; r < proxy->rowCount(); ++r)
        if (proxy->index(r, 0).data(RunTableModel::RunIdRole).toLongLong() == runId)
            return r;
    return -1;
}

void TestExperiments::save(const QString &name)
{
    const QString dir = qEnvironmentVariable("LEPTON_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QCoreApplication::processEvents();
    QTest::qWait(50); // queued replots
    QVERIFY(m_view->grab().save(QDir(dir).filePath(name)));
}

bool TestExperiments::settle() const
{
    QElapsedTimer clock;
    clock.start();
    while (m_view->isLoading() && clock.elapsed() < 30000)
        QTest::qWait(5);
    return !m_view->isLoading();
}

QString TestExperiments::metricText(const QString &title, int column) const
{
    QStandardItemModel *metrics = tableModel("metricsTable");
    for (int r = 0; r < metrics->rowCount(); ++r)
        if (metrics->verticalHeaderItem(r)->text() == title)
            return metrics->item(r, column) ? metrics->item(r, column)->text() : QString();
    return QString();
}

void TestExperiments::runsAreListed()
{
    QSortFilterProxyModel *proxy = runProxy();
    QCOMPARE(proxy->rowCount(), 2);
    RunTableModel *model = runModel();
    const RunTableModel::Row *a = model->rowAt(model->rowOf(m_a));
    QVERIFY(a);
    QCOMPARE(a->run.name, QStringLiteral("alpha"));
    QCOMPARE(a->variant, QStringLiteral("attention"));
    QCOMPARE(a->epochs, 4);
    QCOMPARE(a->batchSize, 8);
    QCOMPARE(a->seed, qint64(1));
    QCOMPARE(a->imageSize, 32);
    QVERIFY(std::isfinite(a->bestValAuroc));
    QVERIFY(std::isfinite(a->testAuroc));
    QVERIFY(std::isfinite(a->testAccuracy));
    QVERIFY(std::isfinite(a->seconds) && a->seconds >= 0.0);
    const int row = proxyRowOf(m_b);
    QVERIFY(row >= 0);
    QCOMPARE(proxy->index(row, RunTableModel::Name).data().toString(), QStringLiteral("beta"));
    QCOMPARE(proxy->index(row, RunTableModel::Status).data().toString(), QStringLiteral("completed"));
    QCOMPARE(proxy->index(row, RunTableModel::Seed).data().toLongLong(), qint64(7));
    QCOMPARE(proxy->index(row, RunTableModel::LearningRate).data().toString(), QStringLiteral("0.005"));
    QCOMPARE(proxy->index(row, RunTableModel::Device).data().toString(), QStringLiteral("cpu"));
    QVERIFY(proxy->index(row, RunTableModel::Duration).data().toString().endsWith(QStringLiteral(" s")));
    // Nothing selected yet: nothing to compare.
    QCOMPARE(curvesPlot()->graphCount(), 0);
    QCOMPARE(m_view->currentRunId(), qint64(0));
}

void TestExperiments::runTablesSayWhatRan()
{
    // A run that stopped early shows the epochs it ran, of those set.
    RunTableModel table;
    RunTableModel::Row stopped;
    stopped.run.id = 99;
    stopped.epochs = 30;
    stopped.epochsRun = 22;
    RunTableModel::Row full = stopped;
    full.epochsRun = 30;
    table.setRows({ stopped, full });
    QCOMPARE(table.index(0, RunTableModel::Epochs).data().toString(), QStringLiteral("22 of 30"));
    QCOMPARE(table.index(0, RunTableModel::Epochs).data(RunTableModel::SortRole).toInt(), 22);
    QCOMPARE(table.index(1, RunTableModel::Epochs).data().toString(), QStringLiteral("30"));
    // The listed runs know how many epochs ran: as many as have a validation stored.
    auto runs = ExperimentService(*m_study).runs();
    QVERIFY(runs);
    for (const RunSummary &r : runs.value()) {
        auto history = RunHistory::curves(*m_study, r.run.id, false);
        QVERIFY(history);
        QCOMPARE(r.epochsRun, history->epochs.empty() ? 0 : history->epochs.back().epoch + 1);
        QVERIFY(r.epochsRun >= 1 && r.epochsRun <= r.epochs);
    }

    // Start times as local date and time, never raw ISO; the ISO time is what sorts.
    RunListModel list;
    auto records = RunRepository(*m_study).runs();
    QVERIFY(records && !records->empty());
    const QString iso = records->front().startedAt;
    list.setRuns(records.take());
    const QString shown = list.index(0, RunListModel::Started).data().toString();
    QCOMPARE(
        shown, QLocale().toString(QDateTime::fromString(iso, Qt::ISODateWithMs).toLocalTime(), QLocale::ShortFormat));
    QVERIFY(shown != iso);
    QCOMPARE(list.index(0, RunListModel::Started).data(Qt::EditRole).toString(), iso);

    // The seconds of finished epochs survive a redraw from the study (the 2 s refresh).
    auto curves = RunHistory::curves(*m_study, m_a, false);
    QVERIFY2(curves, qPrintable(curves ? QString() : curves.error()));
    QVERIFY(!curves->epochs.empty());
    for (const EpochSummary &e : curves->epochs)
        QVERIFY2(std::isfinite(e.seconds) && e.seconds >= 0.0, qPrintable(QString::number(e.seconds)));
}

void TestExperiments::sortAndFilter()
{
    QTableView *table = runTable();
    QSortFilterProxyModel *proxy = runProxy();
    // Newest run first by default.
    QCOMPARE(proxy->index(0, 0).data(RunTableModel::RunIdRole).toLongLong(), m_b);
    table->sortByColumn(RunTableModel::Name, Qt::AscendingOrder);
    QCOMPARE(proxy->index(0, RunTableModel::Name).data().toString(), QStringLiteral("alpha"));
    table->sortByColumn(RunTableModel::Seed, Qt::DescendingOrder);
    QCOMPARE(proxy->index(0, RunTableModel::Seed).data().toLongLong(), qint64(7));
    table->sortByColumn(RunTableModel::LearningRate, Qt::AscendingOrder);
    QCOMPARE(proxy->index(0, 0).data(RunTableModel::RunIdRole).toLongLong(), m_b); // 0.005 < 0.01

    QLineEdit *filter = child<QLineEdit>("runFilter");
    QTest::keyClicks(filter, QStringLiteral("BET"));
    QCOMPARE(proxy->rowCount(), 1);
    QCOMPARE(proxy->index(0, RunTableModel::Name).data().toString(), QStringLiteral("beta"));
    filter->setText(QStringLiteral("attention"));
    QCOMPARE(proxy->rowCount(), 2);
    filter->setText(QStringLiteral("completed"));
    QCOMPARE(proxy->rowCount(), 2);
    filter->setText(QStringLiteral("no such run"));
    QCOMPARE(proxy->rowCount(), 0);
    filter->clear();
    QCOMPARE(proxy->rowCount(), 2);
    table->sortByColumn(RunTableModel::Id, Qt::AscendingOrder);
    QCOMPARE(proxy->index(0, 0).data(RunTableModel::RunIdRole).toLongLong(), m_a);
}

void TestExperiments::compareTwoRunsByClicking()
{
    QTableView *table = runTable();
    const QRect first = table->visualRect(runProxy()->index(0, RunTableModel::Name));
    const QRect second = table->visualRect(runProxy()->index(1, RunTableModel::Name));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, first.center());
    QCOMPARE(m_view->selectedRunIds(), (QList<qint64> { m_a }));
    QCOMPARE(m_view->currentRunId(), m_a);
    QCOMPARE(curvesPlot()->graphCount(), 1);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ControlModifier, second.center());
    QCOMPARE(m_view->selectedRunIds(), (QList<qint64> { m_a, m_b }));

    // Overlaid curves, one per run, for every metric offered.
    RunCurvesPlot *curves = curvesPlot();
    QCOMPARE(curves->graphCount(), 2);
    QCOMPARE(curves->metric(), QStringLiteral("val:loss"));
    for (const QString &key :
        { QStringLiteral("val:auroc"), QStringLiteral("val:accuracy"), QStringLiteral("train:loss") }) {
        QVERIFY(curves->setMetric(key));
        QCOMPARE(curves->graphCount(), 2);
    }
    QVERIFY(curves->setMetric(QStringLiteral("val:loss")));

    // Metrics side by side: one column per run, the best epoch's validation values.
    QStandardItemModel *metrics = tableModel("metricsTable");
    QCOMPARE(metrics->columnCount(), 2);
    QVERIFY(metrics->horizontalHeaderItem(0)->text().contains(QStringLiteral("alpha")));
    QVERIFY(metrics->horizontalHeaderItem(1)->text().contains(QStringLiteral("beta")));
    int aurocRow = -1;
    for (int r = 0; r < metrics->rowCount(); ++r)
        if (metrics->verticalHeaderItem(r)->text() == QLatin1String("Test AUROC"))
            aurocRow = r;
    QVERIFY(aurocRow >= 0);
    const RunTableModel::Row *a = runModel()->rowAt(runModel()->rowOf(m_a));
    QCOMPARE(metrics->item(aurocRow, 0)->text(), QString::number(a->testAuroc, 'f', 3));

    // The config diff: only the settings that differ, with dotted keys.
    QStandardItemModel *diff = tableModel("diffTable");
    QCOMPARE(diff->columnCount(), 2);
    QStringList keys;
    for (int r = 0; r < diff->rowCount(); ++r)
        keys.append(diff->verticalHeaderItem(r)->text());
    QCOMPARE(keys, (QStringList { QStringLiteral("lr"), QStringLiteral("seed") }));
    QCOMPARE(diff->item(1, 0)->text(), QStringLiteral("1"));
    QCOMPARE(diff->item(1, 1)->text(), QStringLiteral("7"));
    QVERIFY(child<QLabel>("diffSummary")->text().startsWith(QStringLiteral("2 of ")));
    child<QCheckBox>("onlyDifferences")->setChecked(false);
    QVERIFY(diff->rowCount() > 10);
    bool sawWidth = false;
    for (int r = 0; r < diff->rowCount(); ++r)
        sawWidth = sawWidth || diff->verticalHeaderItem(r)->text() == QLatin1String("model.width");
    QVERIFY(sawWidth);
    child<QCheckBox>("onlyDifferences")->setChecked(true);
    QCOMPARE(diff->rowCount(), 2);
}

void TestExperiments::withoutPredictionsTheViewSaysSo()
{
    m_view->selectRuns({ m_b });
    QVERIFY(settle());
    QCOMPARE(m_view->currentRunId(), m_b);
    QCOMPARE(m_view->shownSplit(), QStringLiteral("test"));
    ConfusionMatrixView *matrix = confusionMatrix();
    QCOMPARE(matrix->classCount(), 2);
    QVERIFY(matrix->total() > 0);
    const QString expected = QStringLiteral("Predict the test split first (Predict and explain…)");
    QCOMPARE(caseMessage()->text(), expected);
    QVERIFY(!caseTableShown());
    QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellRect(0, 0).center());
    QVERIFY(settle());
    QCOMPARE(caseMessage()->text(), expected);
    QVERIFY(!caseTableShown());
    // The view offers to predict the split itself (not taken here: run B stays without predictions).
    QPushButton *offer = child<QPushButton>("predictOfferButton");
    QVERIFY(offer);
    QVERIFY(offer->isVisibleTo(m_view));
    QVERIFY(offer->isEnabled());
    QCOMPARE(offer->text(), QStringLiteral("Predict and explain the test split of run %1 now").arg(m_b));
    // The reliability diagram needs no predictions: it shows the final evaluation's bins.
    QCOMPARE(plot("calibrationPlot")->curveCount(), 1);
}

void TestExperiments::predictInTheBackground()
{
    m_view->selectRuns({ m_a });
    QSignalSpy finished(m_view, &ExperimentsView::predictionFinished);
    QSignalSpy changed(m_view, &ExperimentsView::runsChanged);
    QVERIFY(m_view->startPrediction(m_a, QStringLiteral("test"), false));
    QVERIFY(m_view->isPredicting());
    QVERIFY(!child<QPushButton>("predictButton")->isEnabled());
    QVERIFY(!m_view->startPrediction(m_a, QStringLiteral("test"), false)); // one at a time
    QVERIFY(finished.wait(120000) || finished.count() == 1);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toLongLong(), m_a);
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(2).toString()));
    QCOMPARE(changed.count(), 1);
    QVERIFY(!m_view->isPredicting());
    QVERIFY(child<QPushButton>("predictButton")->isEnabled());
    QVERIFY(child<QLabel>("predictionText")->text().contains(QStringLiteral("stored")));
    // The selection survives the refresh, and the run panel now offers the cases.
    QVERIFY(settle());
    QCOMPARE(m_view->selectedRunIds(), (QList<qint64> { m_a }));
    QVERIFY(caseMessage()->text().contains(QStringLiteral("Click a cell")));
    QVERIFY(!child<QPushButton>("predictOfferButton")->isVisibleTo(m_view)); // nothing left to offer
}

void TestExperiments::confusionCellListsItsCases()
{
    m_view->selectRuns({ m_a });
    QVERIFY(settle());
    ConfusionMatrixView *matrix = confusionMatrix();
    QCOMPARE(matrix->classCount(), 2);
    QSignalSpy clicked(matrix, &ConfusionMatrixView::cellClicked);
    int listed = 0;
    for (int t = 0; t < 2; ++t) {
        for (int p = 0; p < 2; ++p) {
            const QString label = matrix->classes().at(t), predicted = matrix->classes().at(p);
            QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellRect(t, p).center());
            QVERIFY(settle());
            QCOMPARE(clicked.count(), 2 * t + p + 1);
            QCOMPARE(clicked.last().at(0).toInt(), t);
            QCOMPARE(clicked.last().at(1).toInt(), p);
            QCOMPARE(matrix->currentCell(), QPoint(p, t));
            const std::set<qint64> expected = casesOf(label, predicted);
            // The stored predictions come from the same best model as the final evaluation.
            QCOMPARE(static_cast<int>(expected.size()), matrix->count(t, p));
            if (expected.empty()) {
                QVERIFY(!caseTableShown());
                QVERIFY(caseMessage()->text().startsWith(QStringLiteral("No stored prediction")));
                continue;
            }
            QVERIFY(caseTableShown());
            QAbstractItemModel *cases = child<QTableView>("caseTable")->model();
            std::set<qint64> shown;
            for (int r = 0; r < cases->rowCount(); ++r) {
                shown.insert(cases->index(r, 0).data(Qt::UserRole + 1).toLongLong());
                QCOMPARE(cases->index(r, 1).data().toString(), label);
                QCOMPARE(cases->index(r, 2).data().toString(), predicted);
            }
            QCOMPARE(shown, expected);
            listed += cases->rowCount();
        }
    }
    QCOMPARE(listed, matrix->total());
    // By default the columns are the decisions, and the case list says so.
    auto *axis = child<QComboBox>("confusionAxisBox");
    QCOMPARE(axis->currentText(), QStringLiteral("Decision vs label"));
    QCOMPARE(matrix->columnTitle(), QStringLiteral("Decision"));
    QAbstractItemModel *caseModel = child<QTableView>("caseTable")->model();
    QCOMPARE(caseModel->headerData(1, Qt::Horizontal).toString(), QStringLiteral("Label"));
    QCOMPARE(caseModel->headerData(2, Qt::Horizontal).toString(), QStringLiteral("Decision"));
    QCOMPARE(caseModel->headerData(3, Qt::Horizontal).toString(),
        QStringLiteral("p(%1)").arg(
            RunRepository(*m_study).run(m_a)->config.value(QStringLiteral("positive_class")).toString()));
    // Most likely vs label: the same cells by the most likely class, the columns named so.
    axis->setCurrentIndex(axis->findText(QStringLiteral("Most likely vs label")));
    QCOMPARE(matrix->columnTitle(), QStringLiteral("Most likely class"));
    listed = 0;
    for (int t = 0; t < 2; ++t)
        for (int p = 0; p < 2; ++p) {
            const std::set<qint64> expected = casesOf(matrix->classes().at(t), matrix->classes().at(p), false);
            QCOMPARE(static_cast<int>(expected.size()), matrix->count(t, p));
            listed += matrix->count(t, p);
            if (expected.empty())
                continue;
            QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellRect(t, p).center());
            QVERIFY(settle());
            QVERIFY(caseTableShown());
            QCOMPARE(caseModel->headerData(2, Qt::Horizontal).toString(), QStringLiteral("Most likely"));
            QCOMPARE(caseModel->rowCount(), static_cast<int>(expected.size()));
            for (int r = 0; r < caseModel->rowCount(); ++r)
                QCOMPARE(caseModel->index(r, 2).data().toString(), matrix->classes().at(p));
        }
    QCOMPARE(listed, matrix->total());
    axis->setCurrentIndex(axis->findText(QStringLiteral("Decision vs label")));

    // Hovering marks a cell; leaving the matrix clears it.
    hover(matrix, matrix->cellRect(1, 0).center());
    QCOMPARE(matrix->hoveredCell(), QPoint(0, 1));
    hover(matrix, QPoint(1, 1));
    QCOMPARE(matrix->hoveredCell(), QPoint(-1, -1));

    // Double-clicking a case asks for it to be opened.
    QPoint cell(-1, -1);
    for (int i = 0; i < 4 && cell.x() < 0; ++i)
        if (matrix->count(i / 2, i % 2) > 0)
            cell = QPoint(i % 2, i / 2);
    QVERIFY(cell.x() >= 0);
    const int t = cell.y(), p = cell.x();
    QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellRect(t, p).center());
    QVERIFY(settle());
    QVERIFY(caseTableShown());
    QSignalSpy activated(m_view, &ExperimentsView::caseActivated);
    QTableView *table = child<QTableView>("caseTable");
    const QModelIndex first = table->model()->index(0, 0);
    const QPoint centre = table->visualRect(first).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, centre);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, centre);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toLongLong(), first.data(Qt::UserRole + 1).toLongLong());
    QCOMPARE(activated.at(0).at(1).toLongLong(), m_a);
}

void TestExperiments::keyboardChoosesACell()
{
    m_view->selectRuns({ m_a });
    QVERIFY(settle());
    ConfusionMatrixView *matrix = confusionMatrix();
    matrix->setFocus();
    QSignalSpy clicked(matrix, &ConfusionMatrixView::cellClicked);
    QTest::keyClick(matrix, Qt::Key_Down); // the first key puts the cursor on the first cell
    QCOMPARE(matrix->currentCell(), QPoint(0, 0));
    QTest::keyClick(matrix, Qt::Key_Down);
    QTest::keyClick(matrix, Qt::Key_Right);
    QTest::keyClick(matrix, Qt::Key_Right); // stays inside
    QCOMPARE(matrix->currentCell(), QPoint(1, 1));
    QTest::keyClick(matrix, Qt::Key_Return);
    QVERIFY(settle());
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).toInt(), 1);
    QCOMPARE(clicked.at(0).at(1).toInt(), 1);
    const int expected = static_cast<int>(casesOf(matrix->classes().at(1), matrix->classes().at(1)).size());
    QCOMPARE(caseTableShown() ? child<QTableView>("caseTable")->model()->rowCount() : 0, expected);
}

void TestExperiments::rocPrAndCalibrationPlots()
{
    m_view->selectRuns({ m_a, m_b });
    QVERIFY(settle());
    QCOMPARE(m_view->currentRunId(), m_a);
    CurvePlot *roc = plot("rocPlot");
    CurvePlot *pr = plot("prPlot");
    QCOMPARE(roc->curveCount(), 2);
    QCOMPARE(pr->curveCount(), 2);
    QVERIFY(roc->hasDiagonal());
    auto stored = RunRepository(*m_study).artifact(m_a, QStringLiteral("test"), QStringLiteral("roc"));
    QVERIFY(stored);
    QCOMPARE(roc->pointCount(0), static_cast<int>(stored->value(QStringLiteral("x")).toArray().size()));
    QVERIFY(roc->curveName(0).contains(QStringLiteral("AUROC")));
    QVERIFY(pr->curveName(1).contains(QStringLiteral("beta")));

    // Reliability: the model's probability of the predicted class in ten bins, one point per bin
    // that holds a case, computed here independently from the stored predictions (the same best
    // model as the final evaluation whose bins the plot shows).
    QSqlQuery q(m_study->database());
    q.prepare(QStringLiteral("SELECT p.probabilities FROM predictions p JOIN cases c ON c.id = p.case_id "
                             "WHERE p.run_id = ? AND c.split = 'test' AND c.label <> ''"));
    q.addBindValue(m_a);
    QVERIFY(q.exec());
    std::set<int> bins;
    int cases = 0;
    while (q.next()) {
        const QJsonArray probs = QJsonDocument::fromJson(q.value(0).toString().toUtf8()).array();
        double confidence = 0.0;
        for (const QJsonValue &v : probs)
            confidence = std::max(confidence, v.toDouble());
        bins.insert(std::min(9, static_cast<int>(confidence * 10)));
        ++cases;
    }
    QVERIFY(cases > 0);
    CurvePlot *calibration = plot("calibrationPlot");
    QCOMPARE(calibration->curveCount(), 1);
    QCOMPARE(calibration->pointCount(0), static_cast<int>(bins.size()));
    QCOMPARE(calibration->weightMarkerCount(), static_cast<int>(bins.size()));
    QVERIFY(calibration->hasDiagonal());
    QVERIFY(calibration->curveName(0).contains(QStringLiteral("ECE ")));
    QVERIFY(child<QLabel>("calibrationCaption")->text().contains(QString::number(cases)));

    // Run B has no predictions: its diagram comes from its final evaluation, and its ROC too.
    m_view->selectRuns({ m_b, m_a });
    QVERIFY(settle());
    QCOMPARE(m_view->currentRunId(), m_b);
    QCOMPARE(calibration->curveCount(), 1);
    QVERIFY(calibration->curveName(0).contains(QStringLiteral("beta")));
    QCOMPARE(roc->curveCount(), 2);
}

void TestExperiments::plotImagesAreNotAudited()
{
    // Images of aggregate curves carry no case data; docs/AUDIT.md says why they write no entry.
    m_view->selectRuns({ m_a, m_b });
    QVERIFY(settle());
    const int before = AuditLog(*m_study).count().value();
    for (CurvePlot *p : { plot("rocPlot"), plot("prPlot"), plot("calibrationPlot") }) {
        const QString path = m_dir.filePath(p->objectName() + QStringLiteral(".png"));
        QString error;
        QVERIFY2(p->exportTo(path, &error), qPrintable(error));
        QVERIFY(QFileInfo(path).size() > 0);
    }
    QCOMPARE(AuditLog(*m_study).count().value(), before);
}

void TestExperiments::valSplitOnRequest()
{
    m_view->selectRuns({ m_a });
    m_view->setRequestedSplit(QStringLiteral("val"));
    QVERIFY(settle());
    QCOMPARE(m_view->shownSplit(), QStringLiteral("val"));
    auto val = RunRepository(*m_study).artifact(m_a, QStringLiteral("val"), QStringLiteral("confusion"));
    QVERIFY(val);
    int n = val->value(QStringLiteral("n")).toInt();
    QCOMPARE(confusionMatrix()->total(), n);
    // Only test predictions are stored.
    QCOMPARE(caseMessage()->text(), QStringLiteral("Predict the val split first (Predict and explain…)"));
    QCOMPARE(plot("calibrationPlot")->curveCount(), 1); // the val evaluation's bins
    QVERIFY(plot("calibrationPlot")
                ->curveName(0)
                .contains(QStringLiteral("ECE %1").arg(val->value(QStringLiteral("ece")).toDouble(), 0, 'f', 4)));
    m_view->setRequestedSplit(QStringLiteral("test"));
    QVERIFY(settle());
    QCOMPARE(m_view->shownSplit(), QStringLiteral("test"));
}

void TestExperiments::eceAgreesAcrossCliMetricsAndCalibration()
{
    // One run and split: `lepton evaluate` (which runs the best model again), the metrics table's
    // "Test ECE" and the ECE the Calibration plot states are one number. Before the reliability
    // bins moved into the core the plot binned the positive class's probability and disagreed.
    QProcess cli;
    cli.start(QStringLiteral(LEPTON_CLI),
        { QStringLiteral("evaluate"), m_study->path(), QStringLiteral("--run"), QString::number(m_a),
            QStringLiteral("--split"), QStringLiteral("test"), QStringLiteral("--device"), QStringLiteral("cpu") });
    QVERIFY(cli.waitForFinished(120000));
    const QString out = QString::fromUtf8(cli.readAllStandardOutput());
    QVERIFY2(cli.exitCode() == 0, qPrintable(out + QString::fromUtf8(cli.readAllStandardError())));
    const QRegularExpressionMatch printed
        = QRegularExpression(QStringLiteral("^\\s*ECE\\s+(\\S+)\\s*$"), QRegularExpression::MultilineOption).match(out);
    QVERIFY2(printed.hasMatch(), qPrintable(out));
    const QString cliEce = printed.captured(1);

    m_view->selectRuns({ m_a });
    m_view->setRequestedSplit(QStringLiteral("test"));
    QVERIFY(settle());
    QCOMPARE(m_view->shownSplit(), QStringLiteral("test"));
    const QString tableEce = metricText(QStringLiteral("Test ECE"), 0);
    const QRegularExpressionMatch shown
        = QRegularExpression(QStringLiteral("ECE (\\d+\\.\\d+)")).match(plot("calibrationPlot")->curveName(0));
    QVERIFY2(shown.hasMatch(), qPrintable(plot("calibrationPlot")->curveName(0)));
    const QString plotEce = shown.captured(1);
    QCOMPARE(tableEce, cliEce);
    QCOMPARE(plotEce, cliEce);
    QVERIFY(child<QLabel>("calibrationCaption")->text().startsWith(QStringLiteral("ECE ") + cliEce));
}

void TestExperiments::renameTagNoteAndDelete()
{
    m_view->selectRuns({ m_b });
    QSignalSpy changed(m_view, &ExperimentsView::runsChanged);
    QVERIFY(m_view->renameRun(m_b, QStringLiteral("beta (lr 5e-3)")));
    QCOMPARE(changed.count(), 1);
    const int row = proxyRowOf(m_b);
    QVERIFY(row >= 0);
    QCOMPARE(runProxy()->index(row, RunTableModel::Name).data().toString(), QStringLiteral("beta (lr 5e-3)"));
    QCOMPARE(m_view->selectedRunIds(), (QList<qint64> { m_b })); // the selection survives

    QVERIFY(m_view->setRunTags(m_b, { QStringLiteral("candidate"), QStringLiteral(" fast ") }));
    QCOMPARE(
        runProxy()->index(proxyRowOf(m_b), RunTableModel::Tags).data().toString(), QStringLiteral("candidate, fast"));
    child<QLineEdit>("runFilter")->setText(QStringLiteral("candid"));
    QCOMPARE(runProxy()->rowCount(), 1);
    child<QLineEdit>("runFilter")->clear();

    QVERIFY(m_view->setRunNotes(m_b, QStringLiteral("Lower learning rate; compare with alpha.")));
    QVERIFY(runProxy()
                ->index(proxyRowOf(m_b), RunTableModel::Name)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("compare with alpha")));

    // An empty name is refused and reported, without a dialog.
    QSignalSpy errors(m_view, &ExperimentsView::errorOccurred);
    QVERIFY(!m_view->renameRun(m_b, QStringLiteral("  ")));
    QCOMPARE(errors.count(), 1);

    // Delete (confirmed, since the view is not interactive).
    QVERIFY(m_view->deleteRuns({ m_b }));
    QCOMPARE(runProxy()->rowCount(), 1);
    QCOMPARE(runModel()->rowOf(m_b), -1);
    QVERIFY(m_view->selectedRunIds().isEmpty());

    auto entries = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(m_b));
    QVERIFY2(entries, qPrintable(entries ? QString() : entries.error()));
    QStringList actions;
    for (const AuditEntry &e : entries.value()) {
        actions.append(e.action);
        QCOMPARE(e.actor, QStringLiteral("dr. test"));
    }
    QVERIFY(actions.contains(QStringLiteral("run.rename")));
    QVERIFY(actions.contains(QStringLiteral("run.tag")));
    QVERIFY(actions.contains(QStringLiteral("run.note")));
    QVERIFY(actions.contains(QStringLiteral("run.delete")));
}

void TestExperiments::runOfAnEndedProcessShowsInterrupted()
{
    // A run left "running" by a process of this host that has ended (here: a finished `true`).
    QProcess gone;
    gone.start(QStringLiteral("true"), {});
    QVERIFY(gone.waitForStarted());
    const qint64 deadPid = gone.processId();
    QVERIFY(gone.waitForFinished());
    RunRepository runs(*m_study);
    RunRecord r;
    r.datasetId = m_dataset;
    r.name = QStringLiteral("killed");
    auto id = runs.create(r);
    QVERIFY2(id, qPrintable(id.error()));
    QSqlQuery q(m_study->database());
    q.prepare(QStringLiteral("UPDATE runs SET status = 'running', owner_host = ?, owner_pid = ? WHERE id = ?"));
    q.addBindValue(QSysInfo::machineHostName());
    q.addBindValue(deadPid);
    q.addBindValue(id.value());
    QVERIFY(q.exec());
    // The runs table shows it as interrupted when it reloads; nobody had to reopen the study.
    RunTableModel *model = runModel();
    m_view->reload();
    const RunTableModel::Row *row = model->rowAt(model->rowOf(id.value()));
    QVERIFY(row);
    QCOMPARE(row->run.status, RunStatus::Interrupted);
    QCOMPARE(runs.run(id.value())->status, RunStatus::Interrupted);
}

void TestExperiments::crossValidationGroupAndAggregate()
{
    // Three folds of a cross-validation as `lepton train --folds 3` stores them: the group in each
    // run's config, the aggregate as an artifact on every run of the group.
    RunRepository runs(*m_study);
    const QString group = QStringLiteral("cv-20261207-022151");
    QList<qint64> folds;
    for (int k = 0; k < 3; ++k) {
        RunRecord r;
        r.datasetId = m_dataset;
        r.name = QStringLiteral("cv fold %1/3").arg(k + 1);
        r.config = QJsonObject { { QStringLiteral("train"),
            QJsonObject { { QStringLiteral("epochs"), 2 }, { QStringLiteral("folds"), 3 },
                { QStringLiteral("fold"), k }, { QStringLiteral("cv_group"), group } } } };
        auto id = runs.create(r);
        QVERIFY2(id, qPrintable(id ? QString() : id.error()));
        QVERIFY(runs.setStatus(id.value(), RunStatus::Completed));
        folds.append(id.value());
    }
    const auto figures = [](double mean, double sd, double lo, double hi) {
        return QJsonObject { { QStringLiteral("mean"), mean }, { QStringLiteral("sd"), sd },
            { QStringLiteral("lo"), lo }, { QStringLiteral("hi"), hi }, { QStringLiteral("n"), 3 },
            { QStringLiteral("values"), QJsonArray { mean - sd, mean, mean + sd } } };
    };
    QJsonArray ids;
    for (qint64 id : folds)
        ids.append(id);
    const QJsonObject aggregate { { QStringLiteral("cv_group"), group }, { QStringLiteral("folds"), 3 },
        { QStringLiteral("runs"), ids },
        { QStringLiteral("val"),
            QJsonObject { { QStringLiteral("auroc"), figures(0.812, 0.034, 0.727, 0.897) },
                { QStringLiteral("ece"), figures(0.04, 0.021, 0.0, 0.092) } } },
        { QStringLiteral("test"),
            QJsonObject { { QStringLiteral("auroc"), figures(0.62, 0.024, 0.56, 0.68) },
                { QStringLiteral("f1"), figures(0.133, 0.231, 0.0, 0.707) } } },
        { QStringLiteral("out_of_fold"), QJsonArray() } };
    for (qint64 id : folds)
        QVERIFY(runs.saveArtifact(id, QStringLiteral("cv"), QStringLiteral("cv_aggregate"), aggregate));
    m_view->reload();

    // The runs table says which runs belong together.
    for (int k = 0; k < 3; ++k) {
        const int row = proxyRowOf(folds[k]);
        QVERIFY(row >= 0);
        QCOMPARE(runProxy()->index(row, RunTableModel::CrossValidation).data().toString(),
            QStringLiteral("%1 · fold %2/3").arg(group).arg(k + 1));
    }
    QCOMPARE(runProxy()->index(proxyRowOf(m_a), RunTableModel::CrossValidation).data().toString(), QString());

    // One fold selected: the Cross-validation tab shows the group's aggregate.
    m_view->selectRuns({ folds[1] });
    QVERIFY(settle());
    auto *summary = child<QLabel>("cvSummary");
    QVERIFY(summary && child<QTableView>("cvTable") && child<QPushButton>("selectCvGroup"));
    QVERIFY(summary->text().contains(group));
    QVERIFY(summary->text().contains(QStringLiteral("3 fold")));
    QStandardItemModel *cv = tableModel("cvTable");
    const auto cell = [cv](const QString &row, int column) {
        for (int r = 0; r < cv->rowCount(); ++r)
            if (cv->verticalHeaderItem(r) && cv->verticalHeaderItem(r)->text() == row)
                return cv->item(r, column) ? cv->item(r, column)->text() : QString();
        return QStringLiteral("(no row %1)").arg(row);
    };
    QCOMPARE(cell(QStringLiteral("Val · AUROC"), 0), QStringLiteral("0.812 ± 0.034"));
    QCOMPARE(cell(QStringLiteral("Val · AUROC"), 1), QStringLiteral("0.727 – 0.897"));
    QCOMPARE(cell(QStringLiteral("Val · AUROC"), 2), QStringLiteral("3"));
    QCOMPARE(cell(QStringLiteral("Val · ECE"), 0), QStringLiteral("0.040 ± 0.021"));
    QCOMPARE(cell(QStringLiteral("Test · AUROC"), 0), QStringLiteral("0.620 ± 0.024"));
    QCOMPARE(cell(QStringLiteral("Test · F1"), 1), QStringLiteral("0.000 – 0.707"));
    QCOMPARE(cv->rowCount(), 4); // metrics not stored are not shown
    QVERIFY(!child<QTableView>("cvTable")->isHidden());

    // "Select its runs" selects the whole group, which brings the tab forward.
    auto *tabs = child<QTabWidget>("compareTabs");
    tabs->setCurrentIndex(0);
    QTest::mouseClick(child<QPushButton>("selectCvGroup"), Qt::LeftButton);
    QVERIFY(settle());
    QList<qint64> selected = m_view->selectedRunIds();
    std::sort(selected.begin(), selected.end());
    QCOMPARE(selected, folds);
    QVERIFY(tabs->currentWidget()->isAncestorOf(child<QTableView>("cvTable")));
    save(QStringLiteral("experiments-cv.png"));

    // A run of its own: no aggregate, and the tab says why.
    m_view->selectRuns({ m_a });
    QVERIFY(settle());
    QVERIFY(child<QTableView>("cvTable")->isHidden());
    QVERIFY(summary->text().contains(QStringLiteral("not a fold")));
    QCOMPARE(cv->rowCount(), 0);

    // The folds' curves: selected together, their mean is drawn with a ± SD band; the band's
    // edges are the mean ± the sample SD of the folds at each epoch.
    for (int k = 0; k < 3; ++k)
        QVERIFY(runs.addMetrics(folds[k],
            { { QStringLiteral("val"), 0, -1, QStringLiteral("loss"), 0.60 + 0.1 * k },
                { QStringLiteral("val"), 1, -1, QStringLiteral("loss"), 0.50 + 0.1 * k } }));
    m_view->selectRuns(folds);
    QVERIFY(settle());
    RunCurvesPlot *plot = curvesPlot();
    QVERIFY(plot->setMetric(QStringLiteral("val:loss")));
    QCOMPARE(plot->graphCount(), 4); // three folds and the mean
    QCOMPARE(plot->bandCount(), 1);
    bool found = false;
    for (int g = 0; g < plot->plot()->graphCount(); ++g) {
        QCPGraph *graph = plot->plot()->graph(g);
        if (graph->brush().style() == Qt::NoBrush || graph->data()->size() != 2)
            continue;
        // Epoch 1: folds 0.6, 0.7, 0.8 → mean 0.7, SD 0.1: the upper edge at 0.8.
        QVERIFY(std::abs(graph->data()->at(0)->value - 0.8) < 1e-9);
        found = true;
    }
    QVERIFY(found);
    // Runs that are not one group: no band.
    m_view->selectRuns({ folds[0], m_a });
    QVERIFY(settle());
    QCOMPARE(curvesPlot()->bandCount(), 0);
}

QTEST_MAIN(TestExperiments)
#include "tst_experiments.moc"
