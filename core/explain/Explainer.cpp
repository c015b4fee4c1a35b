// SPDX-License-Identifier: GPL-3.0-or-later
#include "Explainer.h"

#include "dataset/MultimodalDataset.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace lepton {
namespace {

cv::Mat toMat(const torch::Tensor &t)
{
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return cv::Mat(static_cast<int>(c.size(0)), static_cast<int>(c.size(1)), CV_32F, c.data_ptr<float>()).clone();
}

QJsonArray attributionsJson(const std::vector<FieldAttribution> &a)
{
    QJsonArray out;
    for (const FieldAttribution &f : a)
        out.append(QJsonObject { { QStringLiteral("field"), f.field }, { QStringLiteral("value"), f.value } });
    return out;
}

/// A number in the user's units, with as many decimals as its size needs.
QString formatValue(double v)
{
    const double a = std::abs(v);
    return QString::number(v, 'f', a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

/// A standardised value back in the user's units.
double toUserUnits(const FieldEncoding &f, double z)
{
    const double x = z * f.std + f.mean;
    return f.log ? std::exp(x) : x;
}

} // namespace

QJsonObject Counterfactual::toJson() const
{
    QJsonArray c;
    for (const CounterfactualChange &ch : changes)
        c.append(QJsonObject { { QStringLiteral("field"), ch.field }, { QStringLiteral("from"), ch.from },
            { QStringLiteral("to"), ch.to }, { QStringLiteral("unit"), ch.unit },
            { QStringLiteral("standardised_delta"), ch.standardisedDelta } });
    return QJsonObject { { QStringLiteral("found"), found }, { QStringLiteral("changes"), c },
        { QStringLiteral("decision_before"), decisionBefore }, { QStringLiteral("decision_after"), decisionAfter },
        { QStringLiteral("grade_after"), gradeAfter }, { QStringLiteral("probability_before"), probabilityBefore },
        { QStringLiteral("probability_after"), probabilityAfter }, { QStringLiteral("verified"), verified },
        { QStringLiteral("evaluated"), evaluated }, { QStringLiteral("text"), text } };
}

QJsonObject CaseExplanation::toJson() const
{
    QJsonArray calibrated, temporal;
    for (double v : prediction.calibrated)
        calibrated.append(v);
    for (double v : temporalWeights)
        temporal.append(v);
    return QJsonObject { { QStringLiteral("case_id"), caseId }, { QStringLiteral("case"), caseKey },
        { QStringLiteral("predicted"), prediction.predicted }, { QStringLiteral("calibrated"), calibrated },
        { QStringLiteral("positive_probability"), positiveProbability },
        { QStringLiteral("decision"), prediction.decision }, { QStringLiteral("grade"), prediction.grade },
        { QStringLiteral("expected_cost"), prediction.expectedCost },
        { QStringLiteral("referred"), prediction.referred },
        { QStringLiteral("modality_weights"),
            QJsonObject { { QStringLiteral("image"), modalityWeights[0] },
                { QStringLiteral("record"), modalityWeights[1] }, { QStringLiteral("history"), modalityWeights[2] } } },
        { QStringLiteral("field_attention"), attributionsJson(fieldAttention) },
        { QStringLiteral("temporal_attention"), temporal },
        { QStringLiteral("integrated_gradients"),
            QJsonObject { { QStringLiteral("fields"), attributionsJson(integratedGradients) },
                { QStringLiteral("output"), igOutput }, { QStringLiteral("baseline_output"), igBaselineOutput },
                { QStringLiteral("completeness_error"), igCompletenessError } } },
        { QStringLiteral("counterfactual"), counterfactual.toJson() } };
}

Explainer::Explainer(
    FusionNet model, std::shared_ptr<const MultimodalDataset> dataset, DecisionSetup setup, torch::Device device)
    : m_model(std::move(model)), m_dataset(std::move(dataset)), m_setup(std::move(setup)), m_device(device)
{
    m_model->eval();
}

Batch Explainer::repeat(const Batch &one, int k)
{
    Batch b = one;
    for (torch::Tensor *t : { &b.image, &b.imagePresent, &b.recordValues, &b.recordMissing, &b.recordCategory,
             &b.recordPresent, &b.events, &b.eventMask, &b.eventLengths, &b.historyPresent, &b.labels }) {
        std::vector<std::int64_t> reps(static_cast<std::size_t>(t->dim()), 1);
        reps[0] = k;
        *t = t->repeat(reps);
    }
    b.indices.assign(static_cast<std::size_t>(k), one.indices.empty() ? 0 : one.indices.front());
    b.caseIds.assign(static_cast<std::size_t>(k), one.caseIds.empty() ? 0 : one.caseIds.front());
    return b;
}

cv::Mat Explainer::gradCam(FusionNet &model, const Batch &one, int classIndex)
{
    if (!model->imageEncoder() || !one.imagePresent[0].item<bool>())
        return {};
    torch::AutoGradMode grad(true);
    const FusionOutput o = model->forward(one);
    const torch::Tensor score = torch::log_softmax(o.logits, 1)[0][classIndex];
    const torch::Tensor g = torch::autograd::grad({ score }, { o.imageFeatures })[0]; // [1, C, h, w]
    const torch::Tensor weights = g.mean({ 2, 3 }, true);
    torch::Tensor cam = torch::relu((weights * o.imageFeatures).sum(1))[0].detach();
    const double top = cam.max().item<double>();
    if (top > 0.0)
        cam = cam / top;
    return toMat(cam);
}

std::vector<double> Explainer::integratedGradients(FusionNet &model, const Batch &one, const torch::Tensor &baseline,
    int classIndex, int steps, double *output, double *baselineOutput)
{
    torch::AutoGradMode grad(true);
    FixedEmbeddings fixed;
    {
        torch::NoGradGuard noGrad;
        fixed = model->embedImageAndHistory(one);
    }
    const torch::Tensor x = one.recordValues;
    Batch path = repeat(one, steps + 2);
    // Midpoints of `steps` equal intervals, then the case itself and the baseline.
    const torch::Tensor alpha = torch::cat({ (torch::arange(steps, x.options()) + 0.5) / steps,
                                               torch::ones({ 1 }, x.options()), torch::zeros({ 1 }, x.options()) })
                                    .unsqueeze(1);
    const torch::Tensor values = (baseline + alpha * (x - baseline)).detach().requires_grad_(true);
    path.recordValues = values;
    const torch::Tensor p = torch::softmax(model->forward(path, fixed).logits, 1).select(1, classIndex);
    const torch::Tensor g = torch::autograd::grad({ p.narrow(0, 0, steps).sum() }, { values })[0];
    const torch::Tensor attribution = ((x - baseline)[0] * g.narrow(0, 0, steps).mean(0)).to(torch::kCPU);
    if (output)
        *output = p[steps].item<double>();
    if (baselineOutput)
        *baselineOutput = p[steps + 1].item<double>();
    std::vector<double> out(static_cast<std::size_t>(attribution.size(0)));
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = attribution[static_cast<std::int64_t>(i)].item<double>();
    return out;
}

std::vector<double> Explainer::positiveProbabilities(const Batch &b) const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor p = torch::softmax(m_model->forward(b.to(m_device)).logits, 1)
                                .select(1, std::max(0, m_setup.bound.positiveIndex()))
                                .to(torch::kCPU, torch::kDouble)
                                .contiguous();
    return std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
}

std::vector<PredictionRow> Explainer::decideBatch(const Batch &b) const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor probs = torch::softmax(m_model->forward(b).logits, 1).to(torch::kCPU).contiguous();
    const int classes = static_cast<int>(probs.size(1));
    std::vector<PredictionRow> rows;
    for (std::int64_t i = 0; i < probs.size(0); ++i)
        rows.push_back(m_setup.predict(0, probs.data_ptr<float>() + i * classes, classes));
    return rows;
}

CaseExplanation Explainer::explain(int index, const ExplainOptions &options) const
{
    CaseExplanation e;
    const Batch one = m_dataset->collate({ index }).to(m_device);
    const FeatureSpec &spec = m_dataset->spec();
    e.caseId = one.caseIds.front();
    e.caseKey = m_dataset->at(index).caseKey;
    const int positive = std::max(0, m_setup.bound.positiveIndex());
    {
        torch::NoGradGuard noGrad;
        const FusionOutput o = m_model->forward(one);
        const torch::Tensor probs = torch::softmax(o.logits, 1).to(torch::kCPU).contiguous();
        e.prediction = m_setup.predict(e.caseId, probs.data_ptr<float>(), static_cast<int>(probs.size(1)));
        e.positiveProbability = e.prediction.calibrated.at(static_cast<std::size_t>(positive));
        if (o.modalityWeights.defined())
            for (int m = 0; m < 3; ++m)
                e.modalityWeights[static_cast<std::size_t>(m)] = o.modalityWeights[0][m].item<double>();
        if (o.imageAttention.defined() && one.imagePresent[0].item<bool>())
            e.imageAttention = toMat(o.imageAttention[0]);
        if (o.fieldWeights.defined())
            for (std::size_t f = 0; f < spec.recordFields.size(); ++f)
                e.fieldAttention.push_back(
                    { spec.recordFields[f].name, o.fieldWeights[0][static_cast<std::int64_t>(f)].item<double>() });
        if (o.temporalWeights.defined())
            for (std::int64_t t = 0; t < one.eventLengths[0].item<std::int64_t>(); ++t)
                e.temporalWeights.push_back(o.temporalWeights[0][t].item<double>());
    }
    e.gradCam = gradCam(m_model, one, positive);
    if (m_model->config().usesRecord() && !spec.recordFields.empty()) {
        // Baseline: every numeric field at its training mean (0 once standardised); categories
        // and missing markers stay as they are.
        const std::vector<double> ig = integratedGradients(m_model, one, torch::zeros_like(one.recordValues), positive,
            options.igSteps, &e.igOutput, &e.igBaselineOutput);
        double sum = 0.0;
        for (std::size_t f = 0; f < ig.size(); ++f) {
            e.integratedGradients.push_back({ spec.recordFields[f].name, ig[f] });
            sum += ig[f];
        }
        e.igCompletenessError = std::abs(sum - (e.igOutput - e.igBaselineOutput));
    }
    if (options.counterfactual)
        e.counterfactual = searchCounterfactual(one, e.prediction, options);
    return e;
}

Counterfactual Explainer::searchCounterfactual(
    const Batch &one, const PredictionRow &before, const ExplainOptions &o) const
{
    Counterfactual cf;
    const FeatureSpec &spec = m_dataset->spec();
    const DomainTemplate &t = m_setup.bound;
    const int positive = std::max(0, t.positiveIndex());
    cf.decisionBefore = before.decision;
    cf.probabilityBefore = before.calibrated.at(static_cast<std::size_t>(positive));

    // One candidate per row: (field, standardised value or category) settings.
    struct Move
    {
        int field;
        double value; ///< standardised number, or category index + 1
        double cost; ///< |Δ| in standard deviations; 1 for a category
    };
    std::vector<std::vector<Move>> singles; // per actionable field, its candidate moves
    for (const QString &name : t.actionableFields) {
        int f = -1;
        for (std::size_t i = 0; i < spec.recordFields.size(); ++i)
            if (spec.recordFields[i].name == name)
                f = static_cast<int>(i);
        if (f < 0 || one.recordMissing[0][f].item<float>() > 0.5f)
            continue; // unknown values are not changed
        const FieldEncoding &fe = spec.recordFields[static_cast<std::size_t>(f)];
        std::vector<Move> moves;
        if (fe.type == FieldType::Categorical) {
            const int current = static_cast<int>(one.recordCategory[0][f].item<std::int64_t>());
            for (int c = 1; c <= fe.categories.size(); ++c)
                if (c != current)
                    moves.push_back({ f, static_cast<double>(c), 1.0 });
        } else {
            const double z = one.recordValues[0][f].item<double>();
            double lo = toUserUnits(fe, -3.0), hi = toUserUnits(fe, 3.0);
            if (t.ranges.contains(name)) {
                lo = t.ranges.value(name).first;
                hi = t.ranges.value(name).second;
            }
            if (fe.log)
                lo = std::max(lo, 1e-3 * std::exp(fe.mean));
            // Evenly spaced in standardised units (for a log field: in ratios, not in mg/L).
            const double zlo = fe.standardise(lo), zhi = fe.standardise(hi);
            for (int k = 0; k <= o.gridPoints; ++k) {
                const double zz = zlo + (zhi - zlo) * k / o.gridPoints;
                if (std::abs(zz - z) > 1e-6)
                    moves.push_back({ f, zz, std::abs(zz - z) });
            }
        }
        if (!moves.empty())
            singles.push_back(std::move(moves));
    }

    FixedEmbeddings fixed;
    {
        torch::NoGradGuard noGrad;
        fixed = m_model->embedImageAndHistory(one);
    }
    // Candidates are edited on a CPU copy of the case, then moved to the model's device.
    const Batch cpuOne = one.to(torch::kCPU);
    auto evaluate = [&](const std::vector<std::vector<Move>> &candidates) {
        Batch b = repeat(cpuOne, static_cast<int>(candidates.size()));
        auto values = b.recordValues.accessor<float, 2>();
        auto cats = b.recordCategory.accessor<std::int64_t, 2>();
        for (std::size_t i = 0; i < candidates.size(); ++i)
            for (const Move &m : candidates[i]) {
                if (spec.recordFields[static_cast<std::size_t>(m.field)].type == FieldType::Categorical)
                    cats[static_cast<std::int64_t>(i)][m.field] = static_cast<std::int64_t>(m.value);
                else
                    values[static_cast<std::int64_t>(i)][m.field] = static_cast<float>(m.value);
            }
        cf.evaluated += static_cast<int>(candidates.size());
        torch::NoGradGuard noGrad;
        const torch::Tensor probs
            = torch::softmax(m_model->forward(b.to(m_device), fixed).logits, 1).to(torch::kCPU).contiguous();
        std::vector<PredictionRow> rows;
        const int classes = static_cast<int>(probs.size(1));
        for (std::int64_t i = 0; i < probs.size(0); ++i)
            rows.push_back(m_setup.predict(0, probs.data_ptr<float>() + i * classes, classes));
        return rows;
    };
    std::vector<Move> best;
    double bestCost = std::numeric_limits<double>::infinity();
    auto consider = [&](const std::vector<std::vector<Move>> &candidates) {
        if (candidates.empty())
            return;
        const std::vector<PredictionRow> rows = evaluate(candidates);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (rows[i].decision == before.decision)
                continue;
            double cost = 0.0;
            for (const Move &m : candidates[i])
                cost += m.cost;
            if (cost < bestCost) {
                bestCost = cost;
                best = candidates[i];
            }
        }
    };
    // One field at a time; two only when no single field flips the decision.
    {
        std::vector<std::vector<Move>> candidates;
        for (const auto &moves : singles)
            for (const Move &m : moves)
                candidates.push_back({ m });
        consider(candidates);
    }
    if (best.empty()) {
        const int coarse = std::max(4, o.gridPoints / 3);
        for (std::size_t a = 0; a < singles.size(); ++a)
            for (std::size_t b = a + 1; b < singles.size(); ++b) {
                std::vector<std::vector<Move>> candidates;
                const auto step = [&](const std::vector<Move> &m) {
                    return std::max<std::size_t>(1, m.size() / static_cast<std::size_t>(coarse));
                };
                for (std::size_t i = 0; i < singles[a].size(); i += step(singles[a]))
                    for (std::size_t j = 0; j < singles[b].size(); j += step(singles[b]))
                        candidates.push_back({ singles[a][i], singles[b][j] });
                consider(candidates);
            }
    }
    // Refine a single numeric move by bisection towards the current value: the smallest change.
    if (best.size() == 1 && spec.recordFields[static_cast<std::size_t>(best[0].field)].type != FieldType::Categorical) {
        const double z0 = cpuOne.recordValues[0][best[0].field].item<double>();
        double flip = best[0].value, keep = z0;
        for (int i = 0; i < 10; ++i) {
            const double mid = (flip + keep) / 2.0;
            const auto rows = evaluate({ { { best[0].field, mid, std::abs(mid - z0) } } });
            (rows[0].decision != before.decision ? flip : keep) = mid;
        }
        best[0].value = flip;
        best[0].cost = std::abs(flip - z0);
    }
    if (best.empty()) {
        cf.text = QStringLiteral("no counterfactual within limits: no change of up to two actionable fields (%1) "
                                 "inside their valid ranges gives another decision than '%2'")
                      .arg(t.actionableFields.join(QStringLiteral(", ")), before.decision);
        return cf;
    }

    // Verify: the changed case, run through the whole model from scratch.
    Batch changed = repeat(cpuOne, 1);
    QStringList parts;
    for (const Move &m : best) {
        const FieldEncoding &fe = spec.recordFields[static_cast<std::size_t>(m.field)];
        CounterfactualChange ch;
        ch.field = fe.name;
        ch.unit = t.units.value(fe.name);
        ch.standardisedDelta = m.cost;
        if (fe.type == FieldType::Categorical) {
            const int current = static_cast<int>(cpuOne.recordCategory[0][m.field].item<std::int64_t>());
            ch.from = fe.categories.value(current - 1);
            ch.to = fe.categories.value(static_cast<int>(m.value) - 1);
            changed.recordCategory[0][m.field] = static_cast<std::int64_t>(m.value);
        } else {
            ch.from = formatValue(toUserUnits(fe, cpuOne.recordValues[0][m.field].item<double>()));
            ch.to = formatValue(toUserUnits(fe, m.value));
            changed.recordValues[0][m.field] = m.value;
        }
        cf.changes.push_back(ch);
        parts.append(QStringLiteral("%1 %2 → %3%4")
                         .arg(ch.field, ch.from, ch.to, ch.unit.isEmpty() ? QString() : QStringLiteral(" ") + ch.unit));
    }
    const std::vector<PredictionRow> verified = decideBatch(changed.to(m_device));
    cf.found = true;
    cf.decisionAfter = verified[0].decision;
    cf.gradeAfter = verified[0].grade;
    cf.probabilityAfter = verified[0].calibrated.at(static_cast<std::size_t>(positive));
    cf.verified = cf.decisionAfter != before.decision;
    cf.text = QStringLiteral("%1 would give %2 (grade %3; p %4 → %5)")
                  .arg(parts.join(QStringLiteral(" and ")), cf.decisionAfter, cf.gradeAfter)
                  .arg(cf.probabilityBefore, 0, 'f', 3)
                  .arg(cf.probabilityAfter, 0, 'f', 3);
    return cf;
}

} // namespace lepton
