// SPDX-License-Identifier: GPL-3.0-or-later
// Clicks through the workbench window under QT_QPA_PLATFORM=offscreen.
#include "CasePanel.h"
#include "CaseTableModel.h"
#include "DataView.h"
#include "DicomControls.h"
#include "GuiDriver.h"
#include "ImageView.h"
#include "MainWindow.h"

#include "data/Dicom.h"
#include "data/Importer.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

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
    void dicomCaseShowsTagsAndWindows();
    void dicomCaseStartsFromTheDatasetsWindow();

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
                 .arg(i == 1     ? QStringLiteral("scan.dcm")
                         : i < 3 ? QStringLiteral("img.png")
                                 : QString())
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
    // K0001's image: a CT-like DICOM file, values -1000..1000, with a soft-tissue window.
    DicomWriteSpec ct;
    ct.pixels = cv::Mat(64, 64, CV_16SC1);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
            ct.pixels.at<qint16>(y, x) = qint16(-1000 + (2000 * (y * 64 + x)) / (64 * 64 - 1));
    ct.window = true;
    ct.windowCenter = 40;
    ct.windowWidth = 400;
    ct.attributes.insert(QStringLiteral("Modality"), QStringLiteral("CT"));
    ct.attributes.insert(QStringLiteral("BodyPartExamined"), QStringLiteral("CHEST"));
    ct.attributes.insert(QStringLiteral("PatientAge"), QStringLiteral("063Y"));
    ct.attributes.insert(QStringLiteral("PatientID"), QStringLiteral("MRN-0042"));
    const QString written = writeDicom(m_dir.filePath(QStringLiteral("scan.dcm")), ct);
    QVERIFY2(written.isEmpty(), qPrintable(written));
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

namespace {
/// A mouse event with the buttons held, sent straight to `w` (QTest's moves carry no buttons).
void sendMouse(QWidget *w, QEvent::Type type, QPoint at, Qt::MouseButton button, Qt::MouseButtons held)
{
    QMouseEvent e(type, QPointF(at), QPointF(w->mapToGlobal(at)), button, held, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

QString tagValue(QTableWidget *tags, const QString &key)
{
    for (int r = 0; r < tags->rowCount(); ++r)
        if (tags->item(r, 0) && tags->item(r, 0)->text() == key)
            return tags->item(r, 1)->text();
    return QString();
}
} // namespace

void TestMainWindow::dicomCaseShowsTagsAndWindows()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openStudy(m_study));
    CasePanel *panel = w.dataView()->casePanel();
    ImageView *view = panel->imageView();
    DicomControls *dicom = panel->dicomControls();
    // K0000: a PNG, no DICOM controls.
    const QRect first = w.dataView()->caseView()->visualRect(w.dataView()->caseModel()->index(0, 0));
    QTest::mouseClick(w.dataView()->caseView()->viewport(), Qt::LeftButton, {}, first.center());
    QTRY_VERIFY(!view->image().isNull());
    QVERIFY(dicom->isHidden());
    QVERIFY(!view->windowDragEnabled());

    // K0001: the DICOM file, shown with its own window and its key tags beside it.
    QTest::keyClick(w.dataView()->caseView(), Qt::Key_Down);
    QTRY_VERIFY(!dicom->isHidden());
    QCOMPARE(view->image().size(), QSize(64, 64));
    QVERIFY(view->windowDragEnabled());
    auto *label = gui::child<QLabel>(panel, "dicomWindow");
    auto *tags = gui::child<QTableWidget>(panel, "dicomTags");
    QCOMPARE(label->text(), QStringLiteral("W 400 L 40 (dataset)"));
    QCOMPARE(tagValue(tags, QStringLiteral("Modality")), QStringLiteral("CT"));
    QCOMPARE(tagValue(tags, QStringLiteral("BodyPartExamined")), QStringLiteral("CHEST"));
    // Attributes the de-identification profile covers are not shown from the file.
    QVERIFY(tagValue(tags, QStringLiteral("PatientAge")).isEmpty());
    QVERIFY(tagValue(tags, QStringLiteral("PatientID")).isEmpty());
    // The file's window: the darkest quarter of the values is black, the brightest white.
    const QImage before = view->image();
    QCOMPARE(qGray(before.pixel(0, 0)), 0);
    QCOMPARE(qGray(before.pixel(63, 63)), 255);
    const int midBefore = qGray(before.pixel(17, 33));

    // A right-drag: 50 px right widens the window, 20 px down raises the level (4 values a pixel).
    const QPoint c = view->rect().center();
    sendMouse(view, QEvent::MouseButtonPress, c, Qt::RightButton, Qt::RightButton);
    sendMouse(view, QEvent::MouseMove, c + QPoint(25, 10), Qt::NoButton, Qt::RightButton);
    sendMouse(view, QEvent::MouseMove, c + QPoint(50, 20), Qt::NoButton, Qt::RightButton);
    sendMouse(view, QEvent::MouseButtonRelease, c + QPoint(50, 20), Qt::RightButton, Qt::NoButton);
    QCOMPARE(label->text(), QStringLiteral("W 600 L 120"));
    QCOMPARE(dicom->width(), 600.0);
    QCOMPARE(dicom->center(), 120.0);
    QTRY_VERIFY(qGray(view->image().pixel(17, 33)) != midBefore);
    QCOMPARE(view->image().size(), QSize(64, 64));

    // The wheel zooms, and a double-click puts back the file's window and the whole image.
    QWheelEvent wheel(QPointF(c), QPointF(view->mapToGlobal(c)), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
        Qt::NoScrollPhase, false);
    QApplication::sendEvent(view, &wheel);
    QVERIFY(view->zoom() > 1.5);
    QTest::mouseDClick(view, Qt::LeftButton, {}, c);
    QCOMPARE(view->zoom(), 1.0);
    QCOMPARE(label->text(), QStringLiteral("W 400 L 40 (dataset)"));
    QTRY_COMPARE(qGray(view->image().pixel(17, 33)), midBefore);
    // Ctrl+= zooms in as well; the Reset window button is the double-click's twin.
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Equal, Qt::ControlModifier);
    QVERIFY(view->zoom() > 1.0);
    dicom->drag(QPoint(-10, 0));
    QCOMPARE(label->text(), QStringLiteral("W 360 L 40"));
    gui::child<QToolButton>(panel, "resetWindow")->click();
    QCOMPARE(label->text(), QStringLiteral("W 400 L 40 (dataset)"));
    QCOMPARE(view->zoom(), 1.0);

    // Back to a PNG: the controls go, the right button does nothing.
    QTest::keyClick(w.dataView()->caseView(), Qt::Key_Down);
    QTRY_VERIFY(dicom->isHidden());
    QVERIFY(!view->windowDragEnabled());
}

void TestMainWindow::dicomCaseStartsFromTheDatasetsWindow()
{
    // The same files imported with a fixed window of their own: the viewer starts from it, as
    // training sees the image, not from the file's 400/40; Reset window comes back to it.
    ImportOptions o;
    o.manifestPath = m_dir.filePath(QStringLiteral("m.csv"));
    o.eventsPath = m_dir.filePath(QStringLiteral("e.csv"));
    o.dicomWindow = DicomWindow::parse(QStringLiteral("-500,1000")).value();
    ImportOutcome out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    const QString path = m_dir.filePath(QStringLiteral("fixed.lepton"));
    {
        auto study = Study::open(path, Study::Mode::CreateOrOpen);
        QVERIFY(study);
        DatasetRepository repo(*study.value());
        QVERIFY(repo.save(*out.dataset, out.report));
    }
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openStudy(path));
    CasePanel *panel = w.dataView()->casePanel();
    ImageView *view = panel->imageView();
    // As a user would: the first case (a PNG) by a click once the rows are there, then down.
    QTRY_VERIFY(w.dataView()->caseModel()->rowCount() > 2);
    const QRect first = w.dataView()->caseView()->visualRect(w.dataView()->caseModel()->index(0, 0));
    QTest::mouseClick(w.dataView()->caseView()->viewport(), Qt::LeftButton, {}, first.center());
    QTRY_VERIFY(!view->image().isNull());
    QTest::keyClick(w.dataView()->caseView(), Qt::Key_Down);
    QTRY_VERIFY(!panel->dicomControls()->isHidden());
    auto *label = gui::child<QLabel>(panel, "dicomWindow");
    QCOMPARE(label->text(), QStringLiteral("W 1000 L -500 (dataset)"));
    QVERIFY2(label->toolTip().contains(QLatin1String("-500,1000")), qPrintable(label->toolTip()));
    // Values -1000 … 1000 under -1000 … 0: the lower half of the image is white, the first row black.
    QTRY_COMPARE(view->image().size(), QSize(64, 64));
    QTRY_COMPARE(qGray(view->image().pixel(10, 40)), 255);
    QCOMPARE(qGray(view->image().pixel(0, 0)), 0);
    panel->dicomControls()->drag(QPoint(20, 0));
    QVERIFY(!label->text().endsWith(QLatin1String("(dataset)")));
    gui::child<QToolButton>(panel, "resetWindow")->click();
    QCOMPARE(label->text(), QStringLiteral("W 1000 L -500 (dataset)"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
