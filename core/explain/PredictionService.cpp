// SPDX-License-Identifier: GPL-3.0-or-later
#include "PredictionService.h"

#include "dataset/MultimodalDataset.h"
#include "explain/DecisionSetup.h"
#include "explain/Explainer.h"
#include "explain/ExplanationStore.h"
#include "metrics/Metrics.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/Evaluator.h"
#include "train/TrainedModel.h"

#include <QElapsedTimer>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

namespace lepton {
namespace {

using Failure = PredictionService::Failure;
using FailFn = std::function<Result<PredictSummary>(Failure, const QString &)>;

const QString kPredicting = QStringLiteral("Predicting");
const QString kExplaining = QStringLiteral("Explaining");

/// Cases per call of evaluateModel: whole batches (so the batches, and the results, are those of
/// one call over all cases), about twenty calls in all, so that progress moves.
int chunkSize(int cases, int batchSize)
{
    const int batch = std::max(1, batchSize);
    const int batches = (cases + batch - 1) / batch;
    return std::max(1, (batches + 19) / 20) * batch;
}

/// The splits a dataset has, for a message when the asked one has no cases.
QString splitsOf(const MultimodalDataset &data)
{
    QStringList splits;
    for (int i = 0; i < data.size(); ++i)
        if (!splits.contains(data.at(i).split))
            splits.append(data.at(i).split);
    splits.sort();
    return splits.isEmpty() ? QStringLiteral("no cases at all") : splits.join(QStringLiteral(", "));
}

Result<PredictSummary> predictAndExplain(Study &study, const PredictOptions &o, const FailFn &fail)
{
    const auto report = [&o](qint64 done, qint64 total, const QString &stage) {
        if (o.progress)
            o.progress(done, total, stage);
    };
    const auto stop = [&o] { return o.cancelled && o.cancelled(); };

    auto model = TrainedModel::load(study, o.runId, o.device);
    if (!model)
        return fail(Failure::Model, model.error());
    auto setup = DecisionSetup::forRun(study, model.value(), o.templateOverride);
    if (!setup)
        return fail(Failure::Template, setup.error());
    PredictSummary summary;
    summary.runId = o.runId;
    summary.datasetId = o.datasetId != 0 ? o.datasetId : model->run.datasetId;
    summary.templateName = setup->bound.name;
    summary.bound = setup->bound;
    summary.temperature = setup->calibration.temperature;
    auto data = model->dataset(study, summary.datasetId);
    if (!data)
        return fail(Failure::Dataset, data.error());
    const std::shared_ptr<const MultimodalDataset> ds = data.value();

    std::vector<int> indices;
    for (int i = 0; i < ds->size(); ++i)
        if (o.split.isEmpty() || ds->at(i).split == o.split)
            indices.push_back(i);
    if (indices.empty())
        return fail(Failure::NoCases,
            o.split.isEmpty() ? QStringLiteral("dataset %1 has no cases to predict; import cases into it first")
                                    .arg(summary.datasetId)
                              : QStringLiteral("no cases in split '%1' of dataset %2 (it has %3); choose one of those")
                                    .arg(o.split)
                                    .arg(summary.datasetId)
                                    .arg(splitsOf(*ds)));
    const int total = static_cast<int>(indices.size());
    summary.cases = total;

    // Prediction, in chunks of whole batches; nothing is stored unless every case is predicted.
    const int classes = static_cast<int>(model->spec.classes.size());
    const int chunk = chunkSize(total, model->config.batchSize);
    std::vector<float> probabilities, labelledProbabilities;
    std::vector<int> labels;
    std::vector<qint64> caseIds;
    double lossSum = 0.0;
    int labelled = 0;
    report(0, total, kPredicting);
    for (int from = 0; from < total; from += chunk) {
        if (stop()) {
            summary.cancelled = true;
            return summary;
        }
        const std::vector<int> part(indices.begin() + from, indices.begin() + std::min(total, from + chunk));
        const Evaluation ev = evaluateModel(model->model, ds, part, model->device, model->config.batchSize,
            model->config.workers, model->positiveClass, o.cancelled);
        if (ev.cancelled) {
            summary.cancelled = true;
            return summary;
        }
        probabilities.insert(probabilities.end(), ev.probabilities.begin(), ev.probabilities.end());
        caseIds.insert(caseIds.end(), ev.caseIds.begin(), ev.caseIds.end());
        int partLabelled = 0;
        for (std::size_t i = 0; i < ev.labels.size(); ++i) {
            if (ev.labels[i] < 0)
                continue;
            ++partLabelled;
            labels.push_back(ev.labels[i]);
            const auto row = ev.probabilities.begin() + static_cast<std::ptrdiff_t>(i * classes);
            labelledProbabilities.insert(labelledProbabilities.end(), row, row + classes);
        }
        // The chunk's loss is a mean over its labelled cases; the whole one weighs them alike.
        if (partLabelled > 0) {
            lossSum += ev.metrics.loss * partLabelled;
            labelled += partLabelled;
        }
        report(static_cast<qint64>(caseIds.size()), total, kPredicting);
    }
    ClassificationMetrics metrics = classificationMetrics(labelledProbabilities, labels, classes, model->positiveClass);
    metrics.loss = labelled > 0 ? lossSum / labelled : std::nan("");

    std::vector<PredictionRow> rows;
    rows.reserve(caseIds.size());
    for (std::size_t i = 0; i < caseIds.size(); ++i)
        rows.push_back(setup->predict(caseIds[i], probabilities.data() + i * classes, classes));
    Status saved = RunRepository(study).savePredictions(o.runId, rows);
    if (!saved)
        return fail(Failure::Storage, saved.error());
    summary.predicted = static_cast<int>(rows.size());
    summary.metrics = metrics.toJson();
    for (const PredictionRow &r : rows) {
        ++summary.perClass[r.predicted];
        ++summary.perDecision[r.decision];
        summary.referred += r.referred ? 1 : 0;
    }
    if (!o.explain)
        return summary;

    // Explanation, one case at a time; each case's explanations are stored in one transaction,
    // so a cancelled run keeps whole cases only.
    const Explainer explainer(model->model, ds, setup.value(), model->device);
    QElapsedTimer clock;
    clock.start();
    report(0, total, kExplaining);
    for (int index : indices) {
        if (stop()) {
            summary.cancelled = true;
            break;
        }
        const CaseExplanation e = explainer.explain(index);
        Status st = storeExplanation(study, o.runId, e);
        if (!st)
            return fail(Failure::Storage, st.error());
        ++summary.explained;
        report(summary.explained, total, kExplaining);
        if (o.explained)
            o.explained(e);
    }
    summary.explainMs = clock.elapsed();
    return summary;
}

} // namespace

Result<PredictSummary> PredictionService::run(Study &study, const PredictOptions &options, Failure *failure)
{
    const FailFn fail = [failure](Failure kind, const QString &message) {
        if (failure)
            *failure = kind;
        return Result<PredictSummary>::failure(message);
    };
    const auto failed = [&](const QString &what) {
        return fail(Failure::Computation,
            QStringLiteral("run %1 failed on %2: %3; on a GPU short of memory, try the CPU")
                .arg(options.runId)
                .arg(options.datasetId != 0 ? QStringLiteral("dataset %1").arg(options.datasetId)
                                            : QStringLiteral("its dataset"))
                .arg(what));
    };
    try {
        return predictAndExplain(study, options, fail);
    } catch (const c10::Error &e) {
        return failed(QString::fromStdString(e.what_without_backtrace()));
    } catch (const cv::Exception &e) {
        return failed(QString::fromStdString(e.what()));
    } catch (const std::exception &e) {
        return failed(QString::fromUtf8(e.what()));
    }
}

} // namespace lepton
