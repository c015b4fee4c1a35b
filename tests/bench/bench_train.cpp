// SPDX-License-Identifier: GPL-3.0-or-later
//
// lepton_bench_train: end-to-end training throughput (decode + augment + collate + forward +
// backward + AdamW step), batch-1 prediction latency (decode + encode + forward) and peak memory
// of the C++ pipeline. tests/bench/bench_train.sh runs it next to the Python reference
// (reference_train.py) and prints the comparison. A benchmark: it measures, it never asserts,
// and it is not registered with CTest.
//
// The set-up copies what Trainer.cpp's prepare() and runEpochs() do (model shape from the
// dataset's FeatureSpec, class weights, AdamW, cosine schedule, clipping), without writing
// anything to the study.

#include "dataset/BatchLoader.h"
#include "dataset/ImageAugmenter.h"
#include "dataset/MultimodalDataset.h"
#include "model/FusionNet.h"
#include "store/Study.h"
#include "train/TrainConfig.h"
#include "util/Threads.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <opencv2/core.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

using namespace lepton;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct BenchOptions
{
    QString study;
    qint64 datasetId = 0;
    int steps = 60;
    int warmupSteps = 3;
    int batchSize = 32;
    int threads = 0;
    int workers = 2;
    bool cache = false;
    int latencyCases = 100;
    bool json = false;
    bool profile = false;
    bool channelsLast = false; ///< experiment: NHWC convolutions (what the app does not do yet)
};

/// Where the time of the timed training steps went, summed in milliseconds.
struct StepPhases
{
    double wait = 0.0; ///< blocked in BatchLoader::next() (the loader did not keep up)
    double forward = 0.0; ///< forward pass and loss
    double backward = 0.0;
    double optimizer = 0.0; ///< zero_grad, gradient clipping and the AdamW step
    double other = 0.0; ///< learning rate, Batch::to and the trainer's per-step bookkeeping
};

/// A value of the kernel's status file ("VmHWM", "VmRSS") in MiB; -1 when unreadable.
double procStatusMiB(const char *key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return -1.0;
    const QByteArray prefix = QByteArray(key) + ':';
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return -1.0;
}

/// The q-quantile with linear interpolation between ranks (numpy's default), so that both
/// sides of the comparison compute it the same way.
double quantile(std::vector<double> v, double q)
{
    if (v.empty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

/// The model's shape from the data, as Trainer.cpp's prepare() sets it.
ModelConfig modelConfigFor(const FeatureSpec &fs, ModelConfig mc)
{
    mc.imageChannels = fs.imageChannels;
    mc.imageSize = fs.imageSize;
    mc.numClasses = static_cast<int>(fs.classes.size());
    mc.eventWidth = fs.eventWidth();
    mc.fieldCategories.clear();
    for (const FieldEncoding &f : fs.recordFields)
        mc.fieldCategories.push_back(f.type == FieldType::Categorical ? static_cast<int>(f.categories.size()) : 0);
    return mc;
}

/// The settings that must be equal on both sides of the comparison (reference_train.py prints the
/// same object), in TrainConfig's JSON names: bench_train.sh warns when they differ.
QJsonObject comparedSettings(const TrainConfig &c)
{
    const QJsonObject all = c.toJson();
    QJsonObject out;
    for (const char *key : { "epochs", "lr", "weight_decay", "max_grad_norm", "max_events", "augment" })
        out.insert(QLatin1String(key), all.value(QLatin1String(key)));
    out.insert(QStringLiteral("model"), c.model.toJson());
    return out;
}

/// Cosine schedule with a short linear warm-up, as the trainer uses it.
double learningRate(const TrainConfig &c, int step, int totalSteps)
{
    const int warmup = std::max(1, std::min(100, totalSteps / 20));
    if (step < warmup)
        return c.learningRate * (step + 1) / warmup;
    const double progress = static_cast<double>(step - warmup) / std::max(1, totalSteps - warmup);
    return c.learningRate * (0.02 + 0.98 * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress))));
}

std::optional<BenchOptions> parseOptions(const QCoreApplication &app)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Training throughput, batch-1 latency and peak memory of Lepton's C++ pipeline."));
    p.addHelpOption();
    const QCommandLineOption study(QStringLiteral("study"), QStringLiteral("The study file."), QStringLiteral("FILE"));
    const QCommandLineOption dataset(QStringLiteral("dataset"), QStringLiteral("Dataset id (default 1)."),
        QStringLiteral("ID"), QStringLiteral("1"));
    const QCommandLineOption steps(QStringLiteral("steps"), QStringLiteral("Timed training steps (default 60)."),
        QStringLiteral("N"), QStringLiteral("60"));
    const QCommandLineOption warmup(QStringLiteral("warmup"), QStringLiteral("Untimed steps before them (default 3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption batch(QStringLiteral("batch-size"), QStringLiteral("Batch size (default 32)."),
        QStringLiteral("B"), QStringLiteral("32"));
    const QCommandLineOption threads(QStringLiteral("threads"),
        QStringLiteral("LibTorch intra-op threads (default: all cores)."), QStringLiteral("T"), QStringLiteral("0"));
    const QCommandLineOption workers(QStringLiteral("workers"), QStringLiteral("Loader threads (default 2)."),
        QStringLiteral("W"), QStringLiteral("2"));
    const QCommandLineOption cache(QStringLiteral("cache"), QStringLiteral("Image cache: on or off (default off)."),
        QStringLiteral("on|off"), QStringLiteral("off"));
    const QCommandLineOption latency(QStringLiteral("latency-cases"),
        QStringLiteral("Cases for batch-1 latency (default 100)."), QStringLiteral("K"), QStringLiteral("100"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print one JSON line."));
    const QCommandLineOption profile(
        QStringLiteral("profile"), QStringLiteral("Also time the phases of a step and of the data pipeline."));
    const QCommandLineOption channelsLast(QStringLiteral("channels-last"),
        QStringLiteral("Experiment: convolution weights and images in channels-last (NHWC) memory format."));
    for (const auto &o :
        { study, dataset, steps, warmup, batch, threads, workers, cache, latency, json, profile, channelsLast })
        p.addOption(o);
    p.process(app);

    BenchOptions o;
    o.study = p.value(study);
    bool ok[7] = {};
    o.datasetId = p.value(dataset).toLongLong(&ok[0]);
    o.steps = p.value(steps).toInt(&ok[1]);
    o.warmupSteps = p.value(warmup).toInt(&ok[2]);
    o.batchSize = p.value(batch).toInt(&ok[3]);
    o.threads = p.value(threads).toInt(&ok[4]);
    o.workers = p.value(workers).toInt(&ok[5]);
    o.latencyCases = p.value(latency).toInt(&ok[6]);
    o.json = p.isSet(json);
    o.profile = p.isSet(profile);
    o.channelsLast = p.isSet(channelsLast);
    const QString c = p.value(cache);
    if (o.study.isEmpty() || !std::all_of(std::begin(ok), std::end(ok), [](bool b) { return b; }) || o.steps < 1
        || o.warmupSteps < 0 || o.batchSize < 1 || o.workers < 1 || o.latencyCases < 0
        || (c != QLatin1String("on") && c != QLatin1String("off"))) {
        std::fprintf(stderr,
            "usage: lepton_bench_train --study FILE [--dataset ID] [--steps N] [--batch-size B] "
            "[--threads T] [--workers W] [--cache on|off] [--latency-cases K] [--json] [--profile] "
            "[--channels-last]\n");
        return std::nullopt;
    }
    o.cache = c == QLatin1String("on");
    return o;
}

/// Self time per operator (LibTorch's autograd profiler), summed over every thread's events,
/// largest first: where the compute of a training step goes.
QJsonArray operatorTimes(const torch::autograd::profiler::thread_event_lists &lists, int steps, int top)
{
    using torch::autograd::profiler::EventKind;
    using torch::autograd::profiler::LegacyEvent;
    struct Sum
    {
        double selfUs = 0.0;
        std::int64_t calls = 0;
    };
    std::map<std::string, Sum> sums;
    for (const auto &events : lists) {
        struct Open
        {
            const LegacyEvent *push;
            double childrenUs;
        };
        std::vector<Open> open;
        for (const LegacyEvent &e : events) {
            if (e.kind() == EventKind::PushRange) {
                open.push_back({ &e, 0.0 });
            } else if (e.kind() == EventKind::PopRange && !open.empty()) {
                const Open o = open.back();
                open.pop_back();
                const double us = o.push->cpuElapsedUs(e);
                Sum &sum = sums[o.push->name()];
                sum.selfUs += us - o.childrenUs;
                ++sum.calls;
                if (!open.empty())
                    open.back().childrenUs += us;
            }
        }
    }
    std::vector<std::pair<std::string, Sum>> sorted(sums.begin(), sums.end());
    std::sort(
        sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second.selfUs > b.second.selfUs; });
    QJsonArray out;
    for (std::size_t i = 0; i < sorted.size() && static_cast<int>(i) < top; ++i)
        out.append(QJsonObject { { QStringLiteral("op"), QString::fromStdString(sorted[i].first) },
            { QStringLiteral("self_ms"), sorted[i].second.selfUs / 1000.0 / steps },
            { QStringLiteral("calls"), static_cast<double>(sorted[i].second.calls) / steps } });
    return out;
}

/// Times the pieces of the data pipeline on this thread alone: image() (read + decode + resize +
/// to float), ImageAugmenter::apply, and collate() of whole augmented batches.
QJsonObject profilePipeline(
    const MultimodalDataset &ds, const std::vector<int> &train, const TrainConfig &config, int batchSize)
{
    const ImageAugmenter augmenter(config.augment);
    const int n = static_cast<int>(std::min<std::size_t>(train.size(), 256));
    double decode = 0.0, augment = 0.0;
    int images = 0;
    for (int k = 0; k < n; ++k) {
        auto t = Clock::now();
        cv::Mat img = ds.image(train[static_cast<std::size_t>(k)]);
        decode += msSince(t);
        if (img.empty())
            continue;
        t = Clock::now();
        augmenter.apply(img, static_cast<std::uint64_t>(k));
        augment += msSince(t);
        ++images;
    }
    double collate = 0.0;
    int batches = 0;
    for (std::size_t begin = 0; begin + static_cast<std::size_t>(batchSize) <= train.size() && batches < 8;
         begin += static_cast<std::size_t>(batchSize)) {
        const std::vector<int> members(train.begin() + static_cast<std::ptrdiff_t>(begin),
            train.begin() + static_cast<std::ptrdiff_t>(begin) + batchSize);
        const auto t = Clock::now();
        const Batch b = ds.collate(members, &augmenter, 7);
        collate += msSince(t);
        ++batches;
    }
    return QJsonObject { { QStringLiteral("image_ms"), decode / std::max(1, images) },
        { QStringLiteral("augment_ms"), augment / std::max(1, images) },
        { QStringLiteral("collate_batch_ms"), collate / std::max(1, batches) } };
}

int runBench(const BenchOptions &o)
{
    TrainConfig config; // the defaults the trainer uses, but for what the command line sets
    config.batchSize = o.batchSize;
    config.threads = o.threads;
    config.workers = o.workers;
    const int threads = configureTorchThreads(config.threads);

    auto studyResult = Study::open(o.study, Study::Mode::ReadOnly);
    if (!studyResult) {
        std::fprintf(stderr, "lepton_bench_train: %s\n", qPrintable(studyResult.error()));
        return 1;
    }
    Study &study = *studyResult.value();

    DatasetOptions dopt;
    dopt.imageSize = 128;
    dopt.imageChannels = config.model.imageChannels;
    dopt.maxEvents = config.maxEvents;
    dopt.cacheBytes = o.cache ? config.cacheBytes : 0;
    auto loadStart = Clock::now();
    auto loaded = MultimodalDataset::load(study, o.datasetId, dopt);
    if (!loaded) {
        std::fprintf(stderr, "lepton_bench_train: %s\n", qPrintable(loaded.error()));
        return 1;
    }
    std::shared_ptr<MultimodalDataset> ds = loaded.value();
    const double loadMs = msSince(loadStart);
    const FeatureSpec &fs = ds->spec();
    const std::vector<int> train = ds->indicesOf(QStringLiteral("train"));
    if (fs.classes.size() < 2 || train.empty()) {
        std::fprintf(stderr, "lepton_bench_train: dataset %lld needs two classes and labelled train cases\n",
            static_cast<long long>(o.datasetId));
        return 1;
    }

    config.model = modelConfigFor(fs, config.model);
    const QString problem = config.model.validate();
    if (!problem.isEmpty()) {
        std::fprintf(stderr, "lepton_bench_train: %s\n", qPrintable(problem));
        return 1;
    }
    // Balanced class weights and the positive (rarer) class, as the trainer picks them.
    std::vector<int> counts(static_cast<std::size_t>(config.model.numClasses), 0);
    for (int i : train)
        ++counts[static_cast<std::size_t>(ds->at(i).label)];
    const int positiveClass = static_cast<int>(std::min_element(counts.begin(), counts.end()) - counts.begin());
    std::vector<float> weights;
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    for (int c : counts)
        weights.push_back(c > 0 ? static_cast<float>(total / (counts.size() * c)) : 0.0f);
    const torch::Tensor classWeight = torch::tensor(weights);

    torch::manual_seed(config.seed);
    FusionNet model(config.model);
    torch::optim::AdamW optimizer(
        model->parameters(), torch::optim::AdamWOptions(config.learningRate).weight_decay(config.weightDecay));
    std::int64_t parameterCount = 0;
    for (const auto &p : model->parameters())
        parameterCount += p.numel();
    if (o.channelsLast) {
        // The same parameters (the optimizer keeps them), only their memory layout changes.
        torch::NoGradGuard noGrad;
        for (auto &p : model->parameters())
            if (p.dim() == 4)
                p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
    }

    double warmCacheMs = 0.0;
    if (o.cache) {
        const auto t = Clock::now();
        const Status st = ds->warmCache();
        if (!st) {
            std::fprintf(stderr, "lepton_bench_train: %s\n", qPrintable(st.error()));
            return 1;
        }
        warmCacheMs = msSince(t);
    }
    const QJsonObject pipeline = o.profile ? profilePipeline(*ds, train, config, o.batchSize) : QJsonObject();

    // Training: the trainer's loop, epoch after epoch until warm-up + timed steps are done.
    LoaderOptions lo;
    lo.batchSize = config.batchSize;
    lo.seed = config.seed;
    lo.workers = config.workers;
    lo.augment = config.augment;
    BatchLoader loader(ds, train, lo);
    const int batches = loader.batchesPerEpoch();
    const int totalSteps = batches * config.epochs;
    std::vector<float> trainProbs;
    std::vector<int> trainLabels;
    double lastLoss = std::nan("");
    int epoch = -1;
    int step = 0;

    // The next batch, starting the next epoch (seeded as the trainer seeds it) when one ends.
    auto nextBatch = [&]() -> Batch {
        for (;;) {
            if (epoch >= 0)
                if (std::optional<Batch> b = loader.next())
                    return std::move(*b);
            ++epoch;
            torch::manual_seed(config.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
            model->train();
            loader.startEpoch(epoch);
        }
    };
    // One step of Trainer.cpp's loop; returns the batch size and adds the phases' times.
    auto trainStep = [&](StepPhases &phases) -> int {
        auto t = Clock::now();
        const Batch batch = nextBatch();
        phases.wait += msSince(t);

        t = Clock::now();
        const double lr = learningRate(config, step, totalSteps);
        for (auto &group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions &>(group.options()).lr(lr);
        Batch b = batch.to(torch::kCPU);
        if (o.channelsLast)
            b.image = b.image.contiguous(torch::MemoryFormat::ChannelsLast);
        phases.other += msSince(t);

        t = Clock::now();
        FusionOutput fo = model->forward(b);
        torch::Tensor loss = torch::nn::functional::cross_entropy(
            fo.logits, b.labels, torch::nn::functional::CrossEntropyFuncOptions().weight(classWeight));
        lastLoss = loss.item<double>();
        phases.forward += msSince(t);

        t = Clock::now();
        optimizer.zero_grad();
        phases.optimizer += msSince(t);
        t = Clock::now();
        loss.backward();
        phases.backward += msSince(t);
        t = Clock::now();
        torch::nn::utils::clip_grad_norm_(model->parameters(), config.maxGradNorm);
        optimizer.step();
        phases.optimizer += msSince(t);

        t = Clock::now();
        const torch::Tensor probs = torch::softmax(fo.logits.detach(), 1).to(torch::kCPU).contiguous();
        trainProbs.insert(trainProbs.end(), probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
        for (int i = 0; i < batch.size(); ++i)
            trainLabels.push_back(static_cast<int>(batch.labels[i].item<std::int64_t>()));
        phases.other += msSince(t);
        ++step;
        return batch.size();
    };

    StepPhases untimed, phases;
    for (int i = 0; i < o.warmupSteps; ++i)
        trainStep(untimed);
    std::int64_t timedSamples = 0;
    const auto timedStart = Clock::now();
    for (int i = 0; i < o.steps; ++i)
        timedSamples += trainStep(phases);
    const double trainMs = msSince(timedStart);
    loader.stop();
    const double samplesPerSecond = timedSamples / (trainMs / 1000.0);

    // Batch-1 prediction: decode from disk (never from the cache), encode, forward.
    std::vector<double> latencies, latencyCollate;
    QJsonArray predictionOperators;
    if (o.latencyCases > 0) {
        std::shared_ptr<MultimodalDataset> uncached = ds;
        if (o.cache) {
            DatasetOptions noCache = dopt;
            noCache.cacheBytes = 0;
            auto again = MultimodalDataset::load(study, o.datasetId, noCache, &fs);
            if (!again) {
                std::fprintf(stderr, "lepton_bench_train: %s\n", qPrintable(again.error()));
                return 1;
            }
            uncached = again.value();
        }
        std::vector<int> cases = uncached->indicesOf(QStringLiteral("test"), false);
        for (int i = 0; cases.size() < static_cast<std::size_t>(o.latencyCases) && i < uncached->size(); ++i)
            if (uncached->at(i).split != QLatin1String("test"))
                cases.push_back(i);
        cases.resize(std::min(cases.size(), static_cast<std::size_t>(o.latencyCases)));
        model->eval();
        c10::InferenceMode inference;
        float checksum = 0.0f;
        const int warm = std::min<int>(3, static_cast<int>(cases.size()));
        auto predict = [&](int index, double *collateMs) {
            const auto t = Clock::now();
            Batch b = uncached->collate({ index });
            if (o.channelsLast)
                b.image = b.image.contiguous(torch::MemoryFormat::ChannelsLast);
            if (collateMs)
                *collateMs = msSince(t);
            const torch::Tensor probs = torch::softmax(model->forward(b).logits, 1);
            checksum += probs[0][positiveClass].item<float>();
        };
        for (int k = -warm; k < static_cast<int>(cases.size()); ++k) {
            const int index = cases[static_cast<std::size_t>(k < 0 ? k + warm : k)];
            const auto t = Clock::now();
            double collateMs = 0.0;
            predict(index, &collateMs);
            if (k >= 0) {
                latencies.push_back(msSince(t));
                latencyCollate.push_back(collateMs);
            }
        }
        if (o.profile && !cases.empty()) {
            constexpr int profiledCases = 20;
            using namespace torch::autograd::profiler;
            const torch::profiler::impl::ProfilerConfig cfg(torch::profiler::impl::ProfilerState::CPU);
            TLSLegacyProfilerGuard guard(cfg, [&](const thread_event_lists &lists) {
                predictionOperators = operatorTimes(lists, profiledCases, 15);
            });
            for (int k = 0; k < profiledCases; ++k)
                predict(cases[static_cast<std::size_t>(k) % cases.size()], nullptr);
        }
        if (!std::isfinite(checksum))
            std::fprintf(stderr, "lepton_bench_train: non-finite prediction\n");
    }
    // Memory is read before profiling: the profiler's event lists are not the pipeline's.
    const double peakRss = procStatusMiB("VmHWM"), rss = procStatusMiB("VmRSS");

    // With --profile, a few more training steps under LibTorch's autograd profiler (untimed:
    // the profiler slows them down).
    QJsonArray operators;
    if (o.profile) {
        constexpr int profiledSteps = 5;
        using namespace torch::autograd::profiler;
        model->train();
        const torch::profiler::impl::ProfilerConfig cfg(torch::profiler::impl::ProfilerState::CPU);
        TLSLegacyProfilerGuard guard(
            cfg, [&](const thread_event_lists &lists) { operators = operatorTimes(lists, profiledSteps, 15); });
        for (int i = 0; i < profiledSteps; ++i)
            trainStep(untimed);
    }
    loader.stop();

    const double steps = std::max(1, o.steps);
    QJsonObject out { { QStringLiteral("impl"), QStringLiteral("lepton") }, { QStringLiteral("cache"), o.cache },
        { QStringLiteral("cases"), ds->size() }, { QStringLiteral("train_cases"), static_cast<int>(train.size()) },
        { QStringLiteral("batch_size"), o.batchSize }, { QStringLiteral("steps"), o.steps },
        { QStringLiteral("warmup_steps"), o.warmupSteps }, { QStringLiteral("threads"), threads },
        { QStringLiteral("workers"), o.workers }, { QStringLiteral("parameters"), static_cast<qint64>(parameterCount) },
        { QStringLiteral("load_s"), loadMs / 1000.0 }, { QStringLiteral("warm_cache_s"), warmCacheMs / 1000.0 },
        { QStringLiteral("train_s"), trainMs / 1000.0 }, { QStringLiteral("samples_per_s"), samplesPerSecond },
        { QStringLiteral("last_loss"), lastLoss },
        { QStringLiteral("latency_cases"), static_cast<int>(latencies.size()) },
        { QStringLiteral("latency_ms_median"), quantile(latencies, 0.5) },
        { QStringLiteral("latency_ms_p90"), quantile(latencies, 0.9) }, { QStringLiteral("peak_rss_mib"), peakRss },
        { QStringLiteral("rss_mib"), rss }, { QStringLiteral("channels_last"), o.channelsLast },
        { QStringLiteral("settings"), comparedSettings(config) } };
    if (o.profile) {
        out.insert(QStringLiteral("step_ms"),
            QJsonObject { { QStringLiteral("wait"), phases.wait / steps },
                { QStringLiteral("forward"), phases.forward / steps },
                { QStringLiteral("backward"), phases.backward / steps },
                { QStringLiteral("optimizer"), phases.optimizer / steps },
                { QStringLiteral("other"), phases.other / steps }, { QStringLiteral("total"), trainMs / steps } });
        out.insert(QStringLiteral("pipeline_ms"), pipeline);
        out.insert(QStringLiteral("operators_self_ms_per_step"), operators);
        out.insert(QStringLiteral("operators_self_ms_per_prediction"), predictionOperators);
        out.insert(QStringLiteral("latency_collate_ms_median"), quantile(latencyCollate, 0.5));
    }
    if (o.json) {
        std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    } else {
        std::printf("lepton: %.1f samples/s (%d steps of %d, %d threads, %d loader threads, cache %s); batch-1 latency "
                    "median %.2f ms, p90 %.2f ms; peak RSS %.0f MiB\n",
            samplesPerSecond, o.steps, o.batchSize, threads, o.workers, o.cache ? "on" : "off",
            out.value(QStringLiteral("latency_ms_median")).toDouble(),
            out.value(QStringLiteral("latency_ms_p90")).toDouble(),
            out.value(QStringLiteral("peak_rss_mib")).toDouble());
        if (o.profile)
            std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    }
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const auto options = parseOptions(app);
    if (!options)
        return 2;
    try {
        return runBench(*options);
    } catch (const c10::Error &e) {
        std::fprintf(stderr, "lepton_bench_train: LibTorch failed: %s\n", e.what_without_backtrace());
    } catch (const cv::Exception &e) {
        std::fprintf(stderr, "lepton_bench_train: OpenCV failed: %s\n", e.what());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "lepton_bench_train: %s\n", e.what());
    }
    return 1;
}
