// SPDX-License-Identifier: GPL-3.0-or-later
#include "Dicom.h"

#include "data/DicomGuard.h"
#include "data/DicomStructure.h"
#include "data/Jpeg2000.h"
#include "data/JpegLs.h"
#include "data/LosslessJpeg.h"

#include <QDate>
#include <QFile>
#include <QFileInfo>

#include <gdcmAttribute.h>
#include <gdcmDataElement.h>
#include <gdcmDicts.h>
#include <gdcmFileMetaInformation.h>
#include <gdcmGlobal.h>
#include <gdcmImage.h>
#include <gdcmImageChangeTransferSyntax.h>
#include <gdcmImageReader.h>
#include <gdcmImageWriter.h>
#include <gdcmMediaStorage.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmStringFilter.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmUIDGenerator.h>
#include <gdcmWriter.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <istream>
#include <memory>
#include <mutex>
#include <streambuf>
#include <utility>
#include <vector>

namespace lepton {
namespace {

using TS = gdcm::TransferSyntax;

const gdcm::Tag kPixelData(0x7fe0, 0x0010);

/// GDCM prints warnings to stderr and builds its dictionaries lazily: both once, before any
/// reader runs on a worker thread.
void initGdcm()
{
    static std::once_flag once;
    std::call_once(once, [] {
        gdcm::Trace::SetDebug(false);
        gdcm::Trace::SetWarning(false);
        gdcm::Trace::SetError(false);
        static_cast<void>(gdcm::Global::GetInstance().GetDicts()); // loads the dictionaries
    });
}

struct SyntaxName
{
    const char *name;
    TS::TSType type;
};
constexpr SyntaxName kSyntaxes[] = {
    { "implicit-le", TS::ImplicitVRLittleEndian },
    { "explicit-le", TS::ExplicitVRLittleEndian },
    { "explicit-be", TS::ExplicitVRBigEndian },
    { "deflated", TS::DeflatedExplicitVRLittleEndian },
    { "rle", TS::RLELossless },
    { "jpeg-baseline", TS::JPEGBaselineProcess1 },
    { "jpeg-extended", TS::JPEGExtendedProcess2_4 },
    { "jpeg-lossless", TS::JPEGLosslessProcess14_1 },
    { "jpeg-ls", TS::JPEGLSLossless },
    { "jpeg2000", TS::JPEG2000Lossless },
};

/// "JPEG 2000 (1.2.840.10008.1.2.4.90)": the syntax's name and UID, for messages.
QString syntaxText(const TS &ts)
{
    const char *uid = TS::GetTSString(ts);
    const QString u = QString::fromLatin1(uid ? uid : "").trimmed();
    QString name;
    switch (TS::TSType(ts)) {
    case TS::ImplicitVRLittleEndian:
        name = QStringLiteral("implicit VR little endian");
        break;
    case TS::ExplicitVRLittleEndian:
        name = QStringLiteral("explicit VR little endian");
        break;
    case TS::ExplicitVRBigEndian:
        name = QStringLiteral("explicit VR big endian");
        break;
    case TS::DeflatedExplicitVRLittleEndian:
        name = QStringLiteral("deflated explicit VR little endian");
        break;
    case TS::RLELossless:
        name = QStringLiteral("RLE lossless");
        break;
    case TS::JPEGBaselineProcess1:
        name = QStringLiteral("JPEG baseline");
        break;
    case TS::JPEGExtendedProcess2_4:
        name = QStringLiteral("JPEG extended");
        break;
    case TS::JPEGLosslessProcess14:
        name = QStringLiteral("JPEG lossless");
        break;
    case TS::JPEGLosslessProcess14_1:
        name = QStringLiteral("JPEG lossless (first-order prediction)");
        break;
    case TS::JPEGLSLossless:
        name = QStringLiteral("JPEG-LS lossless");
        break;
    case TS::JPEGLSNearLossless:
        name = QStringLiteral("JPEG-LS near-lossless");
        break;
    case TS::JPEG2000Lossless:
        name = QStringLiteral("JPEG 2000 lossless");
        break;
    case TS::JPEG2000:
        name = QStringLiteral("JPEG 2000");
        break;
    default:
        name = u.isEmpty() ? QStringLiteral("unknown transfer syntax") : QStringLiteral("transfer syntax");
    }
    return u.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, u);
}

bool tagOf(const QString &keyword, gdcm::Tag *tag)
{
    initGdcm();
    const QByteArray k = keyword.toLatin1();
    gdcm::Tag t;
    const gdcm::DictEntry &entry
        = gdcm::Global::GetInstance().GetDicts().GetPublicDict().GetDictEntryByKeyword(k.constData(), t);
    const char *found = entry.GetKeyword();
    if (keyword.isEmpty() || !found || k != found)
        return false;
    if (tag)
        *tag = t;
    return true;
}

/// A string attribute of a data set, trimmed of DICOM's padding; empty when absent.
QString stringValue(const gdcm::File &file, const gdcm::Tag &tag)
{
    const gdcm::DataSet &ds = file.GetDataSet();
    if (!ds.FindDataElement(tag) || ds.GetDataElement(tag).IsEmpty())
        return QString();
    gdcm::StringFilter sf;
    sf.SetFile(file);
    std::string s;
    try {
        s = sf.ToString(tag);
    } catch (...) {
        return QString();
    }
    QString v = QString::fromLatin1(s.c_str()); // stops at an embedded NUL (UI padding)
    return v.trimmed();
}

QString sopClassText(const QString &uid)
{
    if (uid.isEmpty())
        return QStringLiteral("no SOP class");
    const QByteArray u = uid.toLatin1();
    gdcm::MediaStorage ms = gdcm::MediaStorage::GetMSType(u.constData());
    const char *name = gdcm::MediaStorage::GetMSString(ms);
    QString kind;
    if (uid.startsWith(QLatin1String("1.2.840.10008.5.1.4.1.1.88")))
        kind = QStringLiteral("a structured report");
    else if (uid.startsWith(QLatin1String("1.2.840.10008.5.1.4.1.1.481")))
        kind = QStringLiteral("a radiotherapy object (RT plan, dose or structure set)");
    else if (uid.startsWith(QLatin1String("1.2.840.10008.5.1.4.1.1.9")))
        kind = QStringLiteral("a waveform");
    else if (uid == QLatin1String("1.2.840.10008.5.1.4.1.1.104.1"))
        kind = QStringLiteral("an encapsulated PDF");
    else
        kind = QStringLiteral("an object");
    Q_UNUSED(name)
    return QStringLiteral("%1, SOP class %2").arg(kind, uid);
}

/// The first value of a multi-valued decimal string ("40\400" → 40).
bool firstNumber(const QString &text, double *out)
{
    const QString first = text.section(QLatin1Char('\\'), 0, 0).trimmed();
    bool ok = false;
    const double v = first.toDouble(&ok);
    if (ok && std::isfinite(v))
        *out = v;
    return ok && std::isfinite(v);
}

/// The first item of the VOI LUT Sequence, if the file has one.
void readVoiLut(const gdcm::File &file, DicomImage &img)
{
    const gdcm::DataSet &ds = file.GetDataSet();
    const gdcm::Tag seqTag(0x0028, 0x3010);
    if (!ds.FindDataElement(seqTag))
        return;
    gdcm::SmartPointer<gdcm::SequenceOfItems> seq = ds.GetDataElement(seqTag).GetValueAsSQ();
    if (!seq || seq->GetNumberOfItems() < 1)
        return;
    const gdcm::DataSet &item = seq->GetItem(1).GetNestedDataSet();
    const gdcm::Tag descTag(0x0028, 0x3002), dataTag(0x0028, 0x3006);
    if (!item.FindDataElement(descTag) || !item.FindDataElement(dataTag))
        return;
    const gdcm::ByteValue *desc = item.GetDataElement(descTag).GetByteValue();
    const gdcm::ByteValue *data = item.GetDataElement(dataTag).GetByteValue();
    if (!desc || !data || desc->GetLength() < 6)
        return;
    quint16 d[3];
    std::memcpy(d, desc->GetPointer(), 6);
    const int entries = d[0] == 0 ? 65536 : d[0];
    const int bits = std::clamp(int(d[2]), 8, 16);
    const int bytesPer = data->GetLength() >= std::size_t(entries) * 2 ? 2 : 1;
    if (data->GetLength() < std::size_t(entries) * std::size_t(bytesPer))
        return;
    cv::Mat lut(1, entries, CV_32FC1);
    const auto *p = reinterpret_cast<const unsigned char *>(data->GetPointer());
    for (int i = 0; i < entries; ++i) {
        quint16 v = 0;
        if (bytesPer == 2)
            std::memcpy(&v, p + 2 * i, 2);
        else
            v = p[i];
        lut.at<float>(0, i) = float(v);
    }
    img.voiLut = lut;
    // The first mapped value is US or SS by the pixel representation.
    img.voiLutFirst = img.signedPixels ? double(qint16(d[1])) : double(d[1]);
    img.voiLutMax = double((1 << bits) - 1);
}

template <typename T> void toValues(const char *frame, const DicomImage &img, int highBit, cv::Mat &out)
{
    const int n = out.rows * out.cols;
    const int bits = img.bitsStored;
    const int shift = std::max(0, highBit + 1 - bits);
    const quint64 mask = bits >= 32 ? 0xffffffffULL : ((quint64(1) << bits) - 1);
    const T *src = reinterpret_cast<const T *>(frame);
    float *dst = out.ptr<float>();
    for (int i = 0; i < n; ++i) {
        const quint64 raw = (quint64(std::make_unsigned_t<T>(src[i])) >> shift) & mask;
        qint64 v = qint64(raw);
        if (img.signedPixels && bits < 64 && (raw >> (bits - 1)) & 1)
            v -= qint64(1) << bits;
        dst[i] = float(double(v) * img.rescaleSlope + img.rescaleIntercept);
    }
}

/// A read-only stream over bytes in memory that can seek (GDCM seeks): no copy of an image file
/// of many megabytes for each parse.
class MemoryBuffer : public std::streambuf
{
public:
    MemoryBuffer(const char *data, std::size_t size)
    {
        char *p = const_cast<char *>(data); // the get area is only read
        setg(p, p, p + size);
    }

protected:
    pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override
    {
        if (!(which & std::ios_base::in))
            return pos_type(off_type(-1));
        char *base = dir == std::ios_base::beg ? eback() : dir == std::ios_base::cur ? gptr() : egptr();
        if (off < eback() - base || off > egptr() - base)
            return pos_type(off_type(-1));
        setg(eback(), base + off, egptr());
        return pos_type(gptr() - eback());
    }
    pos_type seekpos(pos_type pos, std::ios_base::openmode which) override
    {
        return seekoff(off_type(pos), std::ios_base::beg, which);
    }
};

/// One RLE frame (PS3.5 annex G) into interleaved little-endian samples: the fragment's header
/// lists one segment per byte plane (most significant byte of sample 0 first), each PackBits
/// coded. Returns an empty string or the reason.
QString decodeRleFrame(const QByteArray &bytes, const std::pair<qint64, qint64> &fragment, int w, int h, int spp,
    int allocated, std::unique_ptr<char[]> *out)
{
    const int bytesPer = std::max(1, allocated / 8);
    const int segments = spp * bytesPer;
    const qint64 plane = qint64(w) * h;
    const auto *d = reinterpret_cast<const uchar *>(bytes.constData()) + fragment.first;
    const qint64 size = fragment.second;
    auto le32 = [d](qint64 p) {
        return qint64(quint32(d[p]) | (quint32(d[p + 1]) << 8) | (quint32(d[p + 2]) << 16) | (quint32(d[p + 3]) << 24));
    };
    if (size < 64 || le32(0) != segments)
        return QStringLiteral("an RLE frame without %1 segments").arg(segments);
    out->reset(new char[std::size_t(plane * segments)]);
    char *dst = out->get();
    for (int k = 0; k < segments; ++k) {
        const qint64 begin = le32(4 + 4 * k);
        const qint64 end = k + 1 < segments ? le32(8 + 4 * k) : size;
        if (begin < 64 || begin > end || end > size)
            return QStringLiteral("RLE segment %1 lies outside its frame").arg(k + 1);
        const int sample = k / bytesPer, byte = bytesPer - 1 - k % bytesPer; // little endian out
        qint64 p = begin, n = 0;
        auto put = [&](uchar v) {
            dst[(n * spp + sample) * bytesPer + byte] = char(v);
            ++n;
        };
        while (p < end && n < plane) {
            const int c = static_cast<signed char>(d[p++]);
            if (c >= 0) {
                if (p + c + 1 > end)
                    return QStringLiteral("RLE segment %1 is cut off").arg(k + 1);
                for (int i = 0; i <= c && n < plane; ++i)
                    put(d[p + i]);
                p += c + 1;
            } else if (c != -128) {
                if (p >= end)
                    return QStringLiteral("RLE segment %1 is cut off").arg(k + 1);
                for (int i = 0; i < 1 - c && n < plane; ++i)
                    put(d[p]);
                ++p;
            }
        }
        if (n < plane)
            return QStringLiteral("RLE segment %1 holds %2 of the %3 values a plane needs")
                .arg(k + 1)
                .arg(n)
                .arg(plane);
    }
    return QString();
}

using ImageResult = Result<DicomImage>;

ImageResult failure(const QString &message)
{
    return ImageResult::failure(message);
}

} // namespace

Result<DicomWindow> DicomWindow::parse(const QString &text)
{
    const QString t = text.trimmed().toLower();
    DicomWindow w;
    if (t.isEmpty() || t == QLatin1String("auto"))
        return w;
    if (t == QLatin1String("full")) {
        w.mode = Mode::Full;
        return w;
    }
    const QStringList parts = t.split(QLatin1Char(','));
    bool okC = false, okW = false;
    if (parts.size() == 2) {
        w.center = parts[0].trimmed().toDouble(&okC);
        w.width = parts[1].trimmed().toDouble(&okW);
    }
    if (!okC || !okW || !(w.width > 0) || !std::isfinite(w.center) || !std::isfinite(w.width))
        return Result<DicomWindow>::failure(
            QStringLiteral("DICOM window '%1' is not auto, full or CENTER,WIDTH with a positive width "
                           "(for example 40,400)")
                .arg(text));
    w.mode = Mode::Fixed;
    return w;
}

QString DicomWindow::text() const
{
    switch (mode) {
    case Mode::Auto:
        return QStringLiteral("auto");
    case Mode::Full:
        return QStringLiteral("full");
    case Mode::Fixed:
        return QStringLiteral("%1,%2").arg(center).arg(width);
    }
    return QStringLiteral("auto");
}

bool DicomReader::looksLikeDicom(const QByteArray &bytes, const QString &path)
{
    if (bytes.size() >= 132 && std::memcmp(bytes.constData() + 128, "DICM", 4) == 0)
        return true;
    // A .dcm name without the Part 10 mark (a bare data set) counts, unless the bytes say it is
    // another format: the content decides, not the name.
    static const QByteArray others[] = { QByteArray("\x89PNG", 4), QByteArray("\xff\xd8\xff", 3), QByteArray("BM", 2),
        QByteArray("II*\0", 4), QByteArray("MM\0*", 4) };
    for (const QByteArray &magic : others)
        if (bytes.startsWith(magic))
            return false;
    return QFileInfo(path).suffix().compare(QLatin1String("dcm"), Qt::CaseInsensitive) == 0;
}

namespace {

/// The structure walk with its refusal in words.
Result<DicomStructure> checkedStructure(const QByteArray &bytes, const QString &path)
{
    QString syntaxUid;
    auto structure = checkDicomStructure(bytes, &syntaxUid);
    if (!structure) {
        const QByteArray uid = syntaxUid.toLatin1();
        const QString syntax = syntaxUid.isEmpty() ? QStringLiteral("transfer syntax unknown")
                                                   : syntaxText(TS(TS::GetTSType(uid.constData())));
        return Result<DicomStructure>::failure(
            QStringLiteral("DICOM file %1 is damaged (%2; %3); replace the file or remove it")
                .arg(path, structure.error(), syntax));
    }
    return structure;
}

/// The header of a file whose structure was checked, parsed from its clean copy (withCleanMeta).
Result<DicomHeader> headerOf(const QByteArray &clean, const DicomStructure &structure, const QString &path)
{
    MemoryBuffer memory(clean.constData(), std::size_t(clean.size()));
    std::istream in(&memory);
    // GDCM's part, guarded (data/DicomGuard.h): its objects live on the heap and are released
    // only when it completed.
    gdcm::Reader *reader = nullptr;
    bool ok = false;
    std::string assertion;
    const bool completed = DicomGuard::run(
        [&] {
            reader = new gdcm::Reader;
            reader->SetStream(in);
            try {
                ok = reader->ReadUpToTag(kPixelData, { kPixelData }); // the pixels' value is skipped, not read
            } catch (...) {
                ok = false;
            }
        },
        &assertion);
    if (!completed)
        return Result<DicomHeader>::failure(QStringLiteral(
            "DICOM file %1 is damaged (the DICOM library's check %2 failed); replace the file or remove it")
                                                .arg(path, QString::fromStdString(assertion)));
    const std::unique_ptr<gdcm::Reader> owner(reader);
    const gdcm::File &file = reader->GetFile();
    const TS ts = file.GetHeader().GetDataSetTransferSyntax();
    if (!ok)
        return Result<DicomHeader>::failure(
            QStringLiteral("DICOM file %1 cannot be read (truncated, corrupt or not DICOM; %2); "
                           "replace the file or remove it")
                .arg(path, syntaxText(ts)));
    auto us = [&](quint16 g, quint16 e) {
        const QString v = stringValue(file, gdcm::Tag(g, e));
        return v.section(QLatin1Char('\\'), 0, 0).toInt();
    };
    DicomHeader h;
    h.transferSyntaxName = syntaxText(ts);
    h.height = us(0x0028, 0x0010);
    h.width = us(0x0028, 0x0011);
    h.samples = std::max(1, us(0x0028, 0x0002));
    h.bitsAllocated = us(0x0028, 0x0100);
    const QString frames = stringValue(file, gdcm::Tag(0x0028, 0x0008));
    h.frames = frames.isEmpty() ? 1 : std::max(1, frames.toInt());
    const bool hasPixels = structure.hasPixelData;
    if (!hasPixels)
        return Result<DicomHeader>::failure(
            QStringLiteral("DICOM file %1 holds no image (%2); only image objects can be imported — "
                           "remove it from the folder or manifest")
                .arg(path, sopClassText(stringValue(file, gdcm::Tag(0x0008, 0x0016)))));
    if (h.width > 0 && h.height > 0 && !structure.encapsulated) {
        const qint64 samples = std::max(1, us(0x0028, 0x0002));
        const qint64 bits = us(0x0028, 0x0100);
        const qint64 need = qint64(h.width) * h.height * samples * std::max<qint64>(1, bits / 8) * h.frames;
        if (bits >= 8 && structure.pixelDataLength < need)
            return Result<DicomHeader>::failure(
                QStringLiteral("DICOM file %1 has %2 bytes of pixel data where %3×%4 × %5 frames need %6 "
                               "(truncated; %7); replace the file")
                    .arg(path)
                    .arg(structure.pixelDataLength)
                    .arg(h.width)
                    .arg(h.height)
                    .arg(h.frames)
                    .arg(need)
                    .arg(h.transferSyntaxName));
    }
    if (h.width <= 0 || h.height <= 0)
        return Result<DicomHeader>::failure(
            QStringLiteral("DICOM file %1 has no valid Rows/Columns (%2); replace the file")
                .arg(path, h.transferSyntaxName));
    return h;
}

} // namespace

Result<DicomHeader> DicomReader::header(const QByteArray &bytes, const QString &path)
{
    initGdcm();
    // The structure first: GDCM stops the process on some inconsistencies it assumes away.
    auto structure = checkedStructure(bytes, path);
    if (!structure)
        return Result<DicomHeader>::failure(structure.error());
    return headerOf(withCleanMeta(bytes, structure.value()), structure.value(), path);
}

Result<DicomImage> DicomReader::read(const QByteArray &bytes, const QString &path, qint64 maxPixels, int minSide)
{
    initGdcm();
    auto structure = checkedStructure(bytes, path);
    if (!structure)
        return failure(structure.error());
    // One clean copy, parsed twice in place: the header, then (after the checks) the image.
    const QByteArray clean = withCleanMeta(bytes, structure.value());
    auto head = headerOf(clean, structure.value(), path);
    if (!head)
        return failure(head.error());
    if (qint64(head->width) * head->height > maxPixels)
        return failure(QStringLiteral("DICOM file %1 is %2×%3 pixels by its header, more than the %4 allowed; "
                                      "downscale it (it was not decoded)")
                           .arg(path)
                           .arg(head->width)
                           .arg(head->height)
                           .arg(maxPixels));
    if (structure->transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.5")) {
        const QString rle = checkRleFragments(
            bytes, structure.value(), head->samples * std::max(1, head->bitsAllocated / 8), head->frames);
        if (!rle.isEmpty())
            return failure(QStringLiteral("DICOM file %1 is damaged (%2; %3); replace the file or remove it")
                               .arg(path, rle, head->transferSyntaxName));
    }
    {
        const QString stream = checkCodestreams(
            bytes, structure.value(), head->height, head->width, head->samples, std::max(8, head->bitsAllocated));
        if (!stream.isEmpty())
            return failure(QStringLiteral("DICOM file %1 is damaged (%2; %3); replace the file or remove it")
                               .arg(path, stream, head->transferSyntaxName));
    }
    MemoryBuffer memory(clean.constData(), std::size_t(clean.size()));
    std::istream in(&memory);
    // Uncompressed pixel data is read where it lies in the file (GDCM's native decoder copies it
    // several times over); compressed data goes through GDCM's codecs. Either way GDCM parses the
    // attributes, guarded (data/DicomGuard.h): its objects live on the heap and are released only
    // when it completed.
    const bool uncompressed = isNativeTransferSyntax(structure->transferSyntaxUid) && !structure->deflated
        && !structure->encapsulated && structure->pixelDataOffset > 0;
    // RLE is decoded here too: PackBits per byte plane is a few lines, and GDCM's decoder was the
    // slowest of all (0.6 s for a 2000 × 2000 image) and crashed on damaged segments.
    const bool rle
        = structure->transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.5") && !structure->fragments.empty();
    // JPEG 2000 through OpenJPEG directly (data/Jpeg2000.h), at a reduced resolution when the
    // caller needs fewer pixels: the first frame's fragments. GDCM's JPEG 2000 codec is not used:
    // fuzz_dicom found it reading out of bounds while it parses a damaged code stream's header.
    // The first frame's code stream: its fragment, or all fragments of a single-frame file.
    QByteArray joined;
    const uchar *stream = nullptr;
    qint64 streamBytes = 0;
    if (!structure->fragments.empty()) {
        const auto &fragments = structure->fragments;
        stream = reinterpret_cast<const uchar *>(bytes.constData()) + fragments.front().first;
        streamBytes = fragments.front().second;
        if (head->frames == 1 && fragments.size() > 1) {
            for (const auto &f : fragments)
                joined.append(bytes.constData() + f.first, int(f.second));
            stream = reinterpret_cast<const uchar *>(joined.constData());
            streamBytes = joined.size();
        }
    }
    Jpeg2000Frame j2k;
    const bool j2kSyntax = structure->transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.4.90")
        || structure->transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.4.91");
    if (j2kSyntax) {
        if (!stream)
            return failure(QStringLiteral("DICOM file %1 has no JPEG 2000 code stream in its pixel data (%2); replace "
                                          "the file or remove it")
                               .arg(path, head->transferSyntaxName));
        const QString error = decodeJpeg2000(stream, streamBytes, minSide, &j2k);
        if (!error.isEmpty())
            return failure(QStringLiteral("DICOM file %1 cannot be decoded (%2: %3); replace the file or remove it")
                               .arg(path, head->transferSyntaxName, error));
        if (j2k.components != head->samples || j2k.fullWidth != head->width || j2k.fullHeight != head->height)
            return failure(QStringLiteral("DICOM file %1 is damaged (its JPEG 2000 code stream is %2×%3 with %4 "
                                          "components; the header says %5×%6 with %7; %8); replace the file or "
                                          "remove it")
                               .arg(path)
                               .arg(j2k.fullWidth)
                               .arg(j2k.fullHeight)
                               .arg(j2k.components)
                               .arg(head->width)
                               .arg(head->height)
                               .arg(head->samples)
                               .arg(head->transferSyntaxName));
    }
    // Lossless JPEG (process 14, selection value 1 or any) by our decoder (data/LosslessJpeg.h);
    // forms it does not take (subsampled, several scans) go to GDCM.
    LosslessJpegFrame ljpeg;
    bool losslessJpeg = false;
    if (stream
        && (structure->transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.4.57")
            || structure->transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.4.70"))) {
        QString reason;
        const LosslessJpegStatus status = decodeLosslessJpeg(stream, streamBytes, &ljpeg, &reason);
        if (status == LosslessJpegStatus::Damaged)
            return failure(QStringLiteral("DICOM file %1 cannot be decoded (%2: %3); replace the file or remove it")
                               .arg(path, head->transferSyntaxName, reason));
        if (status == LosslessJpegStatus::Decoded) {
            if (ljpeg.components != head->samples || ljpeg.width != head->width || ljpeg.height != head->height)
                return failure(QStringLiteral("DICOM file %1 is damaged (its JPEG stream is %2×%3 with %4 components; "
                                              "the header says %5×%6 with %7; %8); replace the file or remove it")
                                   .arg(path)
                                   .arg(ljpeg.width)
                                   .arg(ljpeg.height)
                                   .arg(ljpeg.components)
                                   .arg(head->width)
                                   .arg(head->height)
                                   .arg(head->samples)
                                   .arg(head->transferSyntaxName));
            losslessJpeg = true;
        }
    }
    // JPEG-LS through CharLS directly (data/JpegLs.h): grey frames; colour goes to GDCM.
    JpegLsFrame jls;
    bool jpegLs = false;
    if (stream
        && (structure->transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.4.80")
            || structure->transferSyntaxUid == QLatin1String("1.2.840.10008.1.2.4.81"))) {
        QString reason;
        const JpegLsStatus status = decodeJpegLs(stream, streamBytes, &jls, &reason);
        if (status == JpegLsStatus::Damaged)
            return failure(QStringLiteral("DICOM file %1 cannot be decoded (%2: %3); replace the file or remove it")
                               .arg(path, head->transferSyntaxName, reason));
        if (status == JpegLsStatus::Decoded) {
            if (head->samples != 1 || jls.width != head->width || jls.height != head->height)
                return failure(QStringLiteral("DICOM file %1 is damaged (its JPEG-LS stream is %2×%3 with one "
                                              "component; the header says %4×%5 with %6; %7); replace the file or "
                                              "remove it")
                                   .arg(path)
                                   .arg(jls.width)
                                   .arg(jls.height)
                                   .arg(head->width)
                                   .arg(head->height)
                                   .arg(head->samples)
                                   .arg(head->transferSyntaxName));
            jpegLs = true;
        }
    }
    const bool native = uncompressed || rle || j2kSyntax || losslessJpeg || jpegLs;
    gdcm::Reader *headerReader = nullptr;
    gdcm::ImageReader *reader = nullptr;
    bool ok = false;
    bool decoded = false;
    unsigned long length = 0;
    constexpr unsigned long maxBytes = 1UL << 31;
    std::unique_ptr<char[]> buffer; // not zeroed: every byte is written before it is read
    std::string assertion;
    const bool completed = DicomGuard::run(
        [&] {
            try {
                if (native) {
                    headerReader = new gdcm::Reader;
                    headerReader->SetStream(in);
                    ok = headerReader->ReadUpToTag(
                        kPixelData, { kPixelData }); // the pixels' value is skipped, not read
                    return;
                }
                reader = new gdcm::ImageReader;
                reader->SetStream(in);
                ok = reader->Read();
                if (!ok)
                    return;
                const gdcm::Image &image = reader->GetImage();
                const unsigned int *dims = image.GetDimensions();
                if (dims[0] == 0 || dims[1] == 0 || qint64(dims[0]) * dims[1] > maxPixels)
                    return;
                length = image.GetBufferLength();
                if (length == 0 || length > maxBytes)
                    return;
                buffer.reset(new char[length]);
                decoded = image.GetBuffer(buffer.get());
            } catch (...) {
                ok = ok && native;
                decoded = false;
            }
        },
        &assertion);
    if (!completed)
        return failure(QStringLiteral("DICOM file %1 cannot be decoded (%2; the DICOM library's check %3 failed); "
                                      "replace the file or remove it")
                           .arg(path, head->transferSyntaxName, QString::fromStdString(assertion)));
    const std::unique_ptr<gdcm::Reader> headerOwner(headerReader);
    const std::unique_ptr<gdcm::ImageReader> owner(reader);
    if (!ok)
        return failure(QStringLiteral("DICOM file %1 cannot be read as an image (%2); replace the file or remove it")
                           .arg(path, head->transferSyntaxName));
    const gdcm::File &file = native ? headerReader->GetFile() : reader->GetFile();
    DicomImage img;
    img.sopClassUid = stringValue(file, gdcm::Tag(0x0008, 0x0016));
    int w = 0, h = 0, spp = 1, allocated = 0, highBit = 0, planar = 0;
    const char *frame = nullptr;
    if (native) {
        auto number = [&](quint16 g, quint16 e, int fallback) {
            bool isNumber = false;
            const int v = stringValue(file, gdcm::Tag(g, e)).section(QLatin1Char('\\'), 0, 0).toInt(&isNumber);
            return isNumber ? v : fallback;
        };
        img.transferSyntaxUid = structure->transferSyntaxUid;
        img.transferSyntaxName = head->transferSyntaxName;
        w = head->width;
        h = head->height;
        img.frames = head->frames;
        spp = head->samples;
        allocated = head->bitsAllocated;
        img.bitsStored = number(0x0028, 0x0101, allocated);
        highBit = number(0x0028, 0x0102, img.bitsStored - 1);
        img.signedPixels = number(0x0028, 0x0103, 0) == 1;
        planar = number(0x0028, 0x0006, 0);
        img.photometric = stringValue(file, gdcm::Tag(0x0028, 0x0004));
        if (img.photometric.isEmpty())
            img.photometric = QStringLiteral("MONOCHROME2");
        double v = 0;
        img.rescaleSlope = firstNumber(stringValue(file, gdcm::Tag(0x0028, 0x1053)), &v) && v != 0.0 ? v : 1.0;
        img.rescaleIntercept = firstNumber(stringValue(file, gdcm::Tag(0x0028, 0x1052)), &v) ? v : 0.0;
        const qint64 need = qint64(w) * h * spp * std::max(1, allocated / 8);
        if (w <= 0 || h <= 0 || (uncompressed && structure->pixelDataOffset + need > bytes.size()))
            return failure(QStringLiteral("DICOM file %1 has less pixel data than its %2×%3 frame needs (%4); the "
                                          "file is truncated")
                               .arg(path)
                               .arg(w)
                               .arg(h)
                               .arg(img.transferSyntaxName));
        if (rle) {
            const QString error = decodeRleFrame(bytes, structure->fragments.front(), w, h, spp, allocated, &buffer);
            if (!error.isEmpty())
                return failure(QStringLiteral("DICOM file %1 is damaged (%2; %3); replace the file or remove it")
                                   .arg(path, error, img.transferSyntaxName));
            length = static_cast<unsigned long>(qint64(w) * h * spp * std::max(1, allocated / 8));
            frame = buffer.get();
            planar = 0; // RLE's byte planes come out interleaved
        } else if (jpegLs) {
            allocated = jls.bitsPerSample > 8 ? 16 : 8; // CharLS's samples, in value order
            highBit = img.bitsStored - 1;
            length = static_cast<unsigned long>(jls.bytes.size());
            frame = reinterpret_cast<const char *>(jls.bytes.data());
            planar = 0;
        } else if (losslessJpeg) {
            planar = 0; // interleaved, one scan
            const std::size_t samples = ljpeg.samples.size();
            if (spp == 1) {
                allocated = 16; // the decoder's samples: 16-bit, in value order
                highBit = img.bitsStored - 1;
                length = static_cast<unsigned long>(samples * sizeof(quint16));
                frame = reinterpret_cast<const char *>(ljpeg.samples.data());
            } else if (allocated == 8) {
                buffer.reset(new char[samples]);
                for (std::size_t i = 0; i < samples; ++i)
                    buffer[i] = char(std::min<int>(ljpeg.samples[i], 255));
                length = static_cast<unsigned long>(samples);
                frame = buffer.get();
            } else
                return failure(QStringLiteral("DICOM file %1 is a %2-bit colour image; only 8-bit colour is read")
                                   .arg(path)
                                   .arg(allocated));
        } else if (j2kSyntax) {
            w = j2k.width;
            h = j2k.height;
            planar = 0; // OpenJPEG's components come out interleaved
            img.reduction = j2k.reduction;
            const std::size_t samples = std::size_t(w) * std::size_t(h) * std::size_t(spp);
            if (spp == 1) {
                allocated = 32; // OpenJPEG's samples: 32-bit, already in value order
                highBit = img.bitsStored - 1;
                length = static_cast<unsigned long>(samples * sizeof(qint32));
                frame = reinterpret_cast<const char *>(j2k.samples.data());
            } else if (allocated == 8) { // colour: the inverse colour transform is OpenJPEG's
                buffer.reset(new char[samples]);
                for (std::size_t i = 0; i < samples; ++i)
                    buffer[i] = char(std::clamp(j2k.samples[i], 0, 255));
                length = static_cast<unsigned long>(samples);
                frame = buffer.get();
            } else
                return failure(QStringLiteral("DICOM file %1 is a %2-bit colour image; only 8-bit colour is read")
                                   .arg(path)
                                   .arg(allocated));
        } else {
            length = static_cast<unsigned long>(need);
            frame = bytes.constData() + structure->pixelDataOffset;
        }
        if (uncompressed && structure->bigEndian && allocated > 8) { // to this machine's order
            buffer.reset(new char[length]);
            const int step = allocated / 8;
            for (qint64 i = 0; i < need; i += step)
                for (int b = 0; b < step; ++b)
                    buffer[std::size_t(i + b)] = frame[i + step - 1 - b];
            frame = buffer.get();
        }
    } else {
        const gdcm::Image &image = reader->GetImage();
        const TS ts = image.GetTransferSyntax();
        img.transferSyntaxUid = QString::fromLatin1(TS::GetTSString(ts)).trimmed();
        img.transferSyntaxName = syntaxText(ts);
        const unsigned int *dims = image.GetDimensions();
        w = int(dims[0]);
        h = int(dims[1]);
        img.frames = image.GetNumberOfDimensions() >= 3 ? std::max(1, int(dims[2])) : 1;
        if (w <= 0 || h <= 0 || qint64(w) * h > maxPixels)
            return failure(QStringLiteral("DICOM file %1 has an image of %2×%3 pixels; the limit is %4 pixels")
                               .arg(path)
                               .arg(w)
                               .arg(h)
                               .arg(maxPixels));
        if (length == 0 || length > maxBytes)
            return failure(QStringLiteral("DICOM file %1 has %2 bytes of pixel data for %3 frames, more than this "
                                          "reader takes (2 GiB); export the frame you need")
                               .arg(path)
                               .arg(length)
                               .arg(img.frames));
        if (!decoded)
            return failure(QStringLiteral("DICOM file %1: its pixel data cannot be decoded (%2); convert it to an "
                                          "uncompressed transfer syntax or replace it")
                               .arg(path, img.transferSyntaxName));
        const gdcm::PixelFormat pf = image.GetPixelFormat();
        spp = pf.GetSamplesPerPixel();
        allocated = pf.GetBitsAllocated();
        highBit = pf.GetHighBit();
        planar = int(image.GetPlanarConfiguration());
        img.bitsStored = pf.GetBitsStored();
        img.signedPixels = pf.GetPixelRepresentation() == 1;
        img.photometric
            = QString::fromLatin1(gdcm::PhotometricInterpretation::GetPIString(image.GetPhotometricInterpretation()))
                  .trimmed();
        img.rescaleSlope = image.GetSlope() == 0.0 ? 1.0 : image.GetSlope();
        img.rescaleIntercept = image.GetIntercept();
        frame = buffer.get();
    }
    img.monochrome1 = img.photometric == QLatin1String("MONOCHROME1");
    img.fullWidth = head->width;
    img.fullHeight = head->height;
    if (allocated != 8 && allocated != 16 && allocated != 32)
        return failure(QStringLiteral("DICOM file %1 has %2-bit samples; only 8, 16 and 32 bits are read")
                           .arg(path)
                           .arg(allocated));
    if (img.bitsStored <= 0 || img.bitsStored > allocated)
        img.bitsStored = allocated;
    // HighBit must leave room for BitsStored inside the sample (fuzz_dicom found a HighBit of
    // 10208); anything else is read as the usual BitsStored − 1.
    if (highBit < img.bitsStored - 1 || highBit >= allocated)
        highBit = img.bitsStored - 1;
    const std::size_t frameBytes = std::size_t(w) * h * spp * (allocated / 8);
    if (length < frameBytes)
        return failure(QStringLiteral("DICOM file %1 has less pixel data than its %2×%3 frame needs (%4); "
                                      "the file is truncated")
                           .arg(path)
                           .arg(w)
                           .arg(h)
                           .arg(img.transferSyntaxName));
    if (spp == 3) {
        if (allocated != 8)
            return failure(QStringLiteral("DICOM file %1 is a %2-bit colour image; only 8-bit colour is read")
                               .arg(path)
                               .arg(allocated));
        cv::Mat rgb(h, w, CV_8UC3);
        const auto *src = reinterpret_cast<const unsigned char *>(frame);
        if (planar == 1) {
            const std::size_t plane = std::size_t(w) * h;
            for (std::size_t i = 0; i < plane; ++i)
                for (int c = 0; c < 3; ++c)
                    rgb.data[3 * i + c] = src[c * plane + i];
        } else
            std::memcpy(rgb.data, src, frameBytes);
        const QString pi = img.photometric;
        if (pi == QLatin1String("YBR_FULL") || pi == QLatin1String("YBR_FULL_422")) {
            // Full-range YCbCr (PS3.3 C.7.6.3.1.2) to RGB.
            for (int i = 0; i < w * h; ++i) {
                unsigned char *p = rgb.data + 3 * i;
                const double y = p[0], cb = p[1] - 128.0, cr = p[2] - 128.0;
                p[0] = cv::saturate_cast<uchar>(y + 1.402 * cr);
                p[1] = cv::saturate_cast<uchar>(y - 0.344136 * cb - 0.714136 * cr);
                p[2] = cv::saturate_cast<uchar>(y + 1.772 * cb);
            }
        } else if (pi != QLatin1String("RGB") && !pi.startsWith(QLatin1String("YBR_")))
            return failure(
                QStringLiteral("DICOM file %1 has colour samples as %2, which is not read; convert it to RGB")
                    .arg(path, pi));
        cv::cvtColor(rgb, img.values, cv::COLOR_RGB2BGR);
    } else if (spp == 1) {
        if (img.photometric == QLatin1String("PALETTE COLOR"))
            return failure(QStringLiteral("DICOM file %1 is a palette-colour image, which is not read; convert it to "
                                          "RGB or greyscale")
                               .arg(path));
        img.values.create(h, w, CV_32FC1);
        if (allocated == 8)
            toValues<qint8>(frame, img, highBit, img.values);
        else if (allocated == 16)
            toValues<qint16>(frame, img, highBit, img.values);
        else
            toValues<qint32>(frame, img, highBit, img.values);
    } else
        return failure(QStringLiteral("DICOM file %1 has %2 samples per pixel; only 1 (grey) or 3 (colour) are read")
                           .arg(path)
                           .arg(spp));
    double c = 0, wd = 0;
    if (firstNumber(stringValue(file, gdcm::Tag(0x0028, 0x1050)), &c)
        && firstNumber(stringValue(file, gdcm::Tag(0x0028, 0x1051)), &wd) && wd > 0) {
        img.hasFileWindow = true;
        img.fileCenter = c;
        img.fileWidth = wd;
    } else
        readVoiLut(file, img);
    img.burnedInAnnotation
        = stringValue(file, gdcm::Tag(0x0028, 0x0301)).compare(QLatin1String("YES"), Qt::CaseInsensitive) == 0;
    for (const QString &k : keyTagKeywords()) {
        gdcm::Tag t;
        if (tagOf(k, &t)) {
            const QString v = stringValue(file, t);
            if (!v.isEmpty())
                img.keyTags.insert(k, v);
        }
    }
    img.keyTags.insert(QStringLiteral("TransferSyntax"), img.transferSyntaxName);
    return img;
}

void DicomReader::effectiveWindow(const DicomImage &image, const DicomWindow &window, double *center, double *width)
{
    double c = 0, w = 0;
    if (window.mode == DicomWindow::Mode::Fixed) {
        c = window.center;
        w = window.width;
    } else if (window.mode == DicomWindow::Mode::Auto && image.hasFileWindow) {
        c = image.fileCenter;
        w = image.fileWidth;
    } else if (!image.values.empty() && image.values.channels() == 1) {
        double lo = 0, hi = 0;
        cv::minMaxLoc(image.values, &lo, &hi);
        c = (lo + hi) / 2.0 + 0.5;
        w = std::max(1.0, hi - lo + 1.0);
    }
    *center = c;
    *width = std::max(1.0, w);
}

cv::Mat DicomReader::render(const DicomImage &image, const DicomWindow &window)
{
    if (image.values.empty())
        return cv::Mat();
    if (image.values.type() == CV_8UC3)
        return image.values.clone();
    cv::Mat out(image.values.size(), CV_8UC1);
    const float *src = image.values.ptr<float>();
    uchar *dst = out.ptr<uchar>();
    const int n = image.values.rows * image.values.cols;
    const bool useLut = window.mode == DicomWindow::Mode::Auto && !image.hasFileWindow && !image.voiLut.empty();
    if (useLut) {
        const float *lut = image.voiLut.ptr<float>();
        const int entries = image.voiLut.cols;
        for (int i = 0; i < n; ++i) {
            // The LUT takes the modality values (PS3.3 C.11.2.1.1).
            const int k = std::clamp(int(std::lround(src[i] - image.voiLutFirst)), 0, entries - 1);
            dst[i] = cv::saturate_cast<uchar>(lut[k] / image.voiLutMax * 255.0);
        }
    } else {
        double c = 0, w = 1;
        effectiveWindow(image, window, &c, &w);
        // The linear VOI function of PS3.3 C.11.2.1.2.1.
        const double lo = c - 0.5 - (w - 1) / 2.0, hi = c - 0.5 + (w - 1) / 2.0;
        for (int i = 0; i < n; ++i) {
            const double x = src[i];
            double y;
            if (x <= lo)
                y = 0;
            else if (x > hi)
                y = 255;
            else
                y = ((x - (c - 0.5)) / std::max(1.0, w - 1) + 0.5) * 255.0;
            dst[i] = cv::saturate_cast<uchar>(y);
        }
    }
    if (image.monochrome1)
        cv::bitwise_not(out, out);
    return out;
}

Result<QMap<QString, QString>> DicomReader::attributes(const QString &path, const QStringList &keywords)
{
    using Out = Result<QMap<QString, QString>>;
    initGdcm();
    std::vector<gdcm::Tag> tags;
    for (const QString &k : keywords) {
        gdcm::Tag t;
        if (!tagOf(k, &t))
            return Out::failure(QStringLiteral("'%1' is not a DICOM attribute keyword (for example PatientAge, "
                                               "PatientSex, ViewPosition); check the spelling and case")
                                    .arg(k));
        tags.push_back(t);
    }
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        return Out::failure(QStringLiteral("DICOM file %1 cannot be read (%2)").arg(path, in.errorString()));
    const QByteArray bytes = in.readAll();
    auto structure = checkDicomStructure(bytes);
    if (!structure)
        return Out::failure(QStringLiteral("DICOM file %1 is damaged (%2); replace the file or remove it")
                                .arg(path, structure.error()));
    const QByteArray clean = withCleanMeta(bytes, structure.value());
    MemoryBuffer memory(clean.constData(), std::size_t(clean.size()));
    std::istream stream(&memory);
    // Guarded like every GDCM parse (data/DicomGuard.h): its reader lives on the heap and is
    // released only when the parse completed.
    gdcm::Reader *reader = nullptr;
    bool ok = false;
    std::string assertion;
    const bool completed = DicomGuard::run(
        [&] {
            reader = new gdcm::Reader;
            reader->SetStream(stream);
            try {
                ok = reader->ReadUpToTag(kPixelData, { kPixelData }); // the pixels' value is skipped, not read
            } catch (...) {
                ok = false;
            }
        },
        &assertion);
    if (!completed)
        return Out::failure(QStringLiteral(
            "DICOM file %1 is damaged (the DICOM library's check %2 failed); replace the file or remove it")
                                .arg(path, QString::fromStdString(assertion)));
    const std::unique_ptr<gdcm::Reader> owner(reader);
    if (!ok)
        return Out::failure(
            QStringLiteral("DICOM file %1 cannot be read (truncated, corrupt or not DICOM); replace or remove it")
                .arg(path));
    QMap<QString, QString> out;
    for (std::size_t i = 0; i < tags.size(); ++i)
        out.insert(keywords[int(i)], stringValue(reader->GetFile(), tags[i]));
    return out;
}

bool DicomReader::isKeyword(const QString &keyword)
{
    return tagOf(keyword, nullptr);
}

QStringList DicomReader::keyTagKeywords()
{
    // Nothing the de-identification profile covers (ages, sexes, dates, ids): the viewer reads
    // the file itself, which a de-identified study's pseudonyms would otherwise sit beside.
    return { QStringLiteral("Modality"), QStringLiteral("BodyPartExamined"), QStringLiteral("ViewPosition"),
        QStringLiteral("Manufacturer"), QStringLiteral("PhotometricInterpretation"), QStringLiteral("BitsStored"),
        QStringLiteral("RescaleSlope"), QStringLiteral("RescaleIntercept"), QStringLiteral("WindowCenter"),
        QStringLiteral("WindowWidth"), QStringLiteral("NumberOfFrames"), QStringLiteral("BurnedInAnnotation") };
}

QString dicomFieldText(const QString &keyword, const QString &value)
{
    const QString v = value.trimmed();
    if (v.isEmpty())
        return v;
    gdcm::Tag t;
    if (!tagOf(keyword, &t))
        return v;
    const gdcm::DictEntry &e = gdcm::Global::GetInstance().GetDicts().GetPublicDict().GetDictEntry(t);
    const gdcm::VR vr = e.GetVR();
    if (vr == gdcm::VR::AS && v.size() == 4) {
        bool ok = false;
        const int n = v.left(3).toInt(&ok);
        if (!ok)
            return v;
        switch (v.at(3).toUpper().toLatin1()) {
        case 'Y':
            return QString::number(n);
        case 'M':
            return QString::number(n / 12.0, 'f', 2);
        case 'W':
            return QString::number(n * 7 / 365.25, 'f', 2);
        case 'D':
            return QString::number(n / 365.25, 'f', 3);
        default:
            return v;
        }
    }
    if (vr == gdcm::VR::DA && v.size() == 8) {
        const QDate d = QDate::fromString(v, QStringLiteral("yyyyMMdd"));
        return d.isValid() ? d.toString(Qt::ISODate) : v;
    }
    return v;
}

DicomPhi dicomPhiKind(const QString &k)
{
    static const QStringList ids = { QStringLiteral("PatientID"), QStringLiteral("OtherPatientIDs"),
        QStringLiteral("IssuerOfPatientID"), QStringLiteral("MedicalRecordLocator"), QStringLiteral("AccessionNumber"),
        QStringLiteral("StudyID"), QStringLiteral("StudyInstanceUID"), QStringLiteral("SeriesInstanceUID"),
        QStringLiteral("SOPInstanceUID"), QStringLiteral("FrameOfReferenceUID"), QStringLiteral("DeviceSerialNumber"),
        QStringLiteral("RequestAttributesSequence"), QStringLiteral("PerformedProcedureStepID"),
        QStringLiteral("ScheduledProcedureStepID"), QStringLiteral("RequestedProcedureID"),
        QStringLiteral("MediaStorageSOPInstanceUID"), QStringLiteral("ReferencedSOPInstanceUID"),
        QStringLiteral("InstanceCreatorUID"), QStringLiteral("StorageMediaFileSetUID"),
        QStringLiteral("SynchronizationFrameOfReferenceUID"), QStringLiteral("IrradiationEventUID") };
    static const QStringList dates = { QStringLiteral("StudyDate"), QStringLiteral("SeriesDate"),
        QStringLiteral("AcquisitionDate"), QStringLiteral("ContentDate"), QStringLiteral("InstanceCreationDate"),
        QStringLiteral("AcquisitionDateTime"), QStringLiteral("StudyTime"), QStringLiteral("SeriesTime"),
        QStringLiteral("AcquisitionTime"), QStringLiteral("ContentTime") };
    static const QStringList removed = { QStringLiteral("PatientName"), QStringLiteral("PatientBirthDate"),
        QStringLiteral("PatientBirthTime"), QStringLiteral("PatientBirthName"), QStringLiteral("OtherPatientNames"),
        QStringLiteral("PatientAddress"), QStringLiteral("PatientTelephoneNumbers"),
        QStringLiteral("PatientMotherBirthName"), QStringLiteral("MilitaryRank"), QStringLiteral("BranchOfService"),
        QStringLiteral("CountryOfResidence"), QStringLiteral("RegionOfResidence"), QStringLiteral("EthnicGroup"),
        QStringLiteral("Occupation"), QStringLiteral("PatientReligiousPreference"), QStringLiteral("PatientComments"),
        QStringLiteral("AdditionalPatientHistory"), QStringLiteral("ReferringPhysicianName"),
        QStringLiteral("ReferringPhysicianAddress"), QStringLiteral("ReferringPhysicianTelephoneNumbers"),
        QStringLiteral("PerformingPhysicianName"), QStringLiteral("NameOfPhysiciansReadingStudy"),
        QStringLiteral("PhysiciansOfRecord"), QStringLiteral("RequestingPhysician"), QStringLiteral("OperatorsName"),
        QStringLiteral("InstitutionName"), QStringLiteral("InstitutionAddress"),
        QStringLiteral("InstitutionalDepartmentName"), QStringLiteral("StationName"),
        QStringLiteral("StudyDescription"), QStringLiteral("SeriesDescription"), QStringLiteral("ImageComments"),
        QStringLiteral("RequestedProcedureDescription"), QStringLiteral("PerformedProcedureStepDescription"),
        QStringLiteral("ProtocolName"), QStringLiteral("DerivationDescription"), QStringLiteral("ContentCreatorName"),
        QStringLiteral("PersonName"), QStringLiteral("VerifyingObserverName"),
        QStringLiteral("ScheduledPerformingPhysicianName"), QStringLiteral("AdmittingDiagnosesDescription"),
        QStringLiteral("InterpretationText") };
    if (ids.contains(k))
        return DicomPhi::Identifier;
    if (dates.contains(k))
        return DicomPhi::Date;
    if (removed.contains(k))
        return DicomPhi::Remove;
    if (k == QLatin1String("PatientAge"))
        return DicomPhi::Age;
    return DicomPhi::None;
}

QStringList dicomPhiKeywords()
{
    // The lists above, in one place for the tests and the docs.
    QStringList all;
    for (const char *k :
        { "PatientID", "OtherPatientIDs", "IssuerOfPatientID", "MedicalRecordLocator", "AccessionNumber", "StudyID",
            "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID", "DeviceSerialNumber",
            "StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate", "PatientName", "PatientBirthDate",
            "PatientAddress", "PatientTelephoneNumbers", "ReferringPhysicianName", "PerformingPhysicianName",
            "OperatorsName", "InstitutionName", "InstitutionAddress", "StationName", "StudyDescription",
            "SeriesDescription", "ImageComments", "PatientComments", "AdditionalPatientHistory", "PatientAge" })
        all.append(QString::fromLatin1(k));
    return all;
}

QStringList dicomTransferSyntaxNames()
{
    QStringList names;
    for (const SyntaxName &s : kSyntaxes)
        names.append(QString::fromLatin1(s.name));
    return names;
}

namespace {

bool setAttribute(gdcm::DataSet &ds, const QString &keyword, const QString &value, QString *error)
{
    gdcm::Tag t;
    if (!tagOf(keyword, &t)) {
        *error = QStringLiteral("'%1' is not a DICOM attribute keyword").arg(keyword);
        return false;
    }
    const gdcm::DictEntry &e = gdcm::Global::GetInstance().GetDicts().GetPublicDict().GetDictEntry(t);
    gdcm::VR vr = e.GetVR();
    if (vr == gdcm::VR::US_SS || vr == gdcm::VR::OB_OW || vr == gdcm::VR::US_SS_OW)
        vr = gdcm::VR::US;
    gdcm::DataElement de(t);
    de.SetVR(vr);
    if (vr & gdcm::VR::VRASCII) {
        QByteArray v = value.toLatin1();
        if (v.size() % 2)
            v.append(vr == gdcm::VR::UI ? '\0' : ' ');
        de.SetByteValue(v.constData(), gdcm::VL(quint32(v.size())));
    } else {
        gdcm::StringFilter sf;
        const QByteArray v = value.toLatin1();
        const std::string bin = sf.FromString(t, v.constData(), std::size_t(v.size()));
        de.SetByteValue(bin.data(), gdcm::VL(quint32(bin.size())));
    }
    ds.Replace(de);
    return true;
}

} // namespace

QString writeDicom(const QString &path, const DicomWriteSpec &spec)
{
    initGdcm();
    TS::TSType ts = TS::TS_END;
    for (const SyntaxName &s : kSyntaxes)
        if (spec.transferSyntax == QLatin1String(s.name))
            ts = s.type;
    if (ts == TS::TS_END)
        return QStringLiteral("unknown transfer syntax '%1' (one of %2)")
            .arg(spec.transferSyntax, dicomTransferSyntaxNames().join(QStringLiteral(", ")));
    const QByteArray fileName = QFile::encodeName(path);
    gdcm::UIDGenerator uid;
    QString error;
    auto fill = [&](gdcm::DataSet &ds) {
        const QString sop = spec.sopClassUid.isEmpty() ? QStringLiteral("1.2.840.10008.5.1.4.1.1.7") : spec.sopClassUid;
        QMap<QString, QString> attrs = spec.attributes;
        attrs.insert(QStringLiteral("SOPClassUID"), sop);
        if (!attrs.contains(QStringLiteral("SOPInstanceUID")))
            attrs.insert(QStringLiteral("SOPInstanceUID"), QString::fromLatin1(uid.Generate()));
        if (!attrs.contains(QStringLiteral("StudyInstanceUID")))
            attrs.insert(QStringLiteral("StudyInstanceUID"), QString::fromLatin1(uid.Generate()));
        if (!attrs.contains(QStringLiteral("SeriesInstanceUID")))
            attrs.insert(QStringLiteral("SeriesInstanceUID"), QString::fromLatin1(uid.Generate()));
        if (!attrs.contains(QStringLiteral("Modality")))
            attrs.insert(QStringLiteral("Modality"), QStringLiteral("OT"));
        if (spec.window) {
            attrs.insert(QStringLiteral("WindowCenter"), QString::number(spec.windowCenter));
            attrs.insert(QStringLiteral("WindowWidth"), QString::number(spec.windowWidth));
        }
        for (auto it = attrs.cbegin(); it != attrs.cend(); ++it)
            if (!setAttribute(ds, it.key(), it.value(), &error))
                return false;
        if (!spec.voiLut.empty()) {
            const quint16 descriptor[3] = { quint16(spec.voiLut.size() == 65536 ? 0 : spec.voiLut.size()),
                quint16(spec.voiLutFirst), quint16(spec.voiLutBits) };
            gdcm::DataElement desc(gdcm::Tag(0x0028, 0x3002));
            desc.SetVR(gdcm::VR::US);
            desc.SetByteValue(reinterpret_cast<const char *>(descriptor), gdcm::VL(6));
            gdcm::DataElement data(gdcm::Tag(0x0028, 0x3006));
            data.SetVR(gdcm::VR::OW);
            data.SetByteValue(
                reinterpret_cast<const char *>(spec.voiLut.data()), gdcm::VL(quint32(spec.voiLut.size() * 2)));
            gdcm::Item item;
            item.SetVLToUndefined();
            item.GetNestedDataSet().Insert(desc);
            item.GetNestedDataSet().Insert(data);
            gdcm::SmartPointer<gdcm::SequenceOfItems> sequence = new gdcm::SequenceOfItems;
            sequence->SetLengthToUndefined();
            sequence->AddItem(item);
            gdcm::DataElement element(gdcm::Tag(0x0028, 0x3010));
            element.SetVR(gdcm::VR::SQ);
            element.SetValue(*sequence);
            element.SetVLToUndefined();
            ds.Insert(element);
        }
        return true;
    };
    try {
        if (spec.withoutPixels) {
            gdcm::Writer writer;
            gdcm::File &file = writer.GetFile();
            if (!fill(file.GetDataSet()))
                return error;
            file.GetHeader().SetDataSetTransferSyntax(TS::ExplicitVRLittleEndian);
            file.GetHeader().FillFromDataSet(file.GetDataSet());
            writer.SetFileName(fileName.constData());
            return writer.Write() ? QString() : QStringLiteral("%1 cannot be written").arg(path);
        }
        const cv::Mat &m = spec.pixels;
        if (m.empty() || !(m.type() == CV_8UC1 || m.type() == CV_16UC1 || m.type() == CV_16SC1 || m.type() == CV_8UC3))
            return QStringLiteral("pixels must be CV_8UC1, CV_16UC1, CV_16SC1 or CV_8UC3");
        const bool colour = m.channels() == 3;
        const int allocated = m.depth() == CV_8U ? 8 : 16;
        const int stored = spec.bitsStored > 0 ? std::min(spec.bitsStored, allocated) : allocated;
        gdcm::SmartPointer<gdcm::Image> im = new gdcm::Image;
        const int frames = std::max(1, spec.frames);
        im->SetNumberOfDimensions(frames > 1 ? 3 : 2);
        im->SetDimension(0, unsigned(m.cols));
        im->SetDimension(1, unsigned(m.rows));
        if (frames > 1)
            im->SetDimension(2, unsigned(frames));
        im->SetPixelFormat(gdcm::PixelFormat(
            colour ? 3 : 1, quint16(allocated), quint16(stored), quint16(stored - 1), m.depth() == CV_16S ? 1 : 0));
        im->SetPhotometricInterpretation(colour ? gdcm::PhotometricInterpretation::RGB
                : spec.monochrome1              ? gdcm::PhotometricInterpretation::MONOCHROME1
                                                : gdcm::PhotometricInterpretation::MONOCHROME2);
        if (colour)
            im->SetPlanarConfiguration(0);
        im->SetSlope(spec.rescaleSlope);
        im->SetIntercept(spec.rescaleIntercept);
        im->SetTransferSyntax(TS::ExplicitVRLittleEndian);
        cv::Mat src;
        if (colour)
            cv::cvtColor(m, src, cv::COLOR_BGR2RGB); // a new buffer: the caller's pixels stay as they are
        else
            src = m.isContinuous() ? m : m.clone();
        const std::size_t frameBytes = src.total() * src.elemSize();
        std::vector<char> bytes(frameBytes * std::size_t(frames));
        for (int f = 0; f < frames; ++f)
            std::memcpy(bytes.data() + frameBytes * std::size_t(f), src.data, frameBytes);
        gdcm::DataElement pixels(gdcm::Tag(0x7fe0, 0x0010));
        pixels.SetVR(allocated == 8 ? gdcm::VR::OB : gdcm::VR::OW);
        pixels.SetByteValue(bytes.data(), gdcm::VL(quint32(bytes.size())));
        im->SetDataElement(pixels);
        gdcm::ImageChangeTransferSyntax change;
        change.SetTransferSyntax(ts);
        change.SetInput(*im);
        if (!change.Change())
            return QStringLiteral("GDCM cannot encode these pixels as %1").arg(spec.transferSyntax);
        gdcm::ImageWriter writer;
        writer.SetImage(change.GetOutput());
        gdcm::File &file = writer.GetFile();
        if (!fill(file.GetDataSet()))
            return error;
        file.GetHeader().SetDataSetTransferSyntax(ts);
        writer.SetFileName(fileName.constData());
        return writer.Write() ? QString() : QStringLiteral("%1 cannot be written").arg(path);
    } catch (const std::exception &e) {
        return QStringLiteral("%1 cannot be written (%2)").arg(path, QString::fromLocal8Bit(e.what()));
    }
}

} // namespace lepton
