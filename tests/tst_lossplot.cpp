// SPDX-License-Identifier: GPL-3.0-or-later
#include "LossPlot.h"
#include "QCustomPlotInclude.h"

#include <QCheckBox>
#include <QFile>
#include <QFileDialog>
#include <QImage>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWheelEvent>

#include <cmath>
#include <limits>

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

QVector<double> values(const QCPGraph *graph)
{
    QVector<double> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        out.append(it->value);
    return out;
}

QVector<double> keys(const QCPGraph *graph)
{
    QVector<double> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        out.append(it->key);
    return out;
}

/// Bias-corrected exponential moving average, written out independently of the widget.
QVector<double> expectedEma(const QVector<double> &raw, double f)
{
    QVector<double> out;
    double sum = 0.0, weight = 0.0;
    for (double v : raw) {
        sum = f * sum + (1.0 - f) * v;
        weight = f * weight + (1.0 - f);
        out.append(sum / weight);
    }
    return out;
}

/// A noisy falling loss: `batches` steps of one epoch out of `perEpoch`, starting at epoch `epoch`.
void addNoisyEpoch(LossPlot &plot, int epoch, int perEpoch)
{
    QVector<double> x, loss;
    for (int b = 0; b < perEpoch; ++b) {
        const double t = epoch + (b + 1.0) / perEpoch;
        x.append(t);
        loss.append(2.0 * std::exp(-t / 3.0) + 0.3 * ((b * 7919) % 13 - 6) / 6.0 * std::exp(-t / 5.0) + 0.05);
    }
    plot.addSteps(x, loss);
}

void sendWheel(QWidget *widget, const QPoint &pos, int delta)
{
    QWheelEvent event(QPointF(pos), QPointF(widget->mapToGlobal(pos)), QPoint(), QPoint(0, delta), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(widget, &event);
}

/// Waits (from inside a modal dialog's event loop) for a modal widget of type T and hands it to `act`.
template <typename T, typename Act> void whenModal(Act act)
{
    auto *timer = new QTimer;
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, [timer, act] {
        if (auto *widget = qobject_cast<T *>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            act(widget);
        }
    });
    timer->start();
}

/// Types a file name into a save dialog as a user would (selectFile() leaves a focused name field as
/// it is) and accepts it.
void typeFileName(QFileDialog *dialog, const QString &path)
{
    if (auto *edit = dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit")))
        edit->setText(path);
    else
        dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept() is protected
}

bool allClose(const QVector<double> &a, const QVector<double> &b)
{
    if (a.size() != b.size())
        return false;
    for (int i = 0; i < a.size(); ++i)
        if (std::abs(a[i] - b[i]) > 1e-12 * std::max(1.0, std::abs(b[i])))
            return false;
    return true;
}
} // namespace

class TestLossPlot : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void initialState();
    void addStepsAppends();
    void nonFiniteSkipped();
    void mismatchedSizes();
    void addEpochAndBestMarker();
    void metricAxisRange();
    void metricName();
    void smoothing_data();
    void smoothing();
    void smoothingZeroEqualsRaw();
    void incrementalSmoothingMatchesRecompute();
    void outOfOrderStepsResmooth();
    void sliderDrivesSmoothing();
    void logScale();
    void logScaleWithNonPositiveValues();
    void clearEmptiesEverything();
    void autoRescaleUntilUserZooms();
    void wheelZoomStopsFollowing();
    void updatesQueueOneReplot();
    void exportPng();
    void exportPdf();
    void exportFailures_data();
    void exportFailures();
    void exportButton();
    void exportButtonReportsFailure();
};

void TestLossPlot::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // the file dialog's history stays out of the user's settings
}

void TestLossPlot::initialState()
{
    LossPlot plot;
    QCOMPARE(plot.stepPointCount(), 0);
    QCOMPARE(plot.epochPointCount(), 0);
    QVERIFY(std::isnan(plot.bestEpochX()));
    QCOMPARE(plot.smoothing(), LossPlot::kDefaultSmoothing);
    QCOMPARE(plot.smoothingSlider()->value(), 60);
    QCOMPARE(plot.smoothingSlider()->minimum(), 0);
    QCOMPARE(plot.smoothingSlider()->maximum(), 99);
    QVERIFY(!plot.logScale());
    QVERIFY(!plot.logScaleBox()->isChecked());
    QVERIFY(plot.exportButton());
    QVERIFY(plot.resetZoomButton());
    QCustomPlot *p = plot.plot();
    QVERIFY(p->legend->visible());
    QVERIFY(p->yAxis2->visible());
    QCOMPARE(p->xAxis->label(), QStringLiteral("epoch"));
    QCOMPARE(p->yAxis->label(), QStringLiteral("loss"));
    QCOMPARE(p->yAxis2->range().lower, 0.0);
    QCOMPARE(p->yAxis2->range().upper, 1.0);
    QCOMPARE(plot.metricGraph()->valueAxis(), p->yAxis2);
    QCOMPARE(plot.valLossGraph()->valueAxis(), p->yAxis);
    QVERIFY(!plot.rawGraph()->antialiased());
    QVERIFY(p->interactions().testFlag(QCP::iRangeDrag));
    QVERIFY(p->interactions().testFlag(QCP::iRangeZoom));
    plot.replotNow(); // an empty plot draws
}

void TestLossPlot::addStepsAppends()
{
    LossPlot plot;
    plot.addSteps({ 0.1, 0.2, 0.3 }, { 1.0, 0.9, 0.8 });
    QCOMPARE(plot.stepPointCount(), 3);
    QCOMPARE(plot.smoothedGraph()->dataCount(), 3);
    plot.addSteps({ 0.4, 0.5 }, { 0.7, 0.6 });
    QCOMPARE(plot.stepPointCount(), 5);
    QCOMPARE(plot.smoothedGraph()->dataCount(), 5);
    QCOMPARE(keys(plot.rawGraph()), (QVector<double> { 0.1, 0.2, 0.3, 0.4, 0.5 }));
    QCOMPARE(values(plot.rawGraph()), (QVector<double> { 1.0, 0.9, 0.8, 0.7, 0.6 }));
    plot.addSteps({}, {});
    QCOMPARE(plot.stepPointCount(), 5);
    QCOMPARE(plot.epochPointCount(), 0);
}

void TestLossPlot::nonFiniteSkipped()
{
    LossPlot plot;
    plot.addSteps({ 0.1, 0.2, 0.3, kNaN, 0.5, 0.6 }, { 1.0, kNaN, kInf, 0.5, -kInf, 0.4 });
    QCOMPARE(plot.stepPointCount(), 2);
    QCOMPARE(values(plot.rawGraph()), (QVector<double> { 1.0, 0.4 }));
    for (double v : values(plot.smoothedGraph()))
        QVERIFY(std::isfinite(v));
    plot.addSteps({ 0.7 }, { kNaN });
    QCOMPARE(plot.stepPointCount(), 2);

    plot.addEpoch(1.0, kNaN, 0.7, false);
    QCOMPARE(plot.epochPointCount(), 0);
    QCOMPARE(plot.metricGraph()->dataCount(), 1);
    plot.addEpoch(2.0, 0.5, kNaN, false);
    QCOMPARE(plot.epochPointCount(), 1);
    QCOMPARE(plot.metricGraph()->dataCount(), 1);
    plot.addEpoch(kNaN, 0.5, 0.5, true);
    QCOMPARE(plot.epochPointCount(), 1);
    QVERIFY(std::isnan(plot.bestEpochX()));
    QVERIFY(std::isfinite(plot.plot()->yAxis->range().lower));
    QVERIFY(std::isfinite(plot.plot()->yAxis->range().upper));
    plot.replotNow();
}

void TestLossPlot::mismatchedSizes()
{
    LossPlot plot;
    plot.addSteps({ 0.1, 0.2, 0.3 }, { 1.0, 0.9 });
    QCOMPARE(plot.stepPointCount(), 2);
    plot.addSteps({ 0.4 }, { 0.8, 0.7, 0.6 });
    QCOMPARE(plot.stepPointCount(), 3);
}

void TestLossPlot::addEpochAndBestMarker()
{
    LossPlot plot;
    plot.addEpoch(1.0, 0.50, 0.70, true);
    QCOMPARE(plot.epochPointCount(), 1);
    QCOMPARE(plot.metricGraph()->dataCount(), 1);
    QCOMPARE(plot.bestEpochX(), 1.0);
    plot.addEpoch(2.0, 0.60, 0.65, false);
    QCOMPARE(plot.bestEpochX(), 1.0);
    plot.addEpoch(3.0, 0.40, 0.80, true);
    QCOMPARE(plot.bestEpochX(), 3.0);
    plot.addEpoch(4.0, 0.45, 0.75, false);
    QCOMPARE(plot.bestEpochX(), 3.0);
    QCOMPARE(plot.epochPointCount(), 4);
    QCOMPARE(plot.metricGraph()->dataCount(), 4);
    QCOMPARE(keys(plot.valLossGraph()), (QVector<double> { 1.0, 2.0, 3.0, 4.0 }));
    QCOMPARE(values(plot.valLossGraph()), (QVector<double> { 0.50, 0.60, 0.40, 0.45 }));
    QCOMPARE(values(plot.metricGraph()), (QVector<double> { 0.70, 0.65, 0.80, 0.75 }));
    QCOMPARE(plot.stepPointCount(), 0); // epochs add no train steps

    // The marker item sits at the best epoch once drawn.
    plot.replotNow();
    QCPItemStraightLine *marker = nullptr;
    QCPItemText *label = nullptr;
    for (int i = 0; i < plot.plot()->itemCount(); ++i) {
        if (auto *line = qobject_cast<QCPItemStraightLine *>(plot.plot()->item(i)))
            marker = line;
        if (auto *text = qobject_cast<QCPItemText *>(plot.plot()->item(i)))
            label = text;
    }
    QVERIFY(marker);
    QVERIFY(label);
    QVERIFY(marker->visible());
    QCOMPARE(marker->point1->coords().x(), 3.0);
    QCOMPARE(marker->point2->coords().x(), 3.0);
    QVERIFY(label->text().contains(QStringLiteral("best")));
    QVERIFY(label->text().contains(QStringLiteral("3")));
    // The x range includes the epochs.
    QVERIFY(plot.plot()->xAxis->range().upper >= 4.0);
}

void TestLossPlot::metricAxisRange()
{
    LossPlot plot;
    plot.addEpoch(1.0, 0.5, 0.3, false);
    plot.addEpoch(2.0, 0.4, 0.9, false);
    QCOMPARE(plot.plot()->yAxis2->range().lower, 0.0);
    QCOMPARE(plot.plot()->yAxis2->range().upper, 1.0);
    plot.addEpoch(3.0, 0.3, 5.0, false); // e.g. a regression metric such as MAE
    QVERIFY(plot.plot()->yAxis2->range().upper >= 5.0);
    QVERIFY(plot.plot()->yAxis2->range().lower <= 0.0);
    plot.addEpoch(4.0, 0.3, -2.0, false);
    QVERIFY(plot.plot()->yAxis2->range().lower <= -2.0);
    // The loss axis follows the losses, not the metric.
    QVERIFY(plot.plot()->yAxis->range().upper < 1.0);
}

void TestLossPlot::metricName()
{
    LossPlot plot;
    plot.setMetricName(QStringLiteral("val AUROC"));
    QCOMPARE(plot.metricName(), QStringLiteral("val AUROC"));
    QCOMPARE(plot.metricGraph()->name(), QStringLiteral("val AUROC"));
    QCOMPARE(plot.plot()->yAxis2->label(), QStringLiteral("val AUROC"));
}

void TestLossPlot::smoothing_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<double>("expected");
    QTest::newRow("0.3") << 0.3 << 0.3;
    QTest::newRow("0.6") << 0.6 << 0.6;
    QTest::newRow("0.9") << 0.9 << 0.9;
    QTest::newRow("0.99") << 0.99 << 0.99;
    QTest::newRow("above the maximum") << 1.5 << 0.99;
    QTest::newRow("negative") << -1.0 << 0.0;
    QTest::newRow("NaN") << kNaN << 0.0;
}

void TestLossPlot::smoothing()
{
    QFETCH(double, factor);
    QFETCH(double, expected);
    LossPlot plot;
    QVector<double> x, raw;
    for (int i = 0; i < 50; ++i) {
        x.append((i + 1) / 10.0);
        raw.append(i % 2 ? 1.0 : 0.0); // alternating: smoothing shows plainly
    }
    plot.addSteps(x, raw);
    const QVector<double> before = values(plot.smoothedGraph());
    plot.setSmoothing(factor);
    QCOMPARE(plot.smoothing(), expected);
    QCOMPARE(plot.smoothingSlider()->value(), qRound(expected * 100));
    const QVector<double> after = values(plot.smoothedGraph());
    QCOMPARE(after.size(), raw.size());
    QCOMPARE(keys(plot.smoothedGraph()), x);
    QVERIFY(allClose(after, expectedEma(raw, expected)));
    if (expected != LossPlot::kDefaultSmoothing)
        QVERIFY(!allClose(after, before));
    // Stronger smoothing: less spread between consecutive points at the end.
    if (expected > 0.0)
        QVERIFY(std::abs(after[49] - after[48]) < 1.0);
    QVERIFY(plot.smoothedGraph()->name().contains(QString::number(expected, 'f', 2)));
}

void TestLossPlot::smoothingZeroEqualsRaw()
{
    LossPlot plot;
    plot.setSmoothing(0.0);
    addNoisyEpoch(plot, 0, 100);
    addNoisyEpoch(plot, 1, 100);
    QCOMPARE(values(plot.smoothedGraph()), values(plot.rawGraph()));
    plot.setSmoothing(0.8);
    QVERIFY(values(plot.smoothedGraph()) != values(plot.rawGraph()));
    plot.setSmoothing(0.0);
    QCOMPARE(values(plot.smoothedGraph()), values(plot.rawGraph()));
    QCOMPARE(keys(plot.smoothedGraph()), keys(plot.rawGraph()));
}

void TestLossPlot::incrementalSmoothingMatchesRecompute()
{
    LossPlot plot;
    plot.setSmoothing(0.8);
    for (int e = 0; e < 5; ++e)
        addNoisyEpoch(plot, e, 37);
    const QVector<double> incremental = values(plot.smoothedGraph());
    QVERIFY(allClose(incremental, expectedEma(values(plot.rawGraph()), 0.8)));
    plot.setSmoothing(0.5);
    plot.setSmoothing(0.8); // full recompute
    QVERIFY(allClose(values(plot.smoothedGraph()), incremental));
    // Appending after a recompute continues the same average.
    addNoisyEpoch(plot, 5, 37);
    QVERIFY(allClose(values(plot.smoothedGraph()), expectedEma(values(plot.rawGraph()), 0.8)));
}

void TestLossPlot::outOfOrderStepsResmooth()
{
    LossPlot plot;
    plot.setSmoothing(0.5);
    plot.addSteps({ 0.3, 0.4 }, { 3.0, 4.0 });
    plot.addSteps({ 0.1, 0.2 }, { 1.0, 2.0 });
    plot.addSteps({ 0.6, 0.5 }, { 6.0, 5.0 });
    QCOMPARE(keys(plot.rawGraph()), (QVector<double> { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }));
    QCOMPARE(keys(plot.smoothedGraph()), keys(plot.rawGraph()));
    QVERIFY(allClose(values(plot.smoothedGraph()), expectedEma({ 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, 0.5)));
}

void TestLossPlot::sliderDrivesSmoothing()
{
    LossPlot plot;
    plot.addSteps({ 0.1, 0.2, 0.3 }, { 1.0, 0.0, 1.0 });
    plot.smoothingSlider()->setValue(30);
    QCOMPARE(plot.smoothing(), 0.3);
    QVERIFY(allClose(values(plot.smoothedGraph()), expectedEma({ 1.0, 0.0, 1.0 }, 0.3)));
    plot.smoothingSlider()->setValue(0);
    QCOMPARE(values(plot.smoothedGraph()), values(plot.rawGraph()));
    plot.setSmoothing(0.75);
    QCOMPARE(plot.smoothingSlider()->value(), 75);
    plot.smoothingSlider()->setFocus();
    QTest::keyClick(plot.smoothingSlider(), Qt::Key_Right);
    QCOMPARE(plot.smoothing(), 0.76);
}

void TestLossPlot::logScale()
{
    LossPlot plot;
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    addNoisyEpoch(plot, 0, 50);
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLinear);
    plot.setLogScale(true);
    QVERIFY(plot.logScale());
    QVERIFY(plot.logScaleBox()->isChecked());
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(plot.plot()->yAxis->range().lower > 0.0);
    QVERIFY(!plot.userZoomed()); // switching scale is not a zoom
    QCOMPARE(plot.plot()->yAxis2->scaleType(), QCPAxis::stLinear); // the metric stays linear
    plot.replotNow();

    QTest::mouseClick(plot.logScaleBox(), Qt::LeftButton);
    QVERIFY(!plot.logScale());
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLinear);
    QTest::mouseClick(plot.logScaleBox(), Qt::LeftButton);
    QVERIFY(plot.logScale());
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    plot.setLogScale(false);
    QVERIFY(!plot.logScaleBox()->isChecked());
}

void TestLossPlot::logScaleWithNonPositiveValues()
{
    LossPlot plot;
    plot.resize(800, 400);
    plot.setLogScale(true);
    plot.replotNow(); // empty, log
    plot.addSteps({ 0.1, 0.2, 0.3 }, { 0.0, -1.0, 0.0 });
    plot.addEpoch(1.0, -0.5, 0.5, true);
    plot.replotNow();
    QVERIFY(plot.plot()->yAxis->range().lower > 0.0);
    plot.addSteps({ 0.4, 0.5 }, { 0.5, 0.25 });
    plot.replotNow();
    QVERIFY(plot.plot()->yAxis->range().lower > 0.0);
    QVERIFY(plot.plot()->yAxis->range().lower <= 0.25);
    QVERIFY(plot.plot()->yAxis->range().upper >= 0.5);
    plot.setLogScale(false);
    QVERIFY(plot.plot()->yAxis->range().lower <= -1.0);
    plot.replotNow();
}

void TestLossPlot::clearEmptiesEverything()
{
    LossPlot plot;
    addNoisyEpoch(plot, 0, 20);
    plot.addEpoch(1.0, 0.5, 0.7, true);
    plot.plot()->xAxis->setRange(0.2, 0.4);
    QVERIFY(plot.userZoomed());
    plot.clear();
    QCOMPARE(plot.stepPointCount(), 0);
    QCOMPARE(plot.epochPointCount(), 0);
    QCOMPARE(plot.smoothedGraph()->dataCount(), 0);
    QCOMPARE(plot.metricGraph()->dataCount(), 0);
    QVERIFY(std::isnan(plot.bestEpochX()));
    QVERIFY(!plot.userZoomed());
    QCOMPARE(plot.plot()->xAxis->range().lower, 0.0);
    QCOMPARE(plot.plot()->xAxis->range().upper, 1.0);
    plot.replotNow();
    for (int i = 0; i < plot.plot()->itemCount(); ++i)
        QVERIFY(!plot.plot()->item(i)->visible());
    // Usable again after clear, with the smoothing starting afresh.
    plot.setSmoothing(0.9);
    plot.addSteps({ 0.1 }, { 2.0 });
    QCOMPARE(values(plot.smoothedGraph()), (QVector<double> { 2.0 }));
}

void TestLossPlot::autoRescaleUntilUserZooms()
{
    LossPlot plot;
    addNoisyEpoch(plot, 0, 20);
    QVERIFY(!plot.userZoomed());
    QVERIFY(plot.plot()->xAxis->range().upper >= 1.0);
    addNoisyEpoch(plot, 1, 20);
    QVERIFY(plot.plot()->xAxis->range().upper >= 2.0);

    plot.plot()->xAxis->setRange(0.5, 0.8); // like a drag or a wheel zoom
    QVERIFY(plot.userZoomed());
    addNoisyEpoch(plot, 2, 20);
    plot.addEpoch(3.0, 0.2, 0.9, true);
    QCOMPARE(plot.plot()->xAxis->range().lower, 0.5);
    QCOMPARE(plot.plot()->xAxis->range().upper, 0.8);

    QTest::mouseClick(plot.resetZoomButton(), Qt::LeftButton);
    QVERIFY(!plot.userZoomed());
    QCOMPARE(plot.plot()->xAxis->range().lower, 0.0);
    QVERIFY(plot.plot()->xAxis->range().upper >= 3.0);
    addNoisyEpoch(plot, 3, 20);
    QVERIFY(plot.plot()->xAxis->range().upper >= 4.0);
}

void TestLossPlot::wheelZoomStopsFollowing()
{
    LossPlot plot;
    plot.resize(800, 400);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    addNoisyEpoch(plot, 0, 20);
    plot.replotNow();
    const QCPRange before = plot.plot()->xAxis->range();
    sendWheel(plot.plot(), plot.plot()->axisRect()->rect().center(), 120);
    QVERIFY(plot.userZoomed());
    QVERIFY(plot.plot()->xAxis->range().size() < before.size());
    const QCPRange zoomed = plot.plot()->xAxis->range();
    addNoisyEpoch(plot, 1, 20);
    QCOMPARE(plot.plot()->xAxis->range().lower, zoomed.lower);
    QCOMPARE(plot.plot()->xAxis->range().upper, zoomed.upper);
    plot.resetZoom();
    QVERIFY(plot.plot()->xAxis->range().upper >= 2.0);
}

void TestLossPlot::updatesQueueOneReplot()
{
    LossPlot plot;
    plot.resize(800, 400);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    QCoreApplication::processEvents();
    QSignalSpy replots(plot.plot(), &QCustomPlot::afterReplot);
    for (int e = 0; e < 10; ++e) {
        addNoisyEpoch(plot, e, 64);
        plot.addEpoch(e + 1.0, 0.5, 0.5, e == 3);
    }
    QCOMPARE(replots.count(), 0);
    QTRY_COMPARE(replots.count(), 1);
    QTest::qWait(50);
    QCOMPARE(replots.count(), 1);
}

void TestLossPlot::exportPng()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    LossPlot plot; // never shown: exports at a default size
    for (int e = 0; e < 4; ++e) {
        addNoisyEpoch(plot, e, 50);
        plot.addEpoch(e + 1.0, 0.6 - 0.05 * e, 0.6 + 0.05 * e, true);
    }
    for (const QString &name : { QStringLiteral("curves.png"), QStringLiteral("CURVES.PNG") }) {
        const QString path = dir.filePath(name);
        QString error;
        QVERIFY2(plot.exportTo(path, &error), qPrintable(error));
        QImage image(path);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 0);
        QVERIFY(image.height() > 0);
        // Not a blank page: some pixels differ from the background.
        const QRgb corner = image.pixel(0, 0);
        bool drawn = false;
        for (int y = 0; y < image.height() && !drawn; y += 7)
            for (int x = 0; x < image.width() && !drawn; x += 7)
                drawn = image.pixel(x, y) != corner;
        QVERIFY(drawn);
    }
}

void TestLossPlot::exportPdf()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    LossPlot plot;
    addNoisyEpoch(plot, 0, 50);
    plot.addEpoch(1.0, 0.6, 0.7, true);
    const QString path = dir.filePath(QStringLiteral("curves.pdf"));
    QString error;
    QVERIFY2(plot.exportTo(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.size() > 100);
    QCOMPARE(file.read(4), QByteArrayLiteral("%PDF"));
}

void TestLossPlot::exportFailures_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("missing folder") << QStringLiteral("/nonexistent-dir/x.png");
    QTest::newRow("missing folder, pdf") << QStringLiteral("/nonexistent-dir/x.pdf");
    QTest::newRow("unknown suffix") << QStringLiteral("%1/plot.xyz");
    QTest::newRow("no suffix") << QStringLiteral("%1/plot");
    QTest::newRow("a folder") << QStringLiteral("%1/folder.png");
}

void TestLossPlot::exportFailures()
{
    QFETCH(QString, path);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("folder.png")));
    if (path.contains(QLatin1String("%1")))
        path = path.arg(dir.path());
    LossPlot plot;
    addNoisyEpoch(plot, 0, 10);
    QString error;
    QVERIFY(!plot.exportTo(path, &error));
    QVERIFY2(error.contains(QDir::toNativeSeparators(path)), qPrintable(error));
    QVERIFY(!plot.exportTo(path)); // no message wanted: still false, no crash
}

void TestLossPlot::exportButton()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    LossPlot plot;
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    addNoisyEpoch(plot, 0, 20);
    // No suffix typed: the chosen filter's (PNG) is added.
    const QString typed = dir.filePath(QStringLiteral("clicked"));
    whenModal<QFileDialog>([typed](QFileDialog *dialog) { typeFileName(dialog, typed); });
    QTest::mouseClick(plot.exportButton(), Qt::LeftButton);
    QVERIFY(!QImage(typed + QStringLiteral(".png")).isNull());
}

void TestLossPlot::exportButtonReportsFailure()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    LossPlot plot;
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    const QString typed = dir.filePath(QStringLiteral("plot.xyz"));
    QString warning;
    whenModal<QFileDialog>([typed, &warning](QFileDialog *dialog) {
        whenModal<QMessageBox>([&warning](QMessageBox *box) {
            warning = box->text();
            box->accept();
        });
        typeFileName(dialog, typed);
    });
    QTest::mouseClick(plot.exportButton(), Qt::LeftButton);
    QVERIFY2(warning.contains(QDir::toNativeSeparators(typed)), qPrintable(warning));
    QVERIFY(!QFile::exists(typed));
}

QTEST_MAIN(TestLossPlot)
#include "tst_lossplot.moc"
