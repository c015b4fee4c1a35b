// SPDX-License-Identifier: GPL-3.0-or-later
// The analyst's first hour, clicked through the real window under QT_QPA_PLATFORM=offscreen:
// the demo study from the start page, the data view, a tiny training run from the form with
// its live plot and table, cancel, resume, closing during a run, reopening the study.
#include "BackgroundTask.h"
#include "CasePanel.h"
#include "CaseTableModel.h"
#include "DataView.h"
#include "GuiDriver.h"
#include "ImageView.h"
#include "ImportDialog.h"
#include "LossPlot.h"
#include "MainWindow.h"
#include "ReviewView.h"
#include "SeriesPlot.h"
#include "StackedBarChart.h"
#include "StartPage.h"
#include "TinyStudy.h"
#include "TrainingForm.h"
#include "TrainingSession.h"
#include "TrainingView.h"
#include "Unprivileged.h"

#include "service/RunListModel.h"
#include "service/StudySession.h"
#include "store/RunRepository.h"

#include <QApplication>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDoubleSpinBox>
#include <QFile>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <unistd.h>

using namespace lepton;

namespace {
/// The Training view's runs table.
QTableView *runsTable(TrainingView *t)
{
    return gui::child<QTableView>(t, "runsTable");
}

/// The row of a run in the Training view's runs table, or -1.
int runRow(TrainingView *t, qint64 id)
{
    const QAbstractItemModel *runs = runsTable(t)->model();
    for (int r = 0; r < runs->rowCount(); ++r)
        if (runs->index(r, 0).data(RunListModel::RunIdRole).toLongLong() == id)
            return r;
    return -1;
}

/// The status shown for a run in the Training view's runs table.
QString runStatus(TrainingView *t, int row)
{
    return runsTable(t)->model()->index(row, RunListModel::Status).data().toString();
}

/// The Training view's epoch table.
QAbstractItemModel *epochTable(TrainingView *t)
{
    return gui::child<QTableView>(t, "epochTable")->model();
}
} // namespace

class TestWorkbench : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void firstStartCreatesTheDemoStudy();
    void dataViewFiltersSortsAndShowsThumbnails();
    void problemsFilterShowsCasesWithImportWarnings();
    void formRefusesInvalidValues();
    void trainsFromTheFormWithLivePlot();
    void cancelKeepsTheRunAndResumeContinues();
    void closingDuringARunAsksAndCancels();
    void reopeningTheStudyFindsTheRun();
    void droppingAFolderOpensTheImportDialog();
    void droppingAManifestWithoutAStudyCreatesOne();
    void rememberedRecentStudiesAndGeometry();
    void badInputGetsAMessage();
    void runThatCannotStartSaysWhy();
    void closingTheStudyReleasesIt();
    void thumbnailOfAThinImage();
    void aRunTrainedElsewhereShowsLive();
    void readOnlyStudyCanBeLookedAtNotChanged();
    void aDatasetImportedElsewhereJoinsTheLists();

private:
    /// The window on the tiny study, on the Training view, with a tiny model in the form.
    void prepareTinyRun(MainWindow &w, int epochs);
    qint64 newestRun(const QString &studyPath, RunRecord *out = nullptr);
    /// A consistent copy of the tiny study (VACUUM INTO, as it is in WAL mode); empty on failure.
    QString copyOfTiny(const QString &name);

    QTemporaryDir m_dir;
    QString m_tiny; ///< a 64-case study with 32 px images
};

void TestWorkbench::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LeptonTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_workbench"));
    QVERIFY(m_dir.isValid());
    const QString tinyDir = m_dir.filePath(QStringLiteral("tiny"));
    QVERIFY(QDir().mkpath(tinyDir));
    std::shared_ptr<Study> study;
    QVERIFY(tiny::makeStudy(tinyDir, study) > 0);
    m_tiny = study->path();
}

void TestWorkbench::init()
{
    QSettings().clear();
}

void TestWorkbench::prepareTinyRun(MainWindow &w, int epochs)
{
    QVERIFY(w.openStudy(m_tiny));
    w.showView(MainWindow::TrainingPage);
    TrainingView *t = w.trainingView();
    QCOMPARE(gui::child<QComboBox>(t, "datasetBox")->count(), 1);
    gui::child<QSpinBox>(t, "epochsBox")->setValue(epochs);
    gui::child<QSpinBox>(t, "imageSizeBox")->setValue(32);
    gui::child<QSpinBox>(t, "batchBox")->setValue(8);
    gui::child<QSpinBox>(t, "threadsBox")->setValue(1);
    auto *device = gui::child<QComboBox>(t, "deviceBox");
    device->setCurrentIndex(device->findData(QStringLiteral("cpu")));
    auto *preset = gui::child<QComboBox>(t, "presetBox");
    QCOMPARE(preset->currentIndex(), preset->count() - 1); // edited: Custom
}

qint64 TestWorkbench::newestRun(const QString &studyPath, RunRecord *out)
{
    auto study = Study::open(studyPath, Study::Mode::ReadOnly);
    if (!study)
        return 0;
    auto runs = RunRepository(*study.value()).runs();
    if (!runs || runs->empty())
        return 0;
    if (out)
        *out = runs->back();
    return runs->back().id;
}

QString TestWorkbench::copyOfTiny(const QString &name)
{
    const QString copy = m_dir.filePath(name);
    QFile::remove(copy);
    auto study = Study::open(m_tiny, Study::Mode::ReadWrite);
    if (!study)
        return {};
    QSqlQuery q(study.value()->database());
    q.prepare(QStringLiteral("VACUUM INTO ?"));
    q.addBindValue(copy);
    if (!q.exec()) {
        qWarning("%s", qPrintable(q.lastError().text()));
        return {};
    }
    return copy;
}

void TestWorkbench::firstStartCreatesTheDemoStudy()
{
    MainWindow w;
    w.setDemoFolder(m_dir.filePath(QStringLiteral("demo")));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // No study: the start page, the views not reachable.
    QWidget *start = gui::child<QWidget>(&w, "startPage");
    QVERIFY(start->isVisible());
    QVERIFY(!gui::child<QListWidget>(&w, "navigation")->isEnabled());
    QSignalSpy opened(&w, &MainWindow::studyOpened);
    gui::child<QSpinBox>(start, "casesBox")->setValue(120);
    auto *demo = gui::child<QPushButton>(start, "demoButton");
    QTest::mouseClick(demo, Qt::LeftButton);
    QVERIFY(gui::child<BackgroundTask>(&w, "backgroundTask")->isRunning() || opened.count() == 1);
    QVERIFY(!demo->isEnabled() || opened.count() == 1); // busy while it works
    QVERIFY(opened.count() == 1 || opened.wait(120000));
    QCOMPARE(QFileInfo(w.studyPath()).fileName(), QStringLiteral("demo-medical.lepton"));
    QVERIFY(!start->isVisible());
    QVERIFY(w.dataView()->isVisible());
    QCOMPARE(w.dataView()->caseModel()->totalCount(), 120);
    // Class balance and split sizes at a glance.
    auto *chart = gui::child<StackedBarChart>(w.dataView(), "balanceChart");
    QTRY_COMPARE(chart->groupCount(), 2); // normal, abnormal (counted in the background)
    QCOMPARE(chart->total(QStringLiteral("train")) + chart->total(QStringLiteral("val"))
            + chart->total(QStringLiteral("test")),
        120);
    // A second request opens the existing study instead of generating again.
    QVERIFY(w.createDemoStudy(QStringLiteral("medical"), 120));
    QVERIFY(!gui::child<BackgroundTask>(&w, "backgroundTask")->isRunning());
}

void TestWorkbench::dataViewFiltersSortsAndShowsThumbnails()
{
    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(m_tiny));
    DataView *d = w.dataView();
    CaseTableModel *m = d->caseModel();
    QCOMPARE(m->totalCount(), 64);
    QTest::keyClicks(d->filterEdit(), QStringLiteral("T1"));
    QTRY_COMPARE(m->totalCount(), 11); // T1, T10..T19
    QTRY_VERIFY(d->labelBox()->findData(QStringLiteral("yes")) >= 0); // the classes come with the counts
    d->labelBox()->setCurrentIndex(d->labelBox()->findData(QStringLiteral("yes")));
    QTRY_COMPARE(m->totalCount(), 6); // T1, T11, T13, T15, T17, T19
    for (int r = 0; r < m->rowCount(); ++r)
        QCOMPARE(m->caseAt(r)->label, QStringLiteral("yes"));
    d->filterEdit()->clear();
    d->labelBox()->setCurrentIndex(0);
    QTRY_COMPARE(m->totalCount(), 64);

    // Clicking the Case header sorts in SQL, both ways.
    QHeaderView *header = d->caseView()->horizontalHeader();
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
        QPoint(header->sectionViewportPosition(CaseTableModel::CaseId) + 5, header->height() / 2));
    const QString first = m->caseAt(0)->caseKey;
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
        QPoint(header->sectionViewportPosition(CaseTableModel::CaseId) + 5, header->height() / 2));
    const QString firstDescending = m->caseAt(0)->caseKey;
    QCOMPARE(QStringList({ first, firstDescending }), QStringList({ QStringLiteral("T0"), QStringLiteral("T9") }));

    // Open a case by clicking it: the panel shows its image.
    const QRect cell = d->caseView()->visualRect(m->index(0, CaseTableModel::Label));
    QTest::mouseClick(d->caseView()->viewport(), Qt::LeftButton, {}, cell.center());
    QTRY_VERIFY(!d->casePanel()->imageView()->image().isNull());
    QCOMPARE(d->casePanel()->imageView()->image().size(), QSize(32, 32));
    QCOMPARE(d->casePanel()->historyPlot()->seriesCount(), 1); // the event field v
    QCOMPARE(d->casePanel()->historyPlot()->plotCount(), 1); // a small plot per event field

    // The thumbnail grid shows the same cases with their images.
    d->setGridMode(true);
    QVERIFY(d->gridView()->isVisible());
    const QVariant thumb = m->index(0, CaseTableModel::CaseId).data(Qt::DecorationRole);
    QVERIFY(thumb.canConvert<QImage>());
    QCOMPARE(thumb.value<QImage>().size(), QSize(96, 96));
    d->setGridMode(false);
    QVERIFY(!m->index(0, CaseTableModel::CaseId).data(Qt::DecorationRole).isValid());
}

void TestWorkbench::problemsFilterShowsCasesWithImportWarnings()
{
    // An events file with one unreadable row: the case is kept, the row left out, the report
    // names the case, and the Problems filter finds exactly that case.
    const QString dir = m_dir.filePath(QStringLiteral("problems"));
    QVERIFY(QDir().mkpath(dir));
    QByteArray csv = "case_id,label,x\n";
    QByteArray events = "case_id,time,v\n";
    for (int i = 0; i < 30; ++i) {
        csv += QStringLiteral("C%1,%2,%3\n")
                   .arg(i)
                   .arg(i % 2 ? QStringLiteral("a") : QStringLiteral("b"))
                   .arg(i)
                   .toUtf8();
        events += QStringLiteral("C%1,%2,1\n")
                      .arg(i)
                      .arg(i == 7 ? QStringLiteral("yesterday") : QStringLiteral("3"))
                      .toUtf8();
    }
    for (const auto &[name, bytes] : { std::pair { "/m.csv", csv }, std::pair { "/e.csv", events } }) {
        QFile f(dir + QLatin1String(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    ImportOptions o;
    o.manifestPath = dir + QStringLiteral("/m.csv");
    o.eventsPath = dir + QStringLiteral("/e.csv");
    ImportOutcome out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    QCOMPARE(out.report.problems().size(), 1);
    QCOMPARE(out.dataset->cases.size(), std::size_t(30));
    const QString path = dir + QStringLiteral("/p.lepton");
    {
        auto study = Study::open(path, Study::Mode::CreateOrOpen);
        QVERIFY(study);
        QVERIFY(DatasetRepository(*study.value()).save(*out.dataset, out.report));
    }
    MainWindow w;
    QVERIFY(w.openStudy(path));
    DataView *d = w.dataView();
    QCOMPARE(d->caseModel()->totalCount(), 30);
    d->problemsBox()->setCurrentIndex(1);
    QCOMPARE(d->caseModel()->totalCount(), 1);
    QCOMPARE(d->caseModel()->caseAt(0)->caseKey, QStringLiteral("C7"));
    QCOMPARE(d->caseModel()->index(0, CaseTableModel::Problems).data().toInt(), 1);
}

void TestWorkbench::formRefusesInvalidValues()
{
    MainWindow w;
    w.show();
    prepareTinyRun(w, 2);
    TrainingView *t = w.trainingView();
    QSignalSpy errors(t, &TrainingView::errorOccurred);
    // CUDA is greyed with the reason on a build or machine without it.
    auto *devices = qobject_cast<QStandardItemModel *>(gui::child<QComboBox>(t, "deviceBox")->model());
    QVERIFY(devices);
    const bool cudaEnabled = devices->item(2)->isEnabled();
    QVERIFY(cudaEnabled || !devices->item(2)->toolTip().isEmpty());
    QVERIFY(cudaEnabled || gui::child<QLabel>(t, "deviceLabel")->text().startsWith(QStringLiteral("No GPU")));

    const qint64 before = newestRun(m_tiny);
    gui::child<QSpinBox>(t, "imageSizeBox")->setValue(36);
    QTest::mouseClick(gui::child<QPushButton>(t, "startButton"), Qt::LeftButton);
    QCOMPARE(errors.count(), 1);
    auto *problem = gui::child<QLabel>(t, "problemLabel");
    QVERIFY(problem->isVisible());
    QVERIFY(problem->text().startsWith(QStringLiteral("Image size")));
    QVERIFY(gui::closeMessageBox().startsWith(QStringLiteral("Image size"))); // and said in a message box
    QVERIFY(!t->isRunning());
    QCOMPARE(newestRun(m_tiny), before); // nothing recorded

    // A preset fills the form again.
    auto *preset = gui::child<QComboBox>(t, "presetBox");
    preset->setCurrentIndex(0);
    Q_EMIT preset->activated(0);
    QCOMPARE(gui::child<QSpinBox>(t, "epochsBox")->value(), 5);
    QCOMPARE(gui::child<QSpinBox>(t, "imageSizeBox")->value(), 64);
    QCOMPARE(preset->currentIndex(), 0);
}

void TestWorkbench::trainsFromTheFormWithLivePlot()
{
    MainWindow w;
    w.show();
    prepareTinyRun(w, 2);
    TrainingView *t = w.trainingView();
    gui::child<QLineEdit>(t, "nameEdit")->setText(QStringLiteral("from the form"));
    QSignalSpy epochs(t, &TrainingView::epochFinished);
    QSignalSpy finished(t, &TrainingView::runFinished);
    auto *startButton = gui::child<QPushButton>(t, "startButton");
    QTest::mouseClick(startButton, Qt::LeftButton);
    QVERIFY(t->isRunning());
    QVERIFY(!startButton->isEnabled());
    QVERIFY(gui::child<QPushButton>(t, "cancelButton")->isEnabled());
    QVERIFY(!gui::child<QSpinBox>(t, "epochsBox")->isEnabled()); // the form waits while it trains
    QVERIFY(epochs.wait(120000));
    // The first epoch is on the plot and in the table.
    auto *plot = gui::child<LossPlot>(t, "lossPlot");
    QVERIFY(plot->stepPointCount() > 0);
    QCOMPARE(plot->epochPointCount(), 1);
    QCOMPARE(epochTable(t)->rowCount(), 1);
    QCOMPARE(epochTable(t)->index(0, 0).data().toString(), QStringLiteral("1"));
    QVERIFY(finished.count() == 1 || finished.wait(120000));
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("completed"));
    // 64 cases, 70 % train at batch 8: 5 or 6 steps an epoch, all plotted.
    QVERIFY(plot->stepPointCount() >= 10);
    QCOMPARE(plot->epochPointCount(), 2);
    QCOMPARE(epochTable(t)->rowCount(), 2);
    QVERIFY(std::isfinite(plot->bestEpochX()));
    QVERIFY(gui::child<QLabel>(t, "progressLabel")->text().contains(QStringLiteral("completed")));
    // The shipped view measures nothing about itself (the stall probe is tests/bench's).
    QVERIFY(!gui::child<QPlainTextEdit>(t, "logView")->toPlainText().contains(QStringLiteral("GUI thread")));
    RunRecord run;
    QCOMPARE(newestRun(m_tiny, &run), finished.first().at(0).toLongLong());
    QCOMPARE(run.name, QStringLiteral("from the form"));
    QCOMPARE(run.status, RunStatus::Completed);
    // The same trainer as `lepton train`: the form's values are the run's config.
    const QJsonObject train = run.config.value(QStringLiteral("train")).toObject();
    QCOMPARE(train.value(QStringLiteral("epochs")).toInt(), 2);
    QCOMPARE(train.value(QStringLiteral("batch_size")).toInt(), 8);
    QCOMPARE(train.value(QStringLiteral("model")).toObject().value(QStringLiteral("image_size")).toInt(), 32);
    // The runs table lists it.
    QVERIFY(runRow(t, run.id) >= 0);
}

void TestWorkbench::cancelKeepsTheRunAndResumeContinues()
{
    MainWindow w;
    w.show();
    prepareTinyRun(w, 40);
    TrainingView *t = w.trainingView();
    QSignalSpy epochs(t, &TrainingView::epochFinished);
    QSignalSpy finished(t, &TrainingView::runFinished);
    QVERIFY(t->startTraining());
    QVERIFY(epochs.wait(120000));
    QTest::mouseClick(gui::child<QPushButton>(t, "cancelButton"), Qt::LeftButton);
    QVERIFY(finished.count() == 1 || finished.wait(60000));
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("cancelled"));
    const qint64 runId = finished.first().at(0).toLongLong();
    RunRecord run;
    QCOMPARE(newestRun(m_tiny, &run), runId);
    QCOMPARE(run.status, RunStatus::Cancelled);
    {
        auto study = Study::open(m_tiny, Study::Mode::ReadOnly);
        QVERIFY(study);
        QVERIFY(RunRepository(*study.value()).checkpoint(runId, false)); // its checkpoint is usable
    }
    // The cancelled run is selected; Resume continues it from the checkpoint.
    auto *resume = gui::child<QPushButton>(t, "resumeButton");
    QVERIFY(resume->isEnabled());
    const int epochsBefore = epochTable(t)->rowCount();
    QVERIFY(epochsBefore >= 1);
    epochs.clear();
    finished.clear();
    QTest::mouseClick(resume, Qt::LeftButton);
    QVERIFY(t->isRunning());
    QVERIFY(epochs.wait(120000));
    QVERIFY(epochs.first().at(0).toInt() >= epochsBefore); // continues, not from the start
    t->cancelTraining();
    QVERIFY(finished.count() == 1 || finished.wait(60000));
    QCOMPARE(finished.first().at(0).toLongLong(), runId);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("cancelled"));
}

void TestWorkbench::closingDuringARunAsksAndCancels()
{
    {
        // "No": the window stays open and the run goes on.
        MainWindow w;
        w.show();
        prepareTinyRun(w, 40);
        QSignalSpy epochs(w.trainingView(), &TrainingView::epochFinished);
        QVERIFY(w.trainingView()->startTraining());
        QVERIFY(epochs.wait(120000));
        auto question = std::make_shared<QString>();
        gui::answerNextQuestion(QMessageBox::No, question);
        QVERIFY(!w.close());
        QVERIFY2(question->contains(QStringLiteral("training run is in progress")), qPrintable(*question));
        QVERIFY(w.trainingView()->isRunning());
        // "Yes": cancelled cleanly, then closed.
        gui::answerNextQuestion(QMessageBox::Yes);
        QVERIFY(w.close());
        QVERIFY(!w.trainingView()->isRunning());
    }
    RunRecord run;
    QVERIFY(newestRun(m_tiny, &run) > 0);
    QCOMPARE(run.status, RunStatus::Cancelled);
    auto study = Study::open(m_tiny, Study::Mode::ReadOnly);
    QVERIFY(study);
    QVERIFY(RunRepository(*study.value()).checkpoint(run.id, false));
}

void TestWorkbench::reopeningTheStudyFindsTheRun()
{
    RunRecord run;
    QVERIFY(newestRun(m_tiny, &run) > 0);
    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(m_tiny));
    w.showView(MainWindow::TrainingPage);
    TrainingView *t = w.trainingView();
    const int row = runRow(t, run.id);
    QVERIFY(row >= 0);
    QCOMPARE(runStatus(t, row), runStatusName(run.status));
    // Selecting it shows its stored curves and epochs (read in the background).
    QSignalSpy shown(t, &TrainingView::runShown);
    runsTable(t)->selectRow(row);
    QVERIFY(shown.count() == 1 || shown.wait(10000));
    auto *plot = gui::child<LossPlot>(t, "lossPlot");
    QVERIFY(plot->stepPointCount() > 0);
    QVERIFY(plot->epochPointCount() >= 1);
    // An epoch whose validation was cancelled has a row (values "–") but no validation point.
    QVERIFY(epochTable(t)->rowCount() >= plot->epochPointCount());
    QVERIFY(epochTable(t)->rowCount() <= plot->epochPointCount() + 1);
}

void TestWorkbench::droppingAFolderOpensTheImportDialog()
{
    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(m_tiny));
    const QString folder = m_dir.filePath(QStringLiteral("drop"));
    QVERIFY(QDir().mkpath(folder));
    for (const auto &[name, text] : { std::pair { "manifest.csv", "case_id,label,x\nA,p,1\nB,q,2\nC,p,3\n" },
             std::pair { "events.csv", "case_id,time,v\nA,0,1\n" } }) {
        QFile f(folder + QLatin1Char('/') + QLatin1String(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }
    // A real drop event on the window.
    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(folder) });
    QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QTRY_VERIFY(w.importDialog() != nullptr);
    QTRY_VERIFY(w.importDialog()->isVisible());
    const ImportOptions o = w.importDialog()->options();
    QCOMPARE(QFileInfo(o.manifestPath).fileName(), QStringLiteral("manifest.csv"));
    QCOMPARE(QFileInfo(o.eventsPath).fileName(), QStringLiteral("events.csv"));
    // A folder without a manifest is refused with a message.
    const QString empty = m_dir.filePath(QStringLiteral("empty"));
    QVERIFY(QDir().mkpath(empty));
    QVERIFY(!w.handleDroppedPath(empty));
    QVERIFY(gui::closeMessageBox().contains(QStringLiteral("no manifest")));
}

void TestWorkbench::droppingAManifestWithoutAStudyCreatesOne()
{
    const QString folder = m_dir.filePath(QStringLiteral("fresh"));
    QVERIFY(QDir().mkpath(folder));
    QFile f(folder + QStringLiteral("/cases.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("case_id,label,x\nA,p,1\nB,q,2\nC,p,3\nD,q,4\nE,p,5\nF,q,6\n");
    f.close();
    MainWindow w;
    w.show();
    auto question = std::make_shared<QString>();
    gui::answerNextQuestion(QMessageBox::Yes, question);
    QVERIFY(w.handleDroppedPath(f.fileName()));
    QVERIFY2(question->contains(QStringLiteral("No study is open")), qPrintable(*question));
    QCOMPARE(w.studyPath(), QFileInfo(folder + QStringLiteral("/fresh.lepton")).absoluteFilePath());
    ImportDialog *dialog = w.importDialog();
    QVERIFY(dialog);
    QSignalSpy imported(dialog, &ImportDialog::imported);
    dialog->startImport();
    QVERIFY(imported.count() == 1 || imported.wait(30000));
    // The window shows the new dataset.
    QTRY_COMPARE(w.dataView()->datasetBox()->count(), 1);
    QCOMPARE(w.dataView()->caseModel()->totalCount(), 6);
    QCOMPARE(gui::child<QComboBox>(w.trainingView(), "datasetBox")->count(), 1);
}

void TestWorkbench::rememberedRecentStudiesAndGeometry()
{
    QSize saved;
    {
        MainWindow w;
        w.show();
        QVERIFY(w.openStudy(m_tiny));
        // Every view fits a 1280-pixel-wide screen.
        qInfo("minimum window size %dx%d", w.minimumSizeHint().width(), w.minimumSizeHint().height());
        QVERIFY2(w.minimumSizeHint().width() <= 1280, qPrintable(QString::number(w.minimumSizeHint().width())));
        w.resize(1281, 777);
        saved = w.size();
        QVERIFY(w.close());
    }
    MainWindow w;
    QCOMPARE(w.session()->recentStudies().value(0), QFileInfo(m_tiny).absoluteFilePath());
    QCOMPARE(w.size(), saved);
    // The start page lists it; activating it opens the study.
    auto *recent = gui::child<QListWidget>(&w, "recentList");
    QCOMPARE(recent->item(0)->data(Qt::UserRole).toString(), QFileInfo(m_tiny).absoluteFilePath());
    QSignalSpy opened(&w, &MainWindow::studyOpened);
    Q_EMIT recent->itemActivated(recent->item(0));
    QCOMPARE(opened.count(), 1);
    // A study that has gone is refused with a message, and the window keeps working.
    QVERIFY(!w.openStudy(m_dir.filePath(QStringLiteral("gone.lepton"))));
    QVERIFY(gui::closeMessageBox().contains(QStringLiteral("does not exist")));
}

void TestWorkbench::badInputGetsAMessage()
{
    MainWindow w;
    w.show();
    QSignalSpy errors(&w, &MainWindow::errorShown);
    // A dropped file that is neither a study, a manifest nor a folder.
    const QString picture = m_dir.filePath(QStringLiteral("tiny/i0.png"));
    QVERIFY(!w.handleDroppedPath(picture));
    QVERIFY(gui::closeMessageBox().contains(QStringLiteral("neither a study")));
    // A demo folder that cannot be made.
    w.setDemoFolder(QStringLiteral("/proc/lepton-demo"));
    QVERIFY(!w.createDemoStudy(QStringLiteral("medical"), 50));
    QVERIFY(gui::closeMessageBox().contains(QStringLiteral("cannot be created")));
    // Import needs a study.
    QVERIFY(w.showImportDialog() == nullptr);
    QVERIFY(gui::closeMessageBox().contains(QStringLiteral("Open or create a study first")));
    // A CSV is not a study: refused, and nothing else changes.
    const lepton::Status csv = w.openStudy(m_dir.filePath(QStringLiteral("tiny/m.csv")));
    QVERIFY(!csv);
    QCOMPARE(gui::closeMessageBox(), csv.error()); // the message the user sees is the failure's
    QVERIFY(w.studyPath().isEmpty());
    QCOMPARE(errors.count(), 4);
    // A new study refuses to overwrite an existing file.
    QVERIFY(!w.newStudy(m_tiny));
    QVERIFY(gui::closeMessageBox().contains(QStringLiteral("exists already")));
    QVERIFY(gui::closeMessageBox().isEmpty()); // each message once
}

void TestWorkbench::runThatCannotStartSaysWhy()
{
    // Every case of one class: the trainer refuses, the view says why, nothing is recorded.
    const QString dir = m_dir.filePath(QStringLiteral("oneclass"));
    QVERIFY(QDir().mkpath(dir));
    QFile f(dir + QStringLiteral("/m.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("case_id,label,x\nA,p,1\nB,p,2\nC,p,3\nD,p,4\nE,p,5\nF,p,6\n");
    f.close();
    ImportOptions o;
    o.manifestPath = f.fileName();
    ImportOutcome out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    const QString path = dir + QStringLiteral("/one.lepton");
    {
        auto study = Study::open(path, Study::Mode::CreateOrOpen);
        QVERIFY(study);
        auto saved = DatasetRepository(*study.value()).save(*out.dataset, out.report);
        QVERIFY2(saved, qPrintable(saved.error()));
    }
    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(path));
    w.showView(MainWindow::TrainingPage);
    TrainingView *t = w.trainingView();
    gui::child<QSpinBox>(t, "epochsBox")->setValue(1);
    gui::child<QSpinBox>(t, "imageSizeBox")->setValue(32);
    QSignalSpy finished(t, &TrainingView::runFinished);
    QSignalSpy errors(&w, &MainWindow::errorShown);
    QVERIFY(t->startTraining());
    QVERIFY(finished.count() == 1 || finished.wait(60000));
    QCOMPARE(finished.first().at(0).toLongLong(), 0);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("failed"));
    auto *problem = gui::child<QLabel>(t, "problemLabel");
    QVERIFY(problem->isVisible());
    QVERIFY2(problem->text().contains(QStringLiteral("fewer than two classes")), qPrintable(problem->text()));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(gui::closeMessageBox(), problem->text());
    QVERIFY(gui::child<QPushButton>(t, "startButton")->isEnabled()); // the form is usable again
    QCOMPARE(newestRun(path), 0);
}

void TestWorkbench::closingTheStudyReleasesIt()
{
    MainWindow w;
    w.show();
    prepareTinyRun(w, 40);
    TrainingView *t = w.trainingView();
    std::weak_ptr<Study> study = w.session()->study();
    QSignalSpy epochs(t, &TrainingView::epochFinished);
    QVERIFY(t->startTraining());
    QVERIFY(epochs.wait(120000));
    // One writer at a time: no import while a run writes, and a completed or running run is
    // not resumed.
    QVERIFY(w.showImportDialog() == nullptr);
    QVERIFY(gui::closeMessageBox().contains(QStringLiteral("training run is writing")));
    gui::answerNextQuestion(QMessageBox::Yes);
    QVERIFY(w.closeStudy()); // asks (yes), cancels, closes
    QVERIFY(!t->isRunning());
    QVERIFY(gui::child<QWidget>(&w, "startPage")->isVisible());
    // Nothing holds the study any more: its file is released.
    QTRY_VERIFY(study.expired());
    QVERIFY(w.openStudy(m_tiny));
    w.showView(MainWindow::TrainingPage);
    RunRecord completed;
    auto all = RunRepository(*w.session()->study()).runs();
    QVERIFY(all);
    for (const RunRecord &r : all.value())
        if (r.status == RunStatus::Completed)
            completed = r;
    QVERIFY(completed.id > 0);
    runsTable(t)->selectRow(runRow(t, completed.id));
    QVERIFY(!gui::child<QPushButton>(t, "resumeButton")->isEnabled());
    QVERIFY(!t->resumeSelectedRun());
    QVERIFY(gui::child<QLabel>(t, "problemLabel")->text().contains(QStringLiteral("only a cancelled")));
    QVERIFY(gui::closeMessageBox().contains(QStringLiteral("only a cancelled")));
}

void TestWorkbench::thumbnailOfAThinImage()
{
    const QString dir = m_dir.filePath(QStringLiteral("thin"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(cv::imwrite(
        QString(dir + QStringLiteral("/thin.png")).toStdString(), cv::Mat(2000, 8, CV_8UC1, cv::Scalar(200))));
    QFile f(dir + QStringLiteral("/m.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("case_id,label,image\nA,p,thin.png\nB,q,\nC,p,\nD,q,\nE,p,\nF,q,\n");
    f.close();
    ImportOptions o;
    o.manifestPath = f.fileName();
    ImportOutcome out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    const QString path = dir + QStringLiteral("/thin.lepton");
    {
        auto study = Study::open(path, Study::Mode::CreateOrOpen);
        QVERIFY(study);
        QVERIFY(DatasetRepository(*study.value()).save(*out.dataset, out.report));
    }
    MainWindow w;
    QVERIFY(w.openStudy(path));
    DataView *d = w.dataView();
    d->setGridMode(true);
    const QImage thumb = d->caseModel()->index(0, CaseTableModel::CaseId).data(Qt::DecorationRole).value<QImage>();
    QCOMPARE(thumb.height(), 96);
    QVERIFY(thumb.width() >= 1);
    // Without an image: a tile that says so.
    const QImage none = d->caseModel()->index(1, CaseTableModel::CaseId).data(Qt::DecorationRole).value<QImage>();
    QCOMPARE(none.size(), QSize(96, 96));
}

void TestWorkbench::aRunTrainedElsewhereShowsLive()
{
    // The workbench and `lepton train` on one study: the Training view follows the other
    // program's run (it appears, its curve grows, it completes) without being reopened.
    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(m_tiny));
    w.showView(MainWindow::TrainingPage);
    TrainingView *t = w.trainingView();
    const qint64 before = newestRun(m_tiny);

    lepton::TrainConfig c = tiny::config();
    c.epochs = 6;
    const QString config = m_dir.filePath(QStringLiteral("elsewhere.json"));
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(c.toJson()).toJson());
    f.close();
    QProcess cli;
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // About a second per epoch: long enough to watch, on any machine. The step delay is a test hook
    // of lepton-testhooks, the test build's command line (core/util/TestHooks.h, tests/hooks/).
    if (QStringLiteral(LEPTON_CLI_HOOKS).isEmpty())
        QSKIP("the step delay is a test hook: configure with -DLEPTON_TEST_HOOKS=ON (scripts/test does)");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LEPTON_TEST_STEP_DELAY_MS"), QStringLiteral("150"));
    cli.setProcessEnvironment(env);
    cli.start(QStringLiteral(LEPTON_CLI_HOOKS),
        { QStringLiteral("train"), m_tiny, QStringLiteral("--config"), config, QStringLiteral("--name"),
            QStringLiteral("from the terminal"), QStringLiteral("--quiet") });
    QVERIFY(cli.waitForStarted());

    qint64 run = 0;
    QTRY_VERIFY_WITH_TIMEOUT((run = newestRun(m_tiny)) > before && runRow(t, run) >= 0, 30000);
    const int row = runRow(t, run);
    runsTable(t)->selectRow(row);
    auto *plot = gui::child<LossPlot>(t, "lossPlot");
    const int seen = plot->stepPointCount();
    // While it trains, the selected run's stored curve grows in this window.
    QTRY_VERIFY_WITH_TIMEOUT(plot->stepPointCount() > seen || cli.state() == QProcess::NotRunning, 30000);
    const bool grewWhileRunning = cli.state() != QProcess::NotRunning;
    QVERIFY(cli.state() == QProcess::NotRunning || cli.waitForFinished(120000));
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(runRow(t, run) >= 0 && runStatus(t, runRow(t, run)) == QLatin1String("completed"), 10000);
    QVERIFY2(grewWhileRunning, "the curve did not grow while the other process trained");
    QTRY_VERIFY(plot->epochPointCount() >= 1);
}

void TestWorkbench::readOnlyStudyCanBeLookedAtNotChanged()
{
    const QString copy = copyOfTiny(QStringLiteral("readonly.lepton"));
    QVERIFY(!copy.isEmpty());
    auto hash = [&] {
        QFile f(copy);
        return f.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
                                           : QByteArray();
    };
    const QByteArray before = hash();

    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(copy, true));
    QVERIFY2(w.windowTitle().contains(QStringLiteral("(read-only)")), qPrintable(w.windowTitle()));
    QVERIFY(!gui::child<QAction>(&w, "importAction")->isEnabled());
    w.showView(MainWindow::TrainingPage);
    QCOMPARE(gui::child<QComboBox>(w.trainingView(), "datasetBox")->count(), 1); // everything can be looked at
    QVERIFY(!gui::child<QPushButton>(w.trainingView(), "startButton")->isEnabled());
    QVERIFY(!w.trainingView()->startTraining()); // and a start by shortcut is refused with a message
    const QString refusal = gui::closeMessageBox();
    QVERIFY2(refusal.contains(QStringLiteral("read-only")), qPrintable(refusal));
    QVERIFY(!w.reviewView()->acceptButton()->isEnabled());
    w.showView(MainWindow::ExperimentsPage);
    w.showView(MainWindow::DataPage);
    QVERIFY(w.closeStudy());
    QCOMPARE(hash(), before);

    // A file that cannot be written is offered read-only. As root, where permissions do not apply,
    // this function runs again as an ordinary user (tests/Unprivileged.h), which checks it.
    if (unprivileged::isRoot()) {
        LEPTON_RERUN_UNPRIVILEGED();
    } else {
        QVERIFY(QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::ReadGroup));
        gui::answerNextQuestion(QMessageBox::Yes); // "Open it read-only?"
        QVERIFY(w.openStudy(copy));
        QVERIFY(w.windowTitle().contains(QStringLiteral("(read-only)")));
        QVERIFY(w.closeStudy());
        QCOMPARE(hash(), before);
    }
}

void TestWorkbench::aDatasetImportedElsewhereJoinsTheLists()
{
    const QString copy = copyOfTiny(QStringLiteral("imported-elsewhere.lepton"));
    QVERIFY(!copy.isEmpty());
    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(copy));
    w.showView(MainWindow::DataPage);
    QCOMPARE(w.dataView()->datasetBox()->count(), 1);
    const qint64 shown = w.dataView()->currentDatasetId();
    // `lepton import` in a terminal adds a second dataset to the open study.
    const QString tinyDir = m_dir.filePath(QStringLiteral("tiny"));
    QProcess cli;
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cli.start(QStringLiteral(LEPTON_CLI),
        { QStringLiteral("import"), copy, QStringLiteral("--manifest"), tinyDir + QStringLiteral("/m.csv"),
            QStringLiteral("--events"), tinyDir + QStringLiteral("/e.csv"), QStringLiteral("--name"),
            QStringLiteral("second") });
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 0);
    // Within a refresh it is listed; the dataset shown stays shown.
    QTRY_COMPARE_WITH_TIMEOUT(w.dataView()->datasetBox()->count(), 2, 10000);
    QCOMPARE(w.dataView()->currentDatasetId(), shown);
    QCOMPARE(gui::child<QComboBox>(w.trainingView(), "datasetBox")->count(), 2);
}

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
