// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// No Torch or OpenCV here: the workbench's views include this header.

#include "decision/DomainTemplate.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QMap>
#include <QString>

#include <functional>

namespace lepton {

class Study;
struct CaseExplanation;

/// What to predict (and explain) with a run's best model, and where to report on it.
struct PredictOptions
{
    qint64 runId = 0;
    qint64 datasetId = 0; ///< 0: the run's dataset
    QString split; ///< empty: every case; else train, val or test
    QString device = QStringLiteral("auto");
    QString templateOverride; ///< empty: the run's template; else a built-in name or a file
    bool explain = false; ///< also explain every predicted case and store the explanations
    /// (done, total, stage): stage "Predicting", then "Explaining"; each starts with done = 0.
    ProgressFn progress;
    /// Asked between batches and between explained cases.
    CancelFn cancelled;
    /// Called with each case's explanation once it is stored (explain only). Optional; whoever sets
    /// it includes explain/Explainer.h.
    std::function<void(const CaseExplanation &)> explained;
};

/// What a prediction run did.
struct PredictSummary
{
    qint64 runId = 0, datasetId = 0;
    int cases = 0; ///< cases selected (the split's, or all)
    int predicted = 0; ///< predictions stored
    int explained = 0; ///< cases whose explanations are stored
    int referred = 0; ///< predictions the template refers to review
    QMap<QString, int> perClass, perDecision;
    QString templateName;
    DomainTemplate bound; ///< the template the cases were decided with, bound to the run's classes
    double temperature = 1.0;
    QJsonObject metrics; ///< on the labelled cases (empty when prediction was cancelled)
    qint64 explainMs = 0; ///< wall time of explaining and storing the explanations
    /// Explanations stored so far are kept; predictions are stored only when prediction completed.
    bool cancelled = false;
};

/// Predicts a run's cases with its best model, decides them with its template and stores the
/// predictions in the study in one transaction; optionally explains every predicted case and
/// stores each case's explanations as it goes. The command line and the workbench share it.
class PredictionService
{
public:
    /// What a failed run() stumbled on, for callers that tell failures apart (exit codes).
    enum class Failure {
        Model, ///< the run or its checkpoint cannot be loaded
        Template, ///< the template cannot be bound to the run's data
        Dataset, ///< the dataset cannot be encoded as the model expects
        NoCases, ///< nothing to predict in the split
        Storage, ///< writing to the study failed
        Computation, ///< the model failed on the data
    };

    /// Predicts (and optionally explains) and stores in the study. Blocks; runs on the calling
    /// thread with that thread's connection to `study`. Cancelling is not a failure: the summary
    /// says so. Failure: a message naming what and what to do, and in `failure` its kind.
    static Result<PredictSummary> run(Study &study, const PredictOptions &options, Failure *failure = nullptr);
};

} // namespace lepton
