// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/SafeTensors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "the safetensors data is little-endian, as is this machine's memory");

namespace lepton::safetensors {
namespace {

struct DType
{
    const char *name;
    torch::ScalarType type;
};
constexpr DType kTypes[] = { { "F64", torch::kFloat64 }, { "F32", torch::kFloat32 }, { "F16", torch::kHalf },
    { "BF16", torch::kBFloat16 }, { "I64", torch::kInt64 }, { "I32", torch::kInt32 }, { "I16", torch::kInt16 },
    { "I8", torch::kInt8 }, { "U8", torch::kByte }, { "BOOL", torch::kBool } };

/// The layout's names this reader knows but cannot make a tensor of.
constexpr const char *kUnsupported[]
    = { "U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64" };

constexpr int kMaxDims = 16;
/// Larger integers cannot come exactly through a JSON number.
constexpr double kMaxExact = 9007199254740992.0; // 2^53

QString shown(const QString &name)
{
    return name.size() > 120 ? name.left(120) + QStringLiteral("…") : name;
}

/// A non-negative integer written as a JSON number, else nothing.
bool wholeNumber(const QJsonValue &v, quint64 *out)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (!(d >= 0.0) || d > kMaxExact || std::floor(d) != d)
        return false;
    *out = static_cast<quint64>(d);
    return true;
}

struct Entry
{
    QString name;
    torch::ScalarType type;
    std::vector<std::int64_t> shape;
    quint64 begin = 0, end = 0;
};

} // namespace

Result<QByteArray> write(
    const std::vector<std::pair<std::string, torch::Tensor>> &tensors, const QMap<QString, QString> &metadata)
{
    using R = Result<QByteArray>;
    QJsonObject header;
    std::vector<torch::Tensor> data;
    quint64 offset = 0;
    for (const auto &[name, tensor] : tensors) {
        const QString key = QString::fromStdString(name);
        if (key == QLatin1String("__metadata__") || header.contains(key))
            return R::failure(QStringLiteral("'%1' cannot be written twice or as a tensor's name").arg(shown(key)));
        const DType *type = nullptr;
        for (const auto &d : kTypes)
            if (d.type == tensor.scalar_type())
                type = &d;
        if (!type)
            return R::failure(QStringLiteral("'%1' is %2, which safetensors has no name for")
                                  .arg(shown(key), QString::fromLatin1(c10::toString(tensor.scalar_type()))));
        const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
        const quint64 bytes = static_cast<quint64>(t.numel()) * t.element_size();
        QJsonArray shape;
        for (const auto d : t.sizes())
            shape.append(static_cast<qint64>(d));
        header.insert(key,
            QJsonObject { { QStringLiteral("dtype"), QLatin1String(type->name) }, { QStringLiteral("shape"), shape },
                { QStringLiteral("data_offsets"),
                    QJsonArray { static_cast<qint64>(offset), static_cast<qint64>(offset + bytes) } } });
        offset += bytes;
        data.push_back(t);
    }
    if (!metadata.isEmpty()) {
        QJsonObject meta;
        for (auto it = metadata.begin(); it != metadata.end(); ++it)
            meta.insert(it.key(), it.value());
        header.insert(QStringLiteral("__metadata__"), meta);
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    // The reference writer pads the header with spaces so that the data starts 8-byte aligned.
    json.append(QByteArray((8 - json.size() % 8) % 8, ' '));
    QByteArray out;
    out.reserve(8 + json.size() + static_cast<qsizetype>(offset));
    char length[8];
    qToLittleEndian<quint64>(static_cast<quint64>(json.size()), length);
    out.append(length, 8);
    out.append(json);
    for (const torch::Tensor &t : data)
        out.append(static_cast<const char *>(t.data_ptr()), static_cast<qsizetype>(t.numel() * t.element_size()));
    return out;
}

bool looksLike(const QByteArray &bytes)
{
    if (bytes.size() < 9)
        return false;
    const quint64 n = qFromLittleEndian<quint64>(bytes.constData());
    return n >= 2 && n <= kMaxHeaderBytes && bytes.at(8) == '{';
}

Result<SafeTensorsFile> read(const QByteArray &bytes)
{
    using R = Result<SafeTensorsFile>;
    if (bytes.size() < 8)
        return R::failure(QStringLiteral("it is not a safetensors file: %1 bytes, fewer than the 8 of its header "
                                         "length")
                              .arg(bytes.size()));
    const quint64 n = qFromLittleEndian<quint64>(bytes.constData());
    if (n > kMaxHeaderBytes)
        return R::failure(QStringLiteral("it is not a safetensors file: its header would be %1 bytes (at most %2)")
                              .arg(n)
                              .arg(kMaxHeaderBytes));
    if (n > static_cast<quint64>(bytes.size()) - 8)
        return R::failure(QStringLiteral("it is cut off: its header needs %1 bytes, %2 follow the length")
                              .arg(n)
                              .arg(bytes.size() - 8));
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes.mid(8, static_cast<qsizetype>(n)), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return R::failure(QStringLiteral("its header is not a JSON object (%1 at byte %2)")
                              .arg(error.error != QJsonParseError::NoError ? error.errorString()
                                                                           : QStringLiteral("another JSON value"))
                              .arg(8 + error.offset));
    const QJsonObject header = doc.object();
    const quint64 dataBytes = static_cast<quint64>(bytes.size()) - 8 - n;
    SafeTensorsFile file;
    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const QString name = it.key();
        if (name == QLatin1String("__metadata__")) {
            if (!it.value().isObject())
                return R::failure(QStringLiteral("its __metadata__ is not an object of strings"));
            const QJsonObject meta = it.value().toObject();
            for (auto m = meta.begin(); m != meta.end(); ++m) {
                if (!m.value().isString())
                    return R::failure(
                        QStringLiteral("its __metadata__ entry '%1' is not a string").arg(shown(m.key())));
                file.metadata.insert(m.key(), m.value().toString());
            }
            continue;
        }
        auto bad
            = [&](const QString &why) { return R::failure(QStringLiteral("tensor '%1': %2").arg(shown(name), why)); };
        if (!it.value().isObject())
            return bad(QStringLiteral("its entry is not an object with dtype, shape and data_offsets"));
        const QJsonObject o = it.value().toObject();
        Entry e;
        e.name = name;
        const QString dtype = o.value(QStringLiteral("dtype")).toString();
        const DType *type = nullptr;
        for (const auto &d : kTypes)
            if (dtype == QLatin1String(d.name))
                type = &d;
        if (!type) {
            for (const char *u : kUnsupported)
                if (dtype == QLatin1String(u))
                    return bad(
                        QStringLiteral("dtype %1 is not supported; convert the file to F32, F16 or BF16").arg(dtype));
            return bad(QStringLiteral("'%1' is not a safetensors dtype").arg(shown(dtype)));
        }
        e.type = type->type;
        const QJsonValue shape = o.value(QStringLiteral("shape"));
        if (!shape.isArray() || shape.toArray().size() > kMaxDims)
            return bad(QStringLiteral("its shape is not a list of at most %1 sizes").arg(kMaxDims));
        quint64 elements = 1;
        bool overflow = false;
        for (const QJsonValue &d : shape.toArray()) {
            quint64 size = 0;
            if (!wholeNumber(d, &size) || size > static_cast<quint64>(std::numeric_limits<std::int64_t>::max()))
                return bad(QStringLiteral("its shape holds something other than a size"));
            e.shape.push_back(static_cast<std::int64_t>(size));
            if (size != 0 && elements > std::numeric_limits<quint64>::max() / size)
                overflow = true;
            else
                elements *= size;
        }
        const QJsonValue offsets = o.value(QStringLiteral("data_offsets"));
        if (!offsets.isArray() || offsets.toArray().size() != 2 || !wholeNumber(offsets.toArray().at(0), &e.begin)
            || !wholeNumber(offsets.toArray().at(1), &e.end) || e.end < e.begin)
            return bad(QStringLiteral("its data_offsets are not two sizes [begin, end]"));
        if (e.end > dataBytes)
            return bad(QStringLiteral("its data ends at byte %1 but the file holds %2 bytes of data (cut off?)")
                           .arg(e.end)
                           .arg(dataBytes));
        const quint64 elementSize = c10::elementSize(e.type);
        if (overflow || elements > (e.end - e.begin) / elementSize || elements * elementSize != e.end - e.begin)
            return bad(QStringLiteral("its shape and dtype need %1 bytes, its offsets span %2")
                           .arg(overflow ? QStringLiteral("more than 2^64")
                                         : QString::number(elements * static_cast<quint64>(elementSize)))
                           .arg(e.end - e.begin));
        entries.push_back(std::move(e));
    }
    // The tensors' spans tile the data: no gap, no overlap, nothing after the last.
    std::vector<const Entry *> order;
    for (const Entry &e : entries)
        order.push_back(&e);
    std::sort(order.begin(), order.end(),
        [](const Entry *a, const Entry *b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
    quint64 at = 0;
    for (const Entry *e : order) {
        if (e->begin != at)
            return R::failure(QStringLiteral("tensor '%1': its data starts at byte %2 where %3 was expected (the "
                                             "tensors' data overlaps or leaves a gap)")
                                  .arg(shown(e->name))
                                  .arg(e->begin)
                                  .arg(at));
        at = e->end;
    }
    if (at != dataBytes)
        return R::failure(QStringLiteral("it has %1 bytes of data after its last tensor").arg(dataBytes - at));
    const char *data = bytes.constData() + 8 + n;
    for (const Entry &e : entries) {
        // Booleans are read as bytes and compared with 0, so a byte other than 0 or 1 is still a bool.
        const bool boolean = e.type == torch::kBool;
        torch::Tensor t;
        try {
            t = torch::empty(e.shape, torch::TensorOptions().dtype(boolean ? torch::kByte : e.type));
        } catch (const c10::Error &) {
            return R::failure(QStringLiteral("tensor '%1': its shape cannot be made").arg(shown(e.name)));
        }
        if (e.end > e.begin)
            std::memcpy(t.data_ptr(), data + e.begin, static_cast<std::size_t>(e.end - e.begin));
        file.tensors.emplace(e.name.toStdString(), boolean ? t.ne(0) : t);
    }
    return file;
}

} // namespace lepton::safetensors
