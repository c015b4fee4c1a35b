// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark (not a test): how long the workbench's GUI thread goes without serving its events
// while a run trains. Opens STUDY in the workbench window, starts a run of EPOCHS epochs from the
// Training view's form (its other defaults) once the window is shown, and runs a 10 ms
// Qt::PreciseTimer on the GUI thread from the start of the run to its end; prints the longest
// interval between two ticks (it includes the 10 ms period itself). The probe lives here, not in
// the shipped view.
#include "MainWindow.h"
#include "TrainingForm.h"
#include "TrainingView.h"

#include "service/StudySession.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LeptonBench"));
    QApplication::setApplicationName(QStringLiteral("lepton_bench_training"));
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s STUDY EPOCHS [-v]\n", argv[0]);
        return 2;
    }
    lepton::StudySession session;
    MainWindow window(&session);
    window.setInteractive(false);
    QObject::connect(&window, &MainWindow::errorShown, &app,
        [](const QString &message) { std::fprintf(stderr, "lepton_bench_training: %s\n", qPrintable(message)); });
    window.resize(1400, 900);
    window.show();
    if (!window.openStudy(QString::fromLocal8Bit(argv[1])))
        return 1;
    window.showView(MainWindow::TrainingPage);
    TrainingView *view = window.trainingView();
    view->form()->setEpochs(QString::fromLocal8Bit(argv[2]).toInt());

    // The probe: a timer that should fire every 10 ms; a longer gap means the GUI thread was busy.
    QTimer probe;
    probe.setInterval(10);
    probe.setTimerType(Qt::PreciseTimer);
    QElapsedTimer clock, sinceStart;
    double worst = 0.0;
    int epochsDone = 0;
    // With a third argument "-v": every gap over 20 ms, when it happened and after which epoch.
    const bool verbose = argc > 3 && qstrcmp(argv[3], "-v") == 0;
    QObject::connect(view, &TrainingView::epochFinished, &app, [&](int epoch) { epochsDone = epoch + 1; });
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const double gap = clock.nsecsElapsed() / 1e6;
        worst = std::max(worst, gap);
        if (verbose && gap > 20.0)
            std::fprintf(
                stderr, "gap %.1f ms at %.2f s, %d epochs done\n", gap, sinceStart.nsecsElapsed() / 1e9, epochsDone);
        clock.restart();
    });
    QObject::connect(view, &TrainingView::runFinished, &app, [&](qint64 runId, const QString &status) {
        probe.stop();
        std::printf("run %lld %s: GUI thread's longest gap between 10 ms probe ticks %.1f ms\n",
            static_cast<long long>(runId), qPrintable(status), worst);
        std::fflush(stdout);
        QApplication::exit(status == QLatin1String("completed") ? 0 : 1);
    });
    // The run starts once the window has been shown and painted: the probe measures training,
    // not the window's first paint.
    QTimer::singleShot(500, &app, [&] {
        clock.start();
        sinceStart.start();
        probe.start();
        if (!view->startTraining())
            QApplication::exit(1);
    });
    return app.exec();
}
