// SPDX-License-Identifier: GPL-3.0-or-later
#include "FeatureSpec.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace lepton {
namespace {

QJsonArray encode(const std::vector<FieldEncoding> &fields)
{
    QJsonArray out;
    for (const FieldEncoding &f : fields)
        out.append(QJsonObject { { QStringLiteral("name"), f.name }, { QStringLiteral("type"), fieldTypeName(f.type) },
            { QStringLiteral("mean"), f.mean }, { QStringLiteral("std"), f.std }, { QStringLiteral("log"), f.log },
            { QStringLiteral("categories"), QJsonArray::fromStringList(f.categories) } });
    return out;
}

std::vector<FieldEncoding> decode(const QJsonArray &array)
{
    std::vector<FieldEncoding> out;
    for (const auto &v : array) {
        const QJsonObject o = v.toObject();
        FieldEncoding f;
        f.name = o.value(QStringLiteral("name")).toString();
        f.type = fieldTypeFromName(o.value(QStringLiteral("type")).toString()).value_or(FieldType::Numeric);
        f.mean = o.value(QStringLiteral("mean")).toDouble();
        f.std = o.value(QStringLiteral("std")).toDouble(1.0);
        f.log = o.value(QStringLiteral("log")).toBool(false);
        for (const auto &c : o.value(QStringLiteral("categories")).toArray())
            f.categories.append(c.toString());
        out.push_back(f);
    }
    return out;
}

} // namespace

float FieldEncoding::standardise(double value) const
{
    const double x = log ? std::log(std::max(value, 1e-12)) : value;
    return static_cast<float>((x - mean) / std);
}

QJsonObject FeatureSpec::toJson() const
{
    return QJsonObject { { QStringLiteral("record_fields"), encode(recordFields) },
        { QStringLiteral("event_fields"), encode(eventFields) }, { QStringLiteral("time_scale"), timeScale },
        { QStringLiteral("image_mean"), imageMean }, { QStringLiteral("image_std"), imageStd },
        { QStringLiteral("image_size"), imageSize }, { QStringLiteral("image_channels"), imageChannels },
        { QStringLiteral("max_events"), maxEvents },
        { QStringLiteral("classes"), QJsonArray::fromStringList(classes) } };
}

FeatureSpec FeatureSpec::fromJson(const QJsonObject &json)
{
    FeatureSpec s;
    s.recordFields = decode(json.value(QStringLiteral("record_fields")).toArray());
    s.eventFields = decode(json.value(QStringLiteral("event_fields")).toArray());
    s.timeScale = json.value(QStringLiteral("time_scale")).toDouble(1.0);
    s.imageMean = json.value(QStringLiteral("image_mean")).toDouble();
    s.imageStd = json.value(QStringLiteral("image_std")).toDouble(1.0);
    s.imageSize = json.value(QStringLiteral("image_size")).toInt(128);
    s.imageChannels = json.value(QStringLiteral("image_channels")).toInt(1);
    s.maxEvents = json.value(QStringLiteral("max_events")).toInt(32);
    for (const auto &c : json.value(QStringLiteral("classes")).toArray())
        s.classes.append(c.toString());
    return s;
}

} // namespace lepton
