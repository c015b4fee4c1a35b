// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/DomainTemplate.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace lepton {

/// How a run decides, for the views: its template bound to its classes (as stored in the run's
/// config under "template" and "positive_class"), and what the views say of it. The views never
/// bind templates themselves: they show these texts.
struct RunDecision
{
    DomainTemplate bound;
    QString rule; ///< ruleText(bound): "abnormal when p(abnormal) ≥ 4.8 %: …, else normal"

    /// The template of a run's config bound to `classes` (the run's, in the model's order); a run
    /// recorded before templates existed gets the generic one. Fails when the stored template
    /// cannot be read or does not fit the classes, with a message naming the run.
    static Result<RunDecision> of(const QJsonObject &config, const QStringList &classes, qint64 runId);

    /// The class a stored decision stands for: the class whose template label it is ("decline"
    /// → "bad"), the class itself, else `fallback`.
    QString decidedClass(const QString &decision, const QString &fallback = QString()) const;
    /// Empty when the decided class is the most likely one; else one line saying why the decision
    /// differs (DecisionText's differsText).
    QString differs(const std::vector<double> &calibrated, const QString &decidedClass) const;
};

} // namespace lepton
