// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/DomainTemplate.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace lepton {

class Study;
struct RunRecord;

/// How a run's stored decisions change under another template.
struct RedecideOutcome
{
    /// How many predictions went from one stored decision to another ("" = none stored before).
    struct Transition
    {
        QString from, to;
        int cases = 0;
    };

    qint64 runId = 0;
    QString oldTemplate, newTemplate; ///< template names
    QString oldPositiveClass, positiveClass;
    QString rule; ///< the new rule in words (ruleText)
    int predictions = 0; ///< predictions re-decided
    int changed = 0; ///< of them, those whose decision changed
    QMap<QString, int> changedTo; ///< new decision → predictions whose decision changed to it
    QMap<QString, int> before, after; ///< decision → predictions ("" before: not decided)
    std::vector<Transition> transitions; ///< from → to, for the changed decisions
    int referredBefore = 0, referredAfter = 0;
    bool written = false; ///< false: a preview, or the run already decided so (nothing written)
    qint64 auditEntry = 0; ///< the run.redecide entry when written

    /// The outcome as the audit entry's details and `lepton runs redecide --json` show it.
    QJsonObject toJson() const;
};

struct RedecideOptions
{
    bool write = true; ///< false: compute what would change and write nothing (a preview)
    QString split; ///< a preview of one split's predictions (empty: all); only without `write`
    QString source; ///< where the template came from (a built-in name or a file), for the audit entry
};

/// Re-decides a run's stored predictions with another template, without the model: each
/// prediction's stored calibrated probabilities (its model probabilities when none were stored)
/// decided by `chosen` bound to the run's classes and record fields. The run's positive class
/// stays unless the template names one. When written, in one transaction: every prediction's
/// decision, grade, expected cost and referral; the bound template in the run's config (under
/// "template", with "positive_class" when the template names another), so later predictions,
/// explanations and resumed training decide with it; and the audit entry run.redecide (with
/// RedecideOutcome::toJson's details). A run still training is refused. When the run's config
/// already holds this template and no decision changes, nothing is written. Stored explanations
/// and reviews are kept as they are.
/// A run's classes (the model's output order) and record fields as trained (its feature spec),
/// or its dataset's for runs recorded without one.
Result<std::pair<QStringList, QStringList>> runClassesAndFields(Study &study, const RunRecord &run);

Result<RedecideOutcome> redecideRun(Study &study, qint64 runId, const DomainTemplate &chosen, const QString &actor,
    const RedecideOptions &options = {});

} // namespace lepton
