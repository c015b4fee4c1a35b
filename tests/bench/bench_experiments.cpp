// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark (not a test): how long the Experiments view keeps the GUI thread busy on a big study
// when a run is chosen and when a confusion-matrix cell is clicked. Prints a table; asserts
// nothing. For comparison it also times, on the GUI thread, the reads the view made there before
// they moved to a worker: every stored prediction of the split (which the reliability diagram
// binned) and the predictions of one cell.
//
// usage: lepton_bench_experiments STUDY [RUN]   (RUN: default the newest run)
#include "ExperimentsView.h"

#include "service/ExperimentService.h"
#include "store/PredictionQuery.h"
#include "store/Study.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>

namespace {

double ms(const QElapsedTimer &t)
{
    return t.nsecsElapsed() / 1e6;
}

/// Runs `start` (timed: the GUI thread's part), then the event loop until `done` and 50 ms more;
/// returns the GUI thread's part, the time until `done` and the longest the event loop went
/// without a turn (showing the result included).
struct Timing
{
    double busy = 0, total = 0, longestStall = 0;
};
Timing measure(const std::function<void()> &start, const std::function<bool()> &done)
{
    Timing t;
    QElapsedTimer clock, sinceTick;
    QTimer tick;
    tick.setInterval(1);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        t.longestStall = std::max(t.longestStall, ms(sinceTick));
        sinceTick.restart();
    });
    clock.start();
    start();
    t.busy = ms(clock);
    t.longestStall = t.busy;
    sinceTick.start();
    tick.start();
    while (!done() && clock.elapsed() < 120000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    t.total = ms(clock);
    QElapsedTimer after;
    after.start();
    while (after.elapsed() < 50)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    tick.stop();
    return t;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STUDY [RUN]\n", argv[0]);
        return 2;
    }
    auto study = lepton::Study::open(QString::fromLocal8Bit(argv[1]), lepton::Study::Mode::ReadOnly);
    if (!study) {
        std::fprintf(stderr, "%s\n", qPrintable(study.error()));
        return 1;
    }
    auto runs = lepton::ExperimentService(*study.value()).runs();
    if (!runs || runs->empty()) {
        std::fprintf(stderr, "no runs: %s\n", qPrintable(runs ? QString() : runs.error()));
        return 1;
    }
    const lepton::RunSummary *run = &runs->back();
    if (argc > 2)
        for (const lepton::RunSummary &r : runs.value())
            if (r.run.id == QByteArray(argv[2]).toLongLong())
                run = &r;
    if (run->classes.size() < 2) {
        std::fprintf(stderr, "run %lld has fewer than two classes\n", static_cast<long long>(run->run.id));
        return 1;
    }

    // The reads the view used to make on the GUI thread.
    lepton::PredictionQuery query(*study.value());
    lepton::PredictionFilter filter;
    filter.runId = run->run.id;
    filter.datasetId = run->run.datasetId;
    filter.split = QStringLiteral("test");
    QElapsedTimer clock;
    clock.start();
    auto count = query.count(filter);
    auto all = query.list(filter);
    const double splitRead = ms(clock);
    filter.label = run->classes.at(1);
    filter.predicted = run->classes.at(1);
    clock.restart();
    auto cell = query.list(filter);
    const double cellRead = ms(clock);

    ExperimentsView view;
    view.setInteractive(false);
    view.resize(1600, 1000);
    view.setStudy(study.value());
    view.show();
    QCoreApplication::processEvents();
    const Timing select = measure([&] { view.selectRuns({ run->run.id }); }, [&] { return !view.isLoading(); });
    const Timing click = measure([&] { view.showCell(1, 1); }, [&] { return !view.isLoading(); });

    std::printf("run %lld, test split: %d stored predictions, cell (%s, %s): %d\n", static_cast<long long>(run->run.id),
        count ? count.value() : -1, qPrintable(run->classes.at(1)), qPrintable(run->classes.at(1)),
        cell ? static_cast<int>(cell->size()) : -1);
    std::printf("%-44s %10s\n", "before: read on the GUI thread", "ms");
    std::printf("%-44s %10.1f\n", "  the split's predictions (reliability)", splitRead);
    std::printf("%-44s %10.1f\n", "  one cell's predictions", cellRead);
    std::printf("%-44s %10s %10s %12s\n", "after: the view", "GUI busy", "shown", "max stall");
    std::printf("%-44s %10.1f %10.1f %12.1f\n", "  choose a run (comparison + results)", select.busy, select.total,
        select.longestStall);
    std::printf(
        "%-44s %10.1f %10.1f %12.1f\n", "  click a cell (its cases)", click.busy, click.total, click.longestStall);
    return all ? 0 : 1;
}
