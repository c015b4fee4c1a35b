// SPDX-License-Identifier: GPL-3.0-or-later
#include "TemplateFromData.h"

#include "data/FieldType.h"
#include "decision/DecisionText.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lepton {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(values.begin(), values.end());
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(rank));
    const std::size_t above = std::min(below + 1, values.size() - 1);
    return values[below] + (rank - static_cast<double>(below)) * (values[above] - values[below]);
}

Result<DomainTemplate> templateFromData(Study &study, qint64 datasetId, TemplateFromDataNotes *notes)
{
    using R = Result<DomainTemplate>;
    DatasetRepository repo(study);
    auto summary = repo.dataset(datasetId);
    if (!summary)
        return R::failure(summary.error());
    auto fields = repo.fields(datasetId, QStringLiteral("record"));
    if (!fields)
        return R::failure(fields.error());
    CaseFilter train;
    train.split = QStringLiteral("train");
    auto cases = repo.cases(datasetId, train);
    if (!cases)
        return R::failure(cases.error());
    if (cases->empty())
        return R::failure(QStringLiteral("dataset %1 (%2) has no case in the train split; the template's ranges and "
                                         "positive class come from it")
                              .arg(datasetId)
                              .arg(summary->name));
    auto values = repo.recordValues(datasetId);
    if (!values)
        return R::failure(values.error());

    TemplateFromDataNotes n;
    n.datasetName = summary->name;
    n.trainCases = static_cast<int>(cases->size());
    const QStringList classes = summary->classes;
    if (classes.size() < 2)
        return R::failure(QStringLiteral("dataset %1 (%2) has %3 class(es) (%4); a decision needs at least two")
                              .arg(datasetId)
                              .arg(summary->name)
                              .arg(classes.size())
                              .arg(classes.join(QStringLiteral(", "))));
    n.trainCounts.assign(static_cast<std::size_t>(classes.size()), 0);
    for (const StoredCase &c : cases.value())
        if (const int k = static_cast<int>(classes.indexOf(c.label)); k >= 0)
            ++n.trainCounts[static_cast<std::size_t>(k)];
    const int positive = choosePositiveClass(classes, n.trainCounts);
    n.positiveReason = positiveClassReason(classes, n.trainCounts);

    DomainTemplate t;
    t.name = QStringLiteral("%1 template").arg(summary->name);
    t.description = QStringLiteral("Written from dataset %1 (%2): its classes, a positive class chosen from the data, "
                                   "each record field's type and, for numbers, the 1st–99th percentile of its %3 "
                                   "training values as its range. Choose the actionable and immutable fields, units "
                                   "and costs before using it for counterfactuals.")
                        .arg(datasetId)
                        .arg(summary->name)
                        .arg(n.trainCases);
    t.classes = classes;
    t.positiveClass = classes.value(positive);
    t.rule = DomainTemplate::Rule::Threshold;
    t.threshold = 0.5;
    t.grades = { { QStringLiteral("low"), 0.5 }, { QStringLiteral("high"), 1.0 } };

    for (const StoredField &f : fields.value()) {
        TemplateField field;
        field.type = fieldTypeName(f.type);
        std::vector<double> numbers;
        QSet<QString> seen;
        for (const StoredCase &c : cases.value()) {
            const QVariant v = values->value(c.id).value(f.position);
            if (!v.isValid() || v.isNull())
                continue; // missing
            if (f.type == FieldType::Categorical) {
                seen.insert(v.toString());
            } else {
                bool ok = false;
                const double x = v.toDouble(&ok);
                if (ok && std::isfinite(x))
                    numbers.push_back(x);
            }
        }
        if (f.type == FieldType::Categorical) {
            // The stored order (first seen at import), limited to what training shows.
            for (const QString &category : f.categories)
                if (seen.contains(category) && !category.trimmed().isEmpty())
                    field.categories.append(category);
        } else if (f.type == FieldType::Numeric) {
            const double low = percentile(numbers, 1.0), high = percentile(numbers, 99.0);
            if (numbers.empty())
                n.withoutRange.append(QStringLiteral("%1: no training value").arg(f.name));
            else if (!(low < high))
                n.withoutRange.append(QStringLiteral("%1: every training value is %2").arg(f.name).arg(low));
            else
                // Six significant digits: a range a person reads and edits, without binary noise.
                t.ranges.insert(
                    f.name, { QString::number(low, 'g', 6).toDouble(), QString::number(high, 'g', 6).toDouble() });
        }
        t.fields.insert(f.name, field);
    }
    // What a file written from this reads back as: the parser is the one judge of a template.
    auto checked = DomainTemplate::fromJson(t.toJson(), QStringLiteral("the template of dataset %1").arg(datasetId));
    if (!checked)
        return R::failure(checked.error());
    if (notes)
        *notes = n;
    return checked;
}

} // namespace lepton
