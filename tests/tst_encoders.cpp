// SPDX-License-Identifier: GPL-3.0-or-later
// Imported image encoders (issue: transfer learning): `lepton encoder import/list` stores a
// TorchScript encoder with its SHA-256 and an audit entry and refuses files that are not one; the
// model turns the dataset's normalisation into the encoder's (grey repeated to 3 channels); a run
// trains through the encoder end to end (or with it frozen, bit for bit unchanged), explains with
// Grad-CAM on its feature map, and exports a TorchScript model that LibTorch and Python run alike;
// and a random-weight torchvision ResNet-18 does all of that.
#include "CliRun.h"
#include "PythonParity.h"
#include "TinyStudy.h"

#include "dataset/MultimodalDataset.h"
#include "model/BackboneModule.h"
#include "model/FusionNet.h"
#include "model/TorchScriptExport.h"
#include "store/EncoderRepository.h"
#include "train/Pretrainer.h"
#include "train/TrainedModel.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace lepton;

namespace {

clitest::Run cli(const QStringList &args, int timeoutMs = 240000)
{
    return clitest::lepton(args, timeoutMs);
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// A TorchScript module made here (no Python): `source` is its forward; a 3×3 convolution to
/// 6 channels with stride 2 and a batch norm are its parameters and buffers.
void saveModule(const QString &path, const std::string &source, int inChannels = 3)
{
    torch::manual_seed(3);
    torch::jit::Module m("TinyEncoder");
    m.register_attribute("training", c10::BoolType::get(), false);
    m.register_parameter("conv_weight", torch::randn({ 6, inChannels, 3, 3 }) * 0.3, false);
    m.register_parameter("bn_weight", torch::ones({ 6 }), false);
    m.register_parameter("bn_bias", torch::zeros({ 6 }), false);
    m.register_buffer("bn_mean", torch::zeros({ 6 }));
    m.register_buffer("bn_var", torch::ones({ 6 }));
    m.define(source);
    m.save(path.toStdString());
}

const std::string kConvEncoder = R"(
def forward(self, x: Tensor) -> Tensor:
    y = torch.conv2d(x, self.conv_weight, None, [2, 2], [1, 1], [1, 1], 1)
    y = torch.batch_norm(y, self.bn_weight, self.bn_bias, self.bn_mean, self.bn_var, self.training, 0.1, 1e-05, False)
    return torch.relu(y)
)";

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestEncoders : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void importStoresListsAndAudits();
    void badFilesAndOptionsAreRefused_data();
    void badFilesAndOptionsAreRefused();
    void greyImagesBecomeTheEncodersInput();
    void trainsExplainsAndExportsThroughTheEncoder();
    void aFrozenEncoderStaysAsImported();
    void aRunWithoutItsEncoderSaysSo();
    void torchvisionResNet18EndToEnd();
    void builtinEncoderWritesAsTorchScriptFeatures();
    void pretrainStoresAnEncoderToTrainWith();
    void cancelledPretrainingStoresNothing();

private:
    /// Trains run `name` with `extra` settings on the tiny study and returns its id (0 on failure).
    qint64 train(const QString &encoder, const QString &extra);

    QTemporaryDir m_dir;
    QString m_study, m_encoder;
    std::shared_ptr<MultimodalDataset> m_data;
};

void TestEncoders::initTestCase()
{
    QVERIFY(m_dir.isValid());
    std::shared_ptr<Study> study;
    const qint64 id = tiny::makeStudy(m_dir.path(), study);
    QVERIFY(id > 0);
    DatasetOptions o;
    o.imageSize = 32;
    auto ds = MultimodalDataset::load(*study, id, o);
    QVERIFY2(ds, qPrintable(ds.error()));
    m_data = ds.value();
    m_study = study->path();
    m_encoder = m_dir.filePath(QStringLiteral("conv.pt"));
    saveModule(m_encoder, kConvEncoder);
}

void TestEncoders::importStoresListsAndAudits()
{
    auto r = cli({ QStringLiteral("encoder"), QStringLiteral("import"), m_study, m_encoder, QStringLiteral("--name"),
        QStringLiteral("conv"), QStringLiteral("--input-size"), QStringLiteral("32"), QStringLiteral("--actor"),
        QStringLiteral("dr.lee") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const QString sha = sha256(readFile(m_encoder));
    QVERIFY2(r.out.contains(sha), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("returns 6 features on a 16×16 map")), qPrintable(r.out));
    QVERIFY2(r.err.contains(QStringLiteral("is a program")), qPrintable(r.err)); // the trust statement

    r = cli({ QStringLiteral("encoder"), QStringLiteral("list"), m_study, QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonArray list
        = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("encoders")).toArray();
    QCOMPARE(list.size(), 1);
    const QJsonObject e = list.first().toObject();
    QCOMPARE(e.value(QStringLiteral("sha256")).toString(), sha);
    QCOMPARE(e.value(QStringLiteral("channels")).toInt(), 3); // found by running it
    QCOMPARE(e.value(QStringLiteral("features")).toInt(), 6);
    QCOMPARE(e.value(QStringLiteral("parameters")).toInt(), 6 * 3 * 9 + 12);
    QCOMPARE(e.value(QStringLiteral("size")).toInt(), readFile(m_encoder).size());
    QCOMPARE(e.value(QStringLiteral("imported_by")).toString(), QStringLiteral("dr.lee"));
    QCOMPARE(e.value(QStringLiteral("mean")).toArray().size(), 3);
    QCOMPARE(e.value(QStringLiteral("std")).toArray().first().toDouble(), 0.229); // ImageNet's by default

    r = cli({ QStringLiteral("audit"), QStringLiteral("list"), m_study });
    QVERIFY2(r.out.contains(QStringLiteral("encoder.import")) && r.out.contains(QStringLiteral("encoder:conv")),
        qPrintable(r.out + r.err));
    r = cli({ QStringLiteral("audit"), QStringLiteral("verify"), m_study });
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));

    // The same name again is refused and changes nothing.
    r = cli({ QStringLiteral("encoder"), QStringLiteral("import"), m_study, m_encoder, QStringLiteral("--name"),
        QStringLiteral("conv") });
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains(QStringLiteral("already has an encoder named 'conv'")), qPrintable(r.err));
    r = cli({ QStringLiteral("encoder"), QStringLiteral("list"), m_study });
    QCOMPARE(r.out.count(QStringLiteral("\nconv ")), 1);
}

void TestEncoders::badFilesAndOptionsAreRefused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QStringList none;
    QTest::newRow("csv") << "csv" << none << 3 << "not a TorchScript file";
    QTest::newRow("empty") << "empty" << none << 3 << "not a TorchScript file";
    QTest::newRow("truncated") << "truncated" << none << 3 << "not a TorchScript file";
    QTest::newRow("missing file") << "missing" << none << 3 << "cannot be read";
    QTest::newRow("tuple output") << "tuple" << none << 3 << "not a tensor";
    QTest::newRow("3-D output") << "3d" << none << 3 << "an image encoder returns a float feature map";
    QTest::newRow("5-channel input") << "five" << none << 3 << "fails on a blank [1, 3, 224, 224] image";
    QTest::newRow("wrong --channels") << "conv" << QStringList { QStringLiteral("--channels"), QStringLiteral("1") }
                                      << 3 << "fails on a blank [1, 1, 224, 224] image";
    QTest::newRow("no name") << "conv" << QStringList { QStringLiteral("--name"), QString() } << 2 << "--name";
    QTest::newRow("channels 2") << "conv" << QStringList { QStringLiteral("--channels"), QStringLiteral("2") } << 2
                                << "is not 1 or 3";
    QTest::newRow("mean without std") << "conv" << QStringList { QStringLiteral("--mean"), QStringLiteral("0.5") } << 2
                                      << "go together";
    QTest::newRow("mean and std differ") << "conv"
                                         << QStringList { QStringLiteral("--mean"), QStringLiteral("0.5,0.5"),
                                                QStringLiteral("--std"), QStringLiteral("0.2") }
                                         << 2 << "same number";
    QTest::newRow("std zero") << "conv"
                              << QStringList { QStringLiteral("--mean"), QStringLiteral("0.5,0.5,0.5"),
                                     QStringLiteral("--std"), QStringLiteral("0.2,0,0.2") }
                              << 3 << "every std must be above 0";
    QTest::newRow("input size") << "conv" << QStringList { QStringLiteral("--input-size"), QStringLiteral("8") } << 2
                                << "16–1024";
}

void TestEncoders::badFilesAndOptionsAreRefused()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, options);
    QFETCH(int, code);
    QFETCH(QString, message);
    const QString path = m_dir.filePath(QStringLiteral("bad-%1.pt").arg(kind));
    if (kind == QLatin1String("csv"))
        QVERIFY(writeFile(path, "case_id,label\nP1,yes\n"));
    else if (kind == QLatin1String("empty"))
        QVERIFY(writeFile(path, QByteArray()));
    else if (kind == QLatin1String("truncated"))
        QVERIFY(writeFile(path, readFile(m_encoder).left(900)));
    else if (kind == QLatin1String("tuple"))
        saveModule(path, "def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:\n    return x, x\n");
    else if (kind == QLatin1String("3d"))
        saveModule(path, "def forward(self, x: Tensor) -> Tensor:\n    return x.sum(1)\n");
    else if (kind == QLatin1String("five"))
        saveModule(path, kConvEncoder, 5);
    else if (kind == QLatin1String("conv"))
        saveModule(path, kConvEncoder);
    QStringList args { QStringLiteral("encoder"), QStringLiteral("import"), m_study, path };
    if (!options.contains(QStringLiteral("--name")))
        args << QStringLiteral("--name") << QStringLiteral("bad-%1").arg(kind);
    args += options;
    // What the study holds, read in this process (a command per row would cost a start-up each).
    const auto stored = [this] {
        auto study = Study::open(m_study, Study::Mode::ReadOnly);
        auto list = study ? EncoderRepository(*study.value()).list() : Result<std::vector<StoredEncoder>>::failure({});
        QStringList names;
        for (const auto &e : list ? list.value() : std::vector<StoredEncoder>())
            names.append(e.sha256 + e.name);
        return names;
    };
    const QStringList before = stored();
    QVERIFY(!before.isEmpty());
    const auto r = cli(args);
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    if (code == 3 && kind != QLatin1String("missing"))
        QVERIFY2(r.err.contains(path), qPrintable(r.err)); // the file is named
    QCOMPARE(stored(), before); // nothing stored
}

void TestEncoders::greyImagesBecomeTheEncodersInput()
{
    // An encoder that returns its input: the feature map is what the model gives the encoder.
    const QString path = m_dir.filePath(QStringLiteral("identity.pt"));
    saveModule(path, "def forward(self, x: Tensor) -> Tensor:\n    return x * 1.0\n");
    BackboneRequest request;
    request.name = QStringLiteral("identity");
    request.mean = { 0.4, 0.5, 0.6 };
    request.std = { 0.2, 0.25, 0.5 };
    auto probed = probeBackbone(readFile(path), path, request);
    QVERIFY2(probed, qPrintable(probed.error()));
    ModelConfig c = tiny::modelConfig(m_data->spec());
    c.fusion = FusionVariant::Image;
    c.imageBackbone = probed.value();
    QCOMPARE(c.imageBackbone.channels, 3);
    c.imageBackbone.module = readFile(path);
    c.imageBackbone.dataMean = 0.3;
    c.imageBackbone.dataStd = 0.1;
    QVERIFY2(c.validate().isEmpty(), qPrintable(c.validate()));
    FusionNet net(c);
    net->eval();
    const torch::Tensor grey = torch::rand({ 2, 1, 32, 32 });
    torch::Tensor attention, features;
    torch::NoGradGuard noGrad;
    net->imageEncoder()->forward(grey, &attention, &features);
    QCOMPARE(features.sizes().vec(), (std::vector<std::int64_t> { 2, 3, 32, 32 }));
    const torch::Tensor pixels = grey * 0.1 + 0.3; // the dataset's normalisation undone
    for (int ch = 0; ch < 3; ++ch) {
        const torch::Tensor expected = (pixels - request.mean[ch]) / request.std[ch];
        QVERIFY2(torch::allclose(features.select(1, ch), expected.select(1, 0), 1e-5, 1e-5),
            qPrintable(QStringLiteral("channel %1").arg(ch)));
    }
    // With an input size, the image is resized first.
    c.imageBackbone.inputSize = 48;
    FusionNet resized(c);
    resized->eval();
    resized->imageEncoder()->forward(grey, &attention, &features);
    QCOMPARE(features.size(2), 48);
    QCOMPARE(attention.sizes().vec(), (std::vector<std::int64_t> { 2, 48, 48 }));
}

qint64 TestEncoders::train(const QString &encoder, const QString &extra)
{
    const QString cfg = m_dir.filePath(QStringLiteral("config-%1.json").arg(encoder));
    const QByteArray json = QStringLiteral(R"({"epochs": 2, "batch_size": 16, "cache_bytes": 0, "image_encoder": "%1",)"
                                           R"( "model": {"image_size": 32, "embed_dim": 8, "hidden": 8}%2})")
                                .arg(encoder, extra)
                                .toUtf8();
    if (!writeFile(cfg, json))
        return 0;
    const auto r = cli({ QStringLiteral("train"), m_study, QStringLiteral("--config"), cfg, QStringLiteral("--json"),
                           QStringLiteral("--quiet") },
        600000);
    if (r.code != 0) {
        qWarning("%s", qPrintable(r.err + r.out));
        return 0;
    }
    return QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("run_id")).toInteger();
}

void TestEncoders::trainsExplainsAndExportsThroughTheEncoder()
{
    const qint64 run = train(QStringLiteral("conv"), QString());
    QVERIFY(run > 0);
    auto study = Study::open(m_study, Study::Mode::ReadOnly);
    QVERIFY2(study, qPrintable(study.error()));
    auto model = TrainedModel::load(*study.value(), run, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    const ImageBackbone &b = model->config.model.imageBackbone;
    QCOMPARE(b.name, QStringLiteral("conv"));
    QCOMPARE(b.sha256, sha256(readFile(m_encoder)));
    QCOMPARE(b.inputSize, 32);
    QVERIFY(b.dataStd > 0.0 && b.dataStd != 1.0); // the dataset's own normalisation was recorded

    // Trained end to end: the encoder's weights moved from the imported ones, and its batch norm
    // gathered statistics.
    const torch::jit::Module imported = torch::jit::load(m_encoder.toStdString());
    const auto backbone = model->model->imageEncoder()->backbone();
    QVERIFY(backbone);
    const torch::Tensor before = imported.attr("conv_weight").toTensor();
    const torch::Tensor after = backbone->attr("conv_weight").toTensor();
    QVERIFY(!torch::equal(before, after));
    QVERIFY(!torch::equal(backbone->attr("bn_mean").toTensor(), torch::zeros({ 6 })));
    bool named = false;
    for (const auto &p : model->model->named_parameters())
        named = named || p.key() == "image.backbone__conv_weight";
    QVERIFY(named);

    // Explained: Grad-CAM and attention on the encoder's 16×16 map.
    auto r = cli({ QStringLiteral("explain"), m_study, QStringLiteral("--run"), QString::number(run),
        QStringLiteral("--case"), QStringLiteral("T1") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.out.contains(QStringLiteral("Grad-CAM peak at")) && r.out.contains(QStringLiteral("of 16×16")),
        qPrintable(r.out));

    // Exported: the TorchScript model holds the encoder as a submodule, and LibTorch and Python
    // give the model's logits.
    const QString pt = m_dir.filePath(QStringLiteral("with-encoder.pt"));
    r = cli({ QStringLiteral("export"), m_study, QStringLiteral("--run"), QString::number(run),
        QStringLiteral("--torchscript"), pt });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    std::vector<int> cases(12);
    std::iota(cases.begin(), cases.end(), 0);
    Batch batch = m_data->collate(cases);
    batch.imagePresent[2] = false;
    batch.image[2].zero_();
    torch::NoGradGuard noGrad;
    const torch::Tensor native = model->model->forward(batch).logits;
    torch::jit::Module loaded = torch::jit::load(pt.toStdString());
    const std::vector<torch::Tensor> inputs { batch.image, batch.imagePresent, batch.recordValues, batch.recordMissing,
        batch.recordCategory, batch.recordPresent, batch.events, batch.eventMask, batch.historyPresent };
    const torch::Tensor logits = loaded.forward(std::vector<torch::jit::IValue>(inputs.begin(), inputs.end()))
                                     .toTuple()
                                     ->elements()[0]
                                     .toTensor();
    QVERIFY2(torch::allclose(logits, native, 1e-5, 1e-5),
        qPrintable(QString::number((logits - native).abs().max().item<double>())));
    QString error;
    const auto diff
        = pyparity::maxLogitDifference(pt, m_dir.filePath(QStringLiteral("inputs.pt")), inputs, native, &error);
    QVERIFY2(diff, qPrintable(error));
    QVERIFY2(*diff <= 1e-5, qPrintable(QString::number(*diff)));
}

void TestEncoders::aFrozenEncoderStaysAsImported()
{
    // Frozen for both epochs: weights and batch-norm statistics bit for bit the imported ones,
    // while the attention pooling and the rest train.
    const qint64 run = train(QStringLiteral("conv"), QStringLiteral(R"(, "freeze_image_epochs": 2)"));
    QVERIFY(run > 0);
    auto study = Study::open(m_study, Study::Mode::ReadOnly);
    auto model = TrainedModel::load(*study.value(), run, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    const torch::jit::Module imported = torch::jit::load(m_encoder.toStdString());
    const auto backbone = model->model->imageEncoder()->backbone();
    for (const char *name : { "conv_weight", "bn_weight", "bn_bias", "bn_mean", "bn_var" })
        QVERIFY2(torch::equal(imported.attr(name).toTensor(), backbone->attr(name).toTensor()), name);
    const QJsonObject params = model->run.config.value(QStringLiteral("parameters")).toObject();
    QCOMPARE(params.value(QStringLiteral("trainable_while_frozen")).toInteger(),
        params.value(QStringLiteral("total")).toInteger() - (6 * 3 * 9 + 12));
}

void TestEncoders::aRunWithoutItsEncoderSaysSo()
{
    auto study = Study::open(m_study, Study::Mode::ReadOnly);
    ModelConfig c = tiny::modelConfig(m_data->spec());
    c.imageBackbone.name = QStringLiteral("gone");
    c.imageBackbone.sha256 = QString(64, QLatin1Char('a'));
    const Status st = attachImageBackbone(*study.value(), c);
    QVERIFY(!st);
    QVERIFY2(st.error().contains(QStringLiteral("no image encoder with SHA-256 aaaaaaaaaaaa")), qPrintable(st.error()));
    ModelConfig d = tiny::modelConfig(m_data->spec());
    const Status byName = attachImageBackbone(*study.value(), d, QStringLiteral("nope"));
    QVERIFY(!byName);
    QVERIFY2(
        byName.error().contains(QStringLiteral("no image encoder named 'nope' (conv")), qPrintable(byName.error()));
    // A variant without images refuses an encoder.
    const QString cfg = m_dir.filePath(QStringLiteral("record.json"));
    QVERIFY(writeFile(cfg, R"({"epochs": 1, "image_encoder": "conv", "model": {"fusion": "record"}})"));
    const auto r
        = cli({ QStringLiteral("train"), m_study, QStringLiteral("--config"), cfg, QStringLiteral("--quiet") });
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains(QStringLiteral("the record variant reads no image")), qPrintable(r.err));
}

void TestEncoders::torchvisionResNet18EndToEnd()
{
    // scripts/export-torchvision-encoder.py with random weights (python3-torchvision, which
    // scripts/install-deps installs), imported, fine-tuned for two epochs, explained, exported.
    const QString pt = m_dir.filePath(QStringLiteral("resnet18.pt"));
    QProcess py;
    py.start(QStringLiteral("/usr/bin/python3"),
        { QStringLiteral(LEPTON_SOURCE_DIR "/scripts/export-torchvision-encoder.py"), QStringLiteral("resnet18"), pt,
            QStringLiteral("--random") });
    QVERIFY(py.waitForFinished(300000));
    QVERIFY2(py.exitCode() == 0,
        qPrintable(QStringLiteral("python3-torchvision is needed (scripts/install-deps installs it): ")
            + QString::fromUtf8(py.readAllStandardError())));
    auto r = cli({ QStringLiteral("encoder"), QStringLiteral("import"), m_study, pt, QStringLiteral("--name"),
        QStringLiteral("resnet18"), QStringLiteral("--input-size"), QStringLiteral("64") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(
        r.out.contains(QStringLiteral("11.2 M parameters")) && r.out.contains(QStringLiteral("512 features on a 2×2")),
        qPrintable(r.out));
    const qint64 run = train(QStringLiteral("resnet18"), QString());
    QVERIFY(run > 0);
    r = cli({ QStringLiteral("explain"), m_study, QStringLiteral("--run"), QString::number(run),
        QStringLiteral("--case"), QStringLiteral("T3") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.out.contains(QStringLiteral("Grad-CAM peak at")) && r.out.contains(QStringLiteral("of 2×2")),
        qPrintable(r.out));
    const QString exported = m_dir.filePath(QStringLiteral("resnet18-run.pt"));
    r = cli({ QStringLiteral("export"), m_study, QStringLiteral("--run"), QString::number(run),
        QStringLiteral("--torchscript"), exported });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    auto study = Study::open(m_study, Study::Mode::ReadOnly);
    auto model = TrainedModel::load(*study.value(), run, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    Batch batch = m_data->collate({ 0, 1, 2, 3, 4, 5 });
    torch::NoGradGuard noGrad;
    const torch::Tensor native = model->model->forward(batch).logits;
    QString error;
    const auto diff = pyparity::maxLogitDifference(exported, m_dir.filePath(QStringLiteral("r18-inputs.pt")),
        { batch.image, batch.imagePresent, batch.recordValues, batch.recordMissing, batch.recordCategory,
            batch.recordPresent, batch.events, batch.eventMask, batch.historyPresent },
        native, &error);
    QVERIFY2(diff, qPrintable(error));
    QVERIFY2(*diff <= 1e-4, qPrintable(QString::number(*diff)));
}

void TestEncoders::builtinEncoderWritesAsTorchScriptFeatures()
{
    // What `lepton pretrain` stores: the built-in encoder's stem and stages as TorchScript, equal
    // to the encoder's own feature map in evaluation and in training mode (batch statistics).
    ModelConfig c = tiny::modelConfig(m_data->spec());
    c.fusion = FusionVariant::Image;
    torch::manual_seed(5);
    ImageEncoder encoder(c);
    encoder->train();
    const Batch batch = m_data->collate({ 0, 1, 2, 3, 4, 5, 6, 7 });
    for (int i = 0; i < 3; ++i)
        encoder->forward(batch.image, nullptr, nullptr); // running statistics other than 0 and 1
    encoder->eval();
    auto bytes = exportImageFeatures(encoder, c);
    QVERIFY2(bytes, qPrintable(bytes.error()));
    auto module = loadBackboneModule(bytes.value(), QStringLiteral("features"));
    QVERIFY2(module, qPrintable(module.error()));
    torch::jit::Module m = module.value();
    torch::NoGradGuard noGrad;
    torch::Tensor native;
    encoder->forward(batch.image, nullptr, &native);
    m.eval();
    const torch::Tensor scripted = m.forward({ batch.image }).toTensor();
    QVERIFY2(torch::allclose(scripted, native, 1e-5, 1e-5),
        qPrintable(QString::number((scripted - native).abs().max().item<double>())));
    encoder->train();
    m.train();
    encoder->forward(batch.image, nullptr, &native);
    const torch::Tensor trained = m.forward({ batch.image }).toTensor();
    QVERIFY(torch::allclose(trained, native, 1e-5, 1e-5));
    QVERIFY(!torch::allclose(trained, scripted, 1e-3, 1e-3)); // the mode mattered
}

void TestEncoders::pretrainStoresAnEncoderToTrainWith()
{
    auto r = cli({ QStringLiteral("pretrain"), m_study, QStringLiteral("--epochs"), QStringLiteral("3"),
        QStringLiteral("--batch-size"), QStringLiteral("16"), QStringLiteral("--image-size"), QStringLiteral("32"),
        QStringLiteral("--width"), QStringLiteral("8"), QStringLiteral("--depth"), QStringLiteral("2"),
        QStringLiteral("--name"), QStringLiteral("ssl"), QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const QJsonObject out = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(out.value(QStringLiteral("name")).toString(), QStringLiteral("ssl"));
    // Test images are left out: the tiny study's train and val cases only.
    const int notTest = static_cast<int>(m_data->indicesOf(QStringLiteral("train"), false).size()
        + m_data->indicesOf(QStringLiteral("val"), false).size());
    QCOMPARE(out.value(QStringLiteral("images")).toInt(), notTest);
    QCOMPARE(out.value(QStringLiteral("epochs")).toArray().size(), 3);
    QVERIFY(qAbs(out.value(QStringLiteral("chance_loss")).toDouble() - std::log(31.0)) < 1e-9);
    QVERIFY(qAbs(out.value(QStringLiteral("chance_accuracy")).toDouble() - 1.0 / 31.0) < 1e-9);

    r = cli({ QStringLiteral("encoder"), QStringLiteral("list"), m_study, QStringLiteral("--json") });
    QJsonObject stored;
    for (const auto &e : QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("encoders")).toArray())
        if (e.toObject().value(QStringLiteral("name")).toString() == QLatin1String("ssl"))
            stored = e.toObject();
    QVERIFY2(stored.value(QStringLiteral("source")).toString().startsWith(QStringLiteral("lepton pretrain")),
        qPrintable(r.out));
    QCOMPARE(stored.value(QStringLiteral("channels")).toInt(), 1);
    QCOMPARE(stored.value(QStringLiteral("features")).toInt(), 16); // width 8, doubled once
    QCOMPARE(stored.value(QStringLiteral("map_size")).toString(), QStringLiteral("4x4"));
    // Stem 1→8 (72, batch norm 16); stage 8→8 (two 3×3 convolutions of 576, a 1×1 projection of 64,
    // three batch norms of 16); stage 8→16 (1152, 2304, projection 128, three batch norms of 32).
    QCOMPARE(stored.value(QStringLiteral("parameters")).toInteger(), qint64(88 + 1264 + 3680));

    // A run trains through it; the same name again, or a batch larger than the images, is refused.
    QVERIFY(train(QStringLiteral("ssl"), QString()) > 0);
    r = cli({ QStringLiteral("pretrain"), m_study, QStringLiteral("--epochs"), QStringLiteral("1"),
        QStringLiteral("--name"), QStringLiteral("ssl") });
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains(QStringLiteral("already has an encoder named 'ssl'")), qPrintable(r.err));
    // The masked objective: its chance level is the error of filling hidden pixels with the mean.
    r = cli({ QStringLiteral("pretrain"), m_study, QStringLiteral("--method"), QStringLiteral("masked"),
        QStringLiteral("--epochs"), QStringLiteral("2"), QStringLiteral("--batch-size"), QStringLiteral("16"),
        QStringLiteral("--image-size"), QStringLiteral("32"), QStringLiteral("--width"), QStringLiteral("8"),
        QStringLiteral("--depth"), QStringLiteral("2"), QStringLiteral("--name"), QStringLiteral("mim"),
        QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const QJsonObject epoch
        = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("epochs")).toArray().last().toObject();
    QVERIFY(epoch.value(QStringLiteral("chance_loss")).toDouble() > 0.1);
    QCOMPARE(epoch.value(QStringLiteral("accuracy")).toDouble(), -1.0);
    r = cli({ QStringLiteral("encoder"), QStringLiteral("list"), m_study });
    QVERIFY2(r.out.contains(QStringLiteral("masked image (50 % of 8 px patches)")), qPrintable(r.out));
    r = cli({ QStringLiteral("pretrain"), m_study, QStringLiteral("--method"), QStringLiteral("rotation") });
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("contrastive or masked")), qPrintable(r.err));
    r = cli({ QStringLiteral("pretrain"), m_study, QStringLiteral("--batch-size"), QStringLiteral("500"),
        QStringLiteral("--name"), QStringLiteral("big") });
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QStringLiteral("a batch needs 500")), qPrintable(r.err));
}

void TestEncoders::cancelledPretrainingStoresNothing()
{
    auto study = Study::open(m_study, Study::Mode::ReadWrite);
    QVERIFY2(study, qPrintable(study.error()));
    const auto before = EncoderRepository(*study.value()).list();
    PretrainOptions o;
    o.datasetId = 1;
    o.name = QStringLiteral("cancelled");
    o.epochs = 5;
    o.batchSize = 8;
    o.imageSize = 32;
    o.width = 4;
    o.depth = 2;
    int steps = 0;
    PretrainCallbacks cb;
    cb.progress = [&](qint64, qint64, const QString &) { ++steps; };
    cb.cancelled = [&] { return steps >= 2; };
    auto out = pretrainImageEncoder(*study.value(), o, cb);
    QVERIFY(!out);
    QVERIFY2(
        out.error().contains(QStringLiteral("cancelled")) && out.error().contains(QStringLiteral("nothing was stored")),
        qPrintable(out.error()));
    QCOMPARE(steps, 2);
    QCOMPARE(EncoderRepository(*study.value()).list()->size(), before->size());
}

QTEST_GUILESS_MAIN(TestEncoders)
#include "tst_encoders.moc"
