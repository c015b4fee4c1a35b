// SPDX-License-Identifier: GPL-3.0-or-later
#include "Faithfulness.h"

#include "dataset/MultimodalDataset.h"
#include "util/Rng.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lepton {
namespace {

struct Lesion
{
    bool planted = false;
    double cx = 0, cy = 0, radius = 0;
};

/// The peak cell of a map, in ground-truth pixels, falls on the lesion (its centre within the
/// lesion's radius plus half a cell's diagonal).
bool pointsAt(const cv::Mat &map, const Lesion &l, double truthSize)
{
    cv::Point peak;
    cv::minMaxLoc(map, nullptr, nullptr, nullptr, &peak);
    const double cell = truthSize / map.cols;
    const double x = (peak.x + 0.5) * cell, y = (peak.y + 0.5) * truthSize / map.rows;
    return std::hypot(x - l.cx, y - l.cy) <= l.radius + cell * std::sqrt(0.5);
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
    return QJsonObject { { QStringLiteral("cases"), cases }, { QStringLiteral("lesion_cases"), lesionCases },
        { QStringLiteral("pointing_game_attention"), pointingAttention },
        { QStringLiteral("pointing_game_gradcam"), pointingGradCam }, { QStringLiteral("top_k"), topK },
        { QStringLiteral("causal_recall_ig"), causalRecallIg },
        { QStringLiteral("causal_recall_attention"), causalRecallAttention },
        { QStringLiteral("image_deletion_top"), imageDeletionTop },
        { QStringLiteral("image_deletion_random"), imageDeletionRandom },
        { QStringLiteral("field_deletion_top"), fieldDeletionTop },
        { QStringLiteral("field_deletion_random"), fieldDeletionRandom },
        { QStringLiteral("counterfactuals_found"), counterfactualsFound },
        { QStringLiteral("counterfactuals_verified"), counterfactualsVerified },
        { QStringLiteral("counterfactual_sparsity"), counterfactualSparsity },
        { QStringLiteral("ms_per_case"), msPerCase } };
}

QString FaithfulnessReport::table() const
{
    auto ratio = [](double a, double b) {
        return b > 0 ? QString::number(a / b, 'f', 1) + QStringLiteral("×") : QStringLiteral("—");
    };
    QString t;
    t += QStringLiteral("Faithfulness on %1 cases (%2 with a lesion)\n").arg(cases).arg(lesionCases);
    t += QStringLiteral("  pointing game, image attention   %1   (target ≥ 0.80)\n").arg(pointingAttention, 0, 'f', 3);
    t += QStringLiteral("  pointing game, Grad-CAM          %1   (target ≥ 0.80)\n").arg(pointingGradCam, 0, 'f', 3);
    t += QStringLiteral("  causal fields in top %1, IG       %2   (target ≥ 0.90)\n")
             .arg(topK)
             .arg(causalRecallIg, 0, 'f', 3);
    t += QStringLiteral("  causal fields in top %1, attention %2\n").arg(topK).arg(causalRecallAttention, 0, 'f', 3);
    t += QStringLiteral("  image deletion |Δp|: top %1, random %2, %3   (target ≥ 2×)\n")
             .arg(imageDeletionTop, 0, 'f', 4)
             .arg(imageDeletionRandom, 0, 'f', 4)
             .arg(ratio(imageDeletionTop, imageDeletionRandom));
    t += QStringLiteral("  field deletion, drop of the predicted class: top %1, random %2, %3   (target ≥ 2×)\n")
             .arg(fieldDeletionTop, 0, 'f', 4)
             .arg(fieldDeletionRandom, 0, 'f', 4)
             .arg(ratio(fieldDeletionTop, fieldDeletionRandom));
    t += QStringLiteral(
        "  counterfactuals: %1 found, %2 verified (%3 %), %4 fields changed on average   (target 100 %)\n")
             .arg(counterfactualsFound)
             .arg(counterfactualsVerified)
             .arg(counterfactualsFound > 0 ? 100.0 * counterfactualsVerified / counterfactualsFound : 100.0, 0, 'f', 1)
             .arg(counterfactualSparsity, 0, 'f', 2);
    t += QStringLiteral("  %1 ms per case (explanation and deletions)\n").arg(msPerCase, 0, 'f', 0);
    return t;
}

Result<FaithfulnessReport> measureFaithfulness(const Explainer &explainer, const MultimodalDataset &dataset,
    const std::vector<int> &indices, const QString &groundTruthPath, int topK, const ProgressFn &progress,
    const CancelFn &cancelled)
{
    using R = Result<FaithfulnessReport>;
    QFile f(groundTruthPath);
    if (!f.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("%1: cannot be read (%2); give the ground_truth.json that `lepton demo-data` "
                                         "wrote with --ground-truth")
                              .arg(groundTruthPath, f.errorString()));
    const QJsonObject truth = QJsonDocument::fromJson(f.readAll()).object();
    if (!truth.contains(QStringLiteral("case_list")) || !truth.contains(QStringLiteral("causal_fields")))
        return R::failure(
            QStringLiteral("%1: not a demo ground truth (no case_list or causal_fields)").arg(groundTruthPath));
    const double truthSize = truth.value(QStringLiteral("image_size")).toDouble(128.0);
    QStringList causal;
    for (const QJsonValue &v : truth.value(QStringLiteral("causal_fields")).toArray())
        causal.append(v.toString());
    QHash<QString, Lesion> lesions;
    for (const QJsonValue &v : truth.value(QStringLiteral("case_list")).toArray()) {
        const QJsonObject c = v.toObject();
        const QJsonObject l = c.value(QStringLiteral("lesion")).toObject();
        lesions.insert(c.value(QStringLiteral("case_id")).toString(),
            { c.value(QStringLiteral("lesion_planted")).toBool(), l.value(QStringLiteral("cx")).toDouble(),
                l.value(QStringLiteral("cy")).toDouble(), l.value(QStringLiteral("radius")).toDouble() });
    }

    FaithfulnessReport r;
    r.topK = topK;
    int attentionHits = 0, camHits = 0, imageCases = 0, fieldCases = 0, changed = 0;
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
        const Lesion lesion = lesions.value(e.caseKey);
        const Batch one = dataset.collate({ index });
        const double p0 = explainer.positiveProbabilities(one).front();

        if (!e.gradCam.empty()) {
            if (lesion.planted) {
                ++r.lesionCases;
                attentionHits += pointsAt(e.imageAttention, lesion, truthSize) ? 1 : 0;
                camHits += pointsAt(e.gradCam, lesion, truthSize) ? 1 : 0;
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
            r.imageDeletionTop += std::abs(p0 - explainer.positiveProbabilities(top).front());
            r.imageDeletionRandom += std::abs(p0 - explainer.positiveProbabilities(random).front());
            ++imageCases;
        }

        // Fields: the top-k by |IG| (and by attention) against the causal set; deletion of the
        // top-k numeric fields against k random present numeric fields.
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
        auto causalShare = [&](const std::vector<FieldAttribution> &a, const std::vector<int> &idx) {
            int hits = 0;
            for (int i : idx)
                hits += causal.contains(a[static_cast<std::size_t>(i)].field) ? 1 : 0;
            return idx.empty() ? 0.0 : static_cast<double>(hits) / static_cast<double>(idx.size());
        };
        if (!e.integratedGradients.empty()) {
            const std::vector<int> igTop = topFields(e.integratedGradients, true);
            // Deletion removes the evidence for the predicted class: the k fields whose IG
            // pushes most towards it, and measures how far that class's probability drops.
            const double towards = p0 >= 0.5 ? 1.0 : -1.0;
            std::vector<FieldAttribution> signedIg = e.integratedGradients;
            for (FieldAttribution &a : signedIg)
                a.value *= towards;
            const std::vector<int> evidence = topFields(signedIg, false);
            r.causalRecallIg += causalShare(e.integratedGradients, igTop);
            r.causalRecallAttention += causalShare(e.fieldAttention, topFields(e.fieldAttention, false));
            Batch top = Explainer::repeat(one, 1), random = Explainer::repeat(one, 1);
            int k = 0;
            for (int i : evidence)
                if (std::find(present.begin(), present.end(), i) != present.end()) {
                    removeField(top, i);
                    ++k;
                }
            for (int i : sample(rng, present, k))
                removeField(random, i);
            r.fieldDeletionTop += towards * (p0 - explainer.positiveProbabilities(top).front());
            r.fieldDeletionRandom += towards * (p0 - explainer.positiveProbabilities(random).front());
            ++fieldCases;
        }
        if (e.counterfactual.found) {
            ++r.counterfactualsFound;
            r.counterfactualsVerified += e.counterfactual.verified ? 1 : 0;
            changed += static_cast<int>(e.counterfactual.changes.size());
        }
        if (progress)
            progress(r.cases, static_cast<qint64>(indices.size()), QStringLiteral("measuring"));
    }
    r.pointingAttention = r.lesionCases > 0 ? static_cast<double>(attentionHits) / r.lesionCases : 0.0;
    r.pointingGradCam = r.lesionCases > 0 ? static_cast<double>(camHits) / r.lesionCases : 0.0;
    r.causalRecallIg /= std::max(1, fieldCases);
    r.causalRecallAttention /= std::max(1, fieldCases);
    r.imageDeletionTop /= std::max(1, imageCases);
    r.imageDeletionRandom /= std::max(1, imageCases);
    r.fieldDeletionTop /= std::max(1, fieldCases);
    r.fieldDeletionRandom /= std::max(1, fieldCases);
    r.counterfactualSparsity = r.counterfactualsFound > 0 ? static_cast<double>(changed) / r.counterfactualsFound : 0.0;
    r.msPerCase = r.cases > 0 ? clock.elapsed() / static_cast<double>(r.cases) : 0.0;
    return r;
}

} // namespace lepton
