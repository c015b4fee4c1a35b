// SPDX-License-Identifier: GPL-3.0-or-later
// The heat map widget: a colour bar beside every drawn map, and degenerate maps named instead of
// drawn blank.
#include "HeatmapView.h"

#include <QApplication>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

class TestHeatmapView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesAFlatMap();
    void namesAMapStuckInABorderCell();
    void drawsAnOrdinaryMapWithAColourBar();
    void rightDragReportsWindowChangesAndWheelZooms();
};

namespace {

QImage grey(int size)
{
    QImage img(size, size, QImage::Format_Grayscale8);
    img.fill(90);
    return img;
}

} // namespace

void TestHeatmapView::namesAFlatMap()
{
    QVERIFY(HeatmapView::degenerateReason(QVector<float>(16, 0.0f), 4, 4).startsWith(QStringLiteral("Flat map")));
    QVERIFY(HeatmapView::degenerateReason(QVector<float>(16, 0.25f), 4, 4).startsWith(QStringLiteral("Flat map")));
    HeatmapView view;
    view.setImage(grey(64));
    view.setMap(QVector<float>(16, 0.0f), 4, 4);
    QVERIFY(view.hasMap());
    QVERIFY(view.mapNote().startsWith(QStringLiteral("Flat map")));
    QVERIFY(!view.colourBarVisible());
}

void TestHeatmapView::namesAMapStuckInABorderCell()
{
    // 4×4 map, 60 % of the weight in the top-left corner cell.
    QVector<float> corner(16, 0.4f / 15.0f);
    corner[0] = 0.6f;
    const QString why = HeatmapView::degenerateReason(corner, 4, 4);
    QVERIFY2(why.contains(QStringLiteral("60 %")) && why.contains(QStringLiteral("column 1, row 1")), qPrintable(why));
    // The same peak inside the map is a finding, not a defect.
    QVector<float> inside(16, 0.4f / 15.0f);
    inside[5] = 0.6f;
    QVERIFY(HeatmapView::degenerateReason(inside, 4, 4).isEmpty());
    // A border peak holding less than half the weight is drawn too.
    QVector<float> spread(16, 0.6f / 15.0f);
    spread[3] = 0.4f;
    QVERIFY(HeatmapView::degenerateReason(spread, 4, 4).isEmpty());
}

void TestHeatmapView::drawsAnOrdinaryMapWithAColourBar()
{
    QVector<float> map(16, 0.1f);
    map[5] = 1.0f;
    HeatmapView view;
    view.resize(300, 200);
    view.setImage(grey(64));
    view.setMap(map, 4, 4);
    QVERIFY(view.mapNote().isEmpty());
    QVERIFY(view.colourBarVisible());
    // The bar's top pixel row has the colour map's "high" colour, its bottom the "low" one.
    const QImage shot = view.grab().toImage();
    const QColor high = HeatmapView::colourAt(HeatmapView::ColourMap::Jet, 1.0);
    const QColor low = HeatmapView::colourAt(HeatmapView::ColourMap::Jet, 0.0);
    bool foundHigh = false, foundLow = false;
    for (int x = shot.width() / 2; x < shot.width(); ++x)
        for (int y = 0; y < shot.height(); ++y) {
            const QColor c = shot.pixelColor(x, y);
            foundHigh = foundHigh
                || (qAbs(c.red() - high.red()) < 8 && qAbs(c.green() - high.green()) < 8
                    && qAbs(c.blue() - high.blue()) < 8);
            foundLow = foundLow
                || (qAbs(c.red() - low.red()) < 8 && qAbs(c.green() - low.green()) < 8
                    && qAbs(c.blue() - low.blue()) < 8);
        }
    QVERIFY2(foundHigh && foundLow, "the colour bar shows both ends of the colour map");
    // A caption under the drawn map (the image barely moved p): the map stays, the picture changes.
    view.setCaption(QStringLiteral("this map explains little of the decision"));
    QCOMPARE(view.caption(), QStringLiteral("this map explains little of the decision"));
    QVERIFY(view.colourBarVisible());
    QVERIFY(view.grab().toImage() != shot);
    view.setCaption(QString());
    QCOMPARE(view.grab().toImage(), shot);
    view.setOverlayVisible(false);
    QVERIFY(!view.colourBarVisible());
}

void TestHeatmapView::rightDragReportsWindowChangesAndWheelZooms()
{
    HeatmapView view;
    view.resize(300, 300);
    QImage img(32, 32, QImage::Format_Grayscale8);
    img.fill(100);
    view.setImage(img);
    QSignalSpy dragged(&view, &HeatmapView::windowDragged);
    QSignalSpy reset(&view, &HeatmapView::resetRequested);
    auto send = [&view](QEvent::Type type, QPoint at, Qt::MouseButton button, Qt::MouseButtons held) {
        QMouseEvent e(type, QPointF(at), QPointF(at), button, held, Qt::NoModifier);
        QApplication::sendEvent(&view, &e);
    };
    // Off: a right-drag reports nothing.
    send(QEvent::MouseButtonPress, { 100, 100 }, Qt::RightButton, Qt::RightButton);
    send(QEvent::MouseMove, { 130, 90 }, Qt::NoButton, Qt::RightButton);
    send(QEvent::MouseButtonRelease, { 130, 90 }, Qt::RightButton, Qt::NoButton);
    QCOMPARE(dragged.count(), 0);
    // On: each move reports its movement.
    view.setWindowDragEnabled(true);
    send(QEvent::MouseButtonPress, { 100, 100 }, Qt::RightButton, Qt::RightButton);
    send(QEvent::MouseMove, { 130, 90 }, Qt::NoButton, Qt::RightButton);
    send(QEvent::MouseButtonRelease, { 130, 90 }, Qt::RightButton, Qt::NoButton);
    QCOMPARE(dragged.count(), 1);
    QCOMPARE(dragged.at(0).at(0).toPoint(), QPoint(30, -10));

    QWheelEvent wheel(QPointF(150, 150), QPointF(150, 150), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
        Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    QCOMPARE(view.zoom(), 1.25);
    // Re-windowed (same size, keepView): the zoom stays; a double-click fits it and asks for a reset.
    view.setImage(img, true);
    QCOMPARE(view.zoom(), 1.25);
    QTest::mouseDClick(&view, Qt::LeftButton, {}, QPoint(150, 150));
    QCOMPARE(view.zoom(), 1.0);
    QCOMPARE(reset.count(), 1);
}

QTEST_MAIN(TestHeatmapView)
#include "tst_heatmapview.moc"
