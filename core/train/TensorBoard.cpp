// SPDX-License-Identifier: GPL-3.0-or-later
#include "TensorBoard.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QSysInfo>

#include <array>
#include <cstring>

namespace lepton {
namespace {

// Protocol buffer wire format, just what tensorflow.Event with a scalar Summary needs.
void varint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.append(static_cast<char>(v));
}

void tag(QByteArray &out, int field, int wireType)
{
    varint(out, static_cast<quint64>(field) << 3 | static_cast<quint64>(wireType));
}

void bytesField(QByteArray &out, int field, const QByteArray &bytes)
{
    tag(out, field, 2);
    varint(out, static_cast<quint64>(bytes.size()));
    out.append(bytes);
}

template <typename T> void fixedField(QByteArray &out, int field, T value)
{
    tag(out, field, sizeof(T) == 8 ? 1 : 5);
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T)); // little-endian hosts only (x86-64, arm64)
    out.append(raw, sizeof(T));
}

/// Event { wall_time = 1 (double); step = 2 (int64); file_version = 3 (string); summary = 5 }
/// Summary { value = 1 } ; Summary.Value { tag = 1 (string); simple_value = 2 (float) }
QByteArray eventBytes(double wallTime, qint64 step, const QString *fileVersion, const ScalarEvent *scalar)
{
    QByteArray e;
    fixedField<double>(e, 1, wallTime);
    tag(e, 2, 0);
    varint(e, static_cast<quint64>(step));
    if (fileVersion)
        bytesField(e, 3, fileVersion->toUtf8());
    if (scalar) {
        QByteArray value;
        bytesField(value, 1, scalar->tag.toUtf8());
        fixedField<float>(value, 2, scalar->value);
        QByteArray summary;
        bytesField(summary, 1, value);
        bytesField(e, 5, summary);
    }
    return e;
}

quint32 masked(quint32 crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

void appendLittle(QByteArray &out, quint64 v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.append(static_cast<char>((v >> (8 * i)) & 0xFF));
}

quint64 readLittle(const char *p, int bytes)
{
    quint64 v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= static_cast<quint64>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

void record(QByteArray &out, const QByteArray &data)
{
    QByteArray length;
    appendLittle(length, static_cast<quint64>(data.size()), 8);
    out.append(length);
    appendLittle(out, masked(crc32c(length.constData(), 8)), 4);
    out.append(data);
    appendLittle(out, masked(crc32c(data.constData(), static_cast<std::size_t>(data.size()))), 4);
}

bool readVarint(const QByteArray &b, int &pos, quint64 &v)
{
    v = 0;
    for (int shift = 0; pos < b.size() && shift < 64; shift += 7) {
        const auto c = static_cast<unsigned char>(b[pos++]);
        v |= static_cast<quint64>(c & 0x7F) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/// Calls `f(field, wireType, bytes-or-fixed payload, varint)` for each field of a message.
template <typename F> bool fields(const QByteArray &b, F f)
{
    int pos = 0;
    while (pos < b.size()) {
        quint64 key = 0, v = 0;
        if (!readVarint(b, pos, key))
            return false;
        const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
        if (wire == 0) {
            if (!readVarint(b, pos, v))
                return false;
            f(field, wire, QByteArray(), v);
        } else if (wire == 1 || wire == 5) {
            const int n = wire == 1 ? 8 : 4;
            if (pos + n > b.size())
                return false;
            f(field, wire, b.mid(pos, n), 0);
            pos += n;
        } else if (wire == 2) {
            if (!readVarint(b, pos, v) || pos + static_cast<int>(v) > b.size())
                return false;
            f(field, wire, b.mid(pos, static_cast<int>(v)), 0);
            pos += static_cast<int>(v);
        } else {
            return false;
        }
    }
    return true;
}

} // namespace

quint32 crc32c(const char *data, std::size_t size)
{
    static const std::array<quint32, 256> table = [] {
        std::array<quint32, 256> t {};
        for (quint32 i = 0; i < 256; ++i) {
            quint32 c = i;
            for (int k = 0; k < 8; ++k)
                c = c & 1 ? 0x82f63b78u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    quint32 crc = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < size; ++i)
        crc = table[(crc ^ static_cast<unsigned char>(data[i])) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

QByteArray encodeTensorBoard(const std::vector<ScalarEvent> &events, double wallTime)
{
    QByteArray out;
    const QString version = QStringLiteral("brain.Event:2");
    record(out, eventBytes(wallTime, 0, &version, nullptr));
    for (const ScalarEvent &e : events)
        record(out, eventBytes(e.wallTime > 0 ? e.wallTime : wallTime, e.step, nullptr, &e));
    return out;
}

Result<std::vector<ScalarEvent>> decodeTensorBoard(const QByteArray &bytes)
{
    using R = Result<std::vector<ScalarEvent>>;
    std::vector<ScalarEvent> out;
    int pos = 0, index = 0;
    while (pos < bytes.size()) {
        if (pos + 12 > bytes.size())
            return R::failure(QStringLiteral("record %1: truncated header").arg(index));
        const quint64 length = readLittle(bytes.constData() + pos, 8);
        if (readLittle(bytes.constData() + pos + 8, 4) != masked(crc32c(bytes.constData() + pos, 8)))
            return R::failure(QStringLiteral("record %1: length CRC mismatch").arg(index));
        pos += 12;
        if (pos + static_cast<qint64>(length) + 4 > bytes.size())
            return R::failure(QStringLiteral("record %1: truncated data").arg(index));
        const QByteArray data = bytes.mid(pos, static_cast<int>(length));
        pos += static_cast<int>(length);
        if (readLittle(bytes.constData() + pos, 4)
            != masked(crc32c(data.constData(), static_cast<std::size_t>(length))))
            return R::failure(QStringLiteral("record %1: data CRC mismatch").arg(index));
        pos += 4;
        ScalarEvent e;
        bool scalar = false;
        const bool ok = fields(data, [&](int field, int, const QByteArray &payload, quint64 v) {
            if (field == 1 && payload.size() == 8)
                std::memcpy(&e.wallTime, payload.constData(), 8);
            else if (field == 2)
                e.step = static_cast<qint64>(v);
            else if (field == 5)
                fields(payload, [&](int f, int, const QByteArray &value, quint64) {
                    if (f == 1)
                        fields(value, [&](int g, int, const QByteArray &p, quint64) {
                            if (g == 1)
                                e.tag = QString::fromUtf8(p);
                            else if (g == 2 && p.size() == 4) {
                                std::memcpy(&e.value, p.constData(), 4);
                                scalar = true;
                            }
                        });
                });
        });
        if (!ok)
            return R::failure(QStringLiteral("record %1: not a valid event").arg(index));
        if (scalar)
            out.push_back(e);
        ++index;
    }
    return out;
}

Result<QString> writeTensorBoard(const QString &dir, const std::vector<MetricRow> &rows, double wallTime)
{
    std::vector<ScalarEvent> events;
    for (const MetricRow &r : rows) {
        ScalarEvent e;
        e.tag = QStringLiteral("%1/%2").arg(r.split, r.name);
        e.step = r.step >= 0 ? r.step : r.epoch + 1;
        if (r.step < 0 && r.split == QLatin1String("train"))
            e.tag = QStringLiteral("train_epoch/%1").arg(r.name);
        e.value = static_cast<float>(r.value);
        events.push_back(e);
    }
    if (!QDir().mkpath(dir))
        return Result<QString>::failure(QStringLiteral("%1: the folder cannot be created").arg(dir));
    const QString path = QDir(dir).filePath(QStringLiteral("events.out.tfevents.%1.%2.lepton")
                                                .arg(static_cast<qint64>(wallTime))
                                                .arg(QSysInfo::machineHostName()));
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Result<QString>::failure(QStringLiteral("%1: cannot be written: %2").arg(path, f.errorString()));
    f.write(encodeTensorBoard(events, wallTime));
    if (!f.commit())
        return Result<QString>::failure(QStringLiteral("%1: cannot be written: %2").arg(path, f.errorString()));
    return path;
}

} // namespace lepton
