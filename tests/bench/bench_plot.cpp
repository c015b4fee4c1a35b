// SPDX-License-Identifier: GPL-3.0-or-later
// Live training plot benchmark: how fast LossPlot redraws with many train-loss points, both for a
// static plot and while points keep arriving as in training. Measures; asserts nothing.
// Usage: lepton_bench_plot [POINTS...]   (default 100000; tests/bench/bench_plot.sh runs several)
#include "LossPlot.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <random>

namespace {
constexpr int kEpochs = 100;
constexpr int kStaticReplots = 50;
constexpr int kLiveRounds = 200;
constexpr int kLiveBatch = 64;
constexpr double kTargetReplotsPerSecond = 20.0;

struct Result
{
    int points = 0;
    double staticPerSecond = 0.0, staticWorstMs = 0.0;
    double livePerSecond = 0.0, liveWorstMs = 0.0;
};

/// A falling, noisy loss like a real run's, and a rising metric.
class SyntheticRun
{
public:
    double loss(double x)
    {
        const double trend = 1.8 * std::exp(-x / 12.0) + 0.15;
        return std::max(1e-4, trend * (1.0 + 0.35 * m_noise(m_random)));
    }
    double metric(double x) { return 0.95 - 0.4 * std::exp(-x / 15.0) + 0.01 * m_noise(m_random); }

private:
    std::mt19937 m_random { 42 };
    std::normal_distribution<double> m_noise { 0.0, 1.0 };
};

void settle()
{
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
}

Result measure(int points)
{
    Result result;
    result.points = points;
    LossPlot plot;
    plot.setMetricName(QStringLiteral("val AUROC"));
    plot.resize(1200, 500);
    plot.show();
    settle();

    SyntheticRun run;
    const int perEpoch = std::max(1, points / kEpochs);
    int added = 0;
    double bestMetric = -1.0;
    for (int e = 0; e < kEpochs; ++e) {
        const int batches = e == kEpochs - 1 ? points - added : perEpoch;
        QVector<double> x, loss;
        x.reserve(batches);
        loss.reserve(batches);
        for (int b = 0; b < batches; ++b) {
            x.append(e + (b + 1.0) / batches);
            loss.append(run.loss(x.last()));
        }
        plot.addSteps(x, loss);
        added += batches;
        const double metric = run.metric(e + 1.0);
        plot.addEpoch(e + 1.0, run.loss(e + 1.0) * 0.9, metric, metric > bestMetric);
        bestMetric = std::max(bestMetric, metric);
    }
    settle();
    plot.replotNow(); // warm-up: the first replot lays out and caches labels

    QElapsedTimer total, one;
    total.start();
    for (int i = 0; i < kStaticReplots; ++i) {
        one.start();
        plot.replotNow();
        result.staticWorstMs = std::max(result.staticWorstMs, one.nsecsElapsed() / 1e6);
    }
    result.staticPerSecond = kStaticReplots / (total.nsecsElapsed() / 1e9);

    // Live: batches keep arriving after the last epoch, an epoch's validation every few rounds.
    const double stepWidth = 1.0 / perEpoch;
    double x0 = kEpochs;
    total.start();
    for (int round = 0; round < kLiveRounds; ++round) {
        QVector<double> x, loss;
        x.reserve(kLiveBatch);
        loss.reserve(kLiveBatch);
        for (int b = 0; b < kLiveBatch; ++b) {
            x0 += stepWidth;
            x.append(x0);
            loss.append(run.loss(x0));
        }
        one.start();
        plot.addSteps(x, loss);
        if (round % 20 == 19)
            plot.addEpoch(x0, run.loss(x0) * 0.9, run.metric(x0), false);
        plot.replotNow();
        result.liveWorstMs = std::max(result.liveWorstMs, one.nsecsElapsed() / 1e6);
    }
    result.livePerSecond = kLiveRounds / (total.nsecsElapsed() / 1e9);
    return result;
}
} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QList<int> sizes;
    for (int i = 1; i < argc; ++i) {
        bool ok = false;
        const int n = QString::fromLocal8Bit(argv[i]).toInt(&ok);
        if (!ok || n < 1) {
            QTextStream(stderr) << "usage: lepton_bench_plot [POINTS...] (positive counts of train-loss points)\n";
            return 2;
        }
        sizes.append(n);
    }
    if (sizes.isEmpty())
        sizes.append(100000);

    QTextStream out(stdout);
    out << "Live training plot: LossPlot 1200x500, " << kEpochs << " epochs, platform "
        << QGuiApplication::platformName() << "; static: " << kStaticReplots << " replots; live: " << kLiveRounds
        << " rounds of addSteps(" << kLiveBatch << ") + replot\n";
    out << QStringLiteral("%1 %2 %3 %4 %5\n")
               .arg(QStringLiteral("points"), 9)
               .arg(QStringLiteral("static replots/s"), 17)
               .arg(QStringLiteral("worst ms"), 9)
               .arg(QStringLiteral("live replots/s"), 15)
               .arg(QStringLiteral("worst ms"), 9);
    out.flush();
    double slowest = -1.0;
    for (int n : sizes) {
        const Result r = measure(n);
        out << QStringLiteral("%1 %2 %3 %4 %5\n")
                   .arg(r.points, 9)
                   .arg(r.staticPerSecond, 17, 'f', 1)
                   .arg(r.staticWorstMs, 9, 'f', 1)
                   .arg(r.livePerSecond, 15, 'f', 1)
                   .arg(r.liveWorstMs, 9, 'f', 1);
        out.flush();
        const double lower = std::min(r.staticPerSecond, r.livePerSecond);
        slowest = slowest < 0.0 ? lower : std::min(slowest, lower);
    }
    out << QStringLiteral("target: >= %1 replots/s (static and while appending, every size): %2 (slowest %3/s)\n")
               .arg(kTargetReplotsPerSecond, 0, 'f', 0)
               .arg(slowest >= kTargetReplotsPerSecond ? QStringLiteral("met") : QStringLiteral("MISSED"))
               .arg(slowest, 0, 'f', 1);
    return 0;
}
