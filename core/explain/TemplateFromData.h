// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/DomainTemplate.h"
#include "util/Result.h"

#include <QStringList>

#include <vector>

namespace lepton {

class Study;

/// What templateFromData found out on the way, for a person to read.
struct TemplateFromDataNotes
{
    QString datasetName;
    int trainCases = 0; ///< cases of the train split the ranges and counts come from
    std::vector<int> trainCounts; ///< labelled train cases per class, in the template's class order
    QString positiveReason; ///< why the positive class is the one chosen (positiveClassReason)
    QStringList withoutRange; ///< "field: why" for each numeric field that got no range
};

/// The p-th percentile (0 ≤ p ≤ 100) of `values` with linear interpolation between the sorted
/// values (the value at rank p/100·(n−1), ranks 0 … n−1). NaN for no values.
double percentile(std::vector<double> values, double p);

/// A template written from a stored dataset, for `lepton template init` and the workbench's
/// template editor: its name (the dataset's name + " template"), the dataset's classes, the
/// positive class choosePositiveClass picks from the train split's counts, a threshold of 0.5,
/// grades low/high, no abstention, every record field's type (and a categorical field's
/// categories seen in training) under "fields", and each numeric field's 1st–99th percentile of
/// its training values as its range (none when it has fewer than two distinct training values).
/// Nothing is actionable or immutable and there are no units: a person chooses them. The
/// template reads back with DomainTemplate::fromJson and binds to the dataset.
Result<DomainTemplate> templateFromData(Study &study, qint64 datasetId, TemplateFromDataNotes *notes = nullptr);

} // namespace lepton
