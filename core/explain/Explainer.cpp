// SPDX-License-Identifier: GPL-3.0-or-later
#include "Explainer.h"

#include "dataset/MultimodalDataset.h"
#include "dataset/TextTokenizer.h"
#include "decision/DecisionText.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

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
        out.append(QJsonObject { { QStringLiteral("field"), f.field }, { QStringLiteral("value"), f.value },
            { QStringLiteral("method"), f.method } });
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

/// A value's percentile (linear between order statistics) of sorted values.
double percentile(const std::vector<double> &sorted, double q)
{
    if (sorted.empty())
        return 0.0;
    const double at = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(at));
    const std::size_t hi = std::min(sorted.size() - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - static_cast<double>(lo));
}

/// The class index a decision label stands for (the template may name decisions differently
/// from classes); -1 when none.
int decidedIndex(const DomainTemplate &t, const QString &decision)
{
    for (int i = 0; i < t.classes.size(); ++i)
        if (t.decisionLabel(t.classes[i]) == decision)
            return i;
    return static_cast<int>(t.classes.indexOf(decision));
}

QJsonArray changesJson(const std::vector<CounterfactualChange> &changes)
{
    QJsonArray c;
    for (const CounterfactualChange &ch : changes)
        c.append(QJsonObject { { QStringLiteral("field"), ch.field }, { QStringLiteral("from"), ch.from },
            { QStringLiteral("to"), ch.to }, { QStringLiteral("unit"), ch.unit },
            { QStringLiteral("standardised_delta"), ch.standardisedDelta },
            { QStringLiteral("agrees_with_attribution"), ch.agreesWithAttribution } });
    return c;
}

} // namespace

std::vector<FieldStatistics> trainingStatistics(const MultimodalDataset &dataset, int classes)
{
    const FeatureSpec &spec = dataset.spec();
    const std::size_t nf = spec.recordFields.size();
    std::vector<FieldStatistics> out(nf);
    const std::vector<int> train = dataset.indicesOf(QStringLiteral("train"));
    for (std::size_t f = 0; f < nf; ++f) {
        const FieldEncoding &fe = spec.recordFields[f];
        FieldStatistics &st = out[f];
        st.classBand.assign(static_cast<std::size_t>(std::max(classes, 0)), { 1.0, 0.0 });
        st.classCategories.assign(static_cast<std::size_t>(std::max(classes, 0)), {});
        std::vector<std::vector<double>> perClass(static_cast<std::size_t>(std::max(classes, 0)));
        std::vector<int> counts(static_cast<std::size_t>(fe.categories.size() + 1), 0);
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (int i : train) {
            const EncodedCase &c = dataset.at(i);
            if (c.recordMissing.size() <= f || c.recordMissing[f] > 0.5f)
                continue;
            st.seen = true;
            const bool labelled = c.label >= 0 && c.label < classes;
            if (fe.type == FieldType::Categorical) {
                const std::int64_t k = c.recordCategory[f];
                if (k >= 0 && k < static_cast<std::int64_t>(counts.size()))
                    ++counts[static_cast<std::size_t>(k)];
                if (labelled) {
                    auto &seen = st.classCategories[static_cast<std::size_t>(c.label)];
                    if (std::find(seen.begin(), seen.end(), k) == seen.end())
                        seen.push_back(k);
                }
            } else {
                const double v = c.recordValues[f];
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                if (labelled)
                    perClass[static_cast<std::size_t>(c.label)].push_back(v);
            }
        }
        if (fe.type == FieldType::Categorical) {
            st.mode = static_cast<std::int64_t>(std::max_element(counts.begin() + 1, counts.end()) - counts.begin());
            if (counts.size() <= 1 || counts[static_cast<std::size_t>(st.mode)] == 0)
                st.mode = 0;
        } else if (st.seen) {
            st.low = lo;
            st.high = hi;
            for (std::size_t k = 0; k < perClass.size(); ++k) {
                std::sort(perClass[k].begin(), perClass[k].end());
                if (!perClass[k].empty())
                    st.classBand[k] = { percentile(perClass[k], 0.05), percentile(perClass[k], 0.95) };
            }
        }
    }
    return out;
}

QJsonObject Counterfactual::toJson() const
{
    QJsonArray alts;
    for (const CounterfactualAlternative &a : alternatives)
        alts.append(QJsonObject { { QStringLiteral("changes"), changesJson(a.changes) },
            { QStringLiteral("decision_after"), a.decisionAfter },
            { QStringLiteral("probability_after"), a.probabilityAfter }, { QStringLiteral("distance"), a.distance },
            { QStringLiteral("text"), a.text } });
    return QJsonObject { { QStringLiteral("found"), found }, { QStringLiteral("changes"), changesJson(changes) },
        { QStringLiteral("distance"), distance }, { QStringLiteral("alternatives"), alts },
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
    // Masked modalities the case lacks are left out (null).
    QJsonObject ablation, weights;
    const char *names[] = { "image", "record", "history", "text" };
    for (std::size_t m = 0; m < (usesText ? 4u : 3u); ++m) {
        ablation.insert(QLatin1String(names[m]),
            std::isfinite(modalityAblation[m]) ? QJsonValue(modalityAblation[m]) : QJsonValue());
        weights.insert(QLatin1String(names[m]), modalityWeights[m]);
    }
    QJsonObject json { { QStringLiteral("case_id"), caseId }, { QStringLiteral("case"), caseKey },
        { QStringLiteral("predicted"), prediction.predicted }, { QStringLiteral("calibrated"), calibrated },
        { QStringLiteral("positive_probability"), positiveProbability },
        { QStringLiteral("decision"), prediction.decision }, { QStringLiteral("grade"), prediction.grade },
        { QStringLiteral("expected_cost"), prediction.expectedCost },
        { QStringLiteral("referred"), prediction.referred }, { QStringLiteral("modality_weights"), weights },
        { QStringLiteral("modality_ablation"), ablation },
        { QStringLiteral("field_attention"), attributionsJson(fieldAttention) },
        { QStringLiteral("temporal_attention"), temporal },
        { QStringLiteral("integrated_gradients"),
            QJsonObject { { QStringLiteral("fields"), attributionsJson(integratedGradients) },
                { QStringLiteral("baseline"), attributionBaseline() }, { QStringLiteral("output"), igOutput },
                { QStringLiteral("baseline_output"), igBaselineOutput },
                { QStringLiteral("completeness_error"), igCompletenessError } } },
        { QStringLiteral("counterfactual"), counterfactual.toJson() } };
    if (usesText) {
        QJsonArray tokenList, wordList;
        for (const TokenAttribution &t : tokens)
            tokenList.append(QJsonObject { { QStringLiteral("piece"), t.piece }, { QStringLiteral("begin"), t.begin },
                { QStringLiteral("end"), t.end }, { QStringLiteral("attention"), t.attention },
                { QStringLiteral("ig"), t.ig } });
        for (const WordAttribution &w : words())
            wordList.append(QJsonObject { { QStringLiteral("word"), w.word }, { QStringLiteral("begin"), w.begin },
                { QStringLiteral("end"), w.end }, { QStringLiteral("attention"), w.attention },
                { QStringLiteral("ig"), w.ig }, { QStringLiteral("occlusion"), w.occlusion } });
        json.insert(QStringLiteral("text"),
            QJsonObject { { QStringLiteral("note"), note }, { QStringLiteral("tokens"), tokenList },
                { QStringLiteral("words"), wordList },
                { QStringLiteral("baseline"),
                    QStringLiteral("compared with the same note with every token's embedding at zero (no words)") },
                { QStringLiteral("output"), textIgOutput }, { QStringLiteral("baseline_output"), textIgBaselineOutput },
                { QStringLiteral("completeness_error"), textIgCompletenessError },
                { QStringLiteral("counterfactual"), textCounterfactual.toJson() } });
    }
    return json;
}

Explainer::Explainer(
    FusionNet model, std::shared_ptr<const MultimodalDataset> dataset, DecisionSetup setup, torch::Device device)
    : m_model(std::move(model)), m_dataset(std::move(dataset)), m_setup(std::move(setup)), m_device(device)
{
    m_model->eval();
    m_stats = trainingStatistics(*m_dataset, static_cast<int>(m_setup.bound.classes.size()));
}

QString CaseExplanation::attributionBaseline()
{
    return QStringLiteral("compared with an average training case (numbers and yes/no fields at their training "
                          "means, categories at their most common training value)");
}

Batch Explainer::repeat(const Batch &one, int k)
{
    Batch b = one;
    for (torch::Tensor *t :
        { &b.image, &b.imagePresent, &b.recordValues, &b.recordMissing, &b.recordCategory, &b.recordPresent, &b.events,
            &b.eventMask, &b.eventLengths, &b.historyPresent, &b.labels, &b.textTokens, &b.textMask, &b.textPresent }) {
        if (!t->defined())
            continue;
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

std::vector<double> Explainer::tokenIntegratedGradients(
    FusionNet &model, const Batch &one, int classIndex, int steps, double *output, double *baselineOutput)
{
    TextEncoder text = model->textEncoder();
    if (!text || !one.textTokens.defined() || !one.textPresent[0].item<bool>())
        return {};
    torch::AutoGradMode grad(true);
    FixedEmbeddings fixed;
    torch::Tensor x;
    {
        torch::NoGradGuard noGrad;
        fixed = model->embedImageAndHistory(one);
        fixed.text = torch::Tensor(); // the text encoder runs on the scaled embeddings below
        x = text->embed(one.textTokens); // [1, L, D]
    }
    Batch path = repeat(one, steps + 2);
    // Midpoints of `steps` equal intervals, then the case itself and the baseline (zeros).
    const torch::Tensor alpha = torch::cat({ (torch::arange(steps, x.options()) + 0.5) / steps,
                                               torch::ones({ 1 }, x.options()), torch::zeros({ 1 }, x.options()) })
                                    .view({ steps + 2, 1, 1 });
    const torch::Tensor embedded = (alpha * x).detach().requires_grad_(true);
    fixed.tokenEmbeddings = embedded;
    const torch::Tensor p = torch::softmax(model->forward(path, fixed).logits, 1).select(1, classIndex);
    const torch::Tensor g = torch::autograd::grad({ p.narrow(0, 0, steps).sum() }, { embedded })[0];
    const torch::Tensor attribution = (x[0] * g.narrow(0, 0, steps).mean(0)).sum(1).to(torch::kCPU, torch::kDouble);
    if (output)
        *output = p[steps].item<double>();
    if (baselineOutput)
        *baselineOutput = p[steps + 1].item<double>();
    const torch::Tensor a = attribution.contiguous();
    return std::vector<double>(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());
}

void Explainer::explainText(CaseExplanation &e, int index, const Batch &one, const torch::Tensor &tokenWeights,
    const ExplainOptions &options) const
{
    const auto tokenizer = m_dataset->tokenizer();
    e.usesText = m_model->config().usesText() && tokenizer;
    if (!e.usesText)
        return;
    const EncodedCase &c = m_dataset->at(index);
    e.note = c.text;
    if (c.textIds.empty())
        return;
    const std::vector<TextToken> tokens = tokenizer->encode(c.text, m_dataset->spec().text.maxTokens);
    const int positive = std::max(0, m_setup.bound.positiveIndex());
    const std::vector<double> ig = tokenIntegratedGradients(
        m_model, one, positive, options.textIgSteps, &e.textIgOutput, &e.textIgBaselineOutput);
    const torch::Tensor w
        = tokenWeights.defined() ? tokenWeights[0].to(torch::kCPU, torch::kDouble).contiguous() : torch::Tensor();
    double sum = 0.0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        TokenAttribution t;
        t.piece = tokenizer->piece(tokens[i].id);
        t.begin = tokens[i].begin;
        t.end = tokens[i].end;
        if (w.defined() && static_cast<std::int64_t>(i) < w.size(0))
            t.attention = w[static_cast<std::int64_t>(i)].item<double>();
        t.ig = i < ig.size() ? ig[i] : 0.0;
        sum += t.ig;
        e.tokens.push_back(t);
    }
    e.textIgCompletenessError = std::abs(sum - (e.textIgOutput - e.textIgBaselineOutput));
    // Occlusion: the note with each word taken out (and one space beside it), all in one batch,
    // the note itself first.
    const std::vector<WordAttribution> words = e.words();
    QStringList notes { c.text };
    for (const WordAttribution &w : words) {
        int begin = w.begin, end = w.end;
        if (end < c.text.size() && c.text.at(end).isSpace())
            ++end;
        else if (begin > 0 && c.text.at(begin - 1).isSpace())
            --begin;
        notes.append(c.text.left(begin) + c.text.mid(end));
    }
    Batch b = repeat(one.to(torch::kCPU), static_cast<int>(notes.size()));
    m_dataset->setNotes(b, notes);
    std::vector<double> p;
    {
        // The image and history encoders run once; only the note varies.
        torch::NoGradGuard noGrad;
        FixedEmbeddings fixed = m_model->embedImageAndHistory(one);
        fixed.text = torch::Tensor();
        const torch::Tensor probs = torch::softmax(m_model->forward(b.to(m_device), fixed).logits, 1)
                                        .select(1, positive)
                                        .to(torch::kCPU, torch::kDouble)
                                        .contiguous();
        p.assign(probs.data_ptr<double>(), probs.data_ptr<double>() + probs.numel());
    }
    for (std::size_t i = 0; i < words.size(); ++i)
        e.wordOcclusion.push_back(p.front() - p[i + 1]);
    if (options.counterfactual)
        e.textCounterfactual = searchTextCounterfactual(index, one, e.prediction);
}

QStringList noteSentences(const QString &note)
{
    QStringList out;
    QString current;
    for (int i = 0; i < note.size(); ++i) {
        const QChar c = note.at(i);
        current += c;
        const bool end = c == QLatin1Char('\n')
            || ((c == QLatin1Char('.') || c == QLatin1Char('!') || c == QLatin1Char('?'))
                && (i + 1 == note.size() || note.at(i + 1).isSpace()));
        if (end) {
            if (!current.trimmed().isEmpty())
                out.append(current.trimmed());
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        out.append(current.trimmed());
    return out;
}

QJsonObject TextCounterfactual::toJson() const
{
    return QJsonObject { { QStringLiteral("found"), found },
        { QStringLiteral("removed"), QJsonArray::fromStringList(removed) },
        { QStringLiteral("decision_after"), decisionAfter }, { QStringLiteral("probability_after"), probabilityAfter },
        { QStringLiteral("verified"), verified }, { QStringLiteral("evaluated"), evaluated },
        { QStringLiteral("text"), text } };
}

TextCounterfactual Explainer::searchTextCounterfactual(int index, const Batch &one, const PredictionRow &before) const
{
    TextCounterfactual cf;
    const QStringList sentences = noteSentences(m_dataset->at(index).text);
    if (sentences.isEmpty()) {
        cf.text = QStringLiteral("none: the case has no note");
        return cf;
    }
    const int n = static_cast<int>(sentences.size());
    const int positive = std::max(0, m_setup.bound.positiveIndex());
    // Subsets of 1, then 2, then 3 sentences (at most 16 sentences are searched, the first ones);
    // the first size that changes the decision wins, and among its subsets the one that moves p most.
    const int searched = std::min(n, 16);
    // Only the note varies: the image and history encoders run once for every subset.
    FixedEmbeddings fixed;
    {
        torch::NoGradGuard noGrad;
        fixed = m_model->embedImageAndHistory(one);
        fixed.text = torch::Tensor();
    }
    for (int k = 1; k <= std::min(3, searched); ++k) {
        std::vector<std::vector<int>> subsets;
        std::vector<int> pick(static_cast<std::size_t>(k));
        std::function<void(int, int)> choose = [&](int from, int depth) {
            if (depth == k) {
                subsets.push_back(pick);
                return;
            }
            for (int i = from; i < searched; ++i) {
                pick[static_cast<std::size_t>(depth)] = i;
                choose(i + 1, depth + 1);
            }
        };
        choose(0, 0);
        QStringList notes;
        for (const std::vector<int> &s : subsets) {
            QStringList kept;
            for (int i = 0; i < n; ++i)
                if (std::find(s.begin(), s.end(), i) == s.end())
                    kept.append(sentences[i]);
            notes.append(kept.join(QLatin1Char(' ')));
        }
        Batch b = repeat(one.to(torch::kCPU), static_cast<int>(notes.size()));
        m_dataset->setNotes(b, notes);
        const std::vector<PredictionRow> rows = decideBatch(b.to(m_device), &fixed);
        cf.evaluated += static_cast<int>(rows.size());
        int best = -1;
        double bestMove = -1.0;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (rows[r].decision == before.decision)
                continue;
            const double move = std::abs(rows[r].calibrated.at(static_cast<std::size_t>(positive))
                - before.calibrated.at(static_cast<std::size_t>(positive)));
            if (move > bestMove) {
                bestMove = move;
                best = static_cast<int>(r);
            }
        }
        if (best < 0)
            continue;
        cf.found = true;
        for (int i : subsets[static_cast<std::size_t>(best)])
            cf.removed.append(sentences[i]);
        cf.decisionAfter = rows[static_cast<std::size_t>(best)].decision;
        cf.probabilityAfter = rows[static_cast<std::size_t>(best)].calibrated.at(static_cast<std::size_t>(positive));
        // Verified on its own: the shortened note alone, tokenized again, in a batch of one.
        Batch alone = one.to(torch::kCPU);
        m_dataset->setNotes(alone, { notes[best] });
        cf.verified = decideBatch(alone.to(m_device)).front().decision == cf.decisionAfter;
        QStringList quoted;
        for (const QString &s : cf.removed)
            quoted.append(QStringLiteral("'%1'").arg(s));
        cf.text = QStringLiteral("without %1 the decision would be %2")
                      .arg(quoted.join(QStringLiteral(" and ")), cf.decisionAfter);
        return cf;
    }
    cf.text = QStringLiteral("none: removing up to three sentences of the note does not change the decision");
    return cf;
}

std::vector<WordAttribution> CaseExplanation::words() const
{
    std::vector<WordAttribution> out;
    for (const TokenAttribution &t : tokens) {
        const bool startsWord = out.empty() || t.piece.startsWith(QLatin1Char(' ')) || t.begin > out.back().end;
        if (startsWord) {
            WordAttribution w;
            w.begin = t.begin;
            w.end = t.end;
            out.push_back(w);
        }
        WordAttribution &w = out.back();
        w.end = std::max(w.end, t.end);
        w.attention += t.attention;
        w.ig += t.ig;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i].word = note.mid(out[i].begin, out[i].end - out[i].begin).trimmed();
        if (i < wordOcclusion.size())
            out[i].occlusion = wordOcclusion[i];
    }
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

std::vector<PredictionRow> Explainer::decideBatch(const Batch &b, const FixedEmbeddings *fixed) const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor logits = fixed ? m_model->forward(b, *fixed).logits : m_model->forward(b).logits;
    const torch::Tensor probs = torch::softmax(logits, 1).to(torch::kCPU).contiguous();
    const int classes = static_cast<int>(probs.size(1));
    std::vector<PredictionRow> rows;
    for (std::int64_t i = 0; i < probs.size(0); ++i)
        rows.push_back(m_setup.predict(0, probs.data_ptr<float>() + i * classes, classes));
    return rows;
}

std::array<double, 4> Explainer::modalityAblation(const Batch &one, double calibratedPositive) const
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::array<double, 4> out { nan, nan, nan, nan };
    const ModelConfig &config = m_model->config();
    const bool uses[4] = { config.usesImage(), config.usesRecord(), config.usesHistory(), config.usesText() };
    const Batch cpu = one.to(torch::kCPU);
    const torch::Tensor *flags[4] = { &cpu.imagePresent, &cpu.recordPresent, &cpu.historyPresent, &cpu.textPresent };
    std::vector<int> masked;
    for (int m = 0; m < 4; ++m)
        if (uses[m] && flags[m]->defined() && (*flags[m])[0].item<bool>())
            masked.push_back(m);
    // Masking the only present modality leaves the model nothing: its p then is the prior.
    if (masked.empty())
        return out;
    Batch b = repeat(cpu, static_cast<int>(masked.size()));
    for (std::size_t i = 0; i < masked.size(); ++i) {
        torch::Tensor &flag = masked[i] == 0 ? b.imagePresent
            : masked[i] == 1                 ? b.recordPresent
            : masked[i] == 2                 ? b.historyPresent
                                             : b.textPresent;
        flag[static_cast<std::int64_t>(i)] = false;
    }
    const std::vector<PredictionRow> rows = decideBatch(b.to(m_device));
    const auto positive = static_cast<std::size_t>(std::max(0, m_setup.bound.positiveIndex()));
    for (std::size_t i = 0; i < masked.size(); ++i)
        out[static_cast<std::size_t>(masked[i])] = calibratedPositive - rows[i].calibrated.at(positive);
    return out;
}

CaseExplanation Explainer::explain(int index, const ExplainOptions &options) const
{
    CaseExplanation e;
    torch::Tensor tokenWeights;
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
            for (std::int64_t m = 0; m < std::min<std::int64_t>(4, o.modalityWeights.size(1)); ++m)
                e.modalityWeights[static_cast<std::size_t>(m)] = o.modalityWeights[0][m].item<double>();
        if (m_model->config().usesText())
            tokenWeights = o.tokenWeights;
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
    e.modalityAblation = modalityAblation(one, e.positiveProbability);
    e.gradCam = gradCam(m_model, one, positive);
    explainText(e, index, one, tokenWeights, options);
    if (m_model->config().usesRecord() && !spec.recordFields.empty()) {
        // Baseline: every numeric (and yes/no) field at its training mean (0 once standardised);
        // categories and missing markers stay as they are, so the path's completeness holds for
        // the numbers alone. Categories are then attributed by occlusion against their mode.
        const std::vector<double> ig = integratedGradients(m_model, one, torch::zeros_like(one.recordValues), positive,
            options.igSteps, &e.igOutput, &e.igBaselineOutput);
        double sum = 0.0;
        std::vector<int> categorical;
        for (std::size_t f = 0; f < ig.size(); ++f) {
            FieldAttribution a { spec.recordFields[f].name, ig[f] };
            if (one.recordMissing[0][static_cast<std::int64_t>(f)].item<float>() > 0.5f) {
                a.method = QStringLiteral("missing");
                a.value = 0.0;
            } else if (spec.recordFields[f].type == FieldType::Categorical) {
                a.method = QStringLiteral("occlusion");
                categorical.push_back(static_cast<int>(f));
            }
            sum += ig[f];
            e.integratedGradients.push_back(a);
        }
        e.igCompletenessError = std::abs(sum - (e.igOutput - e.igBaselineOutput));
        if (!categorical.empty()) {
            // One candidate per categorical field, set to its most common training value.
            Batch b = repeat(one.to(torch::kCPU), static_cast<int>(categorical.size()));
            for (std::size_t i = 0; i < categorical.size(); ++i) {
                const int f = categorical[i];
                const std::int64_t mode = m_stats.at(static_cast<std::size_t>(f)).mode;
                b.recordCategory[static_cast<std::int64_t>(i)][f] = mode > 0 ? mode : 0;
            }
            const std::vector<double> p = positiveProbabilities(b);
            for (std::size_t i = 0; i < categorical.size(); ++i) {
                const int f = categorical[i];
                // A case already at the mode is the baseline itself: exactly 0, not rounding noise
                // from a different batch row.
                const bool atMode = one.recordCategory[0][f].item<std::int64_t>()
                    == std::max<std::int64_t>(0, m_stats.at(static_cast<std::size_t>(f)).mode);
                e.integratedGradients[static_cast<std::size_t>(f)].value = atMode ? 0.0 : e.igOutput - p[i];
            }
        }
    }
    if (options.counterfactual)
        e.counterfactual = searchCounterfactual(one, e.prediction, options, e.integratedGradients);
    return e;
}

Counterfactual Explainer::searchCounterfactual(const Batch &one, const PredictionRow &before, const ExplainOptions &o,
    const std::vector<FieldAttribution> &attributions) const
{
    Counterfactual cf;
    const FeatureSpec &spec = m_dataset->spec();
    const DomainTemplate &t = m_setup.bound;
    const int positive = std::max(0, t.positiveIndex());
    const QString positiveName = t.classes.value(positive);
    cf.decisionBefore = before.decision;
    cf.probabilityBefore = before.calibrated.at(static_cast<std::size_t>(positive));
    const int decided = decidedIndex(t, before.decision);
    QStringList targets;
    for (int k = 0; k < t.classes.size(); ++k)
        if (k != decided)
            targets.append(t.classes[k]);
    const QString targetText = targets.join(QStringLiteral(" or "));

    if (t.actionableFields.isEmpty()) {
        cf.text = QStringLiteral("none: the template marks no field actionable; choose the fields a person could "
                                 "change in the Template editor (or in a template from `lepton template init`)");
        return cf;
    }

    // One candidate per row: (field, standardised value or category) settings.
    struct Move
    {
        int field;
        double value; ///< standardised number, or category index + 1
        double cost; ///< |Δ| in standard deviations; 1 for a category
    };
    std::vector<std::vector<Move>> singles; // per actionable field, its candidate moves
    std::map<int, std::pair<double, double>> bounds; // numeric field → its plausible standardised range
    QStringList usable, absent;
    for (const QString &name : t.actionableFields) {
        int f = -1;
        for (std::size_t i = 0; i < spec.recordFields.size(); ++i)
            if (spec.recordFields[i].name == name)
                f = static_cast<int>(i);
        if (f < 0 || one.recordMissing[0][f].item<float>() > 0.5f) {
            absent.append(name);
            continue; // unknown values are not changed
        }
        const FieldEncoding &fe = spec.recordFields[static_cast<std::size_t>(f)];
        const FieldStatistics &st = m_stats.at(static_cast<std::size_t>(f));
        std::vector<Move> moves;
        if (fe.type == FieldType::Categorical) {
            const int current = static_cast<int>(one.recordCategory[0][f].item<std::int64_t>());
            for (int c = 1; c <= fe.categories.size(); ++c) {
                if (c == current)
                    continue;
                // Only categories that training cases of another class have.
                bool plausible = !st.seen;
                for (std::size_t k = 0; k < st.classCategories.size(); ++k)
                    if (static_cast<int>(k) != decided)
                        plausible = plausible
                            || std::find(st.classCategories[k].begin(), st.classCategories[k].end(), c)
                                != st.classCategories[k].end();
                if (plausible)
                    moves.push_back({ f, static_cast<double>(c), 1.0 });
            }
        } else {
            const double z = one.recordValues[0][f].item<double>();
            // Plausible: inside the training range and inside the 5th–95th percentile of the
            // training cases of a class the decision could change to; without training cases
            // in this dataset, within two standard deviations of the mean.
            double zlo = -2.0, zhi = 2.0;
            if (st.seen) {
                double bandLo = std::numeric_limits<double>::infinity(), bandHi = -bandLo;
                for (std::size_t k = 0; k < st.classBand.size(); ++k)
                    if (static_cast<int>(k) != decided && st.classBand[k].first <= st.classBand[k].second) {
                        bandLo = std::min(bandLo, st.classBand[k].first);
                        bandHi = std::max(bandHi, st.classBand[k].second);
                    }
                zlo = std::max(st.low, bandLo);
                zhi = std::min(st.high, bandHi);
            }
            if (t.ranges.contains(name)) {
                double lo = t.ranges.value(name).first, hi = t.ranges.value(name).second;
                if (fe.log)
                    lo = std::max(lo, 1e-3 * std::exp(fe.mean));
                zlo = std::max<double>(zlo, fe.standardise(lo));
                zhi = std::min<double>(zhi, fe.standardise(hi));
            }
            bounds[f] = { zlo, zhi };
            if (zlo <= zhi)
                // Evenly spaced in standardised units (for a log field: in ratios, not in mg/L).
                for (int k = 0; k <= o.gridPoints; ++k) {
                    const double zz = zlo + (zhi - zlo) * k / o.gridPoints;
                    if (std::abs(zz - z) > 1e-6)
                        moves.push_back({ f, zz, std::abs(zz - z) });
                }
        }
        usable.append(name);
        if (!moves.empty())
            singles.push_back(std::move(moves));
    }
    if (usable.isEmpty()) {
        cf.text = QStringLiteral("none: the case has no value for any actionable field (%1); a counterfactual "
                                 "changes only known values")
                      .arg(absent.join(QStringLiteral(", ")));
        return cf;
    }

    FixedEmbeddings fixed;
    {
        torch::NoGradGuard noGrad;
        fixed = m_model->embedImageAndHistory(one);
    }
    // Candidates are edited on a CPU copy of the case, then moved to the model's device.
    const Batch cpuOne = one.to(torch::kCPU);
    const auto isCategory = [&](const Move &m) {
        return spec.recordFields[static_cast<std::size_t>(m.field)].type == FieldType::Categorical;
    };
    auto apply = [&](Batch &b, std::int64_t row, const std::vector<Move> &moves) {
        for (const Move &m : moves) {
            if (isCategory(m))
                b.recordCategory[row][m.field] = static_cast<std::int64_t>(m.value);
            else
                b.recordValues[row][m.field] = static_cast<float>(m.value);
        }
    };
    auto evaluate = [&](const std::vector<std::vector<Move>> &candidates) {
        Batch b = repeat(cpuOne, static_cast<int>(candidates.size()));
        for (std::size_t i = 0; i < candidates.size(); ++i)
            apply(b, static_cast<std::int64_t>(i), candidates[i]);
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
    const auto costOf = [](const std::vector<Move> &moves) {
        double c = 0.0;
        for (const Move &m : moves)
            c += m.cost;
        return c;
    };
    // Per field, its cheapest single move that changes the decision; the fields are then ranked by
    // that cost, so the alternatives differ in the field they change.
    std::vector<std::vector<Move>> found;
    {
        std::vector<std::vector<Move>> candidates;
        for (const auto &moves : singles)
            for (const Move &m : moves)
                candidates.push_back({ m });
        if (!candidates.empty()) {
            const std::vector<PredictionRow> rows = evaluate(candidates);
            std::map<int, std::vector<Move>> bestPerField;
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (rows[i].decision == before.decision)
                    continue;
                auto it = bestPerField.find(candidates[i][0].field);
                if (it == bestPerField.end() || costOf(candidates[i]) < costOf(it->second))
                    bestPerField[candidates[i][0].field] = candidates[i];
            }
            for (auto &[field, moves] : bestPerField)
                found.push_back(moves);
        }
    }
    if (found.empty()) {
        // Two fields at once, on a coarser grid, when no single field changes the decision.
        std::vector<Move> best;
        double bestCost = std::numeric_limits<double>::infinity();
        const int coarse = std::max(4, o.gridPoints / 3);
        const auto step = [&](const std::vector<Move> &m) {
            return std::max<std::size_t>(1, m.size() / static_cast<std::size_t>(coarse));
        };
        for (std::size_t a = 0; a < singles.size(); ++a)
            for (std::size_t b = a + 1; b < singles.size(); ++b) {
                std::vector<std::vector<Move>> candidates;
                for (std::size_t i = 0; i < singles[a].size(); i += step(singles[a]))
                    for (std::size_t j = 0; j < singles[b].size(); j += step(singles[b]))
                        candidates.push_back({ singles[a][i], singles[b][j] });
                const std::vector<PredictionRow> rows = evaluate(candidates);
                for (std::size_t i = 0; i < rows.size(); ++i)
                    if (rows[i].decision != before.decision && costOf(candidates[i]) < bestCost) {
                        bestCost = costOf(candidates[i]);
                        best = candidates[i];
                    }
            }
        if (!best.empty())
            found.push_back(best);
    }
    // Then every actionable field if need be: greedily the move that lowers the decided class's
    // probability most, until the decision changes; moves it turns out not to need are dropped
    // and each remaining one is brought back towards the case's value while the decision stays
    // changed. What it cannot reach says how far the actionable fields go at best.
    std::optional<double> bestReached;
    const std::size_t decidedAt = static_cast<std::size_t>(std::max(0, decided));
    if (found.empty() && singles.size() > 2 && decided >= 0 && decidedAt < before.calibrated.size()) {
        std::vector<Move> chosen;
        std::vector<bool> used(singles.size(), false);
        double score = before.calibrated.at(decidedAt);
        bool flipped = false;
        while (!flipped) {
            std::vector<std::vector<Move>> candidates;
            std::vector<std::size_t> owner;
            for (std::size_t a = 0; a < singles.size(); ++a)
                if (!used[a])
                    for (const Move &m : singles[a]) {
                        candidates.push_back(chosen);
                        candidates.back().push_back(m);
                        owner.push_back(a);
                    }
            if (candidates.empty())
                break;
            const std::vector<PredictionRow> rows = evaluate(candidates);
            int flip = -1, better = -1;
            double flipCost = std::numeric_limits<double>::infinity(), betterScore = score - 1e-9;
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (rows[i].decision != before.decision && costOf(candidates[i]) < flipCost) {
                    flip = static_cast<int>(i);
                    flipCost = costOf(candidates[i]);
                }
                if (decidedAt < rows[i].calibrated.size() && rows[i].calibrated[decidedAt] < betterScore) {
                    better = static_cast<int>(i);
                    betterScore = rows[i].calibrated[decidedAt];
                }
            }
            if (flip >= 0) {
                chosen = candidates[static_cast<std::size_t>(flip)];
                flipped = true;
            } else if (better >= 0) {
                chosen = candidates[static_cast<std::size_t>(better)];
                used[owner[static_cast<std::size_t>(better)]] = true;
                score = betterScore;
            } else {
                break; // no further move helps
            }
        }
        if (flipped) {
            for (std::size_t i = 0; i < chosen.size() && chosen.size() > 1;) {
                std::vector<Move> fewer = chosen;
                fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
                if (evaluate({ fewer })[0].decision != before.decision)
                    chosen = fewer;
                else
                    ++i;
            }
            for (Move &m : chosen) {
                if (isCategory(m))
                    continue;
                const double z0 = cpuOne.recordValues[0][m.field].item<double>();
                const auto range = bounds.at(m.field);
                double flipAt = m.value, keep = std::clamp(z0, range.first, range.second);
                for (int i = 0; i < 8; ++i) {
                    const double mid = (flipAt + keep) / 2.0;
                    std::vector<Move> trial = chosen;
                    for (Move &t2 : trial)
                        if (t2.field == m.field)
                            t2.value = mid;
                    (evaluate({ trial })[0].decision != before.decision ? flipAt : keep) = mid;
                }
                m.value = flipAt;
                m.cost = std::abs(flipAt - z0);
            }
            found.push_back(chosen);
        } else {
            bestReached = score;
        }
    }
    if (found.empty()) {
        const QString decidedClass = t.classes.value(static_cast<int>(decidedAt));
        cf.text = bestReached
            ? QStringLiteral("none: with every actionable field (%1) at its most favourable value that training "
                             "cases of %2 have, p(%3) only falls to %4 %, and the decision stays '%5': the other "
                             "evidence (modalities, fixed fields) decides; widen the actionable fields or their "
                             "ranges in the Template editor")
                  .arg(usable.join(QStringLiteral(", ")), targetText, decidedClass,
                      QString::number(100.0 * *bestReached, 'f', 1), before.decision)
            : QStringLiteral("none: no change of up to two actionable fields (%1) to values that training cases "
                             "of %2 have gives another decision than '%3'; widen the actionable fields or their "
                             "ranges in the Template editor")
                  .arg(usable.join(QStringLiteral(", ")), targetText, before.decision);
        return cf;
    }
    // A single numeric move: bisection towards the current value finds the smallest change.
    for (std::vector<Move> &moves : found)
        if (moves.size() == 1 && !isCategory(moves[0])) {
            const double z0 = cpuOne.recordValues[0][moves[0].field].item<double>();
            // Towards the current value, but never out of the plausible range.
            const auto range = bounds.at(moves[0].field);
            double flip = moves[0].value, keep = std::clamp(z0, range.first, range.second);
            for (int i = 0; i < 10; ++i) {
                const double mid = (flip + keep) / 2.0;
                const auto rows = evaluate({ { { moves[0].field, mid, std::abs(mid - z0) } } });
                (rows[0].decision != before.decision ? flip : keep) = mid;
            }
            moves[0].value = flip;
            moves[0].cost = std::abs(flip - z0);
        }
    std::stable_sort(found.begin(), found.end(),
        [&](const std::vector<Move> &a, const std::vector<Move> &b) { return costOf(a) < costOf(b); });
    if (found.size() > 3)
        found.resize(3);

    // Each change in the user's units, then verified: the changed case run through the whole
    // model from scratch (a self-check of the search, not evidence of faithfulness).
    Batch changed = repeat(cpuOne, static_cast<int>(found.size()));
    std::vector<std::vector<CounterfactualChange>> described(found.size());
    std::vector<QString> partsText(found.size());
    for (std::size_t r = 0; r < found.size(); ++r) {
        apply(changed, static_cast<std::int64_t>(r), found[r]);
        QStringList parts;
        for (const Move &m : found[r]) {
            const FieldEncoding &fe = spec.recordFields[static_cast<std::size_t>(m.field)];
            CounterfactualChange ch;
            ch.field = fe.name;
            ch.unit = t.units.value(fe.name);
            ch.standardisedDelta = m.cost;
            if (isCategory(m)) {
                const int current = static_cast<int>(cpuOne.recordCategory[0][m.field].item<std::int64_t>());
                ch.from = fe.categories.value(current - 1);
                ch.to = fe.categories.value(static_cast<int>(m.value) - 1);
            } else {
                const double z0 = cpuOne.recordValues[0][m.field].item<double>();
                ch.from = formatValue(toUserUnits(fe, z0));
                ch.to = formatValue(toUserUnits(fe, m.value));
                // The attribution's average gradient is a / (x − baseline) with the baseline at 0.
                if (static_cast<std::size_t>(m.field) < attributions.size() && std::abs(z0) > 1e-6
                    && attributions[static_cast<std::size_t>(m.field)].method == QLatin1String("ig")
                    && attributions[static_cast<std::size_t>(m.field)].value != 0.0)
                    ch.agreesWithAttribution
                        = (attributions[static_cast<std::size_t>(m.field)].value / z0) * (m.value - z0) < 0.0
                        ? -1
                        : 1; // sign of the predicted change of p(positive); compared below
            }
            described[r].push_back(ch);
            parts.append(
                QStringLiteral("%1 %2 → %3%4")
                    .arg(ch.field, ch.from, ch.to, ch.unit.isEmpty() ? QString() : QStringLiteral(" ") + ch.unit));
        }
        partsText[r] = parts.join(QStringLiteral(" and "));
    }
    const std::vector<PredictionRow> verified = decideBatch(changed.to(m_device));
    for (std::size_t r = 0; r < found.size(); ++r) {
        const double pAfter = verified[r].calibrated.at(static_cast<std::size_t>(positive));
        // Agreement: the attribution predicts p(positive) to move the way it does.
        for (CounterfactualChange &ch : described[r])
            if (ch.agreesWithAttribution != 0)
                ch.agreesWithAttribution = (ch.agreesWithAttribution > 0) == (pAfter > cf.probabilityBefore) ? 1 : -1;
        const QString text
            = QStringLiteral("%1 would give %2 (%3 → %4)")
                  .arg(partsText[r], verified[r].decision, probabilityText(positiveName, cf.probabilityBefore),
                      probabilityText(positiveName, pAfter).section(QStringLiteral(" = "), 1));
        if (r == 0) {
            cf.found = true;
            cf.changes = described[r];
            cf.decisionAfter = verified[r].decision;
            cf.gradeAfter = verified[r].grade;
            cf.probabilityAfter = pAfter;
            cf.distance = costOf(found[r]);
            cf.verified = cf.decisionAfter != before.decision;
            cf.text = text;
        } else {
            cf.alternatives.push_back({ described[r], verified[r].decision, pAfter, costOf(found[r]), text });
        }
    }
    return cf;
}

} // namespace lepton
