// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace lepton {

class Study;

/// One stored explanation of a prediction: its kind (attention, gradcam, integrated_gradients,
/// counterfactual), a JSON summary and, for maps, compact binary data (an 8-bit PNG).
struct StoredExplanation
{
    QString kind;
    QJsonObject summary;
    QByteArray data;
};

/// A stored prediction of a run for a case, as the policy decided it.
struct StoredPrediction
{
    qint64 id = 0;
    qint64 runId = 0;
    qint64 caseId = 0;
    QString createdAt;
    std::vector<double> probabilities; ///< the model's, in the run's class order
    std::vector<double> calibrated; ///< after temperature calibration (empty: not decided)
    QString predicted, decision, grade;
    double expectedCost = 0.0;
    bool referred = false;
};

/// Explanations in a study, attached to predictions (one per prediction and kind; a new one
/// replaces the old).
class ExplanationRepository
{
public:
    explicit ExplanationRepository(Study &study) : m_study(study) { }

    /// The stored prediction of a run for a case.
    Result<qint64> predictionId(qint64 runId, qint64 caseId) const;
    /// The stored prediction of a run for a case (failure names run and case when there is none).
    Result<StoredPrediction> prediction(qint64 runId, qint64 caseId) const;
    /// Runs that have stored predictions for a case (newest run first).
    Result<std::vector<qint64>> runsWithPrediction(qint64 caseId) const;
    /// Saves all of one prediction's explanations in one transaction.
    Status save(qint64 predictionId, const std::vector<StoredExplanation> &explanations);
    Result<std::vector<StoredExplanation>> load(qint64 predictionId) const;

private:
    Study &m_study;
};

} // namespace lepton
