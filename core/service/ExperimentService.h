// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RunComparison.h"

#include "metrics/Reliability.h"
#include "store/DatasetRepository.h"
#include "store/PredictionQuery.h"
#include "store/RunRepository.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <vector>

namespace lepton {

class Study;

/// A run as the Experiments view lists, compares and inspects it: its record and the values
/// derived from it and its stored results.
struct RunSummary
{
    RunRecord run;
    QString variant; ///< train.model.fusion
    int epochs = 0; ///< configured (train.epochs)
    int epochsRun = -1; ///< epochs with a stored validation (fewer when stopped early); -1: unknown
    int batchSize = 0;
    double learningRate = 0.0; ///< NaN: unknown
    int imageSize = 0;
    qint64 seed = 0;
    double bestValAuroc = 0.0; ///< at the best epoch; NaN: unknown
    double testAuroc = 0.0; ///< the final evaluation's; NaN: unknown
    double testAccuracy = 0.0;
    double seconds = 0.0; ///< from start to end; NaN while running or unknown
    QStringList classes; ///< the run's class order (its feature spec's, else its dataset's)
    QString positiveClass;
    /// The cross-validation the run is a fold of (train.cv_group, e.g. "cv-20261207-022151");
    /// empty: a run of its own.
    QString cvGroup;
    int fold = -1; ///< 0-based fold of the group (train.fold); -1: none
    int folds = 0; ///< folds of the group (train.folds); 0: none

    /// "#3 name", for legends and column headers.
    QString label() const;
    /// The "train" settings of the run's config.
    QJsonObject train() const;
};

/// The figures of one metric across the folds of a cross-validation (core/metrics/CrossValidation.h).
struct CvMetric
{
    QString name; ///< "auroc", "auprc", "accuracy", "sensitivity", "specificity", "f1", "ece"
    double mean = 0.0, sd = 0.0; ///< NaN: unknown
    double lo = 0.0, hi = 0.0; ///< the 95 % interval of the mean; NaN: unknown
    int n = 0; ///< folds counted
};

/// The aggregate `lepton train --folds K` stored on every run of a cross-validation
/// (artifact "cv"/"cv_aggregate"): its group, folds, runs and each metric on val and test.
struct CvAggregate
{
    QString group;
    int folds = 0;
    QList<qint64> runs; ///< the runs of the folds, in fold order
    std::vector<CvMetric> val, test; ///< in the order of cvMetricNames(), metrics stored only
};

/// What the columns of a confusion matrix are: the decision the run's rule made (the answer the
/// product shows) or the most likely class.
enum class ConfusionAxis { Decision, MostLikely };

/// The ROC and precision-recall points a run's final evaluation stored for a split.
struct RunCurves
{
    qint64 runId = 0;
    QVector<double> rocX, rocY, prX, prY; ///< empty: not stored
    double auroc = 0.0; ///< NaN: unknown
    double auprc = 0.0;
};

/// What the Experiments view shows of one run on one split: the confusion matrix and the
/// reliability bins (each from the final evaluation of the best epoch when stored, else from the
/// run's stored predictions), how many predictions are stored, the temperature calibration fitted
/// on val, and the ROC/PR points of the compared runs on the same split.
struct SplitResults
{
    enum class Source {
        None, ///< neither an evaluation nor predictions
        Evaluation, ///< the final evaluation of the best epoch (what `lepton evaluate` recomputes)
        Predictions ///< the run's stored predictions (model probabilities)
    };

    qint64 runId = 0;
    QString requested; ///< the split asked for
    QString split; ///< the split shown: the requested one, or the other when only it was evaluated
    std::vector<std::vector<int>> confusion; ///< [true][most likely]; empty: none
    Source confusionSource = Source::None;
    /// [true][decided class], from the stored predictions (the decisions are not in the final
    /// evaluation); empty without predictions on the split.
    std::vector<std::vector<int>> decisionConfusion;
    int predictionCount = 0; ///< stored predictions of the run on the shown split
    Reliability reliability;
    Source reliabilitySource = Source::None;
    double temperature = 0.0; ///< of the calibration fitted on val; NaN: none stored
    double valEceBefore = 0.0, valEceAfter = 0.0; ///< validation ECE without and with it
    std::vector<RunCurves> curves; ///< one per compared run, in the order given

    bool fellBack() const { return split != requested; }
};

/// The reads and run changes of the Experiments view, on the calling thread's connection to the
/// study (Study::database()): list runs, compare them, the results of one run on a split, the
/// cases of a confusion-matrix cell, and rename, tag, annotate or delete runs (each with its audit
/// entry). splitResults() and cellCases() read a split's stored predictions and can take long on a
/// large study: call them from a worker thread (they take a cancel callback); the others read a
/// few rows per run.
class ExperimentService
{
public:
    explicit ExperimentService(Study &study) : m_study(study) { }

    /// Every run, oldest first. On a writable study, runs whose process has ended are first marked
    /// interrupted (RunRepository::markInterrupted).
    Result<std::vector<RunSummary>> runs() const;
    /// Metrics, settings and per-epoch curves of runs side by side, in the order given.
    Result<RunComparison> compare(const std::vector<RunSummary> &runs) const;
    /// The results of `current` on `requested` ("test" or "val"), and the ROC/PR points of `runs`
    /// on the split shown. Fails with "cancelled" when `cancelled` says so.
    Result<SplitResults> splitResults(const RunSummary &current, const std::vector<RunSummary> &runs,
        const QString &requested, const CancelFn &cancelled = {}) const;
    /// The stored predictions of a run on a split that are true `trueClass` and, by `axis`, decided
    /// or most likely `column` (indices into run.classes), by case key. Fails outside the matrix.
    Result<std::vector<CasePrediction>> cellCases(const RunSummary &run, const QString &split, int trueClass,
        int column, const CancelFn &cancelled = {}, ConfusionAxis axis = ConfusionAxis::MostLikely) const;
    /// The class each prediction's decision stands for (the template's label mapped back to its
    /// class; the predicted class where the prediction was not decided), in the order given.
    QStringList decidedClasses(const RunSummary &run, const std::vector<CasePrediction> &predictions) const;
    /// The aggregate stored on a run of a cross-validation. Fails when the run is not one or the
    /// aggregate was not stored (the group's training did not finish).
    Result<CvAggregate> cvAggregate(qint64 runId) const;
    /// The metrics of a CvAggregate in the order shown.
    static QStringList cvMetricNames();
    /// The datasets a run can predict (for choosing one).
    Result<std::vector<DatasetSummary>> datasets() const;

    Status rename(qint64 runId, const QString &name, const QString &actor);
    Status setTags(qint64 runId, const QStringList &tags, const QString &actor);
    Status setNotes(qint64 runId, const QString &notes, const QString &actor);
    /// Deletes runs one by one; stops at the first refusal (a run still training) with its message.
    Status remove(const QList<qint64> &runIds, const QString &actor);

    /// Seconds from an ISO start to an ISO end time; NaN when either is missing.
    static double secondsBetween(const QString &startedAt, const QString &endedAt);

private:
    Study &m_study;
};

} // namespace lepton
