// SPDX-License-Identifier: GPL-3.0-or-later
#include "Pretrainer.h"

#include "dataset/MultimodalDataset.h"
#include "model/BackboneModule.h"
#include "model/FusionNet.h"
#include "model/TorchScriptExport.h"
#include "store/DatasetRepository.h"
#include "store/EncoderRepository.h"
#include "store/Study.h"
#include "util/Rng.h"
#include "util/Threads.h"

#include <QCryptographicHash>
#include <QElapsedTimer>

#include <cmath>

namespace lepton {
namespace {

/// NT-Xent over 2B views: views i and i+B are a pair; every other view is a negative.
torch::Tensor contrastiveLoss(const torch::Tensor &z, double temperature, double *accuracy)
{
    const std::int64_t n = z.size(0), B = n / 2;
    const torch::Tensor u = torch::nn::functional::normalize(z, torch::nn::functional::NormalizeFuncOptions().dim(1));
    torch::Tensor sim = torch::matmul(u, u.t()) / temperature;
    sim = sim.masked_fill(torch::eye(n, torch::kBool), -1e9); // a view is not its own pair
    const torch::Tensor target = torch::cat({ torch::arange(B, n), torch::arange(0, B) });
    if (accuracy)
        *accuracy = sim.argmax(1).eq(target).to(torch::kFloat).mean().item<double>();
    return torch::nn::functional::cross_entropy(sim, target);
}

/// Random crops of at least `minArea` of each image (aspect 3:4 to 4:3), resized back to the
/// image's size: one affine sampling grid per image.
torch::Tensor randomCrops(const torch::Tensor &x, double minArea, Rng &rng)
{
    if (minArea >= 1.0)
        return x;
    const std::int64_t B = x.size(0);
    std::vector<float> theta;
    for (std::int64_t i = 0; i < B; ++i) {
        const double area = minArea + (1.0 - minArea) * rng.uniform();
        const double aspect = std::exp(std::log(0.75) + (std::log(4.0 / 3.0) - std::log(0.75)) * rng.uniform());
        const double w = std::min(1.0, std::sqrt(area * aspect)), h = std::min(1.0, std::sqrt(area / aspect));
        const double cx = (1.0 - w) * (2.0 * rng.uniform() - 1.0), cy = (1.0 - h) * (2.0 * rng.uniform() - 1.0);
        theta.insert(theta.end(), { float(w), 0.0f, float(cx), 0.0f, float(h), float(cy) });
    }
    namespace F = torch::nn::functional;
    const torch::Tensor grid = F::affine_grid(torch::tensor(theta).view({ B, 2, 3 }), x.sizes(), false);
    return F::grid_sample(x, grid, F::GridSampleFuncOptions().mode(torch::kBilinear).align_corners(false));
}

/// A mask [B, 1, S, S] of 1 on hidden patches: `ratio` of the patch×patch squares of each image.
torch::Tensor patchMask(std::int64_t B, std::int64_t S, int patch, double ratio, Rng &rng)
{
    const std::int64_t n = std::max<std::int64_t>(1, S / patch);
    std::vector<float> hidden(static_cast<std::size_t>(B * n * n));
    for (float &h : hidden)
        h = rng.uniform() < ratio ? 1.0f : 0.0f;
    const torch::Tensor coarse = torch::tensor(hidden).view({ B, 1, n, n });
    return torch::nn::functional::interpolate(coarse,
        torch::nn::functional::InterpolateFuncOptions().size(std::vector<std::int64_t> { S, S }).mode(torch::kNearest));
}

} // namespace

Result<PretrainOutcome> pretrainImageEncoder(Study &study, const PretrainOptions &o, const PretrainCallbacks &cb)
{
    using R = Result<PretrainOutcome>;
    auto log = [&](const QString &line) {
        if (cb.log)
            cb.log(line);
    };
    const QString name = o.name.trimmed();
    if (name.isEmpty())
        return R::failure(QStringLiteral("pretrain: the encoder needs a name (--name)"));
    if (auto taken = EncoderRepository(study).list()) {
        for (const auto &e : taken.value())
            if (e.name == name)
                return R::failure(QStringLiteral("%1: already has an encoder named '%2'; choose another --name")
                                      .arg(study.path(), name));
    }
    const bool masked = o.method == QLatin1String("masked");
    if (!masked && o.method != QLatin1String("contrastive"))
        return R::failure(QStringLiteral("pretrain: method '%1' is not contrastive or masked").arg(o.method));
    if (masked && (o.maskRatio <= 0.0 || o.maskRatio >= 1.0 || o.maskPatch < 2 || o.maskPatch > o.imageSize))
        return R::failure(QStringLiteral("pretrain: the mask ratio must be in (0, 1) and the patch 2 px to the image "
                                         "size"));
    if (o.epochs < 1 || o.batchSize < 4 || !(o.temperature > 0.0) || !(o.learningRate > 0.0))
        return R::failure(QStringLiteral("pretrain: use at least 1 epoch, a batch of at least 4, and a temperature "
                                         "and learning rate above 0"));
    auto record = DatasetRepository(study).find(QString::number(o.datasetId));
    if (!record)
        return R::failure(record.error());
    configureTorchThreads(o.threads);
    torch::manual_seed(o.seed);

    DatasetOptions dopt;
    dopt.imageSize = o.imageSize;
    dopt.imageChannels = o.imageChannels;
    dopt.cancelled = cb.cancelled;
    auto loaded = MultimodalDataset::load(study, o.datasetId, dopt);
    if (!loaded)
        return R::failure(loaded.error());
    const auto ds = loaded.value();
    std::vector<int> images;
    for (int i = 0; i < ds->size(); ++i)
        if (!ds->at(i).imagePath.isEmpty() && (o.includeTest || ds->at(i).split != QLatin1String("test")))
            images.push_back(i);
    if (static_cast<int>(images.size()) < o.batchSize)
        return R::failure(QStringLiteral("dataset %1 has %2 images to pretrain on (test split %3); a batch needs %4. "
                                         "Use a smaller --batch-size")
                              .arg(o.datasetId)
                              .arg(images.size())
                              .arg(o.includeTest ? QStringLiteral("included") : QStringLiteral("left out"))
                              .arg(o.batchSize));
    log(QStringLiteral("Pretraining on %1 images of dataset %2 (%3 labelled or not; test split %4), %5 px")
            .arg(images.size())
            .arg(o.datasetId)
            .arg(QStringLiteral("train, val and unsplit cases"))
            .arg(o.includeTest ? QStringLiteral("included") : QStringLiteral("left out"))
            .arg(o.imageSize));
    if (Status st = ds->warmCache(); !st)
        return R::failure(st.error());

    ModelConfig mc;
    mc.fusion = FusionVariant::Image;
    mc.imageChannels = ds->spec().imageChannels;
    mc.imageSize = o.imageSize;
    mc.width = o.width;
    mc.depth = o.depth;
    mc.embedDim = o.embedDim;
    if (const QString problem = mc.validate(); !problem.isEmpty())
        return R::failure(problem);
    ImageEncoder encoder(mc);
    // Contrastive: a projection head on the pooled embedding. Masked: a linear decoder from the
    // last feature map to the pixels of each cell (a 1×1 convolution and a pixel shuffle).
    int channels = o.width;
    for (int i = 1; i < o.depth; ++i)
        channels *= 2;
    const std::int64_t cell = std::int64_t(1) << (o.depth + 1);
    torch::nn::Sequential head = masked
        ? torch::nn::Sequential(
            torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, mc.imageChannels * cell * cell, 1)),
            torch::nn::PixelShuffle(cell))
        : torch::nn::Sequential(torch::nn::Linear(o.embedDim, o.embedDim), torch::nn::ReLU(),
            torch::nn::Linear(o.embedDim, o.projectionDim));
    std::vector<torch::Tensor> params = encoder->parameters();
    for (const auto &p : head->parameters())
        params.push_back(p);
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay));
    const ImageAugmenter augmenter(o.augment);
    const int B = o.batchSize;
    const int steps = static_cast<int>(images.size()) / B; // the last partial batch is dropped
    const double contrastiveChance = std::log(2.0 * B - 1.0), chanceAccuracy = 1.0 / (2.0 * B - 1.0);
    PretrainOutcome out;
    out.images = static_cast<int>(images.size());
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        QElapsedTimer timer;
        timer.start();
        Rng rng = Rng::forItem(o.seed, static_cast<std::uint64_t>(epoch));
        std::vector<int> order = images;
        for (std::size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[rng.next() % i]);
        encoder->train();
        head->train();
        double lossSum = 0.0, accSum = 0.0, chanceSum = 0.0;
        Rng views = Rng::forItem(o.seed, static_cast<std::uint64_t>(epoch), 1);
        for (int step = 0; step < steps; ++step) {
            if (cb.cancelled && cb.cancelled())
                return R::failure(
                    QStringLiteral("pretraining cancelled in epoch %1; nothing was stored").arg(epoch + 1));
            const std::vector<int> batch(order.begin() + step * B, order.begin() + (step + 1) * B);
            const std::uint64_t seed = (o.seed << 20) ^ (static_cast<std::uint64_t>(epoch) << 10) ^ step;
            torch::Tensor loss;
            double accuracy = 0.0, chance = contrastiveChance;
            const Batch a = ds->collate(batch, &augmenter, seed * 2 + 1);
            if (masked) {
                // Hidden patches read as the dataset's mean (0 after normalisation); the error
                // counts on them only.
                const torch::Tensor mask = patchMask(B, o.imageSize, o.maskPatch, o.maskRatio, views);
                torch::Tensor features;
                encoder->forward(a.image * (1.0 - mask), nullptr, &features);
                const torch::Tensor hidden = mask.expand_as(a.image);
                const torch::Tensor count = hidden.sum().clamp_min(1.0);
                loss = ((head->forward(features) - a.image).abs() * hidden).sum() / count;
                chance = ((a.image.abs() * hidden).sum() / count).item<double>();
            } else {
                const Batch b = ds->collate(batch, &augmenter, seed * 2 + 2);
                const torch::Tensor pair = torch::cat(
                    { randomCrops(a.image, o.minCropArea, views), randomCrops(b.image, o.minCropArea, views) });
                const torch::Tensor z = head->forward(encoder->forward(pair, nullptr, nullptr));
                loss = contrastiveLoss(z, o.temperature, &accuracy);
            }
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            accSum += accuracy;
            chanceSum += chance;
            if (cb.progress)
                cb.progress(static_cast<qint64>(epoch) * steps + step + 1, static_cast<qint64>(o.epochs) * steps,
                    QStringLiteral("pretraining"));
        }
        PretrainEpoch e { epoch, o.epochs, lossSum / steps, chanceSum / steps, masked ? -1.0 : accSum / steps,
            masked ? -1.0 : chanceAccuracy, timer.elapsed() / 1000.0 };
        out.epochs.push_back(e);
        if (cb.epoch)
            cb.epoch(e);
    }

    encoder->eval();
    auto bytes = exportImageFeatures(encoder, mc);
    if (!bytes)
        return R::failure(bytes.error());
    BackboneRequest request;
    request.name = name;
    request.channels = mc.imageChannels;
    request.inputSize = o.imageSize;
    // The encoder learned on images normalised by the dataset's own statistics: those are its
    // mean and std, on pixel values in [0, 1].
    request.mean = std::vector<double>(static_cast<std::size_t>(mc.imageChannels), ds->spec().imageMean);
    request.std = std::vector<double>(static_cast<std::size_t>(mc.imageChannels), ds->spec().imageStd);
    std::pair<int, int> map;
    auto probed = probeBackbone(bytes.value(), QStringLiteral("the pretrained encoder"), request, &map);
    if (!probed)
        return R::failure(probed.error());
    StoredEncoder stored;
    stored.name = name;
    stored.sha256 = probed->sha256;
    stored.size = bytes->size();
    stored.parameters = 0;
    for (const auto &p : encoder->named_parameters())
        if (p.key().rfind("stem.", 0) == 0 || p.key().rfind("stages.", 0) == 0)
            stored.parameters += p.value().numel();
    stored.channels = mc.imageChannels;
    stored.inputSize = o.imageSize;
    stored.mean = request.mean;
    stored.std = request.std;
    stored.features = probed->features;
    stored.mapSize = QStringLiteral("%1x%2").arg(map.first).arg(map.second);
    stored.source
        = QStringLiteral("lepton pretrain: %9, dataset %1, %2 images, %3 epochs, batch %4, "
                         "width %5, depth %6, final loss %7 (chance %8)")
              .arg(o.datasetId)
              .arg(out.images)
              .arg(o.epochs)
              .arg(B)
              .arg(o.width)
              .arg(o.depth)
              .arg(out.epochs.back().loss, 0, 'f', 3)
              .arg(out.epochs.back().chanceLoss, 0, 'f', 3)
              .arg(masked
                      ? QStringLiteral("masked image (%1 % of %2 px patches)").arg(o.maskRatio * 100.0).arg(o.maskPatch)
                      : QStringLiteral("contrastive (SimCLR, crops of at least %1 %)").arg(o.minCropArea * 100.0));
    stored.data = bytes.value();
    auto id = EncoderRepository(study).add(stored, QString());
    if (!id)
        return R::failure(id.error());
    out.encoderId = id.value();
    out.name = name;
    out.sha256 = stored.sha256;
    return out;
}

} // namespace lepton
