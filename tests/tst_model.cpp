// SPDX-License-Identifier: GPL-3.0-or-later
#include "PythonParity.h"
#include "TinyStudy.h"

#include "dataset/MultimodalDataset.h"
#include "model/FusionNet.h"
#include "model/TorchScriptExport.h"
#include "train/Checkpoint.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <torch/script.h>
#include <torch/serialize.h>

#include <numeric>

using namespace lepton;

class TestModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void variants_data();
    void variants();
    void missingModalities_data();
    void missingModalities();
    void attentionSumsToOne();
    void checkpointRoundTrip();
    void mismatchedCheckpointIsRefused();
    void tamperedCheckpointIsRefused();
    void foreignFilesAreNotRead();
    void configErrorsNameTheKey();
    void torchScriptExportMatches_data();
    void torchScriptExportMatches();
    void adaptersStartAsTheEncoderAndExport();

private:
    ModelConfig config(FusionVariant v) const;
    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    std::shared_ptr<MultimodalDataset> m_data;
};

void TestModel::initTestCase()
{
    const qint64 id = tiny::makeStudy(m_dir.path(), m_study);
    QVERIFY(id > 0);
    DatasetOptions o;
    o.imageSize = 32;
    auto ds = MultimodalDataset::load(*m_study, id, o);
    QVERIFY2(ds, qPrintable(ds.error()));
    m_data = ds.value();
    torch::manual_seed(0);
}

ModelConfig TestModel::config(FusionVariant v) const
{
    ModelConfig c = tiny::modelConfig(m_data->spec());
    c.fusion = v;
    return c;
}

void TestModel::variants_data()
{
    QTest::addColumn<int>("variant");
    QTest::addColumn<QString>("rnn");
    for (FusionVariant v : { FusionVariant::Attention, FusionVariant::Concat, FusionVariant::Image,
             FusionVariant::Record, FusionVariant::History })
        QTest::newRow(qPrintable(fusionVariantName(v))) << int(v) << QStringLiteral("gru");
    QTest::newRow("attention lstm") << int(FusionVariant::Attention) << QStringLiteral("lstm");
}

void TestModel::variants()
{
    QFETCH(int, variant);
    QFETCH(QString, rnn);
    ModelConfig c = config(FusionVariant(variant));
    c.rnn = rnn;
    FusionNet net(c);
    net->eval();
    const Batch b = m_data->collate({ 0, 1, 2, 3, 4 });
    const FusionOutput out = net->forward(b);
    QCOMPARE(out.logits.sizes(), (c10::IntArrayRef { 5, 2 }));
    QVERIFY(torch::isfinite(out.logits).all().item<bool>());
    QCOMPARE(out.modalityWeights.sizes(), (c10::IntArrayRef { 5, 3 }));
    QCOMPARE(out.imageAttention.defined(), c.usesImage());
    QCOMPARE(out.fieldWeights.defined(), c.usesRecord());
    QCOMPARE(out.temporalWeights.defined(), c.usesHistory());
    if (c.usesImage())
        QCOMPARE(out.imageAttention.sizes(), (c10::IntArrayRef { 5, 4, 4 })); // 32 px, stem + 2 stages
    // Gradients reach every parameter that the variant uses.
    torch::nn::functional::cross_entropy(net->forward(b).logits, b.labels).backward();
    for (const auto &p : net->named_parameters())
        QVERIFY2(p.value().grad().defined(), p.key().c_str());
}

void TestModel::missingModalities_data()
{
    QTest::addColumn<int>("missing");
    QTest::newRow("image") << 0;
    QTest::newRow("record") << 1;
    QTest::newRow("history") << 2;
}

void TestModel::missingModalities()
{
    QFETCH(int, missing);
    FusionNet net(config(FusionVariant::Attention));
    net->eval();
    Batch b = m_data->collate({ 0, 1, 2, 3 });
    torch::Tensor *present = missing == 0 ? &b.imagePresent : missing == 1 ? &b.recordPresent : &b.historyPresent;
    present->fill_(false);
    if (missing == 2) {
        b.eventMask.fill_(false);
        b.eventLengths.fill_(0);
    }
    const FusionOutput out = net->forward(b);
    QVERIFY(torch::isfinite(out.logits).all().item<bool>());
    // The missing modality gets no weight; the others share all of it.
    QCOMPARE(out.modalityWeights.select(1, missing).abs().max().item<float>(), 0.0f);
    QVERIFY(torch::allclose(out.modalityWeights.sum(1), torch::ones({ 4 })));
    // Masked, not zero-filled: changing the hidden modality's data changes nothing.
    Batch changed = b;
    if (missing == 0)
        changed.image = b.image + 5.0;
    else if (missing == 1)
        changed.recordValues = b.recordValues + 5.0;
    else
        changed.events = b.events + 5.0;
    QVERIFY(torch::allclose(net->forward(changed).logits, out.logits));
}

void TestModel::attentionSumsToOne()
{
    FusionNet net(config(FusionVariant::Attention));
    net->eval();
    const Batch b = m_data->collate({ 0, 1, 2, 3, 4, 5 });
    const FusionOutput out = net->forward(b);
    QVERIFY(torch::allclose(out.imageAttention.flatten(1).sum(1), torch::ones({ 6 }), 1e-5, 1e-5));
    QVERIFY(torch::allclose(out.fieldWeights.sum(1), torch::ones({ 6 }), 1e-5, 1e-5));
    QVERIFY(torch::allclose(out.temporalWeights.sum(1), torch::ones({ 6 }), 1e-5, 1e-5));
    QVERIFY(torch::allclose(out.modalityWeights.sum(1), torch::ones({ 6 }), 1e-5, 1e-5));
    // Padded steps get no temporal weight.
    QCOMPARE((out.temporalWeights * b.eventMask.logical_not()).abs().max().item<float>(), 0.0f);
}

void TestModel::checkpointRoundTrip()
{
    FusionNet a(config(FusionVariant::Attention));
    torch::optim::AdamW opt(a->parameters(), torch::optim::AdamWOptions(1e-3));
    const Batch b = m_data->collate({ 0, 1, 2, 3 });
    torch::nn::functional::cross_entropy(a->forward(b).logits, b.labels).backward();
    opt.step();
    auto blob = CheckpointIO::save(a, &opt, 7);
    QVERIFY2(blob, qPrintable(blob.error()));
    FusionNet c(config(FusionVariant::Attention));
    torch::optim::AdamW opt2(c->parameters(), torch::optim::AdamWOptions(1e-3));
    int epoch = -1;
    QVERIFY(CheckpointIO::load(blob.value(), c, &opt2, &epoch));
    QCOMPARE(epoch, 7);
    a->eval();
    c->eval();
    QVERIFY(torch::equal(a->forward(b).logits, c->forward(b).logits));
    // The optimizer state came back: the next step (in eval mode: no dropout) gives identical weights.
    opt.zero_grad();
    opt2.zero_grad();
    for (auto *pair : { &a, &c }) {
        auto &net = *pair;
        torch::nn::functional::cross_entropy(net->forward(b).logits, b.labels).backward();
    }
    opt.step();
    opt2.step();
    const auto pa = a->parameters(), pc = c->parameters();
    for (std::size_t i = 0; i < pa.size(); ++i)
        QVERIFY2(torch::allclose(pa[i], pc[i], 1e-6, 1e-7), qPrintable(QString::number(i)));
}

void TestModel::tamperedCheckpointIsRefused()
{
    FusionNet a(config(FusionVariant::Attention));
    auto blob = CheckpointIO::save(a, nullptr, 2);
    QVERIFY(blob);
    QVERIFY(blob->startsWith(CheckpointIO::signature()));
    QVERIFY(CheckpointIO::verify(*blob));
    // One changed weight byte: the embedded SHA-256 no longer matches.
    QByteArray tampered = *blob;
    tampered[tampered.size() / 2] = char(tampered[tampered.size() / 2] ^ 0x01);
    FusionNet c(config(FusionVariant::Attention));
    Status s = CheckpointIO::load(tampered, c, nullptr);
    QVERIFY(!s);
    QVERIFY2(s.error().contains(QStringLiteral("altered or damaged")), qPrintable(s.error()));
    QVERIFY(!CheckpointIO::verify(tampered));
    // The same through a file given as image_encoder_from.
    const QString path = m_dir.filePath(QStringLiteral("tampered.ckpt"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(tampered);
    f.close();
    s = CheckpointIO::loadImageEncoder(path, c);
    QVERIFY(!s);
    QVERIFY2(
        s.error().startsWith(path) && s.error().contains(QStringLiteral("altered or damaged")), qPrintable(s.error()));
    // A checkpoint from a newer format is refused by its number.
    QByteArray newer = *blob;
    newer[8] = 2;
    s = CheckpointIO::load(newer, c, nullptr);
    QVERIFY2(s.error().contains(QStringLiteral("format 2")), qPrintable(s.error()));
}

void TestModel::foreignFilesAreNotRead()
{
    // A LibTorch archive (zip with a pickle inside) is never read from a file, only our format.
    FusionNet a(config(FusionVariant::Attention));
    const QString archive = m_dir.filePath(QStringLiteral("module.pt"));
    torch::save(a, archive.toStdString());
    QFile f(archive);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray zip = f.readAll();
    QVERIFY(zip.startsWith("PK"));
    FusionNet c(config(FusionVariant::Attention));
    Status s = CheckpointIO::load(zip, c, nullptr, nullptr, CheckpointIO::Source::File);
    QVERIFY(!s);
    QVERIFY2(s.error().contains(QStringLiteral("not read from a file")), qPrintable(s.error()));
    // Nor from a study: only the audited conversion of a trusted study reads such archives.
    s = CheckpointIO::load(zip, c, nullptr, nullptr, CheckpointIO::Source::Study);
    QVERIFY(!s);
    QVERIFY2(s.error().contains(QStringLiteral("lepton runs convert-checkpoints")), qPrintable(s.error()));
    s = CheckpointIO::loadImageEncoder(archive, c);
    QVERIFY(!s);
    QVERIFY2(s.error().contains(QStringLiteral("not a Lepton checkpoint")), qPrintable(s.error()));
    // Nor is any other file.
    s = CheckpointIO::load(QByteArray("\x80\x02}q\x00.", 6), c, nullptr, nullptr, CheckpointIO::Source::File);
    QVERIFY(!s);
}

void TestModel::mismatchedCheckpointIsRefused()
{
    FusionNet a(config(FusionVariant::Attention));
    auto blob = CheckpointIO::save(a, nullptr, 0);
    QVERIFY(blob);
    ModelConfig wider = config(FusionVariant::Attention);
    wider.width = 8;
    FusionNet other(wider);
    Status s = CheckpointIO::load(blob.value(), other, nullptr);
    QVERIFY(!s);
    QVERIFY2(s.error().contains(QStringLiteral("cannot be used with this model")), qPrintable(s.error()));
    QByteArray broken = blob.value();
    broken.truncate(broken.size() / 2);
    FusionNet same(config(FusionVariant::Attention));
    s = CheckpointIO::load(broken, same, nullptr);
    QVERIFY(!s);
}

void TestModel::configErrorsNameTheKey()
{
    auto bad = ModelConfig::fromJson(QJsonObject { { QStringLiteral("fusion"), QStringLiteral("late") } });
    QVERIFY(!bad);
    QVERIFY(bad.error().contains(QStringLiteral("model.fusion")));
    bad = ModelConfig::fromJson(QJsonObject { { QStringLiteral("colour"), 1 } });
    QVERIFY(bad.error().contains(QStringLiteral("model.colour: unknown")));
    bad = ModelConfig::fromJson(QJsonObject { { QStringLiteral("depth"), 9 } });
    QVERIFY(bad.error().contains(QStringLiteral("model.depth")));
    auto good = ModelConfig::fromJson(config(FusionVariant::Concat).toJson());
    QVERIFY(good);
    QCOMPARE(good->fusion, FusionVariant::Concat);
    QCOMPARE(good->fieldCategories, config(FusionVariant::Concat).fieldCategories);
}

void TestModel::torchScriptExportMatches_data()
{
    variants_data();
}

void TestModel::torchScriptExportMatches()
{
    QFETCH(int, variant);
    QFETCH(QString, rnn);
    ModelConfig c = config(FusionVariant(variant));
    c.rnn = rnn;
    FusionNet net(c);
    // A few training-mode passes give the batch norms running statistics other than 0 and 1.
    net->train();
    for (int i = 0; i < 3; ++i)
        net->forward(m_data->collate({ 5, 6, 7, 8, 9, 10, 11, 12 }));
    net->eval();
    std::vector<int> cases(16);
    std::iota(cases.begin(), cases.end(), 0);
    Batch b = m_data->collate(cases);
    b.imagePresent[3] = false; // a missing image, masked like the model masks it
    b.image[3].zero_();
    const QString path = m_dir.filePath(QStringLiteral("model-%1-%2.pt").arg(variant).arg(rnn));
    const Status exported = exportTorchScript(net, path);
    QVERIFY2(exported, qPrintable(exported.error()));
    torch::NoGradGuard noGrad;
    const FusionOutput native = net->forward(b);
    torch::jit::Module loaded = torch::jit::load(path.toStdString());
    const std::vector<torch::jit::IValue> inputs { b.image, b.imagePresent, b.recordValues, b.recordMissing,
        b.recordCategory, b.recordPresent, b.events, b.eventMask, b.historyPresent };
    const auto out = loaded.forward(inputs).toTuple();
    const torch::Tensor logits = out->elements()[0].toTensor();
    QVERIFY2(torch::allclose(logits, native.logits, 1e-5, 1e-5),
        qPrintable(QString::number((logits - native.logits).abs().max().item<double>())));
    QVERIFY(torch::allclose(out->elements()[1].toTensor(), native.modalityWeights, 1e-5, 1e-6));

    // Python's torch.jit.load gives the same outputs, when Debian's python3-torch is there.
    if (QProcess::execute(QStringLiteral("/usr/bin/python3"), { QStringLiteral("-c"), QStringLiteral("import torch") })
        != 0)
        QSKIP("python3-torch is not installed; the LibTorch check above passed");
    const QString data = m_dir.filePath(QStringLiteral("inputs-%1-%2.pt").arg(variant).arg(rnn));
    QString error;
    const std::optional<double> diff = pyparity::maxLogitDifference(path, data,
        { b.image, b.imagePresent, b.recordValues, b.recordMissing, b.recordCategory, b.recordPresent, b.events,
            b.eventMask, b.historyPresent },
        native.logits, &error);
    QVERIFY2(diff, qPrintable(error));
    QVERIFY2(*diff <= 1e-5, qPrintable(QString::number(*diff)));
}

void TestModel::adaptersStartAsTheEncoderAndExport()
{
    // The same weights with and without adapters: the adapters start as the identity.
    torch::manual_seed(4);
    FusionNet plain(config(FusionVariant::Attention));
    ModelConfig withAdapters = config(FusionVariant::Attention);
    withAdapters.imageAdapters = 3;
    FusionNet adapted(withAdapters);
    {
        torch::NoGradGuard noGrad;
        auto mine = adapted->named_parameters();
        for (const auto &p : plain->named_parameters())
            mine[p.key()].copy_(p.value());
        auto buffers = adapted->named_buffers();
        for (const auto &b : plain->named_buffers())
            buffers[b.key()].copy_(b.value());
    }
    int adapterTensors = 0;
    for (const auto &p : adapted->named_parameters())
        adapterTensors += p.key().rfind("image.adapters.", 0) == 0 ? 1 : 0;
    QCOMPARE(adapterTensors, 2 * 2 * 2); // per stage: down and up, weight and bias
    plain->eval();
    adapted->eval();
    std::vector<int> cases(6);
    std::iota(cases.begin(), cases.end(), 0);
    const Batch b = m_data->collate(cases);
    torch::NoGradGuard noGrad;
    QVERIFY(torch::equal(plain->forward(b).logits, adapted->forward(b).logits));
    // Adapters that learned something change the output, and the export computes it too.
    for (auto &p : adapted->named_parameters())
        if (p.key().rfind("image.adapters.", 0) == 0)
            p.value().copy_(torch::randn_like(p.value()) * 0.3);
    const FusionOutput native = adapted->forward(b);
    QVERIFY((native.logits - plain->forward(b).logits).abs().max().item<double>() > 1e-4);
    const QString path = m_dir.filePath(QStringLiteral("adapters.pt"));
    const Status exported = exportTorchScript(adapted, path);
    QVERIFY2(exported, qPrintable(exported.error()));
    torch::jit::Module loaded = torch::jit::load(path.toStdString());
    const std::vector<torch::jit::IValue> inputs { b.image, b.imagePresent, b.recordValues, b.recordMissing,
        b.recordCategory, b.recordPresent, b.events, b.eventMask, b.historyPresent };
    const torch::Tensor logits = loaded.forward(inputs).toTuple()->elements()[0].toTensor();
    QVERIFY2(torch::allclose(logits, native.logits, 1e-5, 1e-5),
        qPrintable(QString::number((logits - native.logits).abs().max().item<double>())));
}

QTEST_GUILESS_MAIN(TestModel)
#include "tst_model.moc"
