// SPDX-License-Identifier: GPL-3.0-or-later
// The safetensors layout (model/SafeTensors.h): bytes written by hand as the reference writer
// lays them out, every dtype through a round trip, damaged files refused with the tensor named,
// an image encoder started from such a file, and `lepton export --safetensors` read in Python by
// a reader written from the format's description (Debian has no python3-safetensors) and compared
// with the same run's TorchScript export.
#include "CliRun.h"
#include "TinyStudy.h"

#include "dataset/MultimodalDataset.h"
#include "model/FusionNet.h"
#include "model/SafeTensors.h"
#include "train/Checkpoint.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace lepton;

namespace {

/// A file as the layout describes it: the header's length, the header, the data.
QByteArray file(const QByteArray &header, const QByteArray &data)
{
    char length[8];
    qToLittleEndian<quint64>(static_cast<quint64>(header.size()), length);
    return QByteArray(length, 8) + header + data;
}

template <typename T> QByteArray raw(std::initializer_list<T> values)
{
    QByteArray out;
    for (T v : values)
        out.append(reinterpret_cast<const char *>(&v), sizeof(T));
    return out;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestSafeTensors : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void readsBytesLaidOutByHand();
    void everyDtypeRoundTrips();
    void damagedFilesAreRefused_data();
    void damagedFilesAreRefused();
    void aDtypeWithoutANameIsNotWritten();
    void imageEncoderStartsFromSafeTensors();
    void exportIsReadInPython();

private:
    ModelConfig config() const;
    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    std::shared_ptr<MultimodalDataset> m_data;
};

void TestSafeTensors::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const qint64 id = tiny::makeStudy(m_dir.path(), m_study);
    QVERIFY(id > 0);
    DatasetOptions o;
    o.imageSize = 32;
    auto ds = MultimodalDataset::load(*m_study, id, o);
    QVERIFY2(ds, qPrintable(ds.error()));
    m_data = ds.value();
}

ModelConfig TestSafeTensors::config() const
{
    return tiny::modelConfig(m_data->spec());
}

void TestSafeTensors::readsBytesLaidOutByHand()
{
    // Two tensors and metadata, the data in the order of the offsets, header padded with spaces.
    const QByteArray header = R"({"b":{"dtype":"I64","shape":[1,1],"data_offsets":[8,16]},)"
                              R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                              R"("__metadata__":{"origin":"by hand"}}    )";
    const QByteArray bytes = file(header, raw<float>({ 1.5f, -2.0f }) + raw<qint64>({ 7 }));
    QVERIFY(safetensors::looksLike(bytes));
    auto f = safetensors::read(bytes);
    QVERIFY2(f, qPrintable(f.error()));
    QCOMPARE(f->tensors.size(), std::size_t(2));
    const torch::Tensor a = f->tensors.at("a");
    QCOMPARE(a.scalar_type(), torch::kFloat32);
    QCOMPARE(a.sizes().vec(), std::vector<int64_t>({ 2 }));
    QCOMPARE(a[0].item<float>(), 1.5f);
    QCOMPARE(a[1].item<float>(), -2.0f);
    const torch::Tensor b = f->tensors.at("b");
    QCOMPARE(b.scalar_type(), torch::kInt64);
    QCOMPARE(b.sizes().vec(), std::vector<int64_t>({ 1, 1 }));
    QCOMPARE(b.item<int64_t>(), int64_t(7));
    QCOMPARE(f->metadata.value(QStringLiteral("origin")), QStringLiteral("by hand"));
    QVERIFY(!safetensors::looksLike(QByteArrayLiteral("PK\x03\x04 not this")));
}

void TestSafeTensors::everyDtypeRoundTrips()
{
    torch::manual_seed(3);
    const torch::Tensor base = torch::randn({ 2, 3 }) * 50;
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto type : { torch::kFloat64, torch::kFloat32, torch::kHalf, torch::kBFloat16, torch::kInt64, torch::kInt32,
             torch::kInt16, torch::kInt8, torch::kByte })
        tensors.emplace_back(std::string("t.") + c10::toString(type), base.abs().to(type));
    tensors.emplace_back("mask", base > 0);
    tensors.emplace_back("scalar", torch::tensor(4.25));
    tensors.emplace_back("empty", torch::zeros({ 0, 4 }));
    tensors.emplace_back("strided", base.t()); // not contiguous: written in row-major order
    auto bytes = safetensors::write(tensors, { { QStringLiteral("config"), QStringLiteral("{\"a\": \"ü\"}") } });
    QVERIFY2(bytes, qPrintable(bytes.error()));
    const quint64 headerBytes = qFromLittleEndian<quint64>(bytes->constData());
    QCOMPARE(headerBytes % 8, quint64(0));
    QCOMPARE(bytes->at(8), '{');
    auto back = safetensors::read(*bytes);
    QVERIFY2(back, qPrintable(back.error()));
    QCOMPARE(back->tensors.size(), tensors.size());
    for (const auto &[name, t] : tensors) {
        const torch::Tensor r = back->tensors.at(name);
        QVERIFY2(r.scalar_type() == t.scalar_type(), name.c_str());
        QVERIFY2(torch::equal(r, t.contiguous()), name.c_str());
    }
    QCOMPARE(back->metadata.value(QStringLiteral("config")), QStringLiteral("{\"a\": \"ü\"}"));
}

void TestSafeTensors::damagedFilesAreRefused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message");
    const QByteArray eight = raw<float>({ 1.0f, 2.0f });
    auto one = [&](const QByteArray &entry, const QByteArray &data) { return file("{\"a\":" + entry + "}", data); };
    QTest::newRow("shorter than the length") << QByteArray("\x05\x00\x00", 3) << QStringLiteral("fewer than the 8");
    QByteArray huge(8, '\xff');
    QTest::newRow("header too large") << huge + "{}" << QStringLiteral("at most");
    QByteArray cut = file("{}", QByteArray());
    cut[0] = 40;
    QTest::newRow("header cut off") << cut << QStringLiteral("cut off: its header needs 40 bytes");
    QTest::newRow("not JSON") << file("{\"a\":", eight) << QStringLiteral("not a JSON object");
    QTest::newRow("a JSON list") << file("[1, 2]", eight) << QStringLiteral("not a JSON object");
    QTest::newRow("unknown dtype") << one(R"({"dtype":"F33","shape":[2],"data_offsets":[0,8]})", eight)
                                   << QStringLiteral("tensor 'a': 'F33' is not a safetensors dtype");
    QTest::newRow("unsupported dtype") << one(R"({"dtype":"U32","shape":[2],"data_offsets":[0,8]})", eight)
                                       << QStringLiteral("tensor 'a': dtype U32 is not supported");
    QTest::newRow("shape against span") << one(R"({"dtype":"F32","shape":[1],"data_offsets":[0,8]})", eight)
                                        << QStringLiteral("tensor 'a': its shape and dtype need 4 bytes, its offsets "
                                                          "span 8");
    QTest::newRow("negative size") << one(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})", eight)
                                   << QStringLiteral("tensor 'a': its shape holds something other than a size");
    QTest::newRow("fractional offset") << one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8.5]})", eight)
                                       << QStringLiteral("tensor 'a': its data_offsets are not two sizes");
    QTest::newRow("offsets reversed") << one(R"({"dtype":"F32","shape":[0],"data_offsets":[8,0]})", eight)
                                      << QStringLiteral("tensor 'a': its data_offsets are not two sizes");
    QTest::newRow("data cut off") << one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})", eight)
                                  << QStringLiteral("tensor 'a': its data ends at byte 16 but the file holds 8");
    QTest::newRow("sizes overflow") << one(
        R"({"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,8]})", eight)
                                    << QStringLiteral("more than 2^64");
    QTest::newRow("a gap") << one(R"({"dtype":"F32","shape":[1],"data_offsets":[4,8]})", eight)
                           << QStringLiteral("tensor 'a': its data starts at byte 4 where 0 was expected");
    QTest::newRow("an overlap") << file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
        eight) << QStringLiteral("where 8 was expected");
    QTest::newRow("data after the last") << one(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})", eight)
                                         << QStringLiteral("4 bytes of data after its last tensor");
    QTest::newRow("metadata not strings")
        << file(R"({"__metadata__":{"epoch":3}})", QByteArray()) << QStringLiteral("__metadata__ entry 'epoch'");
    QTest::newRow("entry not an object") << one("[0, 8]", eight) << QStringLiteral("tensor 'a': its entry is not");
}

void TestSafeTensors::damagedFilesAreRefused()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    auto f = safetensors::read(bytes);
    QVERIFY(!f);
    QVERIFY2(f.error().contains(message), qPrintable(f.error()));
}

void TestSafeTensors::aDtypeWithoutANameIsNotWritten()
{
    auto bytes = safetensors::write({ { "phase", torch::zeros({ 2 }, torch::kComplexFloat) } });
    QVERIFY(!bytes);
    QVERIFY2(bytes.error().contains(QStringLiteral("'phase'")), qPrintable(bytes.error()));
}

void TestSafeTensors::imageEncoderStartsFromSafeTensors()
{
    torch::manual_seed(1);
    FusionNet source(config());
    torch::manual_seed(2);
    FusionNet target(config());
    auto imageState = [](FusionNet &m) {
        std::vector<std::pair<std::string, torch::Tensor>> s;
        for (const auto &p : m->imageEncoder()->named_parameters())
            s.emplace_back(p.key(), p.value());
        for (const auto &b : m->imageEncoder()->named_buffers())
            s.emplace_back(b.key(), b.value());
        return s;
    };
    auto differs = [&]() {
        const auto a = imageState(source), b = imageState(target);
        double most = 0.0;
        for (std::size_t i = 0; i < a.size(); ++i)
            most = std::max(
                most, (a[i].second.to(torch::kDouble) - b[i].second.to(torch::kDouble)).abs().max().item<double>());
        return most;
    };
    QVERIFY(differs() > 1e-3); // two initialisations: the check below can fail

    // Named as `lepton export --safetensors` names the whole model's state ("image.…").
    std::vector<std::pair<std::string, torch::Tensor>> whole;
    for (const auto &p : source->named_parameters())
        whole.emplace_back(p.key(), p.value());
    for (const auto &b : source->named_buffers())
        whole.emplace_back(b.key(), b.value());
    const QString prefixed = m_dir.filePath(QStringLiteral("whole.safetensors"));
    QVERIFY(writeFile(prefixed, *safetensors::write(whole)));
    Status s = CheckpointIO::loadImageEncoder(prefixed, target);
    QVERIFY2(s, qPrintable(s.error()));
    QCOMPARE(differs(), 0.0);

    // By the encoder's own names, in bfloat16 (as Python code often saves): values rounded to it.
    torch::manual_seed(2);
    target = FusionNet(config());
    std::vector<std::pair<std::string, torch::Tensor>> own;
    for (auto &[name, t] : imageState(source))
        own.emplace_back(name, t.is_floating_point() ? t.to(torch::kBFloat16) : t);
    const QString bare = m_dir.filePath(QStringLiteral("encoder.safetensors"));
    QVERIFY(writeFile(bare, *safetensors::write(own)));
    s = CheckpointIO::loadImageEncoder(bare, target);
    QVERIFY2(s, qPrintable(s.error()));
    QVERIFY2(differs() < 0.02 && differs() > 0.0, qPrintable(QString::number(differs())));

    // A tensor missing, a shape that does not fit, damaged bytes: refused, naming file and tensor.
    own.erase(own.begin());
    const QString missing = m_dir.filePath(QStringLiteral("missing.safetensors"));
    QVERIFY(writeFile(missing, *safetensors::write(own)));
    s = CheckpointIO::loadImageEncoder(missing, target);
    QVERIFY(!s);
    QVERIFY2(
        s.error().startsWith(missing) && s.error().contains(QStringLiteral("has no 'image.")), qPrintable(s.error()));
    ModelConfig wider = config();
    wider.width = 8;
    FusionNet other(wider);
    s = CheckpointIO::loadImageEncoder(prefixed, other);
    QVERIFY(!s);
    QVERIFY2(s.error().contains(QStringLiteral("in this model")), qPrintable(s.error()));
    QByteArray damaged = *safetensors::write(whole);
    damaged.chop(3);
    QVERIFY(writeFile(missing, damaged));
    s = CheckpointIO::loadImageEncoder(missing, target);
    QVERIFY(!s);
    QVERIFY2(s.error().startsWith(missing) && s.error().contains(QStringLiteral("cut off")), qPrintable(s.error()));
}

void TestSafeTensors::exportIsReadInPython()
{
    using clitest::lepton;
    const QString study = m_dir.filePath(QStringLiteral("tiny.lepton"));
    const QString cfg = m_dir.filePath(QStringLiteral("config.json"));
    QVERIFY(writeFile(cfg,
        R"({"epochs": 1, "batch_size": 16, "model": {"image_size": 32, "width": 4, "depth": 2, "embed_dim": 8, "hidden": 8}})"));
    m_study.reset(); // the command line opens the study itself
    auto r = lepton({ QStringLiteral("train"), study, QStringLiteral("--config"), cfg, QStringLiteral("--quiet") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const QString st = m_dir.filePath(QStringLiteral("run.safetensors"));
    const QString pt = m_dir.filePath(QStringLiteral("run.pt"));
    r = lepton({ QStringLiteral("export"), study, QStringLiteral("--run"), QStringLiteral("1"),
        QStringLiteral("--safetensors"), st, QStringLiteral("--torchscript"), pt });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.out.contains(QStringLiteral("as safetensors to")), qPrintable(r.out));
    r = lepton({ QStringLiteral("audit"), QStringLiteral("list"), study });
    QVERIFY2(r.out.contains(QStringLiteral("export.model.safetensors")), qPrintable(r.out + r.err));

    // Python: the file read with nothing but json and torch, every tensor compared with the
    // TorchScript export's attribute of the same name ('.' written '__' there).
    QProcess py;
    py.start(QStringLiteral("/usr/bin/python3"),
        { QStringLiteral("-c"),
            QStringLiteral(
                "import json, struct, sys, torch\n"
                "raw = open(sys.argv[1], 'rb').read()\n"
                "n = struct.unpack('<Q', raw[:8])[0]\n"
                "header = json.loads(raw[8:8 + n])\n"
                "meta = header.pop('__metadata__')\n"
                "types = {'F32': torch.float32, 'I64': torch.int64, 'F64': torch.float64}\n"
                "data = bytearray(raw[8 + n:])\n"
                "m = torch.jit.load(sys.argv[2])\n"
                "mine = dict(m.named_parameters()); mine.update(dict(m.named_buffers()))\n"
                "worst = 0.0\n"
                "for name, e in header.items():\n"
                "    b, end = e['data_offsets']\n"
                "    t = torch.frombuffer(data[b:end], dtype=types[e['dtype']]).reshape(e['shape'])\n"
                "    other = mine[name.replace('.', '__')]\n"
                "    worst = max(worst, float((t.double() - other.double()).abs().max()) if t.numel() else 0.0)\n"
                "print(len(header), len(mine), worst, meta['run_id'], json.loads(meta['model_config'])['width'])\n"),
            st, pt });
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
    const QStringList out = QString::fromUtf8(py.readAllStandardOutput()).trimmed().split(QLatin1Char(' '));
    QCOMPARE(out.size(), 5);
    QVERIFY2(out[0].toInt() > 10, qPrintable(out.join(QLatin1Char(' '))));
    QCOMPARE(out[0], out[1]); // every tensor of the model, no more
    QCOMPARE(out[2].toDouble(), 0.0);
    QCOMPARE(out[3], QStringLiteral("1"));
    QCOMPARE(out[4], QStringLiteral("4"));

    // A place that cannot be written is named, and the audit log gains nothing.
    r = lepton({ QStringLiteral("export"), study, QStringLiteral("--run"), QStringLiteral("1"),
        QStringLiteral("--safetensors"), m_dir.filePath(QStringLiteral("no/such/dir/x.safetensors")) });
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains(QStringLiteral("no/such/dir/x.safetensors")), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestSafeTensors)
#include "tst_safetensors.moc"
