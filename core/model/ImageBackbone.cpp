// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageBackbone.h"

#include <QJsonArray>

namespace lepton {
namespace {

QJsonArray numbers(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

std::vector<double> numbers(const QJsonValue &v)
{
    std::vector<double> out;
    for (const auto &x : v.toArray())
        out.push_back(x.toDouble());
    return out;
}

} // namespace

QJsonObject ImageBackbone::toJson() const
{
    return QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("sha256"), sha256 },
        { QStringLiteral("channels"), channels }, { QStringLiteral("input_size"), inputSize },
        { QStringLiteral("mean"), numbers(mean) }, { QStringLiteral("std"), numbers(std) },
        { QStringLiteral("features"), features }, { QStringLiteral("data_mean"), dataMean },
        { QStringLiteral("data_std"), dataStd } };
}

Result<ImageBackbone> ImageBackbone::fromJson(const QJsonObject &json)
{
    ImageBackbone b;
    b.name = json.value(QStringLiteral("name")).toString();
    b.sha256 = json.value(QStringLiteral("sha256")).toString();
    b.channels = json.value(QStringLiteral("channels")).toInt(3);
    b.inputSize = json.value(QStringLiteral("input_size")).toInt(0);
    b.mean = numbers(json.value(QStringLiteral("mean")));
    b.std = numbers(json.value(QStringLiteral("std")));
    b.features = json.value(QStringLiteral("features")).toInt(0);
    b.dataMean = json.value(QStringLiteral("data_mean")).toDouble(0.0);
    b.dataStd = json.value(QStringLiteral("data_std")).toDouble(1.0);
    const QString problem = b.validate();
    if (!problem.isEmpty())
        return Result<ImageBackbone>::failure(problem);
    return b;
}

QString ImageBackbone::validate() const
{
    if (!isSet())
        return QString();
    if (channels != 1 && channels != 3)
        return QStringLiteral("image encoder %1: reads %2 channels; use 1 or 3").arg(name).arg(channels);
    if (inputSize != 0 && (inputSize < 16 || inputSize > 1024))
        return QStringLiteral("image encoder %1: input size %2 is outside 16–1024").arg(name).arg(inputSize);
    if (mean.size() != static_cast<std::size_t>(channels) || std.size() != static_cast<std::size_t>(channels))
        return QStringLiteral("image encoder %1: needs one mean and one std per channel (%2 each)")
            .arg(name)
            .arg(channels);
    for (double s : std)
        if (!(s > 0.0))
            return QStringLiteral("image encoder %1: every std must be above 0").arg(name);
    if (features < 1)
        return QStringLiteral("image encoder %1: has no output features; import it again").arg(name);
    if (!(dataStd > 0.0))
        return QStringLiteral("image encoder %1: the dataset's image std must be above 0").arg(name);
    return QString();
}

} // namespace lepton
