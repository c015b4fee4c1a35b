// SPDX-License-Identifier: GPL-3.0-or-later
#include "Faithfulness.h"

#include "data/GroundTruth.h"
#include "dataset/MultimodalDataset.h"
#include "metrics/ExplanationMeasures.h"
#include "util/Rng.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>

#include <opencv2/core.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace lepton {
namespace {

measures::ImageRegion regionOf(const GroundTruthRegion &r)
{
    return r.shape == GroundTruthRegion::Shape::Circle ? measures::ImageRegion::circle(r.cx, r.cy, r.radius)
                                                       : measures::ImageRegion::rectangle(r.x, r.y, r.w, r.h);
}

/// The pointing game on one map: whether its peak cell (the first maximum) lies on the region.
bool pointsAt(const cv::Mat &map, const CaseGroundTruth &truth)
{
    if (map.empty())
        return false;
    cv::Point peak;
    cv::minMaxLoc(map, nullptr, nullptr, nullptr, &peak);
    return measures::pointingHit(
        regionOf(*truth.region), peak.y, peak.x, map.rows, map.cols, truth.imageWidth, truth.imageHeight);
}

/// The map's peak cell minus the cell position of the region's centre (in cells, x then y).
std::pair<double, double> peakOffset(const cv::Mat &map, const CaseGroundTruth &truth)
{
    if (map.empty())
        return { 0.0, 0.0 };
    cv::Point peak;
    cv::minMaxLoc(map, nullptr, nullptr, nullptr, &peak);
    const QRectF box = truth.region->bounds();
    const double cx = box.center().x() / truth.imageWidth * map.cols - 0.5;
    const double cy = box.center().y() / truth.imageHeight * map.rows - 0.5;
    return { peak.x - cx, peak.y - cy };
}

double chanceOn(const cv::Mat &map, const CaseGroundTruth &truth)
{
    return measures::pointingChance(regionOf(*truth.region), map.rows, map.cols, truth.imageWidth, truth.imageHeight);
}

/// Field names ordered best first: by |value| or by value; ties keep the fields' order.
QStringList ranking(const std::vector<FieldAttribution> &a, bool absolute)
{
    std::vector<std::size_t> idx(a.size());
    std::iota(idx.begin(), idx.end(), std::size_t { 0 });
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) {
        return absolute ? std::abs(a[x].value) > std::abs(a[y].value) : a[x].value > a[y].value;
    });
    QStringList names;
    for (std::size_t i : idx)
        names.append(a[i].field);
    return names;
}

/// Sets the image pixels under the given map cells to 0 (the training mean once normalised).
void eraseCells(Batch &b, const std::vector<int> &cells, int rows, int cols)
{
    const std::int64_t H = b.image.size(2), W = b.image.size(3);
    for (int c : cells) {
        const std::int64_t y0 = (c / cols) * H / rows, y1 = (c / cols + 1) * H / rows;
        const std::int64_t x0 = (c % cols) * W / cols, x1 = (c % cols + 1) * W / cols;
        b.image.index_put_(
            { 0, torch::indexing::Slice(), torch::indexing::Slice(y0, y1), torch::indexing::Slice(x0, x1) }, 0.0);
    }
}

std::vector<int> sample(Rng &rng, std::vector<int> pool, int k)
{
    for (int i = 0; i < k && i < static_cast<int>(pool.size()); ++i) {
        const int j = i + static_cast<int>(rng.uniform() * (pool.size() - i));
        std::swap(pool[static_cast<std::size_t>(i)], pool[static_cast<std::size_t>(std::min<int>(j, pool.size() - 1))]);
    }
    pool.resize(std::min<std::size_t>(pool.size(), static_cast<std::size_t>(k)));
    return pool;
}

} // namespace

QJsonObject FaithfulnessReport::toJson() const
{
    auto orNull = [](bool measured, double v) { return measured ? QJsonValue(v) : QJsonValue(); };
    const bool fields = fieldCases > 0, pointing = lesionCases > 0;
    return QJsonObject { { QStringLiteral("cases"), cases }, { QStringLiteral("lesion_cases"), lesionCases },
        { QStringLiteral("pointing_game_attention"), pointingAttention },
        { QStringLiteral("pointing_game_gradcam"), pointingGradCam },
        { QStringLiteral("pointing_game_chance_attention"), orNull(pointing, pointingChanceAttention) },
        { QStringLiteral("pointing_game_chance_gradcam"), orNull(pointing, pointingChanceGradCam) },
        { QStringLiteral("peak_offset_attention"),
            pointing ? QJsonValue(QJsonArray { offsetAttentionX, offsetAttentionY }) : QJsonValue() },
        { QStringLiteral("peak_offset_gradcam"),
            pointing ? QJsonValue(QJsonArray { offsetGradCamX, offsetGradCamY }) : QJsonValue() },
        { QStringLiteral("top_k"), topK }, { QStringLiteral("field_cases"), fieldCases },
        { QStringLiteral("candidate_fields"), candidateFields },
        { QStringLiteral("causal_candidates"), causalCandidates },
        { QStringLiteral("precision_at_k_ig"), orNull(fields, precisionAtKIg) },
        { QStringLiteral("recall_at_k_ig"), orNull(fields, recallAtKIg) },
        { QStringLiteral("precision_at_k_attention"), orNull(fields, precisionAtKAttention) },
        { QStringLiteral("recall_at_k_attention"), orNull(fields, recallAtKAttention) },
        { QStringLiteral("precision_at_k_chance"), orNull(fields, precisionAtKChance) },
        { QStringLiteral("recall_at_k_chance"), orNull(fields, recallAtKChance) },
        { QStringLiteral("recall_at_k_ceiling"), orNull(fields, recallAtKCeiling) },
        { QStringLiteral("categorical_causal"), categoricalCausal },
        { QStringLiteral("categorical_at_k_ig"), orNull(categoricalCausal > 0, categoricalAtKIg) },
        { QStringLiteral("categorical_at_k_chance"), orNull(categoricalCausal > 0, categoricalAtKChance) },
        { QStringLiteral("image_deletion_top"), orNull(imageDeletionCases > 0, imageDeletionTop) },
        { QStringLiteral("image_deletion_random"), orNull(imageDeletionCases > 0, imageDeletionRandom) },
        { QStringLiteral("image_deletion_cases"), imageDeletionCases },
        { QStringLiteral("field_deletion_top"), orNull(fieldDeletionCases > 0, fieldDeletionTop) },
        { QStringLiteral("field_deletion_random"), orNull(fieldDeletionCases > 0, fieldDeletionRandom) },
        { QStringLiteral("field_deletion_cases"), fieldDeletionCases },
        { QStringLiteral("modality_ablation_agreement"),
            orNull(modalityAblationAgreement >= 0.0, modalityAblationAgreement) },
        { QStringLiteral("modality_ablation_chance"),
            orNull(modalityAblationAgreement >= 0.0, modalityAblationChance) },
        { QStringLiteral("modality_ablation_cases"), modalityAblationCases },
        { QStringLiteral("text_cases"), textCases },
        { QStringLiteral("words_at_k_ig"), orNull(textCases > 0, wordsAtKIg) },
        { QStringLiteral("words_at_k_attention"), orNull(textCases > 0, wordsAtKAttention) },
        { QStringLiteral("words_at_k_occlusion"), orNull(textCases > 0, wordsAtKOcclusion) },
        { QStringLiteral("affirmed_word_occlusion"), orNull(affirmedWords > 0, affirmedWordOcclusion) },
        { QStringLiteral("negated_word_occlusion"), orNull(negatedWords > 0, negatedWordOcclusion) },
        { QStringLiteral("words_at_k_chance"), orNull(textCases > 0, wordsAtKChance) },
        { QStringLiteral("affirmed_word_ig"), orNull(affirmedWords > 0, affirmedWordIg) },
        { QStringLiteral("negated_word_ig"), orNull(negatedWords > 0, negatedWordIg) },
        { QStringLiteral("affirmed_words"), affirmedWords }, { QStringLiteral("negated_words"), negatedWords },
        { QStringLiteral("stability_spearman_ig_mean"), orNull(stabilityCases > 0, stabilityMean) },
        { QStringLiteral("stability_spearman_ig_sd"), orNull(stabilityCases > 0, stabilitySd) },
        { QStringLiteral("stability_cases"), stabilityCases },
        { QStringLiteral("stability_chance"), orNull(stabilityMeasured, 0.0) },
        { QStringLiteral("counterfactuals_found"), counterfactualsFound },
        { QStringLiteral("counterfactual_sparsity"), counterfactualSparsity },
        { QStringLiteral("self_checks"),
            QJsonObject { { QStringLiteral("counterfactuals_found"), counterfactualsFound },
                { QStringLiteral("counterfactuals_verified"), counterfactualsVerified },
                { QStringLiteral("ig_completeness_error_mean"), igCompletenessError } } },
        { QStringLiteral("ms_per_case"), msPerCase } };
}

QString FaithfulnessReport::table() const
{
    auto num = [](double v, int decimals = 3) { return QString::number(v, 'f', decimals); };
    auto row = [](const QString &what, const QString &value, const QString &chance) {
        return QStringLiteral("  %1 %2 %3\n").arg(what, -52).arg(value, -9).arg(chance);
    };
    auto ratio = [](double a, double b) {
        return b > 0 ? QString::number(a / b, 'f', 1) + QStringLiteral("× chance") : QStringLiteral("—");
    };
    QString t;
    t += QStringLiteral("Faithfulness on %1 cases (%2 with an image region in the ground truth)\n")
             .arg(cases)
             .arg(lesionCases);
    t += QStringLiteral("Measures, each beside its chance level (what an explanation picking at random scores):\n");
    t += row(QStringLiteral("measure"), QStringLiteral("value"), QStringLiteral("chance"));
    if (lesionCases > 0) {
        t += row(
            QStringLiteral("pointing game, image attention"), num(pointingAttention), num(pointingChanceAttention));
        t += row(QStringLiteral("pointing game, Grad-CAM"), num(pointingGradCam), num(pointingChanceGradCam));
        t += QStringLiteral("    (mean peak offset from the region's centre, in cells (x, y): attention (%1, %2), "
                            "Grad-CAM (%3, %4))\n")
                 .arg(num(offsetAttentionX, 2), num(offsetAttentionY, 2), num(offsetGradCamX, 2),
                     num(offsetGradCamY, 2));
    } else {
        t += QStringLiteral("  pointing game: not measured (no case with an image and a region)\n");
    }
    if (fieldCases > 0) {
        t += row(QStringLiteral("precision@%1 of causal fields, IG").arg(topK), num(precisionAtKIg),
            num(precisionAtKChance));
        t += row(QStringLiteral("recall@%1 of causal fields, IG").arg(topK), num(recallAtKIg), num(recallAtKChance));
        t += row(QStringLiteral("precision@%1 of causal fields, field attention").arg(topK), num(precisionAtKAttention),
            num(precisionAtKChance));
        t += row(QStringLiteral("recall@%1 of causal fields, field attention").arg(topK), num(recallAtKAttention),
            num(recallAtKChance));
        t += QStringLiteral("    (%1 cases; on average %2 of %3 fields causal; recall@%4 can reach at most %5)\n")
                 .arg(fieldCases)
                 .arg(causalCandidates, 0, 'f', 1)
                 .arg(candidateFields, 0, 'f', 1)
                 .arg(topK)
                 .arg(num(recallAtKCeiling));
        if (categoricalCausal > 0)
            t += row(QStringLiteral("categorical causal field in the top %1, IG").arg(topK), num(categoricalAtKIg),
                num(categoricalAtKChance) + QStringLiteral("   (%1 cases)").arg(categoricalCausal));
        else
            t += QStringLiteral("  categorical causal fields: not measured (no categorical or yes/no field is "
                                "among a case's causal fields)\n");
    } else {
        t += QStringLiteral("  causal fields: not measured (no case with field attributions and a causal field)\n");
    }
    if (imageDeletionCases > 0)
        t += row(QStringLiteral("image deletion |Δp|, top 10 % Grad-CAM cells"), num(imageDeletionTop, 4),
            num(imageDeletionRandom, 4) + QStringLiteral(" (random cells; ")
                + ratio(imageDeletionTop, imageDeletionRandom) + QStringLiteral(")"));
    else
        t += QStringLiteral("  image deletion: not measured (no case with an image and a Grad-CAM map)\n");
    if (fieldDeletionCases > 0)
        t += row(QStringLiteral("field deletion, drop of predicted class, top %1").arg(topK), num(fieldDeletionTop, 4),
            num(fieldDeletionRandom, 4) + QStringLiteral(" (random fields; ")
                + ratio(fieldDeletionTop, fieldDeletionRandom) + QStringLiteral(")"));
    else
        t += QStringLiteral("  field deletion: not measured (no case with field attributions)\n");
    if (modalityAblationAgreement >= 0.0)
        t += row(QStringLiteral("modality ablation agrees with planted modality"), num(modalityAblationAgreement),
            num(modalityAblationChance) + QStringLiteral("   (%1 cases)").arg(modalityAblationCases));
    else
        t += QStringLiteral("  modality ablation agreement: not measured (no case whose dominant modality, "
                            "per the ground truth, the model sees)\n");
    if (textCases > 0) {
        t += row(QStringLiteral("planted word in the note's top %1 words, occlusion").arg(topK), num(wordsAtKOcclusion),
            num(wordsAtKChance) + QStringLiteral("   (%1 notes)").arg(textCases));
        t += row(QStringLiteral("planted word in the note's top %1 words, IG").arg(topK), num(wordsAtKIg),
            num(wordsAtKChance));
        t += row(QStringLiteral("planted word in the note's top %1 words, attention").arg(topK), num(wordsAtKAttention),
            num(wordsAtKChance));
    }
    if (affirmedWords > 0 && negatedWords > 0)
        t += row(QStringLiteral("mean occlusion of a signal word, affirmed / denied"),
            num(affirmedWordOcclusion, 4) + QStringLiteral(" / ") + num(negatedWordOcclusion, 4),
            QStringLiteral("equal   (%1 / %2 words)").arg(affirmedWords).arg(negatedWords));
    if (affirmedWords > 0 && negatedWords > 0)
        t += row(QStringLiteral("mean IG of a signal word, affirmed / denied"),
            num(affirmedWordIg, 4) + QStringLiteral(" / ") + num(negatedWordIg, 4),
            QStringLiteral("equal   (%1 / %2 words)").arg(affirmedWords).arg(negatedWords));
    if (stabilityMeasured) {
        if (stabilityCases > 0)
            t += row(QStringLiteral("stability: Spearman of IG fields across runs"),
                num(stabilityMean) + QStringLiteral(" ± ") + num(stabilitySd),
                QStringLiteral("0.000   (%1 cases)").arg(stabilityCases));
        else
            t += QStringLiteral("  stability: no case with varying IG attributions under both runs\n");
    }
    t += QStringLiteral("  counterfactuals found for %1 of %2 cases, %3 fields changed on average\n")
             .arg(counterfactualsFound)
             .arg(cases)
             .arg(counterfactualSparsity, 0, 'f', 2);
    t += QStringLiteral("Self-checks (cannot fail by construction):\n");
    t += QStringLiteral("  counterfactual validity: %1 of %2 flip the decision when run again (the search keeps only "
                        "changes that flip it)\n")
             .arg(counterfactualsVerified)
             .arg(counterfactualsFound);
    t += QStringLiteral("  IG completeness error, mean %1 (checks the integration, not the explanation)\n")
             .arg(igCompletenessError, 0, 'g', 2);
    t += QStringLiteral("%1 ms per case (explanation and deletions)\n").arg(msPerCase, 0, 'f', 0);
    return t;
}

Result<FaithfulnessReport> measureFaithfulness(const Explainer &explainer, const MultimodalDataset &dataset,
    const std::vector<int> &indices, const QString &groundTruthPath, int topK, const ProgressFn &progress,
    const CancelFn &cancelled, const Explainer *stability)
{
    using R = Result<FaithfulnessReport>;
    auto truthFile = GroundTruth::load(groundTruthPath);
    if (!truthFile)
        return R::failure(truthFile.error()
            + QStringLiteral("; give a ground-truth file (the demo's ground_truth.json, or one in the format of "
                             "docs/EXPLANATIONS.md) with --ground-truth"));
    const GroundTruth &truth = truthFile.value();

    FaithfulnessReport r;
    r.topK = topK;
    r.stabilityMeasured = stability != nullptr;
    int attentionHits = 0, camHits = 0, changed = 0, igCases = 0, ablationHits = 0, categoricalHits = 0;
    double ablationChance = 0.0, completeness = 0.0, affirmedIgSum = 0.0, negatedIgSum = 0.0;
    double affirmedOcclusionSum = 0.0, negatedOcclusionSum = 0.0;
    int textIgHits = 0, textAttentionHits = 0, textOcclusionHits = 0;
    std::vector<double> imageTop, imageRandom, fieldTop, fieldRandom, rankCorrelations;
    QElapsedTimer clock;
    clock.start();
    for (int index : indices) {
        if (cancelled && cancelled()) {
            r.cancelled = true;
            break;
        }
        const CaseExplanation e = explainer.explain(index);
        ++r.cases;
        Rng rng(static_cast<std::uint64_t>(e.caseId) * 7919ULL + 17ULL);
        const CaseGroundTruth *known = truth.find(e.caseKey);
        const Batch one = dataset.collate({ index });
        const double p0 = explainer.positiveProbabilities(one).front();

        if (!e.gradCam.empty()) {
            if (known && known->region) {
                if (known->imageWidth <= 0 || known->imageHeight <= 0)
                    return R::failure(QStringLiteral("%1: case %2 has an image region but no image_size; give the "
                                                     "image's size in pixels for the case or the whole file")
                                          .arg(groundTruthPath, e.caseKey));
                ++r.lesionCases;
                attentionHits += pointsAt(e.imageAttention, *known) ? 1 : 0;
                camHits += pointsAt(e.gradCam, *known) ? 1 : 0;
                r.pointingChanceAttention += chanceOn(e.imageAttention, *known);
                r.pointingChanceGradCam += chanceOn(e.gradCam, *known);
                const auto [ax, ay] = peakOffset(e.imageAttention, *known);
                const auto [gx, gy] = peakOffset(e.gradCam, *known);
                r.offsetAttentionX += ax;
                r.offsetAttentionY += ay;
                r.offsetGradCamX += gx;
                r.offsetGradCamY += gy;
            }
            const int cellsCount = e.gradCam.rows * e.gradCam.cols;
            const int k = std::max(1, cellsCount / 10);
            std::vector<int> order(static_cast<std::size_t>(cellsCount));
            std::iota(order.begin(), order.end(), 0);
            const cv::Mat cam = e.gradCam.reshape(1, 1);
            std::stable_sort(
                order.begin(), order.end(), [&](int a, int b) { return cam.at<float>(0, a) > cam.at<float>(0, b); });
            Batch top = Explainer::repeat(one, 1), random = Explainer::repeat(one, 1);
            eraseCells(top, std::vector<int>(order.begin(), order.begin() + k), e.gradCam.rows, e.gradCam.cols);
            eraseCells(random, sample(rng, order, k), e.gradCam.rows, e.gradCam.cols);
            imageTop.push_back(std::abs(p0 - explainer.positiveProbabilities(top).front()));
            imageRandom.push_back(std::abs(p0 - explainer.positiveProbabilities(random).front()));
        }

        // Fields: the ranking by |IG| (and by attention) against the case's causal fields;
        // deletion of the top-k fields against k random present fields.
        std::vector<int> present;
        for (std::size_t i = 0; i < e.integratedGradients.size(); ++i)
            if (one.recordMissing[0][static_cast<std::int64_t>(i)].item<float>() < 0.5f)
                present.push_back(static_cast<int>(i));
        // Removing a field: a number to its training mean, a category to "unknown".
        auto removeField = [&](Batch &b, int i) {
            if (dataset.spec().recordFields[static_cast<std::size_t>(i)].type == FieldType::Categorical)
                b.recordCategory.index_put_({ 0, i }, 0);
            else
                b.recordValues.index_put_({ 0, i }, 0.0);
        };
        auto topFields = [&](const std::vector<FieldAttribution> &a, bool absolute) {
            std::vector<int> idx(a.size());
            std::iota(idx.begin(), idx.end(), 0);
            std::stable_sort(idx.begin(), idx.end(), [&](int x, int y) {
                const double vx = a[static_cast<std::size_t>(x)].value, vy = a[static_cast<std::size_t>(y)].value;
                return absolute ? std::abs(vx) > std::abs(vy) : vx > vy;
            });
            idx.resize(std::min<std::size_t>(idx.size(), static_cast<std::size_t>(topK)));
            return idx;
        };
        if (!e.integratedGradients.empty()) {
            ++igCases;
            completeness += e.igCompletenessError;
            const QStringList causal = known ? known->causalFields : truth.causalFields();
            const QStringList byIg = ranking(e.integratedGradients, true);
            const int n = static_cast<int>(byIg.size());
            const int c = measures::causalCandidates(byIg, causal);
            if (c > 0) {
                ++r.fieldCases;
                r.candidateFields += n;
                r.causalCandidates += c;
                r.precisionAtKIg += measures::precisionAtK(byIg, causal, topK);
                r.recallAtKIg += measures::recallAtK(byIg, causal, topK);
                const QStringList byAttention = ranking(e.fieldAttention, false);
                r.precisionAtKAttention += measures::precisionAtK(byAttention, causal, topK);
                r.recallAtKAttention += measures::recallAtK(byAttention, causal, topK);
                r.precisionAtKChance += measures::precisionAtKChance(n, c, topK);
                r.recallAtKChance += measures::recallAtKChance(n, c, topK);
                r.recallAtKCeiling += static_cast<double>(std::min(topK, c)) / c;
                for (const QString &field : causal) {
                    const auto spec = std::find_if(dataset.spec().recordFields.begin(),
                        dataset.spec().recordFields.end(), [&](const FieldEncoding &f) { return f.name == field; });
                    if (spec == dataset.spec().recordFields.end() || !byIg.contains(field)
                        || (spec->type != FieldType::Categorical && spec->type != FieldType::Boolean))
                        continue;
                    ++r.categoricalCausal;
                    categoricalHits += measures::hitsAtK(byIg, { field }, topK);
                    r.categoricalAtKChance += measures::recallAtKChance(n, 1, topK);
                }
            }
            // Deletion removes the evidence for the predicted class: the k fields whose IG
            // pushes most towards it, and measures how far that class's probability drops.
            const double towards = p0 >= 0.5 ? 1.0 : -1.0;
            std::vector<FieldAttribution> signedIg = e.integratedGradients;
            for (FieldAttribution &a : signedIg)
                a.value *= towards;
            const std::vector<int> evidence = topFields(signedIg, false);
            Batch top = Explainer::repeat(one, 1), random = Explainer::repeat(one, 1);
            int k = 0;
            for (int i : evidence)
                if (std::find(present.begin(), present.end(), i) != present.end()) {
                    removeField(top, i);
                    ++k;
                }
            for (int i : sample(rng, present, k))
                removeField(random, i);
            fieldTop.push_back(towards * (p0 - explainer.positiveProbabilities(top).front()));
            fieldRandom.push_back(towards * (p0 - explainer.positiveProbabilities(random).front()));
        }

        // Modality ablation against the planted dominant modality, on cases where the model sees it
        // (the ablation is NaN for a modality the case lacks or the model does not use).
        if (known && known->dominantModality >= 0) {
            const std::array<bool, 3> presentModalities { std::isfinite(e.modalityAblation[0]),
                std::isfinite(e.modalityAblation[1]), std::isfinite(e.modalityAblation[2]) };
            if (presentModalities[static_cast<std::size_t>(known->dominantModality)]) {
                ++r.modalityAblationCases;
                // The planted dominant modality is one of image, record, history (the ground truth
                // names no text modality yet): text is compared among them only.
                const std::array<double, 3> ablation { e.modalityAblation[0], e.modalityAblation[1],
                    e.modalityAblation[2] };
                if (measures::strongestModality(ablation, presentModalities) == known->dominantModality)
                    ++ablationHits;
                ablationChance += measures::modalityAgreementChance(presentModalities);
            }
        }

        // The note: planted words among the top k words, and signal words affirmed against denied.
        if (known && e.usesText && !e.tokens.empty()) {
            const std::vector<WordAttribution> words = e.words();
            auto firstWord = [](const QString &phrase) { return phrase.toLower().section(QLatin1Char(' '), 0, 0); };
            auto plain = [](const QString &word) {
                QString w = word.toLower();
                while (!w.isEmpty() && !w.back().isLetterOrNumber())
                    w.chop(1);
                while (!w.isEmpty() && !w.front().isLetterOrNumber())
                    w.remove(0, 1);
                return w;
            };
            QStringList causal, negated;
            for (const QString &w : known->causalWords)
                causal.append(firstWord(w));
            for (const QString &w : known->negatedWords)
                negated.append(firstWord(w));
            int planted = 0;
            for (const WordAttribution &w : words) {
                const QString p = plain(w.word);
                if (causal.contains(p)) {
                    ++planted;
                    affirmedIgSum += w.ig;
                    affirmedOcclusionSum += w.occlusion;
                    ++r.affirmedWords;
                } else if (negated.contains(p)) {
                    negatedIgSum += w.ig;
                    negatedOcclusionSum += w.occlusion;
                    ++r.negatedWords;
                }
            }
            if (planted > 0) {
                ++r.textCases;
                auto topHas = [&](auto key) {
                    std::vector<std::size_t> order(words.size());
                    std::iota(order.begin(), order.end(), std::size_t(0));
                    std::stable_sort(order.begin(), order.end(),
                        [&](std::size_t a, std::size_t b) { return key(words[a]) > key(words[b]); });
                    for (std::size_t i = 0; i < std::min<std::size_t>(static_cast<std::size_t>(topK), order.size());
                         ++i)
                        if (causal.contains(plain(words[order[i]].word)))
                            return true;
                    return false;
                };
                textIgHits += topHas([](const WordAttribution &w) { return std::abs(w.ig); }) ? 1 : 0;
                textAttentionHits += topHas([](const WordAttribution &w) { return w.attention; }) ? 1 : 0;
                textOcclusionHits += topHas([](const WordAttribution &w) { return std::abs(w.occlusion); }) ? 1 : 0;
                r.wordsAtKChance += measures::anyInTopKChance(static_cast<int>(words.size()), planted, topK);
            }
        }

        // Stability: the same case explained by the second run, its IG matched field by field.
        if (stability && !e.integratedGradients.empty()) {
            ExplainOptions noCounterfactual;
            noCounterfactual.counterfactual = false;
            const CaseExplanation other = stability->explain(index, noCounterfactual);
            if (other.caseKey == e.caseKey) {
                QHash<QString, double> otherIg;
                for (const FieldAttribution &a : other.integratedGradients)
                    otherIg.insert(a.field, a.value);
                std::vector<double> mine, theirs;
                for (const FieldAttribution &a : e.integratedGradients) {
                    const auto it = otherIg.constFind(a.field);
                    if (it == otherIg.constEnd())
                        continue;
                    mine.push_back(a.value);
                    theirs.push_back(it.value());
                }
                if (const auto rho = measures::spearman(mine, theirs))
                    rankCorrelations.push_back(*rho);
            }
        }

        if (e.counterfactual.found) {
            ++r.counterfactualsFound;
            r.counterfactualsVerified += e.counterfactual.verified ? 1 : 0;
            changed += static_cast<int>(e.counterfactual.changes.size());
        }
        if (progress)
            progress(r.cases, static_cast<qint64>(indices.size()), QStringLiteral("measuring"));
    }
    if (r.lesionCases > 0) {
        r.pointingAttention = static_cast<double>(attentionHits) / r.lesionCases;
        r.pointingGradCam = static_cast<double>(camHits) / r.lesionCases;
        r.pointingChanceAttention /= r.lesionCases;
        r.pointingChanceGradCam /= r.lesionCases;
        for (double *v : { &r.offsetAttentionX, &r.offsetAttentionY, &r.offsetGradCamX, &r.offsetGradCamY })
            *v /= r.lesionCases;
    }
    if (r.fieldCases > 0) {
        for (double *v :
            { &r.candidateFields, &r.causalCandidates, &r.precisionAtKIg, &r.recallAtKIg, &r.precisionAtKAttention,
                &r.recallAtKAttention, &r.precisionAtKChance, &r.recallAtKChance, &r.recallAtKCeiling })
            *v /= r.fieldCases;
    }
    if (r.categoricalCausal > 0) {
        r.categoricalAtKIg = static_cast<double>(categoricalHits) / r.categoricalCausal;
        r.categoricalAtKChance /= r.categoricalCausal;
    }
    const measures::DeletionMeans image = measures::deletionMeans(imageTop, imageRandom);
    const measures::DeletionMeans fields = measures::deletionMeans(fieldTop, fieldRandom);
    r.imageDeletionTop = image.top;
    r.imageDeletionRandom = image.random;
    r.fieldDeletionTop = fields.top;
    r.fieldDeletionRandom = fields.random;
    r.imageDeletionCases = static_cast<int>(imageTop.size());
    r.fieldDeletionCases = static_cast<int>(fieldTop.size());
    if (r.textCases > 0) {
        r.wordsAtKIg = static_cast<double>(textIgHits) / r.textCases;
        r.wordsAtKAttention = static_cast<double>(textAttentionHits) / r.textCases;
        r.wordsAtKOcclusion = static_cast<double>(textOcclusionHits) / r.textCases;
        r.wordsAtKChance /= r.textCases;
    }
    r.affirmedWordIg = r.affirmedWords > 0 ? affirmedIgSum / r.affirmedWords : 0.0;
    r.negatedWordIg = r.negatedWords > 0 ? negatedIgSum / r.negatedWords : 0.0;
    r.affirmedWordOcclusion = r.affirmedWords > 0 ? affirmedOcclusionSum / r.affirmedWords : 0.0;
    r.negatedWordOcclusion = r.negatedWords > 0 ? negatedOcclusionSum / r.negatedWords : 0.0;
    if (r.modalityAblationCases > 0) {
        r.modalityAblationAgreement = static_cast<double>(ablationHits) / r.modalityAblationCases;
        r.modalityAblationChance = ablationChance / r.modalityAblationCases;
    }
    const measures::MeanSpread stable = measures::meanAndSpread(rankCorrelations);
    r.stabilityMean = stable.mean;
    r.stabilitySd = stable.sd;
    r.stabilityCases = stable.count;
    r.igCompletenessError = igCases > 0 ? completeness / igCases : 0.0;
    r.counterfactualSparsity = r.counterfactualsFound > 0 ? static_cast<double>(changed) / r.counterfactualsFound : 0.0;
    r.msPerCase = r.cases > 0 ? clock.elapsed() / static_cast<double>(r.cases) : 0.0;
    return r;
}

} // namespace lepton
