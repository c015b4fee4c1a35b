// SPDX-License-Identifier: GPL-3.0-or-later
// DICOM through GDCM: every transfer syntax the reader promises (files written here by the
// library), the pixel pipeline (bits stored, signed values, rescale, MONOCHROME1, windows from the
// file or the user, multi-frame), attributes as field values, and refusals that name the file:
// a truncated file, a non-image object, a header that claims too many pixels.
#include "data/Dicom.h"
#include "data/ImageDecoder.h"
#include "data/LosslessJpeg.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

using namespace lepton;

namespace {

/// A 64 × 48 ramp of 12-bit values (0 … 4095) with a bright square: known values to compare.
cv::Mat ramp12()
{
    cv::Mat m(48, 64, CV_16UC1);
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x)
            m.at<quint16>(y, x) = quint16((x * 64 + y * 7) % 4096);
    m(cv::Rect(40, 8, 10, 10)).setTo(4000);
    return m;
}

bool lossless(const QString &syntax)
{
    return syntax != QLatin1String("jpeg-baseline") && syntax != QLatin1String("jpeg-extended");
}

/// A lossless JPEG encoder for the decoder's tests (T.81 annex H), written for them: one grey
/// component, every predictor, a point transform, restart intervals of whole rows. Its Huffman
/// table gives each of the 17 difference categories a 5-bit code (the category itself).
QByteArray encodeLosslessJpeg(const cv::Mat &m, int precision, int predictor, int pointTransform, int restartRows)
{
    QByteArray out;
    auto u8 = [&](int v) { out.append(char(v & 0xff)); };
    auto u16 = [&](int v) {
        u8(v >> 8);
        u8(v);
    };
    u16(0xffd8);
    u16(0xffc4);
    u16(2 + 1 + 16 + 17);
    u8(0x00);
    for (int len = 1; len <= 16; ++len)
        u8(len == 5 ? 17 : 0);
    for (int k = 0; k <= 16; ++k)
        u8(k);
    u16(0xffc3);
    u16(11);
    u8(precision);
    u16(m.rows);
    u16(m.cols);
    u8(1);
    u8(1);
    u8(0x11);
    u8(0);
    if (restartRows > 0) {
        u16(0xffdd);
        u16(4);
        u16(restartRows * m.cols);
    }
    u16(0xffda);
    u16(8);
    u8(1);
    u8(1);
    u8(0x00);
    u8(predictor);
    u8(0);
    u8(pointTransform);
    quint32 acc = 0;
    int bits = 0;
    auto put = [&](quint32 value, int n) {
        for (int i = n - 1; i >= 0; --i) {
            acc = (acc << 1) | ((value >> i) & 1);
            if (++bits == 8) {
                u8(int(acc));
                if ((acc & 0xff) == 0xff)
                    u8(0); // stuffed
                acc = 0;
                bits = 0;
            }
        }
    };
    auto flush = [&] {
        while (bits != 0)
            put(1, 1); // padded with ones
    };
    std::vector<int> previous(std::size_t(m.cols)), current(previous.size());
    const int rowsPerInterval = restartRows > 0 ? restartRows : m.rows;
    int marker = 0;
    for (int y = 0; y < m.rows; ++y) {
        const bool start = y % rowsPerInterval == 0;
        if (start && y > 0) {
            flush();
            u16(0xffd0 + (marker++ & 7));
        }
        for (int x = 0; x < m.cols; ++x) {
            const int v = m.at<quint16>(y, x) >> pointTransform;
            int p;
            if (start)
                p = x == 0 ? 1 << (precision - pointTransform - 1) : current[std::size_t(x - 1)];
            else if (x == 0)
                p = previous[0];
            else {
                const int ra = current[std::size_t(x - 1)], rb = previous[std::size_t(x)],
                          rc = previous[std::size_t(x - 1)];
                const int table[8]
                    = { 0, ra, rb, rc, ra + rb - rc, ra + ((rb - rc) >> 1), rb + ((ra - rc) >> 1), (ra + rb) / 2 };
                p = table[predictor];
            }
            current[std::size_t(x)] = v;
            int d = (v - p) & 0xffff;
            if (d > 32768)
                d -= 65536;
            int category = 0;
            while (category < 16 && (1 << category) <= std::abs(d))
                ++category;
            put(quint32(category), 5);
            if (category > 0 && category < 16)
                put(quint32(d > 0 ? d : d + (1 << category) - 1), category);
        }
        previous.swap(current);
    }
    flush();
    u16(0xffd9);
    return out;
}

} // namespace

class TestDicom : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString write(const QString &name, const DicomWriteSpec &spec)
    {
        const QString path = m_dir.filePath(name);
        const QString error = writeDicom(path, spec);
        if (!error.isEmpty())
            qWarning("%s", qPrintable(error));
        return error.isEmpty() ? path : QString();
    }
    static QByteArray bytesOf(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void eachTransferSyntaxReadsBack_data();
    void eachTransferSyntaxReadsBack();
    void rescaleAndSignedValues();
    void monochrome1IsInverted();
    void windowsFromFileFullAndFixed();
    void voiLutFromTheFile_data();
    void voiLutFromTheFile();
    void windowParsing();
    void multiFrameGivesTheFirstFrame();
    void jpeg2000AtReducedResolution();
    void losslessJpegEveryPredictor();
    void losslessJpegDamaged();
    void implausibleHighBitIsIgnored();
    void colourImage();
    void truncatedFileIsRefusedByName();
    void nonImageObjectIsRefusedWithReason();
    void headerClaimingTooManyPixelsIsRefused();
    void attributesAsFieldValues();
    void phiClassification();
    void imageDecoderTakesDicomByContent();
    void mutatedFilesFailCleanly();
};

void TestDicom::eachTransferSyntaxReadsBack_data()
{
    QTest::addColumn<QString>("syntax");
    for (const QString &s : dicomTransferSyntaxNames())
        QTest::newRow(qPrintable(s)) << s;
}

void TestDicom::eachTransferSyntaxReadsBack()
{
    QFETCH(QString, syntax);
    DicomWriteSpec spec;
    spec.transferSyntax = syntax;
    const bool eightBit = syntax == QLatin1String("jpeg-baseline"); // baseline JPEG is 8-bit only
    cv::Mat values = ramp12();
    if (eightBit)
        values.convertTo(spec.pixels, CV_8U, 1.0 / 16);
    else {
        spec.pixels = values;
        spec.bitsStored = 12;
    }
    const QString path = write(syntax + QStringLiteral(".dcm"), spec);
    QVERIFY(!path.isEmpty());
    auto img = DicomReader::read(bytesOf(path), path, 1 << 20);
    QVERIFY2(img.ok(), qPrintable(img.ok() ? QString() : img.error()));
    QCOMPARE(img->values.cols, 64);
    QCOMPARE(img->values.rows, 48);
    QCOMPARE(img->values.type(), CV_32FC1);
    QVERIFY2(!img->transferSyntaxName.isEmpty(), "the syntax is named");
    cv::Mat expected;
    spec.pixels.convertTo(expected, CV_32F);
    const double maxDiff = cv::norm(img->values, expected, cv::NORM_INF);
    if (lossless(syntax))
        QCOMPARE(maxDiff, 0.0);
    else
        QVERIFY2(maxDiff < (eightBit ? 40.0 : 400.0), qPrintable(QString::number(maxDiff)));
}

void TestDicom::rescaleAndSignedValues()
{
    // CT-like: signed stored values, slope 2, intercept −1024.
    cv::Mat m(32, 32, CV_16SC1);
    for (int i = 0; i < m.rows * m.cols; ++i)
        m.at<qint16>(i / 32, i % 32) = qint16(i - 500);
    DicomWriteSpec spec;
    spec.pixels = m;
    spec.rescaleSlope = 2.0;
    spec.rescaleIntercept = -1024.0;
    const QString path = write(QStringLiteral("ct.dcm"), spec);
    QVERIFY(!path.isEmpty());
    auto img = DicomReader::read(bytesOf(path), path, 1 << 20);
    QVERIFY2(img.ok(), qPrintable(img.ok() ? QString() : img.error()));
    QVERIFY(img->signedPixels);
    QCOMPARE(img->values.at<float>(0, 0), float(-500 * 2 - 1024));
    QCOMPARE(img->values.at<float>(31, 31), float((1023 - 500) * 2 - 1024));

    // 12 bits stored in 16 with the upper bits set (an overlay in the unused bits): masked off.
    cv::Mat dirty(16, 16, CV_16UC1, cv::Scalar(0xF000 | 1234));
    DicomWriteSpec s2;
    s2.pixels = dirty;
    s2.bitsStored = 12;
    const QString p2 = write(QStringLiteral("dirty.dcm"), s2);
    auto img2 = DicomReader::read(bytesOf(p2), p2, 1 << 20);
    QVERIFY(img2.ok());
    QCOMPARE(img2->values.at<float>(3, 3), 1234.0f);
}

void TestDicom::monochrome1IsInverted()
{
    cv::Mat m(16, 16, CV_8UC1, cv::Scalar(0));
    m(cv::Rect(0, 0, 8, 16)).setTo(200);
    DicomWriteSpec spec;
    spec.pixels = m;
    spec.monochrome1 = true;
    const QString path = write(QStringLiteral("mono1.dcm"), spec);
    auto img = DicomReader::read(bytesOf(path), path, 1 << 20);
    QVERIFY(img.ok());
    QVERIFY(img->monochrome1);
    QCOMPARE(img->photometric, QStringLiteral("MONOCHROME1"));
    const cv::Mat shown = DicomReader::render(img.value(), DicomWindow {});
    // Stored 200 is dark in MONOCHROME1, stored 0 is white.
    QVERIFY(shown.at<uchar>(5, 2) < 10);
    QVERIFY(shown.at<uchar>(5, 12) > 245);
}

void TestDicom::windowsFromFileFullAndFixed()
{
    cv::Mat m(16, 16, CV_16UC1);
    for (int i = 0; i < 256; ++i)
        m.at<quint16>(i / 16, i % 16) = quint16(i * 4); // 0 … 1020
    DicomWriteSpec spec;
    spec.pixels = m;
    spec.window = true;
    spec.windowCenter = 100;
    spec.windowWidth = 100; // 50 … 150 spans the grey levels
    const QString path = write(QStringLiteral("window.dcm"), spec);
    auto img = DicomReader::read(bytesOf(path), path, 1 << 20);
    QVERIFY(img.ok());
    QVERIFY(img->hasFileWindow);
    QCOMPARE(img->fileCenter, 100.0);
    const cv::Mat byFile = DicomReader::render(img.value(), DicomWindow {});
    QCOMPARE(byFile.at<uchar>(0, 10), uchar(0)); // 40 < 50
    QCOMPARE(byFile.at<uchar>(0, 40), uchar(255)); // 160 > 150
    const int mid = byFile.at<uchar>(0, 25); // value 100: the centre
    QVERIFY2(mid > 120 && mid < 135, qPrintable(QString::number(mid)));
    DicomWindow full;
    full.mode = DicomWindow::Mode::Full;
    const cv::Mat byRange = DicomReader::render(img.value(), full);
    QCOMPARE(byRange.at<uchar>(0, 0), uchar(0));
    QCOMPARE(byRange.at<uchar>(15, 15), uchar(255));
    QVERIFY(byRange.at<uchar>(0, 40) > 30 && byRange.at<uchar>(0, 40) < 50); // 160 of 1020
    auto fixed = DicomWindow::parse(QStringLiteral("500,200"));
    QVERIFY(fixed.ok());
    const cv::Mat byUser = DicomReader::render(img.value(), fixed.value());
    QCOMPARE(byUser.at<uchar>(0, 40), uchar(0)); // 160 < 400
    QCOMPARE(byUser.at<uchar>(15, 15), uchar(255)); // 1020 > 600
}

void TestDicom::voiLutFromTheFile_data()
{
    QTest::addColumn<QString>("syntax");
    for (const char *s : { "explicit-le", "explicit-be", "jpeg-ls" })
        QTest::newRow(s) << QString::fromLatin1(s);
}

void TestDicom::voiLutFromTheFile()
{
    // A decreasing 12-bit LUT over the modality values 0 … 999, on stored values 0 … 1020 with
    // intercept -24: a rendering that ignored the LUT (the min–max fallback) or applied it to the
    // stored values would give other grey levels at every pixel checked.
    QFETCH(QString, syntax);
    cv::Mat m(16, 16, CV_16UC1);
    for (int i = 0; i < 256; ++i)
        m.at<quint16>(i / 16, i % 16) = quint16(i * 4);
    DicomWriteSpec spec;
    spec.transferSyntax = syntax;
    spec.pixels = m;
    spec.bitsStored = 12;
    spec.rescaleIntercept = -24;
    for (int i = 0; i < 1000; ++i)
        spec.voiLut.push_back(quint16(4095 - 4 * i));
    spec.voiLutFirst = 0;
    spec.voiLutBits = 12;
    const QString path = write(QStringLiteral("voilut-%1.dcm").arg(syntax), spec);
    QVERIFY(!path.isEmpty());
    auto img = DicomReader::read(bytesOf(path), path, 1 << 20);
    QVERIFY2(img.ok(), qPrintable(img.ok() ? QString() : img.error()));
    QVERIFY(!img->hasFileWindow);
    QCOMPARE(img->voiLut.cols, 1000);
    const cv::Mat byLut = DicomReader::render(img.value(), DicomWindow {});
    auto expected = [](int stored) {
        const int index = std::clamp(stored - 24, 0, 999);
        return int(std::lround((4095.0 - 4 * index) / 4095.0 * 255.0));
    };
    for (int i : { 0, 5, 100, 200, 255 })
        QCOMPARE(int(byLut.at<uchar>(i / 16, i % 16)), expected(i * 4));
    DicomWindow full;
    full.mode = DicomWindow::Mode::Full; // the user's choice wins over the file's LUT
    const cv::Mat byRange = DicomReader::render(img.value(), full);
    QCOMPARE(byRange.at<uchar>(0, 0), uchar(0));
    QCOMPARE(byRange.at<uchar>(15, 15), uchar(255));
}

void TestDicom::windowParsing()
{
    QVERIFY(DicomWindow::parse(QStringLiteral("auto"))->mode == DicomWindow::Mode::Auto);
    QVERIFY(DicomWindow::parse(QStringLiteral("FULL"))->mode == DicomWindow::Mode::Full);
    auto w = DicomWindow::parse(QStringLiteral("40, 400"));
    QVERIFY(w.ok());
    QCOMPARE(w->center, 40.0);
    QCOMPARE(w->width, 400.0);
    QCOMPARE(w->text(), QStringLiteral("40,400"));
    for (const char *bad : { "40", "40,0", "40,-3", "a,b", "1,2,3", "nan,4" }) {
        auto r = DicomWindow::parse(QString::fromLatin1(bad));
        QVERIFY2(!r.ok(), bad);
        QVERIFY(r.error().contains(QLatin1String("CENTER,WIDTH")));
    }
}

void TestDicom::multiFrameGivesTheFirstFrame()
{
    DicomWriteSpec spec;
    spec.pixels = cv::Mat(20, 30, CV_8UC1, cv::Scalar(77));
    spec.frames = 5;
    const QString path = write(QStringLiteral("multi.dcm"), spec);
    auto img = DicomReader::read(bytesOf(path), path, 1 << 20);
    QVERIFY2(img.ok(), qPrintable(img.ok() ? QString() : img.error()));
    QCOMPARE(img->frames, 5);
    QCOMPARE(img->values.rows, 20);
    QCOMPARE(img->values.at<float>(10, 10), 77.0f);
    auto info = ImageDecoder::inspect(path);
    QVERIFY(info.ok());
    QCOMPARE(info->frames, 5);
    QCOMPARE(info->format, QByteArray("dicom"));
}

void TestDicom::jpeg2000AtReducedResolution()
{
    // A smooth 12-bit image of 256 × 192 with a bright square: asked for 64 pixels a side, the
    // reader skips one wavelet level (96 ≥ 64 > 48) and gives what an area average of the full
    // image gives, within 1 % of the range on average (the wavelet's low band sits half a pixel
    // from the average's grid, and the square's edges differ; a flipped or shifted image is off by
    // hundreds); asked for nothing, the full image, bit-exact.
    cv::Mat m(192, 256, CV_16UC1);
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x)
            m.at<quint16>(y, x) = quint16(x * 12 + y * 4);
    m(cv::Rect(160, 40, 48, 48)).setTo(4000);
    DicomWriteSpec spec;
    spec.transferSyntax = QStringLiteral("jpeg2000");
    spec.pixels = m;
    spec.bitsStored = 12;
    spec.rescaleIntercept = -1024;
    const QString path = write(QStringLiteral("reduced.dcm"), spec);
    QVERIFY(!path.isEmpty());
    const QByteArray bytes = bytesOf(path);
    auto full = DicomReader::read(bytes, path, 1 << 20);
    QVERIFY2(full.ok(), qPrintable(full.ok() ? QString() : full.error()));
    QCOMPARE(full->reduction, 0);
    QCOMPARE(full->values.cols, 256);
    cv::Mat expectedFull;
    m.convertTo(expectedFull, CV_32F, 1.0, -1024.0);
    QCOMPARE(cv::norm(full->values, expectedFull, cv::NORM_INF), 0.0);
    auto reduced = DicomReader::read(bytes, path, 1 << 20, 64);
    QVERIFY2(reduced.ok(), qPrintable(reduced.ok() ? QString() : reduced.error()));
    QCOMPARE(reduced->reduction, 1);
    QCOMPARE(reduced->values.cols, 128);
    QCOMPARE(reduced->values.rows, 96);
    QCOMPARE(reduced->fullWidth, 256);
    QCOMPARE(reduced->fullHeight, 192);
    cv::Mat averaged;
    cv::resize(expectedFull, averaged, cv::Size(128, 96), 0, 0, cv::INTER_AREA);
    const cv::Rect inside(4, 4, 120, 88); // the filters reach across the border
    const double meanError = cv::mean(cv::abs(reduced->values(inside) - averaged(inside)))[0];
    QVERIFY2(meanError < 41.0, qPrintable(QString::number(meanError)));
    QVERIFY(reduced->values.at<float>(60 / 2, 180 / 2) > 2900.0f); // the square, 4000 − 1024
    // Through the decoder's limits, and the image's size stays the header's for the import.
    ImageDecodeLimits limits;
    limits.decodeSide = 64;
    auto decoded = ImageDecoder::decode(path, limits);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->cols, 128);
    auto info = ImageDecoder::inspect(path, limits);
    QVERIFY(info.ok());
    QCOMPARE(info->width, 256);
    QCOMPARE(info->height, 192);
    // A request above the image's size decodes in full.
    auto big = DicomReader::read(bytes, path, 1 << 20, 1000);
    QVERIFY(big.ok());
    QCOMPARE(big->values.cols, 256);
}

void TestDicom::losslessJpegEveryPredictor()
{
    // Predictor 1 is also checked against GDCM's encoder (eachTransferSyntaxReadsBack); the
    // others, the point transform and restart intervals only DICOM's process 14 (.57) uses.
    cv::Mat m(23, 37, CV_16UC1);
    cv::RNG rng(7);
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x)
            m.at<quint16>(y, x) = quint16(std::clamp(x * 90 + y * 40 + rng.uniform(-300, 300), 0, 4095));
    m.at<quint16>(5, 5) = 4095;
    m.at<quint16>(5, 6) = 0; // a jump of the whole range
    for (int predictor = 1; predictor <= 7; ++predictor)
        for (int pointTransform : { 0, 2 })
            for (int restartRows : { 0, 4 }) {
                const QByteArray stream = encodeLosslessJpeg(m, 12, predictor, pointTransform, restartRows);
                LosslessJpegFrame frame;
                QString reason;
                const auto status = decodeLosslessJpeg(
                    reinterpret_cast<const uchar *>(stream.constData()), stream.size(), &frame, &reason);
                const QByteArray what = QStringLiteral("predictor %1, point transform %2, restart %3: %4")
                                            .arg(predictor)
                                            .arg(pointTransform)
                                            .arg(restartRows)
                                            .arg(reason)
                                            .toUtf8();
                QVERIFY2(status == LosslessJpegStatus::Decoded, what.constData());
                QCOMPARE(frame.width, 37);
                QCOMPARE(frame.height, 23);
                QCOMPARE(frame.precision, 12);
                int wrong = 0;
                for (int i = 0; i < m.rows * m.cols; ++i) {
                    const int expected = (m.at<quint16>(i / m.cols, i % m.cols) >> pointTransform) << pointTransform;
                    wrong += frame.samples[std::size_t(i)] != expected;
                }
                QVERIFY2(wrong == 0, what.constData());
            }
}

void TestDicom::losslessJpegDamaged()
{
    const QByteArray whole = encodeLosslessJpeg(ramp12(), 12, 1, 0, 8);
    auto decode = [](const QByteArray &bytes, QString *reason) {
        LosslessJpegFrame frame;
        return decodeLosslessJpeg(reinterpret_cast<const uchar *>(bytes.constData()), bytes.size(), &frame, reason);
    };
    QString reason;
    QVERIFY(decode(whole, &reason) == LosslessJpegStatus::Decoded);
    // Cut anywhere: refused with a reason, never read past the end.
    for (int keep = 0; keep < whole.size() - 2; keep += 7) {
        reason.clear();
        QVERIFY2(decode(whole.left(keep), &reason) == LosslessJpegStatus::Damaged, qPrintable(QString::number(keep)));
        QVERIFY(!reason.isEmpty());
    }
    // A predictor outside 1–7, and a baseline (lossy) frame, which goes to GDCM.
    QByteArray bad = whole;
    const int sos = bad.indexOf(QByteArray("\xff\xda", 2));
    bad[sos + 7] = 9;
    QVERIFY(decode(bad, &reason) == LosslessJpegStatus::Damaged);
    QVERIFY2(reason.contains(QLatin1String("predictor")), qPrintable(reason));
    // A Huffman table with more codes of a length than it can hold (fuzz_lossless_jpeg found
    // the table builder writing past its lookup): 17 codes of length 1.
    QByteArray overfull = whole;
    const int dht = overfull.indexOf(QByteArray("\xff\xc4", 2));
    overfull[dht + 5] = 17; // counts[0]
    overfull[dht + 9] = 0; // counts[4]
    QVERIFY(decode(overfull, &reason) == LosslessJpegStatus::Damaged);
    QVERIFY2(reason.contains(QLatin1String("prefix code")), qPrintable(reason));
    // A frame header claiming 12000 × 12000 pixels over a few hundred bytes of data (a fuzzer
    // input that decoded zeros for 12 s): refused at once.
    QByteArray huge = whole;
    const int sof = huge.indexOf(QByteArray("\xff\xc3", 2));
    huge[sof + 5] = char(0x2e); // height 0x2ee0
    huge[sof + 6] = char(0xe0);
    huge[sof + 7] = char(0x2e); // width
    huge[sof + 8] = char(0xe0);
    QVERIFY(decode(huge, &reason) == LosslessJpegStatus::Damaged);
    QVERIFY2(reason.contains(QLatin1String("too short")), qPrintable(reason));
    QByteArray lossy = whole;
    lossy[lossy.indexOf(QByteArray("\xff\xc3", 2)) + 1] = char(0xc0);
    QVERIFY(decode(lossy, &reason) == LosslessJpegStatus::Unsupported);
}

void TestDicom::implausibleHighBitIsIgnored()
{
    // HighBit far outside the sample (fuzz_dicom found 10208): read as BitsStored − 1, not as a
    // shift by thousands of bits.
    for (const QString &syntax : { QStringLiteral("explicit-le"), QStringLiteral("jpeg2000") }) {
        DicomWriteSpec spec;
        spec.transferSyntax = syntax;
        spec.pixels = ramp12();
        spec.bitsStored = 12;
        const QString path = write(QStringLiteral("highbit-%1.dcm").arg(syntax), spec);
        QVERIFY(!path.isEmpty());
        { // the writer keeps HighBit consistent: set it in the file's bytes
            QByteArray bytes = bytesOf(path);
            const int at = bytes.indexOf(QByteArray("\x28\x00\x02\x01US\x02\x00", 8));
            QVERIFY(at > 0);
            bytes[at + 8] = char(200);
            bytes[at + 9] = 0;
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(bytes);
        }
        auto written = DicomReader::attributes(path, { QStringLiteral("HighBit") });
        QVERIFY(written.ok());
        QCOMPARE(written->value(QStringLiteral("HighBit")), QStringLiteral("200")); // the premise
        auto img = DicomReader::read(bytesOf(path), path, 1 << 20);
        QVERIFY2(img.ok(), qPrintable(img.ok() ? QString() : img.error()));
        cv::Mat expected;
        ramp12().convertTo(expected, CV_32F);
        QCOMPARE(cv::norm(img->values, expected, cv::NORM_INF), 0.0);
    }
}

void TestDicom::colourImage()
{
    cv::Mat bgr(16, 16, CV_8UC3, cv::Scalar(10, 20, 200)); // red in BGR
    for (const QString &syntax : { QStringLiteral("explicit-le"), QStringLiteral("rle"), QStringLiteral("jpeg2000") }) {
        DicomWriteSpec spec;
        spec.pixels = bgr;
        spec.transferSyntax = syntax;
        const QString path = write(QStringLiteral("rgb-%1.dcm").arg(syntax), spec);
        auto img = DicomReader::read(bytesOf(path), path, 1 << 20);
        QVERIFY2(img.ok(), qPrintable(img.ok() ? QString() : img.error()));
        QCOMPARE(img->values.type(), CV_8UC3);
        const cv::Vec3b p = img->values.at<cv::Vec3b>(4, 4);
        QCOMPARE(int(p[2]), 200);
        QCOMPARE(int(p[0]), 10);
    }
}

void TestDicom::truncatedFileIsRefusedByName()
{
    DicomWriteSpec spec;
    spec.pixels = ramp12();
    spec.transferSyntax = QStringLiteral("jpeg-ls");
    const QString whole = write(QStringLiteral("whole.dcm"), spec);
    const QByteArray bytes = bytesOf(whole);
    for (double keep : { 0.1, 0.5, 0.9 }) {
        const QString path = m_dir.filePath(QStringLiteral("cut-%1.dcm").arg(keep));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes.left(int(bytes.size() * keep)));
        f.close();
        auto img = ImageDecoder::decode(path);
        QVERIFY2(!img.ok(), qPrintable(path));
        QVERIFY2(img.error().contains(path), qPrintable(img.error()));
        auto info = ImageDecoder::inspect(path);
        QVERIFY(!info.ok());
    }
    // An empty file with a DICOM name, and one cut inside its meta information: refused by
    // every reader, naming the file (the empty one once aborted the tag reader).
    for (int keep : { 0, 140 }) {
        const QString path = m_dir.filePath(QStringLiteral("short-%1.dcm").arg(keep));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes.left(keep));
        f.close();
        auto tags = DicomReader::attributes(path, { QStringLiteral("PatientAge") });
        QVERIFY2(!tags.ok(), qPrintable(path));
        QVERIFY2(tags.error().contains(path), qPrintable(tags.error()));
        QVERIFY(!ImageDecoder::decode(path).ok());
        QVERIFY(!DicomReader::header(bytesOf(path), path).ok());
    }
    // An element whose VR is not one of DICOM's: GDCM reads it by other rules (once allocating
    // hundreds of megabytes for a 3 KB file found by the fuzzer), so the walk refuses it.
    {
        QByteArray bad = bytes;
        const int at = bad.indexOf(QByteArray("\x08\x00\x18\x00UI", 6)); // SOPInstanceUID
        QVERIFY(at > 0);
        bad[at + 4] = 'W';
        bad[at + 5] = 'I';
        const QString path = m_dir.filePath(QStringLiteral("bad-vr.dcm"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bad);
        f.close();
        auto img = ImageDecoder::decode(path);
        QVERIFY(!img.ok());
        QVERIFY2(img.error().contains(QLatin1String("(0008,0018) has no valid VR")), qPrintable(img.error()));
        QVERIFY(!DicomReader::attributes(path, { QStringLiteral("PatientAge") }).ok());
    }
    // The syntax is named when the header was readable and the pixels were not.
    const QString late = m_dir.filePath(QStringLiteral("cut-late.dcm"));
    QFile f(late);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes.left(bytes.size() - 200));
    f.close();
    auto img = ImageDecoder::decode(late);
    QVERIFY(!img.ok());
    QVERIFY2(img.error().contains(QLatin1String("JPEG-LS")), qPrintable(img.error()));
}

void TestDicom::nonImageObjectIsRefusedWithReason()
{
    DicomWriteSpec spec;
    spec.withoutPixels = true;
    spec.sopClassUid = QStringLiteral("1.2.840.10008.5.1.4.1.1.88.11"); // Basic Text SR
    const QString path = write(QStringLiteral("report.dcm"), spec);
    QVERIFY(!path.isEmpty());
    auto img = ImageDecoder::decode(path);
    QVERIFY(!img.ok());
    QVERIFY2(img.error().contains(QLatin1String("structured report")), qPrintable(img.error()));
    QVERIFY(img.error().contains(path));
    spec.sopClassUid = QStringLiteral("1.2.840.10008.5.1.4.1.1.481.5"); // RT Plan
    const QString plan = write(QStringLiteral("plan.dcm"), spec);
    auto refused = ImageDecoder::inspect(plan);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().contains(QLatin1String("radiotherapy")), qPrintable(refused.error()));
}

void TestDicom::headerClaimingTooManyPixelsIsRefused()
{
    DicomWriteSpec spec;
    spec.pixels = cv::Mat(64, 64, CV_8UC1, cv::Scalar(1));
    const QString path = write(QStringLiteral("big.dcm"), spec);
    ImageDecodeLimits limits;
    limits.maxPixels = 1000;
    auto img = ImageDecoder::decode(path, limits);
    QVERIFY(!img.ok());
    QVERIFY2(img.error().contains(QLatin1String("not decoded")), qPrintable(img.error()));
}

void TestDicom::attributesAsFieldValues()
{
    DicomWriteSpec spec;
    spec.pixels = cv::Mat(16, 16, CV_8UC1, cv::Scalar(1));
    spec.attributes = { { QStringLiteral("PatientAge"), QStringLiteral("063Y") },
        { QStringLiteral("PatientSex"), QStringLiteral("F") }, { QStringLiteral("ViewPosition"), QStringLiteral("PA") },
        { QStringLiteral("StudyDate"), QStringLiteral("20240131") } };
    const QString path = write(QStringLiteral("tags.dcm"), spec);
    auto a = DicomReader::attributes(path,
        { QStringLiteral("PatientAge"), QStringLiteral("PatientSex"), QStringLiteral("ViewPosition"),
            QStringLiteral("StudyDate"), QStringLiteral("BodyPartExamined") });
    QVERIFY2(a.ok(), qPrintable(a.ok() ? QString() : a.error()));
    QCOMPARE(a->value(QStringLiteral("PatientSex")), QStringLiteral("F"));
    QCOMPARE(a->value(QStringLiteral("BodyPartExamined")), QString()); // absent: empty
    QCOMPARE(
        dicomFieldText(QStringLiteral("PatientAge"), a->value(QStringLiteral("PatientAge"))), QStringLiteral("63"));
    QCOMPARE(dicomFieldText(QStringLiteral("PatientAge"), QStringLiteral("018M")), QStringLiteral("1.50"));
    QCOMPARE(dicomFieldText(QStringLiteral("StudyDate"), a->value(QStringLiteral("StudyDate"))),
        QStringLiteral("2024-01-31"));
    QCOMPARE(dicomFieldText(QStringLiteral("ViewPosition"), QStringLiteral(" PA ")), QStringLiteral("PA"));
    auto unknown = DicomReader::attributes(path, { QStringLiteral("PatientAgee") });
    QVERIFY(!unknown.ok());
    QVERIFY(unknown.error().contains(QLatin1String("PatientAgee")));
    QVERIFY(DicomReader::isKeyword(QStringLiteral("AccessionNumber")));
    QVERIFY(!DicomReader::isKeyword(QStringLiteral("accessionnumber")));
}

void TestDicom::phiClassification()
{
    QCOMPARE(dicomPhiKind(QStringLiteral("PatientName")), DicomPhi::Remove);
    QCOMPARE(dicomPhiKind(QStringLiteral("PatientID")), DicomPhi::Identifier);
    QCOMPARE(dicomPhiKind(QStringLiteral("StudyInstanceUID")), DicomPhi::Identifier);
    QCOMPARE(dicomPhiKind(QStringLiteral("AccessionNumber")), DicomPhi::Identifier);
    QCOMPARE(dicomPhiKind(QStringLiteral("StudyDate")), DicomPhi::Date);
    QCOMPARE(dicomPhiKind(QStringLiteral("PatientAge")), DicomPhi::Age);
    QCOMPARE(dicomPhiKind(QStringLiteral("InstitutionName")), DicomPhi::Remove);
    QCOMPARE(dicomPhiKind(QStringLiteral("ViewPosition")), DicomPhi::None);
    for (const QString &k : dicomPhiKeywords()) {
        QVERIFY2(dicomPhiKind(k) != DicomPhi::None, qPrintable(k));
        QVERIFY2(DicomReader::isKeyword(k), qPrintable(k));
    }
}

void TestDicom::imageDecoderTakesDicomByContent()
{
    DicomWriteSpec spec;
    spec.pixels = ramp12();
    spec.bitsStored = 12;
    const QString dcm = write(QStringLiteral("plain.dcm"), spec);
    // Without the .dcm name: the DICM mark decides.
    const QString noSuffix = m_dir.filePath(QStringLiteral("IM0001"));
    QVERIFY(QFile::copy(dcm, noSuffix));
    for (const QString &path : { dcm, noSuffix }) {
        auto info = ImageDecoder::inspect(path);
        QVERIFY2(info.ok(), qPrintable(info.ok() ? QString() : info.error()));
        QCOMPARE(info->width, 64);
        QCOMPARE(info->height, 48);
        QCOMPARE(info->channels, 1);
        QCOMPARE(info->bits, 8);
        auto mat = ImageDecoder::decode(path);
        QVERIFY(mat.ok());
        QCOMPARE(mat->type(), CV_8UC1);
        auto header = ImageDecoder::readHeader(bytesOf(path), path);
        QVERIFY(header.ok());
        QCOMPARE(header->format, QByteArray("dicom"));
    }
    // A PNG named .dcm is a PNG.
    const QString png = m_dir.filePath(QStringLiteral("really-png.dcm"));
    {
        QFile f(png);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(40, '\0'));
    }
    QVERIFY(!DicomReader::looksLikeDicom(bytesOf(png), png));
}

void TestDicom::mutatedFilesFailCleanly()
{
    // Seeded byte flips, cuts and length changes over a file of each syntax: every outcome is an
    // image or a message naming the file, never a stopped process. The fuzz target goes further.
    quint32 state = 12345;
    auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    int refused = 0, decoded = 0;
    const int rounds = qEnvironmentVariableIntValue("LEPTON_DICOM_MUTATIONS") > 0
        ? qEnvironmentVariableIntValue("LEPTON_DICOM_MUTATIONS")
        : 150;
    for (const QString &syntax : dicomTransferSyntaxNames()) {
        DicomWriteSpec spec;
        spec.transferSyntax = syntax;
        spec.pixels = syntax == QLatin1String("jpeg-baseline") ? cv::Mat(24, 32, CV_8UC1, cv::Scalar(90)) : ramp12();
        spec.attributes = { { QStringLiteral("PatientAge"), QStringLiteral("063Y") } };
        const QByteArray original = bytesOf(write(QStringLiteral("m-%1.dcm").arg(syntax), spec));
        QVERIFY(!original.isEmpty());
        for (int round = 0; round < rounds; ++round) {
            QByteArray b = original;
            const int edits = 1 + int(next() % 4);
            for (int e = 0; e < edits; ++e) {
                const int at = int(next() % quint32(b.size()));
                switch (next() % 4) {
                case 0:
                    b[at] = char(next());
                    break;
                case 1:
                    b.truncate(at);
                    break;
                case 2:
                    b[at] = char(0xff);
                    break;
                default:
                    b.insert(at, QByteArray(int(next() % 9), char(next())));
                    break;
                }
                if (b.isEmpty())
                    break;
            }
            const QString path = m_dir.filePath(QStringLiteral("mutant.dcm"));
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(b);
            f.close();
            ImageDecodeLimits limits;
            limits.maxPixels = 1 << 20;
            limits.minSide = 1;
            auto img = ImageDecoder::decode(path, limits);
            if (img.ok())
                ++decoded;
            else {
                ++refused;
                QVERIFY2(img.error().contains(path), qPrintable(img.error()));
            }
            // Tags as fields (--dicom-fields) read the same file by another path.
            auto tags = DicomReader::attributes(path, { QStringLiteral("PatientAge") });
            if (!tags.ok())
                QVERIFY2(tags.error().contains(path), qPrintable(tags.error()));
        }
    }
    qInfo("mutations: %d decoded, %d refused", decoded, refused);
    QVERIFY(refused > 0);
}

QTEST_GUILESS_MAIN(TestDicom)
#include "tst_dicom.moc"
