// SPDX-License-Identifier: GPL-3.0-or-later
#include "LosslessJpeg.h"

#include <array>
#include <cstring>

namespace lepton {
namespace {

constexpr int kFastBits = 9;

/// A Huffman table of T.81 annex C: canonical codes by length, and a lookup of the codes of up
/// to kFastBits bits.
struct Huffman
{
    bool defined = false;
    std::array<int, 18> maxcode {}; ///< by length: the largest code, -1 when none
    std::array<int, 17> mincode {};
    std::array<int, 17> first {}; ///< by length: index of its first symbol
    std::vector<uchar> symbols;
    std::array<quint16, 1 << kFastBits> fast {}; ///< (length << 8) | symbol; 0: longer or unused
};

bool buildHuffman(const uchar *counts, const uchar *symbols, int total, Huffman *h)
{
    h->symbols.assign(symbols, symbols + total);
    h->fast.fill(0);
    int code = 0, k = 0;
    for (int len = 1; len <= 16; ++len) {
        const int n = counts[len - 1];
        if (code + n > (1 << len)) // more codes than the length can hold: not a prefix code
            return false;
        h->first[len] = k;
        h->mincode[len] = code;
        h->maxcode[len] = n ? code + n - 1 : -1;
        for (int i = 0; i < n; ++i, ++k, ++code) {
            if (len <= kFastBits) {
                const int shift = kFastBits - len;
                for (int f = 0; f < (1 << shift); ++f)
                    h->fast[std::size_t((code << shift) | f)] = quint16((len << 8) | symbols[k]);
            }
        }
        code <<= 1;
    }
    h->maxcode[17] = 0x7fffffff;
    h->defined = true;
    return true;
}

/// Entropy-coded bits, most significant first, with the stuffed zero after every 0xFF removed.
/// At a marker or the end it feeds zeros and counts them: a decode that consumed any was cut short.
class BitReader
{
public:
    BitReader(const uchar *p, const uchar *end) : m_p(p), m_end(end) { }

    quint32 peek(int k)
    {
        if (m_n < k)
            fill();
        return quint32(m_buf >> (64 - k));
    }
    void skip(int k)
    {
        m_buf <<= k;
        m_n -= k;
    }
    /// True when bits fed after the data ended were consumed.
    bool overran() const { return qint64(m_fed) * 8 > m_n; }
    /// To the next restart marker (RSTn): true when one was found.
    bool restart()
    {
        m_buf = 0;
        m_n = 0;
        m_fed = 0;
        m_marker = false;
        while (m_end - m_p >= 2) {
            if (m_p[0] == 0xff && m_p[1] >= 0xd0 && m_p[1] <= 0xd7) {
                m_p += 2;
                return true;
            }
            ++m_p;
        }
        return false;
    }

private:
    void fill()
    {
        while (m_n <= 56) {
            quint64 byte = 0;
            if (m_marker || m_p >= m_end)
                ++m_fed;
            else if (m_p[0] != 0xff) {
                byte = *m_p++;
            } else if (m_end - m_p >= 2 && m_p[1] == 0x00) {
                byte = 0xff;
                m_p += 2;
            } else
                m_marker = true; // stays at the marker; restart() finds it
            m_buf |= byte << (56 - m_n);
            m_n += 8;
        }
    }

    const uchar *m_p;
    const uchar *m_end;
    quint64 m_buf = 0;
    int m_n = 0;
    int m_fed = 0;
    bool m_marker = false;
};

/// The next Huffman symbol, or -1 for a code the table does not have.
inline int decodeSymbol(BitReader &bits, const Huffman &h)
{
    const quint16 e = h.fast[bits.peek(kFastBits)];
    if (e) {
        bits.skip(e >> 8);
        return e & 0xff;
    }
    const int code16 = int(bits.peek(16));
    for (int len = kFastBits + 1; len <= 16; ++len) {
        const int c = code16 >> (16 - len);
        if (h.maxcode[len] >= 0 && c <= h.maxcode[len] && c >= h.mincode[len]) {
            bits.skip(len);
            const int index = h.first[len] + c - h.mincode[len];
            return index < int(h.symbols.size()) ? h.symbols[std::size_t(index)] : -1;
        }
    }
    return -1;
}

struct Component
{
    int id = 0;
    int sampling = 0x11;
    int table = -1;
};

int be16(const uchar *p)
{
    return (p[0] << 8) | p[1];
}

} // namespace

LosslessJpegStatus decodeLosslessJpeg(const uchar *data, qint64 size, LosslessJpegFrame *out, QString *reason)
{
    auto damaged = [&](const QString &why) {
        *reason = why;
        return LosslessJpegStatus::Damaged;
    };
    auto unsupported = [&](const QString &why) {
        *reason = why;
        return LosslessJpegStatus::Unsupported;
    };
    if (!data || size < 4 || data[0] != 0xff || data[1] != 0xd8)
        return damaged(QStringLiteral("the frame is not a JPEG stream (no SOI marker)"));
    std::array<Huffman, 4> tables;
    std::vector<Component> components;
    int precision = 0, width = 0, height = 0, restartInterval = 0;
    bool sawFrame = false;
    qint64 pos = 2;
    while (true) {
        while (pos < size && data[pos] != 0xff)
            ++pos; // bytes between segments are not allowed, but tolerated as decoders do
        while (pos < size && data[pos] == 0xff)
            ++pos; // fill bytes
        if (pos >= size)
            return damaged(QStringLiteral("the JPEG stream ends before its scan"));
        const int marker = data[pos++];
        if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
            continue;
        if (marker == 0xd9)
            return damaged(QStringLiteral("the JPEG stream ends (EOI) before its scan"));
        if (size - pos < 2)
            return damaged(QStringLiteral("a JPEG segment header is cut off at byte %1").arg(pos));
        const int length = be16(data + pos);
        if (length < 2 || length > size - pos)
            return damaged(QStringLiteral("JPEG segment 0xFF%1 at byte %2 claims %3 bytes; only %4 are left")
                               .arg(marker, 2, 16, QLatin1Char('0'))
                               .arg(pos)
                               .arg(length)
                               .arg(size - pos));
        const uchar *seg = data + pos + 2;
        const int segBytes = length - 2;
        pos += length;
        if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
            if (marker != 0xc3)
                return unsupported(QStringLiteral("not a lossless JPEG frame (SOF 0xFF%1)").arg(marker, 2, 16));
            if (sawFrame)
                return unsupported(QStringLiteral("several JPEG frames"));
            if (segBytes < 6)
                return damaged(QStringLiteral("the JPEG frame header is cut off"));
            precision = seg[0];
            height = be16(seg + 1);
            width = be16(seg + 3);
            const int n = seg[5];
            if (precision < 2 || precision > 16)
                return damaged(QStringLiteral("the JPEG frame has %1-bit samples (2 to 16 allowed)").arg(precision));
            if (height == 0)
                return unsupported(QStringLiteral("a JPEG frame whose height comes later (DNL)"));
            if (width == 0 || n < 1 || n > 4 || segBytes < 6 + 3 * n)
                return damaged(QStringLiteral("the JPEG frame header is damaged"));
            if (qint64(width) * height * n > (qint64(1) << 28))
                return damaged(QStringLiteral("the JPEG frame is %1×%2 with %3 components, too large")
                                   .arg(width)
                                   .arg(height)
                                   .arg(n));
            for (int i = 0; i < n; ++i)
                components.push_back({ seg[6 + 3 * i], seg[7 + 3 * i], -1 });
            if (n > 1)
                for (const Component &c : components)
                    if (c.sampling != 0x11)
                        return unsupported(QStringLiteral("subsampled JPEG components"));
            sawFrame = true;
        } else if (marker == 0xc4) {
            int at = 0;
            while (at < segBytes) {
                if (segBytes - at < 17)
                    return damaged(QStringLiteral("a JPEG Huffman table is cut off"));
                const int tc = seg[at] >> 4, th = seg[at] & 15;
                if (tc != 0 || th > 3)
                    return damaged(
                        QStringLiteral("a JPEG Huffman table of class %1, id %2 in a lossless stream").arg(tc).arg(th));
                int total = 0;
                for (int i = 0; i < 16; ++i)
                    total += seg[at + 1 + i];
                if (total > 256 || segBytes - at < 17 + total)
                    return damaged(QStringLiteral("a JPEG Huffman table is cut off or too long"));
                if (!buildHuffman(seg + at + 1, seg + at + 17, total, &tables[std::size_t(th)]))
                    return damaged(QStringLiteral("a JPEG Huffman table is not a prefix code"));
                at += 17 + total;
            }
        } else if (marker == 0xdd) {
            if (segBytes < 2)
                return damaged(QStringLiteral("the JPEG restart interval is cut off"));
            restartInterval = be16(seg);
        } else if (marker == 0xda) {
            if (!sawFrame)
                return damaged(QStringLiteral("a JPEG scan before its frame header"));
            if (segBytes < 1)
                return damaged(QStringLiteral("the JPEG scan header is cut off"));
            const int ns = seg[0];
            if (segBytes < 4 + 2 * ns)
                return damaged(QStringLiteral("the JPEG scan header is cut off"));
            if (ns != int(components.size()))
                return unsupported(QStringLiteral("JPEG components in several scans"));
            for (int i = 0; i < ns; ++i) {
                if (seg[1 + 2 * i] != components[std::size_t(i)].id)
                    return unsupported(QStringLiteral("JPEG scan components in another order"));
                const int table = seg[2 + 2 * i] >> 4;
                if (table > 3 || !tables[std::size_t(table)].defined)
                    return damaged(
                        QStringLiteral("the JPEG scan uses Huffman table %1, which is not defined").arg(table));
                components[std::size_t(i)].table = table;
            }
            const int predictor = seg[1 + 2 * ns];
            const int pointTransform = seg[3 + 2 * ns] & 15;
            if (predictor < 1 || predictor > 7)
                return damaged(QStringLiteral("the JPEG scan's predictor is %1 (1 to 7 allowed)").arg(predictor));
            if (pointTransform >= precision)
                return damaged(QStringLiteral("the JPEG scan's point transform is larger than its precision"));
            // Every sample takes at least one bit (a Huffman code): a stream too short for the
            // frame it declares is refused before anything is allocated.
            if (qint64(width) * height * ns > (size - pos) * 8)
                return damaged(QStringLiteral("the JPEG data (%1 bytes) is too short for a %2×%3 frame")
                                   .arg(size - pos)
                                   .arg(width)
                                   .arg(height));
            if (restartInterval > 0 && restartInterval % width != 0)
                return unsupported(QStringLiteral("a JPEG restart interval that is not whole rows"));
            const int nc = ns;
            const int rowsPerInterval = restartInterval > 0 ? restartInterval / width : height;
            out->width = width;
            out->height = height;
            out->components = nc;
            out->precision = precision;
            out->samples.resize(std::size_t(width) * std::size_t(height) * std::size_t(nc));
            std::vector<int> previous(std::size_t(width) * std::size_t(nc)), current(previous.size());
            const Huffman *table[4] = {};
            for (int c = 0; c < nc; ++c)
                table[c] = &tables[std::size_t(components[std::size_t(c)].table)];
            BitReader bits(data + pos, data + size);
            const int initial = 1 << (precision - pointTransform - 1);
            quint16 *dst = out->samples.data();
            for (int y = 0; y < height; ++y) {
                const bool intervalStart = y % rowsPerInterval == 0;
                if (bits.overran()) // checked every row: damaged data stops here, not at the end
                    return damaged(QStringLiteral("the JPEG data ends before row %1").arg(y));
                if (intervalStart && y > 0) {
                    if (!bits.restart())
                        return damaged(QStringLiteral("the JPEG restart marker before row %1 is missing").arg(y));
                }
                for (int x = 0; x < width; ++x) {
                    for (int c = 0; c < nc; ++c) {
                        const int s = decodeSymbol(bits, *table[c]);
                        if (s < 0 || s > 16)
                            return damaged(
                                QStringLiteral("the JPEG data is damaged at row %1, column %2").arg(y).arg(x));
                        int diff = 0;
                        if (s == 16)
                            diff = 32768;
                        else if (s > 0) {
                            const int v = int(bits.peek(s));
                            bits.skip(s);
                            diff = v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
                        }
                        const std::size_t i = std::size_t(x) * std::size_t(nc) + std::size_t(c);
                        int prediction;
                        if (intervalStart)
                            prediction = x == 0 ? initial : current[i - std::size_t(nc)];
                        else if (x == 0)
                            prediction = previous[i];
                        else {
                            const int ra = current[i - std::size_t(nc)], rb = previous[i],
                                      rc = previous[i - std::size_t(nc)];
                            switch (predictor) {
                            case 1:
                                prediction = ra;
                                break;
                            case 2:
                                prediction = rb;
                                break;
                            case 3:
                                prediction = rc;
                                break;
                            case 4:
                                prediction = ra + rb - rc;
                                break;
                            case 5:
                                prediction = ra + ((rb - rc) >> 1);
                                break;
                            case 6:
                                prediction = rb + ((ra - rc) >> 1);
                                break;
                            default:
                                prediction = (ra + rb) / 2;
                                break;
                            }
                        }
                        const int value = (prediction + diff) & 0xffff;
                        current[i] = value;
                        *dst++ = quint16((value << pointTransform) & 0xffff);
                    }
                }
                previous.swap(current);
            }
            if (bits.overran())
                return damaged(QStringLiteral("the JPEG data ends before the last row"));
            return LosslessJpegStatus::Decoded;
        }
        // Other segments (APPn, COM, DQT, …) are skipped.
    }
}

} // namespace lepton
