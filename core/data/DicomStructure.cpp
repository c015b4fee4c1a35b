// SPDX-License-Identifier: GPL-3.0-or-later
#include "DicomStructure.h"

#include <gdcmDictEntry.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>

#include <zlib.h>

#include <cstring>

namespace lepton {
namespace {

constexpr quint32 kUndefined = 0xffffffffu;
constexpr int kMaxDepth = 32;
constexpr qint64 kMaxInflated = qint64(1) << 30;

bool longLengthVr(const char *vr)
{
    static const char *const longs[] = { "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" };
    for (const char *l : longs)
        if (vr[0] == l[0] && vr[1] == l[1])
            return true;
    return false;
}

/// One of the value representations of PS3.5 table 6.2-1. GDCM reads an element whose VR it
/// does not know by other rules (as implicit, with a 4-byte length), so a walk that let it through
/// would check other lengths than GDCM then allocates.
bool knownVr(const char *vr)
{
    static const char *const vrs[]
        = { "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW",
              "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV" };
    for (const char *v : vrs)
        if (vr[0] == v[0] && vr[1] == v[1])
            return true;
    return false;
}

class Walker
{
public:
    Walker(const uchar *data, qint64 size, bool explicitVr, bool bigEndian, DicomStructure &out, const uchar *file)
        : m_data(data), m_file(file), d(data), n(size), m_explicit(explicitVr), m_big(bigEndian), m_out(out)
    { }

    /// Walks the elements in [pos, end). With `inItem` an item delimiter ends the walk (its end
    /// is returned in *stop); otherwise the walk must end exactly at `end`.
    bool elements(qint64 pos, qint64 end, int depth, bool inItem, qint64 *stop)
    {
        if (depth > kMaxDepth)
            return fail(pos, QStringLiteral("sequences nested deeper than %1 levels").arg(kMaxDepth));
        while (pos < end) {
            if (end - pos < 8)
                return fail(pos, QStringLiteral("an element header cut off"));
            const quint16 group = u16(pos), elem = u16(pos + 2);
            if (group == 0xfffe) {
                if (inItem && elem == 0xe00d) {
                    *stop = pos + 8;
                    return true;
                }
                return fail(
                    pos, QStringLiteral("an item tag (FFFE,%1) outside a sequence").arg(elem, 4, 16, QLatin1Char('0')));
            }
            quint32 length = 0;
            qint64 header = 8;
            bool sequence = false;
            if (m_explicit) {
                const char vr[2] = { char(d[pos + 4]), char(d[pos + 5]) };
                if (!knownVr(vr))
                    return fail(pos, QStringLiteral("element (%1,%2) has no valid VR").arg(hex(group), hex(elem)));
                if (longLengthVr(vr)) {
                    if (end - pos < 12)
                        return fail(pos, QStringLiteral("an element header cut off"));
                    length = u32(pos + 8);
                    header = 12;
                } else
                    length = u16(pos + 6);
                sequence = (vr[0] == 'S' && vr[1] == 'Q') || (vr[0] == 'U' && vr[1] == 'N' && length == kUndefined);
            } else {
                length = u32(pos + 4);
                sequence = dictionarySaysSequence(group, elem)
                    || (length == kUndefined && !(group == 0x7fe0 && elem == 0x0010));
            }
            const qint64 value = pos + header;
            const bool pixelData = group == 0x7fe0 && elem == 0x0010 && depth == 0;
            if (length == kUndefined) {
                if (pixelData) {
                    if (!fragments(value, end, &pos))
                        return false;
                    continue;
                }
                if (!sequence)
                    return fail(pos,
                        QStringLiteral("element (%1,%2) has an undefined length but is not a sequence")
                            .arg(hex(group), hex(elem)));
                if (!items(value, end, depth + 1, true, &pos))
                    return false;
                continue;
            }
            if (qint64(length) > end - value)
                return fail(pos,
                    QStringLiteral("element (%1,%2) claims %3 bytes; only %4 are left (truncated?)")
                        .arg(hex(group), hex(elem))
                        .arg(length)
                        .arg(end - value));
            if (sequence) {
                qint64 after = 0;
                if (!items(value, value + length, depth + 1, false, &after))
                    return false;
            }
            if (pixelData) {
                m_out.hasPixelData = true;
                m_out.pixelDataLength = length;
                if (m_data == m_file)
                    m_out.pixelDataOffset = value;
            }
            pos = value + length;
        }
        if (inItem)
            return fail(pos, QStringLiteral("an item without its delimiter"));
        *stop = pos;
        return true;
    }

    QString error;

private:
    const uchar *m_data;
    const uchar *m_file;
    const uchar *d;
    qint64 n;
    bool m_explicit;
    bool m_big;
    DicomStructure &m_out;

    static QString hex(quint16 v) { return QStringLiteral("%1").arg(v, 4, 16, QLatin1Char('0')).toUpper(); }
    quint16 u16(qint64 p) const { return m_big ? quint16((d[p] << 8) | d[p + 1]) : quint16(d[p] | (d[p + 1] << 8)); }
    quint32 u32(qint64 p) const
    {
        return m_big ? (quint32(d[p]) << 24) | (quint32(d[p + 1]) << 16) | (quint32(d[p + 2]) << 8) | d[p + 3]
                     : quint32(d[p]) | (quint32(d[p + 1]) << 8) | (quint32(d[p + 2]) << 16) | (quint32(d[p + 3]) << 24);
    }
    bool fail(qint64 pos, const QString &what)
    {
        error = QStringLiteral("%1 at byte %2").arg(what).arg(pos);
        return false;
    }
    static bool dictionarySaysSequence(quint16 group, quint16 elem)
    {
        if (group % 2 == 1)
            return false; // private: unknown
        const gdcm::DictEntry &e
            = gdcm::Global::GetInstance().GetDicts().GetPublicDict().GetDictEntry(gdcm::Tag(group, elem));
        return e.GetVR() == gdcm::VR::SQ;
    }

    /// The items of a sequence in [pos, end): with `undefined` up to the sequence delimiter.
    bool items(qint64 pos, qint64 end, int depth, bool undefined, qint64 *stop)
    {
        if (depth > kMaxDepth)
            return fail(pos, QStringLiteral("sequences nested deeper than %1 levels").arg(kMaxDepth));
        while (undefined || pos < end) {
            if (end - pos < 8)
                return fail(pos, QStringLiteral("a sequence cut off"));
            const quint16 group = u16(pos), elem = u16(pos + 2);
            const quint32 length = u32(pos + 4);
            if (group != 0xfffe)
                return fail(pos, QStringLiteral("a sequence holds an element that is not an item"));
            if (elem == 0xe0dd) {
                if (!undefined)
                    return fail(pos, QStringLiteral("a sequence delimiter in a sequence of defined length"));
                *stop = pos + 8;
                return true;
            }
            if (elem != 0xe000)
                return fail(pos, QStringLiteral("an unexpected delimiter (FFFE,%1) in a sequence").arg(hex(elem)));
            const qint64 value = pos + 8;
            if (length == kUndefined) {
                if (!elements(value, end, depth, true, &pos))
                    return false;
                continue;
            }
            if (qint64(length) > end - value)
                return fail(
                    pos, QStringLiteral("an item claims %1 bytes; only %2 are left").arg(length).arg(end - value));
            qint64 after = 0;
            if (!elements(value, value + length, depth, false, &after))
                return false;
            pos = value + length;
        }
        *stop = pos;
        return true;
    }

    /// Encapsulated pixel data: the offset table and fragments, each an item, then the delimiter.
    bool fragments(qint64 pos, qint64 end, qint64 *stop)
    {
        m_out.hasPixelData = true;
        m_out.encapsulated = true;
        int count = 0;
        while (true) {
            if (end - pos < 8)
                return fail(pos, QStringLiteral("encapsulated pixel data cut off after %1 fragments").arg(count));
            const quint16 group = u16(pos), elem = u16(pos + 2);
            const quint32 length = u32(pos + 4);
            if (group != 0xfffe || (elem != 0xe000 && elem != 0xe0dd))
                return fail(pos, QStringLiteral("encapsulated pixel data holds something that is not a fragment"));
            if (elem == 0xe0dd) {
                if (count < 1)
                    return fail(pos, QStringLiteral("encapsulated pixel data without an offset table"));
                *stop = pos + 8;
                return true;
            }
            if (length == kUndefined || qint64(length) > end - pos - 8)
                return fail(pos,
                    QStringLiteral("a pixel data fragment claims %1 bytes; only %2 are left (truncated?)")
                        .arg(length)
                        .arg(end - pos - 8));
            m_out.pixelDataLength += length;
            if (count > 0 && m_data == m_file)
                m_out.fragments.emplace_back(pos + 8, qint64(length));
            pos += 8 + qint64(length);
            ++count;
        }
    }
};

/// Raw deflate (RFC 1951), as the deflated transfer syntax stores the data set; bounded.
bool inflateRaw(const uchar *data, qint64 size, QByteArray *out, QString *error)
{
    z_stream zs;
    std::memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK) {
        *error = QStringLiteral("the deflate decoder cannot start");
        return false;
    }
    zs.next_in = const_cast<Bytef *>(data);
    zs.avail_in = uInt(size);
    QByteArray buffer(qMax<qint64>(4096, size * 4), '\0');
    int rc = Z_OK;
    while (true) {
        zs.next_out = reinterpret_cast<Bytef *>(buffer.data()) + zs.total_out;
        zs.avail_out = uInt(buffer.size() - qint64(zs.total_out));
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            inflateEnd(&zs);
            *error = QStringLiteral("its deflated data set is corrupt");
            return false;
        }
        if (zs.avail_out == 0) {
            if (buffer.size() >= kMaxInflated) {
                inflateEnd(&zs);
                *error = QStringLiteral("its deflated data set inflates to more than 1 GiB");
                return false;
            }
            buffer.resize(qMin<qint64>(kMaxInflated, buffer.size() * 2));
        } else if (zs.avail_in == 0) {
            inflateEnd(&zs);
            *error = QStringLiteral("its deflated data set is cut off");
            return false;
        }
    }
    buffer.resize(qint64(zs.total_out));
    inflateEnd(&zs);
    *out = buffer;
    return true;
}

void appendLe(QByteArray &out, quint32 v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.append(char((v >> (8 * i)) & 0xff));
}

} // namespace

QByteArray withCleanMeta(const QByteArray &bytes, const DicomStructure &s)
{
    QByteArray uid = s.transferSyntaxUid.toLatin1();
    if (uid.size() % 2)
        uid.append('\0');
    QByteArray group;
    // (0002,0001) OB: file meta information version 00 01.
    group.append("\x02\x00\x01\x00OB\0\0", 8);
    appendLe(group, 2, 4);
    group.append("\x00\x01", 2);
    // (0002,0010) UI: the transfer syntax.
    group.append("\x02\x00\x10\x00UI", 6);
    appendLe(group, quint32(uid.size()), 2);
    group.append(uid);
    QByteArray out(128, '\0');
    out.append("DICM", 4);
    out.append("\x02\x00\x00\x00UL\x04\x00", 8); // (0002,0000) UL: the group's length
    appendLe(out, quint32(group.size()), 4);
    out.append(group);
    out.append(bytes.constData() + s.dataSetOffset, bytes.size() - s.dataSetOffset);
    return out;
}

QString checkRleFragments(const QByteArray &bytes, const DicomStructure &s, int segments, int frames)
{
    if (segments < 1 || segments > 15)
        return QStringLiteral("RLE needs 1 to 15 segments per frame; this image needs %1").arg(segments);
    if (qint64(s.fragments.size()) < frames)
        return QStringLiteral("RLE pixel data has %1 fragments for %2 frames").arg(s.fragments.size()).arg(frames);
    const auto *d = reinterpret_cast<const uchar *>(bytes.constData());
    auto le32 = [d](qint64 p) {
        return quint32(d[p]) | (quint32(d[p + 1]) << 8) | (quint32(d[p + 2]) << 16) | (quint32(d[p + 3]) << 24);
    };
    // One fragment per frame (the common layout); a frame split over fragments is refused.
    if (qint64(s.fragments.size()) != frames)
        return QStringLiteral("RLE pixel data has %1 fragments for %2 frames (one per frame is read)")
            .arg(s.fragments.size())
            .arg(frames);
    for (const auto &[offset, length] : s.fragments) {
        if (length < 64)
            return QStringLiteral("an RLE fragment of %1 bytes is shorter than its 64-byte header").arg(length);
        const quint32 count = le32(offset);
        if (count != quint32(segments))
            return QStringLiteral("an RLE header lists %1 segments where the image needs %2").arg(count).arg(segments);
        quint32 previous = 0;
        for (quint32 i = 0; i < count; ++i) {
            const quint32 start = le32(offset + 4 + 4 * i);
            const quint32 end = i + 1 < count ? le32(offset + 8 + 4 * i) : quint32(length);
            if ((i == 0 && start != 64) || start < previous || start >= end || end > quint64(length))
                return QStringLiteral("RLE segment %1 lies outside its fragment").arg(i + 1);
            previous = start;
        }
    }
    return QString();
}

QString checkCodestreams(
    const QByteArray &bytes, const DicomStructure &s, int rows, int columns, int samples, int bitsAllocated)
{
    const QString &uid = s.transferSyntaxUid;
    const bool jpeg = uid.startsWith(QLatin1String("1.2.840.10008.1.2.4.5"))
        || uid == QLatin1String("1.2.840.10008.1.2.4.57") || uid == QLatin1String("1.2.840.10008.1.2.4.70")
        || uid.startsWith(QLatin1String("1.2.840.10008.1.2.4.8"));
    const bool j2k = uid.startsWith(QLatin1String("1.2.840.10008.1.2.4.9"));
    if (!jpeg && !j2k)
        return QString();
    if (s.fragments.empty())
        return QStringLiteral("no compressed frame after the offset table");
    const auto *d = reinterpret_cast<const uchar *>(bytes.constData());
    auto be16 = [d](qint64 p) { return int((d[p] << 8) | d[p + 1]); };
    auto be32 = [d](qint64 p) {
        return (quint32(d[p]) << 24) | (quint32(d[p + 1]) << 16) | (quint32(d[p + 2]) << 8) | quint32(d[p + 3]);
    };
    // The first fragment of the first frame holds its header.
    const auto [start, length] = s.fragments.front();
    const qint64 end = start + length;
    auto mismatch = [&](int y, int x, int n, int precision) -> QString {
        if (y != rows || x != columns || n != samples || precision < 1 || precision > bitsAllocated)
            return QStringLiteral("the code stream declares %1×%2 with %3 components of %4 bits; the DICOM header "
                                  "says %5×%6 with %7 of at most %8")
                .arg(x)
                .arg(y)
                .arg(n)
                .arg(precision)
                .arg(columns)
                .arg(rows)
                .arg(samples)
                .arg(bitsAllocated);
        return QString();
    };
    if (jpeg) {
        if (length < 4 || d[start] != 0xff || d[start + 1] != 0xd8)
            return QStringLiteral("a JPEG frame without its start-of-image marker");
        qint64 p = start + 2;
        while (p + 4 <= end) {
            if (d[p] != 0xff)
                return QStringLiteral("a JPEG frame with a damaged marker at byte %1").arg(p);
            const int marker = d[p + 1];
            if (marker == 0xff) {
                ++p;
                continue;
            }
            const int size = be16(p + 2);
            if (size < 2 || p + 2 + size > end)
                return QStringLiteral("a JPEG segment runs past its fragment at byte %1").arg(p);
            const bool sof = (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc)
                || marker == 0xf7;
            if (sof) {
                if (size < 8)
                    return QStringLiteral("a JPEG frame header that is too short");
                const int precision = d[p + 4];
                const int y = be16(p + 5), x = be16(p + 7), n = d[p + 9];
                if (size < 8 + 3 * n)
                    return QStringLiteral("a JPEG frame header shorter than its components");
                return mismatch(y, x, n, precision);
            }
            if (marker == 0xda)
                break;
            p += 2 + size;
        }
        return QStringLiteral("a JPEG frame without a frame header");
    }
    // JPEG 2000: a code stream (SOC, then SIZ), possibly inside a JP2 box structure.
    qint64 p = start;
    if (length >= 12 && be32(p) == 12 && be32(p + 4) == 0x6a502020) { // a JP2 file: find the jp2c box
        qint64 q = p;
        while (q + 8 <= end) {
            const qint64 box = be32(q);
            if (be32(q + 4) == 0x6a703263) {
                p = q + 8;
                break;
            }
            if (box < 8 || q + box > end)
                return QStringLiteral("a JPEG 2000 box runs past its fragment");
            q += box;
        }
    }
    if (p + 4 + 38 > end || be16(p) != 0xff4f || be16(p + 2) != 0xff51)
        return QStringLiteral("a JPEG 2000 frame without its SOC and SIZ markers");
    const qint64 siz = p + 4;
    const int lsiz = be16(siz);
    const quint32 xsiz = be32(siz + 4), ysiz = be32(siz + 8), xo = be32(siz + 12), yo = be32(siz + 16);
    const int csiz = be16(siz + 36);
    if (lsiz < 41 || siz + lsiz > end || csiz < 1 || lsiz < 38 + 3 * csiz || xo >= xsiz || yo >= ysiz)
        return QStringLiteral("a damaged JPEG 2000 image header");
    int precision = 0;
    for (int c = 0; c < csiz; ++c)
        precision = qMax(precision, (d[siz + 38 + 3 * c] & 0x7f) + 1);
    return mismatch(int(ysiz - yo), int(xsiz - xo), csiz, precision);
}

bool isNativeTransferSyntax(const QString &uid)
{
    return uid.isEmpty() || uid == QLatin1String("1.2.840.10008.1.2") || uid == QLatin1String("1.2.840.10008.1.2.1")
        || uid == QLatin1String("1.2.840.10008.1.2.2") || uid == QLatin1String("1.2.840.10008.1.2.1.99");
}

Result<DicomStructure> checkDicomStructure(const QByteArray &bytes, QString *syntaxUid)
{
    using Out = Result<DicomStructure>;
    static_cast<void>(gdcm::Global::GetInstance().GetDicts()); // the walk reads the dictionary
    const auto *d = reinterpret_cast<const uchar *>(bytes.constData());
    const qint64 n = bytes.size();
    DicomStructure s;
    qint64 pos = 0;
    if (n >= 132 && std::memcmp(d + 128, "DICM", 4) == 0) {
        // File meta information: explicit VR little endian, group 0002.
        pos = 132;
        bool sawSyntax = false;
        while (n - pos >= 8 && d[pos] == 0x02 && d[pos + 1] == 0x00) {
            const quint16 elem = quint16(d[pos + 2] | (d[pos + 3] << 8));
            const char vr[2] = { char(d[pos + 4]), char(d[pos + 5]) };
            qint64 header = 8;
            quint32 length = quint32(d[pos + 6] | (d[pos + 7] << 8));
            if (longLengthVr(vr)) {
                if (n - pos < 12)
                    return Out::failure(QStringLiteral("its file meta information is cut off at byte %1").arg(pos));
                length = quint32(d[pos + 8]) | (quint32(d[pos + 9]) << 8) | (quint32(d[pos + 10]) << 16)
                    | (quint32(d[pos + 11]) << 24);
                header = 12;
            }
            if (length == kUndefined || qint64(length) > n - pos - header)
                return Out::failure(
                    QStringLiteral("its file meta information is cut off or damaged at byte %1").arg(pos));
            if (elem == 0x0010) {
                s.transferSyntaxUid
                    = QString::fromLatin1(bytes.constData() + pos + header, int(length)).remove(QChar(0)).trimmed();
                sawSyntax = true;
            }
            pos += header + length;
        }
        if (!sawSyntax)
            return Out::failure(QStringLiteral("its file meta information names no transfer syntax"));
    } else {
        // A bare data set: implicit VR little endian unless the first element carries a VR.
        s.transferSyntaxUid = (n >= 6 && d[4] >= 'A' && d[4] <= 'Z' && d[5] >= 'A' && d[5] <= 'Z')
            ? QStringLiteral("1.2.840.10008.1.2.1")
            : QStringLiteral("1.2.840.10008.1.2");
    }
    if (syntaxUid)
        *syntaxUid = s.transferSyntaxUid;
    s.dataSetOffset = pos;
    s.explicitVr = s.transferSyntaxUid != QLatin1String("1.2.840.10008.1.2");
    s.bigEndian = s.transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.2");
    s.deflated = s.transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.1.99");
    QByteArray inflated;
    const uchar *data = d;
    qint64 size = n;
    if (s.deflated) {
        QString error;
        if (!inflateRaw(d + pos, n - pos, &inflated, &error))
            return Out::failure(error);
        data = reinterpret_cast<const uchar *>(inflated.constData());
        size = inflated.size();
        pos = 0;
    }
    if (size - pos < 8)
        return Out::failure(QStringLiteral("it has no data elements (%1 bytes after the header)").arg(size - pos));
    Walker walker(data, size, s.explicitVr, s.bigEndian, s, d);
    qint64 stop = 0;
    if (!walker.elements(pos, size, 0, false, &stop))
        return Out::failure(walker.error);
    if (s.hasPixelData && s.encapsulated == isNativeTransferSyntax(s.transferSyntaxUid))
        return Out::failure(s.encapsulated
                ? QStringLiteral("its pixel data is encapsulated, which its transfer syntax does not allow")
                : QStringLiteral("its pixel data is not encapsulated, as its compressed transfer syntax requires"));
    return s;
}

} // namespace lepton
