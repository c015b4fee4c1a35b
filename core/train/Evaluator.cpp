// SPDX-License-Identifier: GPL-3.0-or-later
#include "Evaluator.h"

#include "dataset/BatchLoader.h"
#include "dataset/MultimodalDataset.h"

namespace lepton {

Evaluation evaluateModel(FusionNet &model, const std::shared_ptr<const MultimodalDataset> &dataset,
    const std::vector<int> &indices, const torch::Device &device, int batchSize, int workers, int positiveClass,
    const CancelFn &cancelled)
{
    Evaluation out;
    const int classes = model->config().numClasses;
    const bool wasTraining = model->is_training();
    model->eval();
    c10::InferenceMode inference;
    LoaderOptions lo;
    lo.batchSize = batchSize;
    lo.shuffle = false;
    lo.workers = workers;
    BatchLoader loader(dataset, indices, lo);
    loader.startEpoch(0);
    double lossSum = 0.0;
    int labelled = 0;
    while (auto batch = loader.next()) {
        if (cancelled && cancelled()) {
            out.cancelled = true;
            loader.stop();
            break;
        }
        const Batch b = batch->to(device);
        const torch::Tensor logits = model->forward(b).logits;
        const torch::Tensor probs = torch::softmax(logits, 1).to(torch::kCPU).contiguous();
        const float *p = probs.data_ptr<float>();
        out.probabilities.insert(out.probabilities.end(), p, p + probs.numel());
        const torch::Tensor valid = b.labels >= 0;
        if (valid.any().item<bool>()) {
            const torch::Tensor l = torch::nn::functional::cross_entropy(logits.index({ valid }),
                b.labels.index({ valid }), torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
            lossSum += l.item<double>();
            labelled += static_cast<int>(valid.sum().item<std::int64_t>());
        }
        for (int i = 0; i < batch->size(); ++i) {
            out.labels.push_back(static_cast<int>(batch->labels[i].item<std::int64_t>()));
            out.caseIds.push_back(batch->caseIds[static_cast<std::size_t>(i)]);
        }
    }
    // Metrics over the labelled cases only.
    std::vector<float> probs;
    std::vector<int> labels;
    for (std::size_t i = 0; i < out.labels.size(); ++i) {
        if (out.labels[i] < 0)
            continue;
        labels.push_back(out.labels[i]);
        probs.insert(probs.end(), out.probabilities.begin() + static_cast<std::ptrdiff_t>(i * classes),
            out.probabilities.begin() + static_cast<std::ptrdiff_t>((i + 1) * classes));
    }
    out.metrics = classificationMetrics(probs, labels, classes, positiveClass);
    out.metrics.loss = labelled > 0 ? lossSum / labelled : std::nan("");
    if (wasTraining)
        model->train();
    return out;
}

} // namespace lepton
