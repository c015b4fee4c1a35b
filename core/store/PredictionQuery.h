// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QString>

#include <vector>

namespace lepton {

class Study;

/// One stored prediction of a run with the case it is about.
struct CasePrediction
{
    qint64 predictionId = 0;
    qint64 caseId = 0;
    QString caseKey;
    QString label; ///< the true class; empty when the case is unlabelled
    QString split;
    QString predicted; ///< the most probable class
    std::vector<double> probabilities; ///< the model's, in the run's class order
    std::vector<double> calibrated; ///< after temperature calibration; empty when not decided
    QString decision;
    QString grade;
    bool referred = false;
};

/// Which stored predictions of a run to read.
struct PredictionFilter
{
    qint64 runId = 0;
    qint64 datasetId = 0; ///< 0: any dataset
    QString split; ///< empty: any
    QString label; ///< the true class; empty: any
    QString predicted; ///< empty: any
};

/// Reads a run's stored predictions joined with their cases (the rows behind a confusion-matrix
/// cell, or everything a calibration plot needs). Read-only, statements prepared with bound values,
/// on the calling thread's connection to the study; failures name what could not be read.
class PredictionQuery
{
public:
    explicit PredictionQuery(Study &study) : m_study(study) { }

    /// The matching predictions ordered by case key.
    Result<std::vector<CasePrediction>> list(const PredictionFilter &filter) const;
    /// How many predictions match.
    Result<int> count(const PredictionFilter &filter) const;

private:
    Study &m_study;
};

} // namespace lepton
