// SPDX-License-Identifier: GPL-3.0-or-later
#include "GroundTruth.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lepton {

Result<GroundTruth> GroundTruth::load(const QString &path)
{
    using R = Result<GroundTruth>;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("%1: cannot be read (%2)").arg(path, f.errorString()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (!doc.isObject())
        return R::failure(QStringLiteral("%1: not a ground-truth file (%2 at offset %3)")
                              .arg(path, error.errorString())
                              .arg(error.offset));
    const QJsonObject root = doc.object();
    if (!root.value(QStringLiteral("case_list")).isArray())
        return R::failure(
            QStringLiteral("%1: has no case_list; is it a ground_truth.json of `lepton demo-data`?").arg(path));
    GroundTruth g;
    for (const QJsonValue &v : root.value(QStringLiteral("causal_fields")).toArray())
        g.m_causalFields.append(v.toString());
    for (const QJsonValue &v : root.value(QStringLiteral("case_list")).toArray()) {
        const QJsonObject c = v.toObject();
        const QJsonObject l = c.value(QStringLiteral("lesion")).toObject();
        if (l.isEmpty())
            continue;
        g.m_boxes.insert(c.value(QStringLiteral("case_id")).toString(),
            QRectF(l.value(QStringLiteral("x")).toDouble(), l.value(QStringLiteral("y")).toDouble(),
                l.value(QStringLiteral("w")).toDouble(), l.value(QStringLiteral("h")).toDouble()));
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
    const auto it = m_boxes.find(caseKey);
    if (it == m_boxes.end())
        return std::nullopt;
    return it.value();
}

} // namespace lepton
