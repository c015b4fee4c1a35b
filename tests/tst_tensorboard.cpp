// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/TensorBoard.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace lepton;

class TestTensorBoard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void crc32cKnownValues();
    void eventsRoundTrip();
    void corruptionIsDetected();
    void runMetricsBecomeTaggedScalars();
    void pythonReadsTheRecords();
};

void TestTensorBoard::crc32cKnownValues()
{
    // RFC 3720 (iSCSI) test vectors for CRC-32C.
    QCOMPARE(crc32c("123456789", 9), quint32(0xE3069283u));
    const QByteArray zeros(32, '\0');
    QCOMPARE(crc32c(zeros.constData(), 32), quint32(0x8A9136AAu));
    QCOMPARE(crc32c("", 0), quint32(0));
}

void TestTensorBoard::eventsRoundTrip()
{
    const std::vector<ScalarEvent> in { { QStringLiteral("train/loss"), 1, 0.75f, 0 },
        { QStringLiteral("val/auroc"), 2, 0.91f, 0 }, { QStringLiteral("val/auroc"), 300, -2.5f, 0 } };
    const QByteArray bytes = encodeTensorBoard(in, 1764000000.5);
    auto out = decodeTensorBoard(bytes);
    QVERIFY2(out, qPrintable(out.error()));
    QCOMPARE(out->size(), in.size()); // the file-version event carries no scalar
    for (std::size_t i = 0; i < in.size(); ++i) {
        QCOMPARE(out.value()[i].tag, in[i].tag);
        QCOMPARE(out.value()[i].step, in[i].step);
        QCOMPARE(out.value()[i].value, in[i].value);
        QCOMPARE(out.value()[i].wallTime, 1764000000.5);
    }
}

void TestTensorBoard::corruptionIsDetected()
{
    QByteArray bytes = encodeTensorBoard({ { QStringLiteral("a"), 1, 1.0f, 0 } }, 1.0);
    bytes[bytes.size() - 6] = static_cast<char>(bytes[bytes.size() - 6] ^ 0x01);
    auto out = decodeTensorBoard(bytes);
    QVERIFY(!out);
    QVERIFY2(out.error().contains(QStringLiteral("CRC")), qPrintable(out.error()));
    QVERIFY(!decodeTensorBoard(bytes.left(bytes.size() - 3)));
}

void TestTensorBoard::runMetricsBecomeTaggedScalars()
{
    QTemporaryDir dir;
    const std::vector<MetricRow> rows { { QStringLiteral("train"), 0, 0, QStringLiteral("loss"), 0.7 },
        { QStringLiteral("train"), 0, 1, QStringLiteral("loss"), 0.6 },
        { QStringLiteral("train"), 0, -1, QStringLiteral("loss"), 0.65 },
        { QStringLiteral("val"), 0, -1, QStringLiteral("auroc"), 0.8 } };
    auto path = writeTensorBoard(dir.filePath(QStringLiteral("tb/run1")), rows, 1764000000);
    QVERIFY2(path, qPrintable(path.error()));
    QVERIFY(QFileInfo(path.value()).fileName().startsWith(QStringLiteral("events.out.tfevents.1764000000.")));
    QFile f(path.value());
    QVERIFY(f.open(QIODevice::ReadOnly));
    auto events = decodeTensorBoard(f.readAll());
    QVERIFY(events);
    QCOMPARE(events->size(), std::size_t(4));
    QCOMPARE(events.value()[1].tag, QStringLiteral("train/loss"));
    QCOMPARE(events.value()[1].step, qint64(1));
    QCOMPARE(events.value()[2].tag, QStringLiteral("train_epoch/loss"));
    QCOMPARE(events.value()[3].tag, QStringLiteral("val/auroc"));
    QCOMPARE(events.value()[3].step, qint64(1)); // epochs count from 1
}

void TestTensorBoard::pythonReadsTheRecords()
{
    // An independent reader of the TFRecord framing: Python's struct and a CRC-32C of its own.
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (python.isEmpty())
        QSKIP("python3 is not installed");
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("events"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(encodeTensorBoard({ { QStringLiteral("val/auroc"), 3, 0.5f, 0 } }, 2.0));
    f.close();
    const QString script = QStringLiteral(R"(
import struct, sys
def crc(data):
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    c ^= 0xFFFFFFFF
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF
raw = open(sys.argv[1], 'rb').read()
pos, n = 0, 0
while pos < len(raw):
    (length,) = struct.unpack('<Q', raw[pos:pos + 8])
    assert struct.unpack('<I', raw[pos + 8:pos + 12])[0] == crc(raw[pos:pos + 8])
    data = raw[pos + 12:pos + 12 + length]
    assert struct.unpack('<I', raw[pos + 12 + length:pos + 16 + length])[0] == crc(data)
    pos += 16 + length
    n += 1
assert b'brain.Event:2' in raw and b'val/auroc' in raw
print(n)
)");
    QProcess p;
    p.start(python, { QStringLiteral("-c"), script, file });
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()).trimmed(), QStringLiteral("2"));
}

QTEST_GUILESS_MAIN(TestTensorBoard)
#include "tst_tensorboard.moc"
