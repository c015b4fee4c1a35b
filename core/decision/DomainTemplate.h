// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QStringList>

#include <vector>

namespace lepton {

/// A probability band with a name: the grade of a case whose calibrated probability of the
/// positive class is below `below` (and not below the previous band's bound).
struct RiskGrade
{
    QString name;
    double below = 1.0;
};

/// What a template knows of one record field beyond its range: its type ("numeric",
/// "categorical", "boolean" or "date") and, for a categorical field, the categories seen.
/// Written by `lepton template init` (explain/TemplateFromData) for the template editor and
/// a person to read; the decision does not use it.
struct TemplateField
{
    QString type;
    QStringList categories;

    bool operator==(const TemplateField &o) const { return type == o.type && categories == o.categories; }
};

/// How decisions are made in one domain: classes, costs, the rule, risk grades, when to refer a
/// case to a person, and which record fields a counterfactual may change and within which
/// ranges. Read from JSON (resources/templates/*.json; the schema is in docs/TEMPLATES.md).
struct DomainTemplate
{
    enum class Rule { MinimiseExpectedCost, Threshold };

    QString name;
    QString description;
    QStringList classes; ///< empty: the dataset's classes
    QString positiveClass; ///< empty: the dataset's rarer class
    /// cost[true class][decided class] in `classes` order; empty: 0 on the diagonal, 1 elsewhere
    std::vector<std::vector<double>> cost;
    Rule rule = Rule::Threshold;
    double threshold = 0.5; ///< Rule::Threshold: positive when its probability ≥ threshold
    QHash<QString, QString> decisionLabels; ///< class → what is done ("bad" → "decline")
    std::vector<RiskGrade> grades;
    bool abstainEnabled = false;
    double abstainLow = 0.0, abstainHigh = 0.0; ///< refer when low ≤ p(positive) ≤ high
    QString abstainLabel;
    QStringList actionableFields;
    QStringList immutableFields;
    QHash<QString, std::pair<double, double>> ranges; ///< field → [min, max]
    QHash<QString, QString> units;
    QMap<QString, TemplateField> fields; ///< record field → type and categories (key "fields")

    /// Reads a template; an error names the key and the reason. `origin` (a file name) prefixes it.
    static Result<DomainTemplate> fromJson(const QJsonObject &json, const QString &origin = QString());
    /// A built-in template by name (medical, finance, generic) or a template file.
    static Result<DomainTemplate> load(const QString &nameOrPath);
    /// "auto": the built-in template whose classes are `classes` (medical, finance) and whose
    /// actionable and immutable fields are all among `fields` (when given), else generic: a
    /// dataset with the demo's labels but fields of its own gets the generic template, not an
    /// error. Anything else as load().
    static Result<DomainTemplate> resolve(
        const QString &nameOrAuto, const QStringList &classes, const QStringList &fields = {});
    /// The built-in templates' names.
    static QStringList builtinNames();
    QJsonObject toJson() const;

    /// Fills what the template leaves to the data (classes, positive class, costs) and checks
    /// that the classes and fields it names exist. `fields` are the dataset's record fields.
    Result<DomainTemplate> boundTo(
        const QStringList &datasetClasses, const QString &defaultPositive, const QStringList &fields) const;
    int positiveIndex() const { return static_cast<int>(classes.indexOf(positiveClass)); }
    /// What is done for a decided class: its label when the template names one, else the class.
    QString decisionLabel(const QString &decidedClass) const
    {
        return decisionLabels.value(decidedClass, decidedClass);
    }
};

} // namespace lepton
