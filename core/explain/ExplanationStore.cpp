// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExplanationStore.h"

#include "store/ExplanationRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QJsonArray>

#include <opencv2/imgcodecs.hpp>

namespace lepton {

QByteArray encodeMap(const cv::Mat &map, double *scale)
{
    double top = 0.0;
    if (!map.empty())
        cv::minMaxLoc(map, nullptr, &top);
    if (scale)
        *scale = top;
    if (map.empty())
        return {};
    cv::Mat bytes;
    map.convertTo(bytes, CV_8U, top > 0.0 ? 255.0 / top : 0.0);
    std::vector<uchar> png;
    cv::imencode(".png", bytes, png);
    return QByteArray(reinterpret_cast<const char *>(png.data()), static_cast<int>(png.size()));
}

cv::Mat decodeMap(const QByteArray &png, double scale)
{
    if (png.isEmpty())
        return {};
    const cv::Mat raw(1, static_cast<int>(png.size()), CV_8U, const_cast<char *>(png.data()));
    const cv::Mat bytes = cv::imdecode(raw, cv::IMREAD_GRAYSCALE);
    cv::Mat out;
    if (!bytes.empty())
        bytes.convertTo(out, CV_32F, scale / 255.0);
    return out;
}

Status storeExplanation(Study &study, qint64 runId, const CaseExplanation &e)
{
    return study.transaction([&](QSqlDatabase &) -> Status {
        Status st = RunRepository(study).savePredictions(runId, { e.prediction });
        if (!st)
            return st;
        ExplanationRepository repo(study);
        auto id = repo.predictionId(runId, e.caseId);
        if (!id)
            return Status::failure(id.error());
        const QJsonObject all = e.toJson();
        double attentionScale = 0.0, camScale = 0.0;
        const QByteArray attention = encodeMap(e.imageAttention, &attentionScale);
        const QByteArray cam = encodeMap(e.gradCam, &camScale);
        QJsonObject attentionSummary { { QStringLiteral("modality_weights"),
                                           all.value(QStringLiteral("modality_weights")) },
            { QStringLiteral("modality_ablation"), all.value(QStringLiteral("modality_ablation")) },
            { QStringLiteral("field_attention"), all.value(QStringLiteral("field_attention")) },
            { QStringLiteral("temporal_attention"), all.value(QStringLiteral("temporal_attention")) },
            { QStringLiteral("map_scale"), attentionScale }, { QStringLiteral("map_rows"), e.imageAttention.rows },
            { QStringLiteral("map_cols"), e.imageAttention.cols } };
        std::vector<StoredExplanation> kinds { { QStringLiteral("attention"), attentionSummary, attention },
            { QStringLiteral("gradcam"),
                QJsonObject { { QStringLiteral("map_scale"), camScale }, { QStringLiteral("map_rows"), e.gradCam.rows },
                    { QStringLiteral("map_cols"), e.gradCam.cols } },
                cam },
            { QStringLiteral("integrated_gradients"), all.value(QStringLiteral("integrated_gradients")).toObject(),
                {} },
            { QStringLiteral("counterfactual"), all.value(QStringLiteral("counterfactual")).toObject(), {} } };
        // The note's tokens and words with their attention and Integrated Gradients.
        if (e.usesText)
            kinds.push_back({ QStringLiteral("text"), all.value(QStringLiteral("text")).toObject(), {} });
        return repo.save(id.value(), kinds);
    });
}

} // namespace lepton
