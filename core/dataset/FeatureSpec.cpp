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
    QJsonObject json { { QStringLiteral("record_fields"), encode(recordFields) },
        { QStringLiteral("event_fields"), encode(eventFields) }, { QStringLiteral("time_scale"), timeScale },
        { QStringLiteral("image_mean"), imageMean }, { QStringLiteral("image_std"), imageStd },
        { QStringLiteral("image_size"), imageSize }, { QStringLiteral("image_channels"), imageChannels },
        { QStringLiteral("max_events"), maxEvents },
        { QStringLiteral("classes"), QJsonArray::fromStringList(classes) } };
    if (hasText())
        json.insert(QStringLiteral("text"),
            QJsonObject { { QStringLiteral("fields"), QJsonArray::fromStringList(text.fields) },
                { QStringLiteral("max_tokens"), text.maxTokens }, { QStringLiteral("vocab_size"), text.vocabSize },
                { QStringLiteral("tokenizer"), text.tokenizer },
                { QStringLiteral("tokenizer_model"), QString::fromLatin1(text.tokenizerModel.toBase64()) } });
    return json;
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
    const QJsonObject text = json.value(QStringLiteral("text")).toObject();
    for (const auto &f : text.value(QStringLiteral("fields")).toArray())
        s.text.fields.append(f.toString());
    s.text.maxTokens = text.value(QStringLiteral("max_tokens")).toInt(128);
    s.text.vocabSize = text.value(QStringLiteral("vocab_size")).toInt(2000);
    s.text.tokenizer = text.value(QStringLiteral("tokenizer")).toString(QStringLiteral("bpe"));
    s.text.tokenizerModel = QByteArray::fromBase64(text.value(QStringLiteral("tokenizer_model")).toString().toLatin1());
    return s;
}

} // namespace lepton
