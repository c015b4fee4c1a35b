// SPDX-License-Identifier: GPL-3.0-or-later
// The image loader's own header check: formats by signature, sizes from the header before any
// pixel is decoded, chunks and segments that claim more bytes than the file has, and every input
// a fuzz run ever found (tests/fuzz/regressions/fuzz_image).
#include "data/ImageDecoder.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

using lepton::ImageDecodeLimits;
using lepton::ImageDecoder;

namespace {

QByteArray be32(quint32 v)
{
    QByteArray b(4, '\0');
    for (int i = 0; i < 4; ++i)
        b[i] = char((v >> (24 - 8 * i)) & 0xff);
    return b;
}

QByteArray chunk(const char *type, const QByteArray &data)
{
    // The CRC is not checked before decoding; these files must be refused before that.
    return be32(quint32(data.size())) + QByteArray(type, 4) + data + QByteArray(4, '\0');
}

/// A PNG whose header claims width × height grey pixels, with a few bytes of image data.
QByteArray pngClaiming(quint32 width, quint32 height)
{
    QByteArray ihdr = be32(width) + be32(height) + QByteArray("\x08\x00\x00\x00\x00", 5);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr)
        + chunk("IDAT", QByteArray("\x78\x9c\x63\x00\x00\x00\x01\x00\x01", 9)) + chunk("IEND", {});
}

QByteArray encoded(const char *ext, int width, int height, int type)
{
    std::vector<uchar> out;
    cv::Mat img(height, width, type, cv::Scalar::all(90));
    if (!cv::imencode(ext, img, out))
        return {};
    return QByteArray(reinterpret_cast<const char *>(out.data()), qsizetype(out.size()));
}

} // namespace

class TestImageDecoder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void headerOfEachFormat_data();
    void headerOfEachFormat();
    void decompressionBombRefusedByHeader();
    void limitAppliesBeforeDecoding();
    void refused_data();
    void refused();
    void suffixDoesNotDecideTheFormat();
    void fuzzRegressionsFailCleanly();

private:
    QString write(const QString &name, const QByteArray &bytes);
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestImageDecoder::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestImageDecoder::write(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir->filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

void TestImageDecoder::headerOfEachFormat_data()
{
    QTest::addColumn<QByteArray>("ext");
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("format");
    QTest::newRow("png grey") << QByteArray(".png") << CV_8UC1 << QByteArray("png");
    QTest::newRow("png 16 bit") << QByteArray(".png") << CV_16UC1 << QByteArray("png");
    QTest::newRow("jpeg colour") << QByteArray(".jpg") << CV_8UC3 << QByteArray("jpeg");
    QTest::newRow("bmp grey") << QByteArray(".bmp") << CV_8UC1 << QByteArray("bmp");
    QTest::newRow("bmp colour") << QByteArray(".bmp") << CV_8UC3 << QByteArray("bmp");
    QTest::newRow("tiff 16 bit") << QByteArray(".tif") << CV_16UC1 << QByteArray("tiff");
    QTest::newRow("tiff colour") << QByteArray(".tif") << CV_8UC3 << QByteArray("tiff");
}

void TestImageDecoder::headerOfEachFormat()
{
    QFETCH(QByteArray, ext);
    QFETCH(int, type);
    QFETCH(QByteArray, format);
    const QByteArray bytes = encoded(ext.constData(), 300, 41, type);
    QVERIFY(!bytes.isEmpty());
    auto h = ImageDecoder::readHeader(bytes, QStringLiteral("x"));
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QCOMPARE(h->format, format);
    QCOMPARE(h->width, 300);
    QCOMPARE(h->height, 41);
    // The header agrees with what the codec decodes.
    auto info = ImageDecoder::inspect(write(QStringLiteral("a") + QString::fromLatin1(ext), bytes));
    QVERIFY2(info.ok(), qPrintable(info.error()));
    QCOMPARE(info->width, 300);
    QCOMPARE(info->height, 41);
}

void TestImageDecoder::decompressionBombRefusedByHeader()
{
    // 100 000 × 100 000 grey pixels would take 10 GB decoded; the file is 80 bytes.
    const QString path = write(QStringLiteral("bomb.png"), pngClaiming(100000, 100000));
    auto mat = ImageDecoder::decode(path);
    QVERIFY(!mat.ok());
    QVERIFY2(mat.error().contains(QStringLiteral("100000×100000 pixels by its header")), qPrintable(mat.error()));
    QVERIFY(mat.error().contains(QStringLiteral("not decoded")));
    QVERIFY(mat.error().contains(path));
    auto info = ImageDecoder::inspect(path);
    QVERIFY(!info.ok());
    QCOMPARE(info.error(), mat.error());
}

void TestImageDecoder::limitAppliesBeforeDecoding()
{
    const QString path = write(QStringLiteral("ok.png"), encoded(".png", 64, 64, CV_8UC1));
    ImageDecodeLimits limits;
    limits.maxPixels = 64 * 64;
    QVERIFY(ImageDecoder::decode(path, limits).ok());
    limits.maxPixels = 64 * 64 - 1;
    auto refused = ImageDecoder::decode(path, limits);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().contains(QStringLiteral("64×64 pixels by its header, more than the 4095 allowed")),
        qPrintable(refused.error()));
}

void TestImageDecoder::refused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message");
    const QByteArray png = encoded(".png", 16, 16, CV_8UC1);
    const QByteArray jpeg = encoded(".jpg", 16, 16, CV_8UC1);
    const QByteArray bmp = encoded(".bmp", 16, 16, CV_8UC3);
    const QByteArray tiff = encoded(".tif", 16, 16, CV_8UC1);

    // A chunk length the file cannot hold (the decoder would allocate it): the regression input
    // of the first fuzz finding has one of 1.6 GB.
    QByteArray longChunk = png;
    longChunk.insert(png.size() - 12, be32(0x64617465) + QByteArray("tEXtdate:", 9));
    QTest::newRow("png chunk longer than the file") << longChunk << "PNG chunk 'tEXt'";
    QTest::newRow("png cut off") << png.left(png.size() - 20) << "claims";
    QTest::newRow("png without IHDR") << QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IEND", {}) << "IHDR";
    QTest::newRow("jpeg without frame") << QByteArray("\xff\xd8\xff\xd9", 4) << "without a frame header";
    QByteArray jpegSegment = jpeg.left(2) + QByteArray("\xff\xe1\xff\xf0", 4) + jpeg.mid(2);
    QTest::newRow("jpeg segment longer than the file") << jpegSegment << "JPEG segment 0xe1";
    QByteArray wideBmp = bmp;
    wideBmp.replace(18, 4, QByteArray("\x00\x00\x01\x00", 4)); // 65536 wide
    wideBmp.replace(22, 4, QByteArray("\x00\x00\x01\x00", 4)); // 65536 high
    QTest::newRow("bmp bomb") << wideBmp << "65536×65536 pixels by its header";
    QByteArray badTiff = tiff;
    badTiff.replace(4, 4, QByteArray("\xff\xff\xff\x7f", 4)); // first directory far outside
    QTest::newRow("tiff directory outside") << badTiff << "outside the file";
    QTest::newRow("bigtiff") << QByteArray("II+\0\x08\0\0\0\x10\0\0\0\0\0\0\0", 16) << "BigTIFF";
    QTest::newRow("gif") << QByteArray("GIF89a\x10\x00\x10\x00\x00\x00\x00;", 13)
                         << "not a PNG, JPEG, BMP, TIFF or DICOM";
    QTest::newRow("pgm") << QByteArray("P5\n4 4\n255\n0123456789abcdef") << "not a PNG, JPEG, BMP, TIFF or DICOM";
    QTest::newRow("text") << QByteArray("case_id,label\n") << "not a PNG, JPEG, BMP, TIFF or DICOM";
}

void TestImageDecoder::refused()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    const QString path = write(QStringLiteral("bad.img"), bytes);
    auto mat = ImageDecoder::decode(path);
    QVERIFY(!mat.ok());
    QVERIFY2(mat.error().contains(message), qPrintable(mat.error()));
    QVERIFY2(mat.error().contains(path), qPrintable(mat.error()));
}

void TestImageDecoder::suffixDoesNotDecideTheFormat()
{
    // A JPEG named .png decodes as the JPEG it is; a PNG named .jpg likewise.
    auto a = ImageDecoder::inspect(write(QStringLiteral("really-jpeg.png"), encoded(".jpg", 20, 10, CV_8UC1)));
    QVERIFY2(a.ok(), qPrintable(a.error()));
    QCOMPARE(a->width, 20);
    auto h = ImageDecoder::readHeader(encoded(".png", 20, 10, CV_8UC1), QStringLiteral("really-png.jpg"));
    QVERIFY(h.ok());
    QCOMPARE(h->format, QByteArray("png"));
}

void TestImageDecoder::fuzzRegressionsFailCleanly()
{
    const QDir dir(QStringLiteral(LEPTON_SOURCE_DIR "/tests/fuzz/regressions/fuzz_image"));
    const QStringList inputs = dir.entryList(QDir::Files);
    QVERIFY2(!inputs.isEmpty(), qPrintable(dir.path()));
    ImageDecodeLimits limits; // as the fuzz target: a megapixel at most
    limits.maxPixels = 1 << 20;
    limits.minSide = 1;
    for (const QString &name : inputs) {
        auto mat = ImageDecoder::decode(dir.filePath(name), limits);
        if (mat.ok())
            QVERIFY(qint64(mat->cols) * mat->rows <= limits.maxPixels);
        else
            QVERIFY2(!mat.error().isEmpty(), qPrintable(name));
    }
}

QTEST_GUILESS_MAIN(TestImageDecoder)
#include "tst_imagedecoder.moc"
