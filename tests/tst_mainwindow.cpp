// SPDX-License-Identifier: GPL-3.0-or-later
// Clicks through the workbench window under QT_QPA_PLATFORM=offscreen.
#include "CasePanel.h"
#include "CaseTableModel.h"
#include "DataView.h"
#include "GuiDriver.h"
#include "ImageView.h"
#include "MainWindow.h"

#include "data/Importer.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace lepton;

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensStudyAndPagesCases();
    void filtersByTextLabelAndSplit();
    void selectingACaseShowsIt();
    void refusesFileThatIsNotAStudy();

private:
    QTemporaryDir m_dir;
    QString m_study;
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LeptonTest"));
    QByteArray m = "case_id,label,image,age,ward\n";
    QByteArray e = "case_id,time,hr\n";
    for (int i = 0; i < 600; ++i) {
        m += QStringLiteral("K%1,%2,%3,%4,%5\n")
                 .arg(i, 4, 10, QLatin1Char('0'))
                 .arg(i % 3 ? QStringLiteral("normal") : QStringLiteral("abnormal"))
                 .arg(i < 3 ? QStringLiteral("img.png") : QString())
                 .arg(20 + i % 50)
                 .arg(i % 2 ? QStringLiteral("A") : QStringLiteral("B"))
                 .toUtf8();
        if (i < 3)
            for (int t = 0; t < 4; ++t)
                e += QStringLiteral("K%1,%2,%3\n").arg(i, 4, 10, QLatin1Char('0')).arg(t).arg(70 + t).toUtf8();
    }
    cv::Mat img(64, 64, CV_8UC1, cv::Scalar(40));
    cv::circle(img, cv::Point(30, 30), 8, cv::Scalar(220), -1);
    QVERIFY(cv::imwrite(m_dir.filePath(QStringLiteral("img.png")).toStdString(), img));
    for (const auto &[name, bytes] :
        { std::pair { QStringLiteral("m.csv"), m }, std::pair { QStringLiteral("e.csv"), e } }) {
        QFile f(m_dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    ImportOptions o;
    o.manifestPath = m_dir.filePath(QStringLiteral("m.csv"));
    o.eventsPath = m_dir.filePath(QStringLiteral("e.csv"));
    ImportOutcome out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    m_study = m_dir.filePath(QStringLiteral("s.lepton"));
    auto study = Study::open(m_study, Study::Mode::CreateOrOpen);
    QVERIFY(study);
    DatasetRepository repo(*study.value());
    QVERIFY(repo.save(*out.dataset, out.report));
}

void TestMainWindow::opensStudyAndPagesCases()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openStudy(m_study));
    QCOMPARE(gui::child<QComboBox>(w.dataView(), "datasetBox")->count(), 1);
    QCOMPARE(w.dataView()->caseModel()->totalCount(), 600);
    // Only the first page is loaded; scrolling to the end fetches the rest.
    QCOMPARE(w.dataView()->caseModel()->rowCount(), CaseTableModel::PageSize);
    for (int i = 0; i < 5 && w.dataView()->caseModel()->rowCount() < 600; ++i) {
        gui::child<QTableView>(w.dataView(), "caseTable")->scrollToBottom();
        QCoreApplication::processEvents();
    }
    QCOMPARE(w.dataView()->caseModel()->rowCount(), 600);
    QCOMPARE(w.dataView()->caseModel()->index(599, CaseTableModel::CaseId).data().toString(), QStringLiteral("K0599"));
}

void TestMainWindow::filtersByTextLabelAndSplit()
{
    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(m_study));
    auto *filter = gui::child<QLineEdit>(w.dataView(), "filterEdit");
    QTest::keyClicks(filter, QStringLiteral("K001"));
    QTRY_COMPARE(w.dataView()->caseModel()->totalCount(), 10); // K0010..K0019
    filter->clear();
    QTRY_COMPARE(w.dataView()->caseModel()->totalCount(), 600);
    // The label choices come with the dataset's counts, read in the background.
    auto *labels = gui::child<QComboBox>(w.dataView(), "labelBox");
    QTRY_VERIFY(labels->findData(QStringLiteral("abnormal")) >= 0);
    labels->setCurrentIndex(labels->findData(QStringLiteral("abnormal")));
    QCOMPARE(w.dataView()->caseModel()->totalCount(), 200);
    auto *splits = gui::child<QComboBox>(w.dataView(), "splitBox");
    splits->setCurrentIndex(splits->findData(QStringLiteral("train")));
    QCOMPARE(w.dataView()->caseModel()->totalCount(), 140);
    for (int r = 0; r < w.dataView()->caseModel()->rowCount(); ++r)
        QCOMPARE(w.dataView()->caseModel()->caseAt(r)->split, QStringLiteral("train"));
}

void TestMainWindow::selectingACaseShowsIt()
{
    MainWindow w;
    w.show();
    QVERIFY(w.openStudy(m_study));
    // Click the first row (K0000: image and events).
    const QRect cell = w.dataView()->caseView()->visualRect(w.dataView()->caseModel()->index(0, 0));
    QTest::mouseClick(w.dataView()->caseView()->viewport(), Qt::LeftButton, {}, cell.center());
    QTRY_VERIFY(!w.dataView()->casePanel()->imageView()->image().isNull());
    QCOMPARE(w.dataView()->casePanel()->imageView()->image().size(), QSize(64, 64));
    QCOMPARE(w.dataView()->casePanel()->fieldTable()->rowCount(), 2);
    QCOMPARE(w.dataView()->casePanel()->fieldTable()->item(0, 0)->text(), QStringLiteral("age"));
    QCOMPARE(w.dataView()->casePanel()->fieldTable()->item(0, 1)->text(), QStringLiteral("20"));
    // Key down to K0003: no image — the panel says so instead of showing a stale picture.
    for (int i = 0; i < 3; ++i)
        QTest::keyClick(w.dataView()->caseView(), Qt::Key_Down);
    QTRY_VERIFY(w.dataView()->casePanel()->imageView()->image().isNull());
    QVERIFY(w.dataView()->casePanel()->imageView()->message().contains(QStringLiteral("No image")));
}

void TestMainWindow::refusesFileThatIsNotAStudy()
{
    MainWindow w;
    QSignalSpy errors(&w, &MainWindow::errorShown);
    QVERIFY(w.openStudy(m_study));
    QVERIFY(!w.openStudy(m_dir.filePath(QStringLiteral("m.csv"))));
    QCOMPARE(errors.count(), 1);
    // The user reads why in a message box.
    const QString message = gui::closeMessageBox();
    QVERIFY2(message.contains(QStringLiteral("not a Lepton study")), qPrintable(message));
    QCOMPARE(w.studyPath(), QFileInfo(m_study).absoluteFilePath()); // the open study stays open
    QCOMPARE(w.dataView()->caseModel()->totalCount(), 600);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
