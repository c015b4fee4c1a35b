// SPDX-License-Identifier: GPL-3.0-or-later
#include "GroundTruth.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace lepton {
namespace {

const QStringList kModalities { QStringLiteral("image"), QStringLiteral("record"), QStringLiteral("history") };

/// "image_size": a number (a square image), [width, height] or {"width": w, "height": h}.
bool readImageSize(const QJsonValue &v, double *width, double *height)
{
    if (v.isDouble()) {
        *width = *height = v.toDouble();
    } else if (v.isArray() && v.toArray().size() == 2) {
        *width = v.toArray().at(0).toDouble();
        *height = v.toArray().at(1).toDouble();
    } else if (v.isObject()) {
        *width = v.toObject().value(QStringLiteral("width")).toDouble();
        *height = v.toObject().value(QStringLiteral("height")).toDouble();
    } else {
        return false;
    }
    return *width > 0 && *height > 0;
}

bool readStrings(const QJsonValue &v, QStringList *out)
{
    if (!v.isArray())
        return false;
    for (const QJsonValue &s : v.toArray()) {
        if (!s.isString())
            return false;
        out->append(s.toString());
    }
    return true;
}

bool has(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).isDouble();
}

/// The demo's per-case "risk": the modality whose term is largest in magnitude, when it is at least
/// kDominanceRatio times every other term (noise and the total aside); -1 otherwise, or when the
/// largest term belongs to no single modality (the finance demo's affordability).
int dominantFromRisk(const QJsonObject &risk)
{
    QString best;
    double first = 0.0, second = 0.0;
    for (auto it = risk.begin(); it != risk.end(); ++it) {
        if (it.key() == QLatin1String("noise") || it.key() == QLatin1String("total"))
            continue;
        const double v = std::abs(it.value().toDouble());
        if (v > first) {
            second = first;
            first = v;
            best = it.key();
        } else if (v > second) {
            second = v;
        }
    }
    if (best.isEmpty() || first < GroundTruth::kDominanceRatio * second)
        return -1;
    return static_cast<int>(kModalities.indexOf(best));
}

} // namespace

QRectF GroundTruthRegion::bounds() const
{
    if (shape == Shape::Circle)
        return QRectF(cx - radius, cy - radius, 2 * radius, 2 * radius);
    return QRectF(x, y, w, h);
}

Result<GroundTruth> GroundTruth::load(const QString &path)
{
    using R = Result<GroundTruth>;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("%1: cannot be read (%2)").arg(path, f.errorString()));
    return parse(f.readAll(), path);
}

Result<GroundTruth> GroundTruth::parse(const QByteArray &json, const QString &source)
{
    using R = Result<GroundTruth>;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (!doc.isObject())
        return R::failure(QStringLiteral("%1: not a ground-truth file (%2 at offset %3)")
                              .arg(source, error.errorString())
                              .arg(error.offset));
    const QJsonObject root = doc.object();
    if (!root.value(QStringLiteral("case_list")).isArray())
        return R::failure(QStringLiteral("%1: has no case_list; a ground-truth file lists its cases in \"case_list\" "
                                         "(docs/EXPLANATIONS.md, Ground-truth file format)")
                              .arg(source));
    GroundTruth g;
    if (root.contains(QStringLiteral("causal_fields"))
        && !readStrings(root.value(QStringLiteral("causal_fields")), &g.m_causalFields))
        return R::failure(QStringLiteral("%1: causal_fields must be a list of field names").arg(source));
    double globalWidth = 0, globalHeight = 0;
    if (root.contains(QStringLiteral("image_size"))
        && !readImageSize(root.value(QStringLiteral("image_size")), &globalWidth, &globalHeight))
        return R::failure(
            QStringLiteral("%1: image_size must be a positive number or [width, height] in pixels").arg(source));

    const QJsonArray list = root.value(QStringLiteral("case_list")).toArray();
    for (int i = 0; i < list.size(); ++i) {
        const QJsonObject c = list.at(i).toObject();
        CaseGroundTruth t;
        t.caseId = c.value(QStringLiteral("case_id")).toString();
        if (t.caseId.isEmpty())
            return R::failure(
                QStringLiteral("%1: case_list[%2] has no case_id (the case's id in the manifest)").arg(source).arg(i));
        auto where = [&](const QString &what) { return QStringLiteral("%1: case %2: %3").arg(source, t.caseId, what); };
        if (c.contains(QStringLiteral("causal_fields"))) {
            if (!readStrings(c.value(QStringLiteral("causal_fields")), &t.causalFields))
                return R::failure(where(QStringLiteral("causal_fields must be a list of field names")));
        } else {
            t.causalFields = g.m_causalFields;
        }
        // The region: "region" in the general format, "lesion" in the demo's file (null when none).
        QJsonValue regionValue = c.value(QStringLiteral("region"));
        if (!regionValue.isObject())
            regionValue = c.value(QStringLiteral("lesion"));
        if (regionValue.isObject()) {
            const QJsonObject r = regionValue.toObject();
            GroundTruthRegion region;
            const bool rect = has(r, "x") && has(r, "y") && has(r, "w") && has(r, "h");
            if (has(r, "cx") && has(r, "cy") && has(r, "radius")) {
                region.shape = GroundTruthRegion::Shape::Circle;
                region.cx = r.value(QStringLiteral("cx")).toDouble();
                region.cy = r.value(QStringLiteral("cy")).toDouble();
                region.radius = r.value(QStringLiteral("radius")).toDouble();
            } else if (rect) {
                region.shape = GroundTruthRegion::Shape::Rectangle;
            } else {
                return R::failure(where(QStringLiteral("the region needs x, y, w and h (a rectangle) or cx, cy and "
                                                       "radius (a disc), in image pixels")));
            }
            if (rect) {
                region.x = r.value(QStringLiteral("x")).toDouble();
                region.y = r.value(QStringLiteral("y")).toDouble();
                region.w = r.value(QStringLiteral("w")).toDouble();
                region.h = r.value(QStringLiteral("h")).toDouble();
                t.box = QRectF(region.x, region.y, region.w, region.h);
            } else {
                t.box = region.bounds();
            }
            t.region = region;
        }
        t.imageWidth = globalWidth;
        t.imageHeight = globalHeight;
        if (c.contains(QStringLiteral("image_size"))
            && !readImageSize(c.value(QStringLiteral("image_size")), &t.imageWidth, &t.imageHeight))
            return R::failure(
                where(QStringLiteral("image_size must be a positive number or [width, height] in pixels")));
        if (c.contains(QStringLiteral("causal_time_steps"))) {
            const QJsonValue steps = c.value(QStringLiteral("causal_time_steps"));
            if (!steps.isArray())
                return R::failure(where(QStringLiteral("causal_time_steps must be a list of event positions")));
            for (const QJsonValue &s : steps.toArray()) {
                if (!s.isDouble() || s.toDouble() < 0 || s.toDouble() != std::floor(s.toDouble()))
                    return R::failure(where(QStringLiteral(
                        "causal_time_steps must hold whole numbers from 0 (the oldest event of the case)")));
                t.causalTimeSteps.push_back(s.toInt());
            }
        }
        if (c.contains(QStringLiteral("causal_words"))
            && !readStrings(c.value(QStringLiteral("causal_words")), &t.causalWords))
            return R::failure(where(QStringLiteral("causal_words must be a list of words")));
        if (c.contains(QStringLiteral("negated_words"))
            && !readStrings(c.value(QStringLiteral("negated_words")), &t.negatedWords))
            return R::failure(where(QStringLiteral("negated_words must be a list of words")));
        if (c.contains(QStringLiteral("dominant_modality"))) {
            const QJsonValue d = c.value(QStringLiteral("dominant_modality"));
            if (!d.isNull()) {
                t.dominantModality = static_cast<int>(kModalities.indexOf(d.toString()));
                if (t.dominantModality < 0)
                    return R::failure(
                        where(QStringLiteral("dominant_modality must be \"image\", \"record\", \"history\" or null")));
            }
        } else if (c.value(QStringLiteral("risk")).isObject()) {
            t.dominantModality = dominantFromRisk(c.value(QStringLiteral("risk")).toObject());
        }
        g.m_cases.insert(t.caseId, t);
    }
    return g;
}

std::optional<GroundTruth> GroundTruth::besideManifest(const QString &manifestPath)
{
    if (manifestPath.isEmpty())
        return std::nullopt;
    const QString path = QFileInfo(manifestPath).dir().filePath(QStringLiteral("ground_truth.json"));
    if (!QFileInfo::exists(path))
        return std::nullopt;
    auto g = load(path);
    if (!g)
        return std::nullopt;
    return g.take();
}

std::optional<QRectF> GroundTruth::lesionBox(const QString &caseKey) const
{
    const auto it = m_cases.find(caseKey);
    if (it == m_cases.end() || !it->region)
        return std::nullopt;
    return it->box;
}

const CaseGroundTruth *GroundTruth::find(const QString &caseKey) const
{
    const auto it = m_cases.find(caseKey);
    return it == m_cases.end() ? nullptr : &it.value();
}

} // namespace lepton
