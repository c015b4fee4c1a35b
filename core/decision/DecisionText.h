// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/DomainTemplate.h"

#include <QStringList>

#include <vector>

namespace lepton {

/// The class a two-class run scores: a class with a known "positive" name (positive, yes, true,
/// 1, abnormal, malignant, default, fraud, …; case does not matter), else the rarer class in
/// `counts` (the training split's, in `classes` order), else the last class.
int choosePositiveClass(const QStringList &classes, const std::vector<int> &counts);
/// Why choosePositiveClass chose what it chose, in words ("a known positive name", "the rarer class").
QString positiveClassReason(const QStringList &classes, const std::vector<int> &counts);

/// "p(abnormal) = 35 %": every probability the product shows names its class.
QString probabilityText(const QString &className, double probability);

/// For two classes: the probability of the positive class from which the positive class is
/// decided, under the template's rule (its threshold, or for minimise-expected-cost the point
/// where both decisions cost the same: regret(false alarm) / (regret(false alarm) + regret(miss))).
/// NaN with more than two classes.
double decisionThreshold(const DomainTemplate &bound);

/// The rule in words: "abnormal when p(abnormal) ≥ 4.8 %: a missed abnormal costs 20× a false
/// alarm", "positive when p(positive) ≥ 50 %", or for more classes "the class with the lowest
/// expected cost" / "the most likely class".
QString ruleText(const DomainTemplate &bound);

/// The most likely class (argmax of `calibrated`).
int mostLikelyClass(const std::vector<double> &calibrated);

/// Empty when the decision is the most likely class; else one line saying why it differs:
/// "normal is more likely (p(normal) = 65 %), but abnormal is decided: p(abnormal) = 35 % ≥ 4.8 %,
/// and a missed abnormal costs 20× a false alarm".
QString differsText(const DomainTemplate &bound, const std::vector<double> &calibrated, int decidedClass);

/// The class names of the template other than `decided`: what a reviewer may override it to.
QStringList overrideChoices(const QStringList &classes, const QString &decided);

} // namespace lepton
