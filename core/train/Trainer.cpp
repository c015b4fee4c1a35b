// SPDX-License-Identifier: GPL-3.0-or-later
#include "Trainer.h"

#include "dataset/BatchLoader.h"
#include "dataset/MultimodalDataset.h"
#include "dataset/TextTokenizer.h"
#include "decision/Calibration.h"
#include "decision/DecisionPolicy.h"
#include "decision/DecisionText.h"
#include "model/FusionNet.h"
#include "store/DatasetRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/Checkpoint.h"
#include "train/Evaluator.h"
#include "train/TrainedModel.h"
#include "util/Device.h"
#include "util/KillPoint.h"
#include "util/TestHooks.h"
#include "util/Threads.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

#include <opencv2/core/version.hpp>
#include <torch/version.h>

#include <cmath>
#include <limits>
#include <numeric>

namespace lepton {
namespace {

QString joinNumbers(const std::vector<double> &v)
{
    QStringList parts;
    for (double x : v)
        parts.append(QString::number(x, 'g', 4));
    return parts.join(QStringLiteral(", "));
}

QJsonObject libraryVersions()
{
    return QJsonObject { { QStringLiteral("lepton"), QStringLiteral(LEPTON_VERSION) },
        { QStringLiteral("qt"), QString::fromLatin1(qVersion()) },
        { QStringLiteral("libtorch"), QStringLiteral(TORCH_VERSION) },
        { QStringLiteral("opencv"), QStringLiteral(CV_VERSION) } };
}

std::vector<MetricRow> epochRows(const QString &split, int epoch, const ClassificationMetrics &m)
{
    std::vector<MetricRow> rows;
    for (const auto &[name, value] :
        std::vector<std::pair<const char *, double>> { { "loss", m.loss }, { "accuracy", m.accuracy },
            { "sensitivity", m.sensitivity }, { "specificity", m.specificity }, { "precision", m.precision },
            { "f1", m.f1 }, { "auroc", m.auroc }, { "auprc", m.auprc }, { "ece", m.ece } })
        rows.push_back({ split, epoch, -1, QString::fromLatin1(name), value });
    return rows;
}

/// Whether `m` is better than the best so far: higher AUROC, then lower loss.
bool improves(const ClassificationMetrics &m, double bestAuroc, double bestLoss)
{
    if (std::isfinite(m.auroc) && (!std::isfinite(bestAuroc) || m.auroc > bestAuroc + 1e-9))
        return true;
    if (std::isfinite(m.auroc) && std::isfinite(bestAuroc) && std::abs(m.auroc - bestAuroc) <= 1e-9)
        return m.loss < bestLoss;
    return !std::isfinite(m.auroc) && m.loss < bestLoss;
}

QJsonObject curveJson(const std::vector<CurvePoint> &points)
{
    QJsonArray t, x, y;
    for (const CurvePoint &p : points) {
        t.append(std::isfinite(p.threshold) ? QJsonValue(p.threshold) : QJsonValue());
        x.append(p.x);
        y.append(p.y);
    }
    return QJsonObject { { QStringLiteral("threshold"), t }, { QStringLiteral("x"), x }, { QStringLiteral("y"), y } };
}

/// Everything one run needs, built from its stored or new config.
struct Session
{
    Study &study;
    qint64 runId = 0;
    qint64 datasetId = 0;
    TrainConfig config;
    int positiveClass = 0;
    std::shared_ptr<MultimodalDataset> dataset;
    torch::Device device { torch::kCPU };
    FusionNet model { nullptr };
    std::unique_ptr<torch::optim::AdamW> optimizer;
    torch::Tensor classWeight;
    const TrainCallbacks &cb;
    bool bfloat16 = false; ///< training steps under bfloat16 autocast (CUDA mixed precision)
    DomainTemplate decisionTemplate {}; ///< bound to the data's classes and fields
    std::vector<double> groupLrScale { 1.0 }; ///< per optimizer group: its learning rate relative to lr

    void log(const QString &line) const
    {
        if (cb.log)
            cb.log(line);
    }
};

/// The map-alignment loss (TrainConfig::mapAlignment) on the first quarter of the batch (at least
/// one case): the attention map of each image flipped along both axes against the flipped map of
/// the image, as a total variation distance in [0, 1], averaged over the cases with an image.
/// Flipping both axes turns a map that points at a fixed offset d from its evidence into one that
/// points at −d, so only d = 0 satisfies it; no ground truth is needed.
torch::Tensor mapAlignmentLoss(Session &s, const Batch &b, const torch::Tensor &attention)
{
    const std::int64_t n = std::max<std::int64_t>(1, b.image.size(0) / 4);
    torch::Tensor flipped;
    {
        const AutocastScope autocast(s.bfloat16);
        s.model->imageEncoder()->forward(b.image.narrow(0, 0, n).flip({ 2, 3 }), &flipped, nullptr);
    }
    const torch::Tensor expected = attention.narrow(0, 0, n).flip({ 1, 2 }).to(torch::kFloat);
    const torch::Tensor distance = 0.5 * (flipped.to(torch::kFloat) - expected).abs().sum({ 1, 2 }); // [n]
    const torch::Tensor weight = b.imagePresent.narrow(0, 0, n).to(torch::kFloat);
    return (distance * weight).sum() / weight.sum().clamp_min(1.0);
}

/// The attention maps' mean entropy over the cases with an image, divided by ln(positions): 0 for
/// a map on one position, 1 for a uniform one (TrainConfig::mapSharpness).
torch::Tensor mapEntropy(const Batch &b, const torch::Tensor &attention)
{
    const torch::Tensor a = attention.to(torch::kFloat).flatten(1); // [B, h*w]
    const torch::Tensor entropy = -(a * (a + 1e-12).log()).sum(1) / std::log(static_cast<double>(a.size(1)));
    const torch::Tensor weight = b.imagePresent.to(torch::kFloat);
    return (entropy * weight).sum() / weight.sum().clamp_min(1.0);
}

/// Writes the step metrics of an epoch that is ending early (cancelled, non-finite loss); when the
/// study refuses them the run still ends, and the log says which curve points are missing.
void keepStepMetrics(const Session &s, RunRepository &runs, const std::vector<MetricRow> &stepRows)
{
    if (Status st = runs.addMetrics(s.runId, stepRows); !st)
        s.log(
            QStringLiteral("The last epoch's %1 step values were not saved: %2").arg(stepRows.size()).arg(st.error()));
}

/// Marks a run failed after an exception. The exception's message is what the caller reports;
/// when the status cannot be written either, the run shows as interrupted once this process ends.
void markFailed(Study &study, qint64 runId, const QString &message)
{
    RunRepository runs(study);
    if (!runs.setStatus(runId, RunStatus::Failed, message))
        runs.abandon(runId);
}

/// Loads the data and builds model and optimizer. With `spec` the encoding of an earlier run
/// is reused (resume), else it is fitted on the train split.
Status prepare(Session &s, const FeatureSpec *spec, const QJsonObject *storedTemplate = nullptr)
{
    const int threads = configureTorchThreads(s.config.threads);
    s.log(QStringLiteral("Using %1 LibTorch thread(s)").arg(threads));
    auto device = resolveDevice(s.config.device);
    if (!device)
        return Status::failure(device.error());
    s.device = device.value();
    if (s.config.precision == QLatin1String("bf16") && !s.device.is_cuda())
        return Status::failure(QStringLiteral("precision: bf16 mixed precision needs a CUDA device; use "
                                              "--precision fp32 (or auto) on the CPU"));
    s.bfloat16 = s.device.is_cuda()
        && (s.config.precision == QLatin1String("bf16")
            || (s.config.precision == QLatin1String("auto") && supportsBFloat16(s.device)));
    s.log(QStringLiteral("Device: %1, %2")
              .arg(deviceName(s.device),
                  s.bfloat16 ? QStringLiteral("bfloat16 mixed precision") : QStringLiteral("float32")));

    DatasetOptions dopt;
    dopt.imageSize = s.config.model.imageSize;
    dopt.imageChannels = s.config.model.imageChannels;
    dopt.maxEvents = s.config.maxEvents;
    dopt.text.vocabSize = s.config.textVocabSize;
    dopt.text.tokenizer = s.config.textTokenizer;
    dopt.text.maxTokens = s.config.textMaxTokens;
    dopt.cacheBytes = s.config.cacheBytes;
    dopt.cancelled = s.cb.cancelled;
    dopt.folds = s.config.folds;
    dopt.fold = s.config.fold;
    dopt.foldSeed = s.config.seed;
    auto ds = MultimodalDataset::load(s.study, s.datasetId, dopt, spec);
    if (!ds)
        return Status::failure(ds.error());
    s.dataset = ds.value();
    const FeatureSpec &fs = s.dataset->spec();
    if (fs.classes.size() < 2)
        return Status::failure(
            QStringLiteral("dataset %1 has fewer than two classes; label more cases").arg(s.datasetId));
    if (s.dataset->indicesOf(QStringLiteral("train")).empty())
        return Status::failure(QStringLiteral("dataset %1 has no labelled cases in the train split").arg(s.datasetId));

    // The data decides the shape of the model.
    ModelConfig &mc = s.config.model;
    mc.imageChannels = fs.imageChannels;
    mc.imageSize = fs.imageSize;
    mc.numClasses = static_cast<int>(fs.classes.size());
    mc.eventWidth = fs.eventWidth();
    mc.textVocab = s.dataset->tokenizer() ? s.dataset->tokenizer()->vocabSize() : 0;
    mc.textMaxTokens = fs.text.maxTokens;
    if (s.dataset->tokenizer())
        s.log(QStringLiteral("Text: '%1', a tokenizer of %2 pieces trained on the train split, the first %3 tokens "
                             "of a note kept")
                  .arg(fs.text.fields.join(QStringLiteral("', '")))
                  .arg(mc.textVocab)
                  .arg(fs.text.maxTokens));
    mc.fieldCategories.clear();
    for (const FieldEncoding &f : fs.recordFields)
        mc.fieldCategories.push_back(f.type == FieldType::Categorical ? static_cast<int>(f.categories.size()) : 0);
    if (!s.config.imageEncoder.isEmpty() && !mc.usesImage())
        return Status::failure(QStringLiteral("image_encoder: the %1 variant reads no image; leave image_encoder "
                                              "empty or use a variant with images")
                                   .arg(fusionVariantName(mc.fusion)));
    const bool newBackbone = !s.config.imageEncoder.isEmpty() && !mc.imageBackbone.isSet();
    if (Status st = attachImageBackbone(s.study, mc, newBackbone ? s.config.imageEncoder : QString()); !st)
        return Status::failure(QStringLiteral("image_encoder: %1").arg(st.error()));
    if (newBackbone) {
        // The encoder reads pixel values in [0, 1]; the dataset gives them standardised.
        mc.imageBackbone.dataMean = fs.imageMean;
        mc.imageBackbone.dataStd = fs.imageStd > 0.0 ? fs.imageStd : 1.0;
    }
    if (mc.imageBackbone.isSet())
        s.log(QStringLiteral("Image encoder: '%1' (SHA-256 %2…), %3 channels%4, normalised by mean (%5) and std "
                             "(%6), %7 features pooled by spatial attention")
                  .arg(mc.imageBackbone.name, mc.imageBackbone.sha256.left(12))
                  .arg(mc.imageBackbone.channels)
                  .arg(mc.imageBackbone.inputSize > 0 ? QStringLiteral(" at %1 px").arg(mc.imageBackbone.inputSize)
                                                      : QString())
                  .arg(joinNumbers(mc.imageBackbone.mean), joinNumbers(mc.imageBackbone.std))
                  .arg(mc.imageBackbone.features));
    const QString problem = mc.validate();
    if (!problem.isEmpty())
        return Status::failure(problem);
    if (mc.fusion == FusionVariant::Text && mc.textVocab <= 0)
        return Status::failure(QStringLiteral("model.fusion: 'text' needs a text field in dataset %1, which has none; "
                                              "set a column's type to text (--field-type NAME=text) when importing")
                                   .arg(s.datasetId));

    // The positive class: the template's or the config's, else a known name or the rarer class in train.
    std::vector<int> counts(static_cast<std::size_t>(mc.numClasses), 0);
    for (int i : s.dataset->indicesOf(QStringLiteral("train")))
        ++counts[static_cast<std::size_t>(s.dataset->at(i).label)];
    QStringList fieldNames;
    for (const FieldEncoding &f : fs.recordFields)
        fieldNames.append(f.name);
    // The decision template: the run's own on resume, else the configured (or matching) one.
    auto chosen = storedTemplate && !storedTemplate->isEmpty()
        ? DomainTemplate::fromJson(*storedTemplate, QStringLiteral("the run's template"))
        : DomainTemplate::resolve(s.config.templateName, fs.classes, fieldNames);
    if (!chosen)
        return Status::failure(chosen.error());
    if (s.config.positiveClass.isEmpty() && fs.classes.contains(chosen->positiveClass))
        s.config.positiveClass = chosen->positiveClass;
    if (!s.config.positiveClass.isEmpty()) {
        s.positiveClass = static_cast<int>(fs.classes.indexOf(s.config.positiveClass));
        if (s.positiveClass < 0)
            return Status::failure(QStringLiteral("positive_class: '%1' is not a class of the dataset (%2)")
                                       .arg(s.config.positiveClass, fs.classes.join(QStringLiteral(", "))));
    } else {
        // A known positive name (positive, yes, abnormal, fraud, …), else the rarer class.
        s.positiveClass = choosePositiveClass(fs.classes, counts);
        s.config.positiveClass = fs.classes.at(s.positiveClass);
        s.log(QStringLiteral("Positive class: %1").arg(positiveClassReason(fs.classes, counts)));
    }
    auto bound = chosen->boundTo(fs.classes, s.config.positiveClass, fieldNames);
    if (!bound)
        return Status::failure(bound.error());
    s.decisionTemplate = bound.value();
    s.decisionTemplate.positiveClass = s.config.positiveClass;
    s.log(QStringLiteral("Decision template: %1").arg(s.decisionTemplate.name));
    if (s.config.classWeights == QLatin1String("balanced")) {
        std::vector<float> w;
        const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
        for (int c : counts)
            w.push_back(c > 0 ? static_cast<float>(total / (counts.size() * c)) : 0.0f);
        s.classWeight = torch::tensor(w).to(s.device);
    }

    torch::manual_seed(s.config.seed);
    try {
        s.model = FusionNet(mc);
    } catch (const std::exception &e) {
        return Status::failure(QStringLiteral("the model cannot be built: %1")
                                   .arg(QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
    }
    if (!s.config.imageEncoderFrom.isEmpty()) {
        Status st = CheckpointIO::loadImageEncoder(s.config.imageEncoderFrom, s.model);
        if (!st)
            return st;
        s.log(QStringLiteral("Image encoder weights loaded from %1").arg(s.config.imageEncoderFrom));
    }
    s.model->to(s.device);
    const auto options = torch::optim::AdamWOptions(s.config.learningRate).weight_decay(s.config.weightDecay);
    if (s.config.imageEncoderLrScale != 1.0 && s.model->imageEncoder()) {
        // Two groups: everything else at lr, the image encoder at lr × image_encoder_lr_scale (one
        // group otherwise, so that the checkpoints of runs without it keep their layout).
        std::vector<torch::Tensor> image = s.model->imageEncoder()->parameters(), rest;
        for (const auto &p : s.model->parameters())
            if (std::none_of(image.begin(), image.end(), [&](const torch::Tensor &q) { return q.is_same(p); }))
                rest.push_back(p);
        s.optimizer = std::make_unique<torch::optim::AdamW>(
            std::vector<torch::optim::OptimizerParamGroup> {
                torch::optim::OptimizerParamGroup(rest), torch::optim::OptimizerParamGroup(image) },
            options);
        s.groupLrScale = { 1.0, s.config.imageEncoderLrScale };
        s.log(QStringLiteral("Image encoder learning rate: %1 × lr").arg(s.config.imageEncoderLrScale));
    } else {
        s.optimizer = std::make_unique<torch::optim::AdamW>(s.model->parameters(), options);
        s.groupLrScale = { 1.0 };
    }
    if (s.config.cacheBytes > 0) {
        s.log(QStringLiteral("Decoding images into the cache…"));
        Status st = s.dataset->warmCache();
        if (!st)
            return st;
    }
    return Status();
}

double learningRate(const TrainConfig &c, int step, int totalSteps, int epoch)
{
    if (c.schedule == QLatin1String("step"))
        return c.learningRate * std::pow(0.5, epoch / std::max(1, c.stepEpochs));
    // Cosine with a short linear warm-up.
    const int warmup = std::max(1, std::min(100, totalSteps / 20));
    if (step < warmup)
        return c.learningRate * (step + 1) / warmup;
    const double progress = static_cast<double>(step - warmup) / std::max(1, totalSteps - warmup);
    return c.learningRate * (0.02 + 0.98 * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress))));
}

/// Parameters of the model: all, or those that take gradients now.
qint64 parameterCount(const FusionNet &model, bool trainableOnly)
{
    qint64 n = 0;
    for (const auto &p : model->parameters())
        if (!trainableOnly || p.requires_grad())
            n += p.numel();
    return n;
}

/// Sets which image-encoder parameters train this epoch (after train()): none while frozen
/// (freeze_image_epochs; of an imported encoder, none of its own), with adapters only the
/// adapters and the attention score;
/// frozen convolutions keep their batch-norm statistics. Returns the trainable parameter count.
qint64 applyFreezing(FusionNet &model, bool freezeImage)
{
    if (ImageEncoder encoder = model->imageEncoder(); encoder && encoder->backbone()) {
        // An imported encoder: its own layers freeze; the attention pooling and the projection to
        // the embedding are new, so they always train.
        for (auto &p : encoder->parameters())
            p.set_requires_grad(true);
        if (freezeImage)
            encoder->setBaseFrozen(true);
    } else if (encoder) {
        for (auto &p : encoder->parameters())
            p.set_requires_grad(!freezeImage);
        if (freezeImage || encoder->hasAdapters())
            encoder->setBaseFrozen(true, encoder->hasAdapters());
    }
    return parameterCount(model, true);
}

/// The model's parameter counts as recorded with the run: all, those that train (after any
/// freeze_image_epochs) and, with frozen epochs, those that train while the encoder is frozen.
QJsonObject parameterSummary(const Session &s)
{
    FusionNet model = s.model; // the same module; each epoch sets the freezing again
    QJsonObject p { { QStringLiteral("total"), parameterCount(model, false) },
        { QStringLiteral("trainable"), applyFreezing(model, false) } };
    if (s.config.freezeImageEpochs > 0 && model->imageEncoder())
        p.insert(QStringLiteral("trainable_while_frozen"), applyFreezing(model, true));
    model->train();
    return p;
}

QJsonObject runConfig(const Session &s)
{
    return QJsonObject { { QStringLiteral("train"), s.config.toJson() },
        { QStringLiteral("template"), s.decisionTemplate.toJson() },
        { QStringLiteral("feature_spec"), s.dataset->spec().toJson() },
        { QStringLiteral("positive_class"), s.config.positiveClass },
        { QStringLiteral("precision_used"), s.bfloat16 ? QStringLiteral("bf16") : QStringLiteral("fp32") },
        { QStringLiteral("parameters"), parameterSummary(s) } };
}

/// The epochs from `firstEpoch` on, then the final evaluation. Returns how the run ended.
TrainOutcome runEpochs(Session &s, int firstEpoch, int bestEpoch, double bestAuroc, double bestLoss)
{
    RunRepository runs(s.study);
    TrainOutcome out;
    out.runId = s.runId;
    out.bestEpoch = bestEpoch;
    auto finish = [&](RunStatus status, const QString &given) {
        // A storage failure's message (Study::transaction) says how to resume "RUN": this run.
        QString message = given;
        message.replace(QStringLiteral("--resume RUN`"), QStringLiteral("--resume %1`").arg(s.runId));
        out.status = status;
        out.message = message;
        // The end not saved (a full disk): the run shows as interrupted once the study can be
        // written again (or this process ends), and the outcome claims no more than the study holds.
        if (Status st = runs.setStatus(s.runId, status, message); !st) {
            runs.abandon(s.runId);
            out.status = RunStatus::Failed;
            out.message = message.isEmpty() ? QStringLiteral("the run's end could not be saved: %1").arg(st.error())
                                            : message + QStringLiteral(" (the run's status could not be saved either)");
        }
        if (s.cb.status)
            s.cb.status(out.status);
        if (!out.message.isEmpty())
            s.log(out.message);
        return out;
    };
    if (s.cb.status)
        s.cb.status(RunStatus::Running);

    const auto train = s.dataset->indicesOf(QStringLiteral("train"));
    const auto val = s.dataset->indicesOf(QStringLiteral("val"));
    const auto test = s.dataset->indicesOf(QStringLiteral("test"));
    LoaderOptions lo;
    lo.batchSize = s.config.batchSize;
    lo.seed = s.config.seed;
    lo.workers = s.config.workers;
    lo.augment = s.config.augment;
    BatchLoader loader(s.dataset, train, lo);
    const int batches = loader.batchesPerEpoch();
    const int totalSteps = batches * s.config.epochs;
    const int classes = s.config.model.numClasses;
    int sinceBest = 0;
    if (bestEpoch >= 0)
        sinceBest = firstEpoch - 1 - bestEpoch;
    // The run's heartbeat: each epoch's writes record it; a long epoch also every 30 s of steps,
    // so another process opening the study sees the run is alive (RunRepository::markInterrupted).
    QElapsedTimer heartbeat;
    heartbeat.start();
    constexpr qint64 kHeartbeatMs = 30000;

    for (int epoch = firstEpoch; epoch < s.config.epochs; ++epoch) {
        QElapsedTimer epochClock;
        epochClock.start();
        // Seeding per epoch makes a resumed run draw exactly what the uninterrupted one would.
        torch::manual_seed(s.config.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
        const bool freeze = epoch < s.config.freezeImageEpochs && s.model->imageEncoder();
        s.model->train();
        const qint64 trainable = applyFreezing(s.model, freeze);
        if (epoch == firstEpoch || (freeze != (epoch - 1 < s.config.freezeImageEpochs)))
            s.log(QStringLiteral("Trainable parameters: %1 of %2 (%3 %)")
                      .arg(trainable)
                      .arg(parameterCount(s.model, false))
                      .arg(100.0 * trainable / std::max<qint64>(1, parameterCount(s.model, false)), 0, 'f', 1));
        loader.startEpoch(epoch);
        std::vector<MetricRow> stepRows;
        std::vector<float> trainProbs;
        std::vector<int> trainLabels;
        double lossSum = 0.0;
        int seen = 0;
        int batchIndex = 0;
        QElapsedTimer rate;
        rate.start();
        while (auto batch = loader.next()) {
            if (s.cb.cancelled && s.cb.cancelled()) {
                loader.stop();
                keepStepMetrics(s, runs, stepRows);
                return finish(RunStatus::Cancelled,
                    epoch > 0 ? QStringLiteral("cancelled during epoch %1; the checkpoint of epoch %2 is kept")
                                    .arg(epoch + 1)
                                    .arg(epoch)
                              : QStringLiteral("cancelled during the first epoch; no checkpoint yet"));
            }
            const int step = epoch * batches + batchIndex;
            const double lr = learningRate(s.config, step, totalSteps, epoch);
            auto &groups = s.optimizer->param_groups();
            for (std::size_t g = 0; g < groups.size(); ++g)
                static_cast<torch::optim::AdamWOptions &>(groups[g].options()).lr(lr * s.groupLrScale.at(g));
            const Batch b = batch->to(s.device);
            FusionOutput fo;
            torch::Tensor loss;
            {
                const AutocastScope autocast(s.bfloat16);
                fo = s.model->forward(b);
                loss = torch::nn::functional::cross_entropy(fo.logits.to(torch::kFloat), b.labels,
                    torch::nn::functional::CrossEntropyFuncOptions().weight(s.classWeight));
            }
            // The reported loss stays the classification loss; the map alignment is added for the
            // gradient only.
            torch::Tensor objective = loss;
            if (s.config.mapAlignment > 0.0 && !freeze && fo.imageAttention.defined())
                objective = objective + s.config.mapAlignment * mapAlignmentLoss(s, b, fo.imageAttention);
            if (s.config.mapSharpness > 0.0 && !freeze && fo.imageAttention.defined())
                objective = objective + s.config.mapSharpness * mapEntropy(b, fo.imageAttention);
            if (const double offset = testLossOffset(step)) // a test's spoiled loss (util/TestHooks.h)
                loss = loss + offset;
            const double lossValue = loss.item<double>();
            if (!std::isfinite(lossValue)) {
                loader.stop();
                keepStepMetrics(s, runs, stepRows);
                return finish(RunStatus::Failed,
                    QStringLiteral("the loss became %1 at epoch %2, step %3; training stopped. Lower the "
                                   "learning rate (now %4) or check the data for extreme values")
                        .arg(lossValue)
                        .arg(epoch + 1)
                        .arg(step)
                        .arg(lr));
            }
            s.optimizer->zero_grad();
            objective.backward();
            torch::nn::utils::clip_grad_norm_(s.model->parameters(), s.config.maxGradNorm);
            s.optimizer->step();

            const torch::Tensor probs
                = torch::softmax(fo.logits.detach().to(torch::kFloat), 1).to(torch::kCPU).contiguous();
            trainProbs.insert(trainProbs.end(), probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
            for (int i = 0; i < batch->size(); ++i)
                trainLabels.push_back(static_cast<int>(batch->labels[i].item<std::int64_t>()));
            lossSum += lossValue * batch->size();
            seen += batch->size();
            stepRows.push_back({ QStringLiteral("train"), epoch, step, QStringLiteral("loss"), lossValue });
            stepRows.push_back({ QStringLiteral("train"), epoch, step, QStringLiteral("lr"), lr });
            killPoint("step");
            if (const int delay = testStepDelayMs())
                QThread::msleep(static_cast<unsigned long>(delay));
            if (heartbeat.elapsed() >= kHeartbeatMs) {
                // Best effort: a missed heartbeat only makes the run look stale a little sooner, and
                // the epoch's writes that follow report a storage failure themselves.
                static_cast<void>(runs.heartbeat(s.runId));
                heartbeat.restart();
            }
            if (s.cb.step) {
                StepInfo info;
                info.epoch = epoch;
                info.step = step;
                info.batch = batchIndex;
                info.batches = batches;
                info.loss = lossValue;
                info.learningRate = lr;
                info.samplesPerSecond = seen / std::max(1e-9, rate.elapsed() / 1000.0);
                s.cb.step(info);
            }
            ++batchIndex;
        }

        EpochInfo info;
        info.epoch = epoch;
        info.epochs = s.config.epochs;
        info.train = classificationMetrics(trainProbs, trainLabels, classes, s.positiveClass);
        info.train.loss = lossSum / std::max(1, seen);
        const Evaluation ev = evaluateModel(
            s.model, s.dataset, val, s.device, s.config.batchSize, s.config.workers, s.positiveClass, s.cb.cancelled);
        info.val = ev.metrics;
        info.seconds = epochClock.elapsed() / 1000.0;
        info.best = improves(info.val, bestAuroc, bestLoss);
        if (info.best) {
            bestEpoch = epoch;
            bestAuroc = info.val.auroc;
            bestLoss = info.val.loss;
            sinceBest = 0;
        } else {
            ++sinceBest;
        }
        // Metrics and the checkpoint of this epoch: the checkpoint last, in its own transaction.
        auto rows = epochRows(QStringLiteral("train"), epoch, info.train);
        auto valRows = epochRows(QStringLiteral("val"), epoch, info.val);
        rows.insert(rows.end(), valRows.begin(), valRows.end());
        rows.push_back({ QStringLiteral("train"), epoch, -1, QStringLiteral("seconds"), info.seconds });
        rows.insert(rows.end(), stepRows.begin(), stepRows.end());
        Status st = runs.addMetrics(s.runId, rows);
        heartbeat.restart();
        if (st) {
            auto blob = CheckpointIO::save(s.model, s.optimizer.get(), epoch);
            st = blob ? runs.saveCheckpoint(s.runId, epoch, blob.value(), info.best) : Status::failure(blob.error());
        }
        if (st && info.best)
            st = runs.setBestEpoch(s.runId, epoch);
        if (!st)
            return finish(
                RunStatus::Failed, QStringLiteral("saving epoch %1 failed: %2").arg(epoch + 1).arg(st.error()));
        out.epochsRun = epoch + 1;
        out.bestEpoch = bestEpoch;
        if (s.cb.epoch)
            s.cb.epoch(info);
        if (ev.cancelled)
            return finish(RunStatus::Cancelled,
                QStringLiteral("cancelled after epoch %1; its checkpoint is kept").arg(epoch + 1));
        if (s.config.patience > 0 && sinceBest >= s.config.patience) {
            s.log(QStringLiteral("Early stop: no better validation AUROC for %1 epochs").arg(sinceBest));
            break;
        }
    }

    // The final model is the best epoch's: evaluate it on val and test and keep the curves.
    auto best = runs.checkpoint(s.runId, true);
    if (!best)
        return finish(RunStatus::Failed, best.error());
    Status st = CheckpointIO::load(best->data, s.model, nullptr);
    if (!st)
        return finish(RunStatus::Failed, st.error());
    for (const auto &[split, indices] :
        { std::pair { QStringLiteral("val"), val }, std::pair { QStringLiteral("test"), test } }) {
        const Evaluation ev = evaluateModel(s.model, s.dataset, indices, s.device, s.config.batchSize, s.config.workers,
            s.positiveClass, s.cb.cancelled);
        if (ev.cancelled)
            return finish(RunStatus::Cancelled,
                QStringLiteral("cancelled during the final evaluation; the checkpoints are kept"));
        (split == QLatin1String("val") ? out.val : out.test) = ev.metrics;
        if (split == QLatin1String("val")) {
            // Temperature calibration on the validation split: the decision policy reads these
            // probabilities, not the raw ones.
            const Calibration calibration
                = Calibration::fit(ev.probabilities, ev.labels, static_cast<int>(s.dataset->spec().classes.size()));
            st = runs.saveArtifact(s.runId, split, QStringLiteral("calibration"), calibration.toJson());
            if (!st)
                return finish(
                    RunStatus::Failed, QStringLiteral("saving the final evaluation failed: %1").arg(st.error()));
            s.log(QStringLiteral("Calibration: temperature %1, validation ECE %2 → %3")
                      .arg(calibration.temperature, 0, 'f', 3)
                      .arg(calibration.eceBefore, 0, 'f', 4)
                      .arg(calibration.eceAfter, 0, 'f', 4));
        }
        std::vector<double> score;
        std::vector<int> positive;
        for (std::size_t i = 0; i < ev.labels.size(); ++i) {
            if (ev.labels[i] < 0)
                continue;
            score.push_back(
                ev.probabilities[i * static_cast<std::size_t>(classes) + static_cast<std::size_t>(s.positiveClass)]);
            positive.push_back(ev.labels[i] == s.positiveClass ? 1 : 0);
        }
        const QString finalSplit = QStringLiteral("final_") + split;
        // A run is completed only with all of its results stored; one that could not be saved (a
        // full disk) fails, and resuming it repeats this evaluation from the last checkpoint.
        st = runs.addMetrics(s.runId, epochRows(finalSplit, bestEpoch, ev.metrics));
        if (st)
            st = runs.saveArtifact(s.runId, split, QStringLiteral("confusion"), ev.metrics.toJson());
        if (st)
            st = runs.saveArtifact(s.runId, split, QStringLiteral("roc"), curveJson(rocCurve(score, positive)));
        if (st)
            st = runs.saveArtifact(s.runId, split, QStringLiteral("pr"), curveJson(prCurve(score, positive)));
        if (!st)
            return finish(RunStatus::Failed, QStringLiteral("saving the final evaluation failed: %1").arg(st.error()));
    }
    out.bestEpoch = bestEpoch;
    return finish(RunStatus::Completed, QString());
}

} // namespace

Result<TrainOutcome> Trainer::train(
    Study &study, qint64 datasetId, const TrainConfig &config, const TrainCallbacks &callbacks, const QString &name)
{
    using R = Result<TrainOutcome>;
    const QString problem = config.validate();
    if (!problem.isEmpty())
        return R::failure(problem);
    Session s { study, 0, datasetId, config, 0, nullptr, torch::Device(torch::kCPU), nullptr, nullptr, {}, callbacks };
    try {
        Status st = prepare(s, nullptr);
        if (!st)
            return R::failure(st.error());
        RunRecord rec;
        rec.name = name.isEmpty()
            ? QStringLiteral("%1 seed %2").arg(fusionVariantName(s.config.model.fusion)).arg(s.config.seed)
            : name;
        rec.datasetId = datasetId;
        rec.config = runConfig(s);
        rec.seed = static_cast<qint64>(s.config.seed);
        rec.device = s.device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu");
        rec.deviceName = deviceName(s.device);
        rec.threads = torchThreads();
        rec.versions = libraryVersions();
        auto id = RunRepository(study).create(rec);
        if (!id)
            return R::failure(id.error());
        s.runId = id.value();
        if (callbacks.runStarted)
            callbacks.runStarted(s.runId);
        s.log(QStringLiteral("Run %1: %2 on %3 cases (train %4, val %5, test %6)")
                  .arg(s.runId)
                  .arg(rec.name)
                  .arg(s.dataset->size())
                  .arg(s.dataset->indicesOf(QStringLiteral("train")).size())
                  .arg(s.dataset->indicesOf(QStringLiteral("val")).size())
                  .arg(s.dataset->indicesOf(QStringLiteral("test")).size()));
        return runEpochs(s, 0, -1, std::nan(""), std::numeric_limits<double>::infinity());
    } catch (const c10::Error &e) {
        const QString message
            = QStringLiteral("training failed inside LibTorch: %1")
                  .arg(QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0));
        if (s.runId)
            markFailed(study, s.runId, message);
        return R::failure(message);
    } catch (const std::exception &e) {
        const QString message = QStringLiteral("training failed: %1").arg(QString::fromUtf8(e.what()));
        if (s.runId)
            markFailed(study, s.runId, message);
        return R::failure(message);
    }
}

Result<TrainOutcome> Trainer::resume(Study &study, qint64 runId, const TrainCallbacks &callbacks)
{
    using R = Result<TrainOutcome>;
    RunRepository runs(study);
    auto rec = runs.run(runId);
    if (!rec)
        return R::failure(rec.error());
    if (rec->status == RunStatus::Completed)
        return R::failure(QStringLiteral("run %1 is already completed; start a new run instead").arg(runId));
    // A run still "running" after the study was opened (which marks those of ended processes
    // "interrupted") is being trained by another process; two trainers on one run would mix.
    if (rec->status == RunStatus::Running && !runs.abandoned(runId))
        return R::failure(QStringLiteral("run %1 is being trained by process %2 on %3; wait for it to end or "
                                         "cancel it there, then resume")
                              .arg(runId)
                              .arg(rec->ownerPid)
                              .arg(rec->ownerHost.isEmpty() ? QStringLiteral("another machine") : rec->ownerHost));
    auto config = TrainConfig::fromJson(rec->config.value(QStringLiteral("train")).toObject());
    if (!config)
        return R::failure(QStringLiteral("run %1's config cannot be read: %2").arg(runId).arg(config.error()));
    auto last = runs.checkpoint(runId, false);
    if (!last)
        return R::failure(QStringLiteral("%1; it cannot be resumed, start it again").arg(last.error()));
    const FeatureSpec spec = FeatureSpec::fromJson(rec->config.value(QStringLiteral("feature_spec")).toObject());
    Session s { study, runId, rec->datasetId, config.value(), 0, nullptr, torch::Device(torch::kCPU), nullptr, nullptr,
        {}, callbacks };
    try {
        const QJsonObject storedTemplate = rec->config.value(QStringLiteral("template")).toObject();
        Status st = prepare(s, &spec, &storedTemplate);
        if (!st)
            return R::failure(st.error());
        int epoch = -1;
        st = CheckpointIO::loadFromStudy(study, runId, last.value(), s.model, s.optimizer.get(), &epoch);
        if (!st)
            return R::failure(st.error());
        // Whatever the interrupted epoch wrote after its checkpoint is written again.
        st = runs.dropMetricsAfter(runId, epoch);
        if (st)
            st = runs.setStatus(runId, RunStatus::Running, QString(), false);
        if (!st)
            return R::failure(QStringLiteral("run %1 cannot be resumed: %2").arg(runId).arg(st.error()));
        // Best so far, from the stored validation metrics.
        double bestAuroc = std::nan(""), bestLoss = std::numeric_limits<double>::infinity();
        const int bestEpoch = rec->bestEpoch;
        auto metrics = runs.metrics(runId, QStringLiteral("val"), true);
        if (metrics) {
            for (const MetricRow &m : metrics.value()) {
                if (m.epoch != bestEpoch)
                    continue;
                if (m.name == QLatin1String("auroc"))
                    bestAuroc = m.value;
                else if (m.name == QLatin1String("loss"))
                    bestLoss = m.value;
            }
        }
        if (callbacks.runStarted)
            callbacks.runStarted(runId);
        s.log(QStringLiteral("Resuming run %1 after epoch %2").arg(runId).arg(epoch + 1));
        return runEpochs(s, epoch + 1, bestEpoch, bestAuroc, bestLoss);
    } catch (const c10::Error &e) {
        const QString message
            = QStringLiteral("training failed inside LibTorch: %1")
                  .arg(QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0));
        markFailed(study, runId, message);
        return R::failure(message);
    }
}

} // namespace lepton
