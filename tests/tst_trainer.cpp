// SPDX-License-Identifier: GPL-3.0-or-later
#include "TinyStudy.h"

#include "dataset/MultimodalDataset.h"
#include "model/SafeTensors.h"
#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "train/CheckpointConversion.h"
#include "train/Evaluator.h"
#include "train/TrainedModel.h"
#include "train/Trainer.h"
#include "util/TestHooks.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <torch/cuda.h>
#include <torch/serialize.h>

#include <sstream>

#include <cmath>

using namespace lepton;

class TestTrainer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void tinyRunLearnsAndIsRecorded();
    void sameSeedSameMetrics();
    void resumeContinuesTheSameCurve();
    void cancelMidEpochKeepsCheckpoint();
    void nonFiniteLossStopsTheRun();
    void tamperedCheckpointIsRefused();
    void checkpointOfAnEarlierVersionLoadsOnceConverted();
    void badConfigIsRefused();
    void fineTuningChoices();
    void cudaMixedPrecisionTrains();

private:
    TrainConfig tinyConfig() const;
    std::vector<double> valLosses(qint64 runId) const;
    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_dataset = 0;
};

void TestTrainer::initTestCase()
{
    m_dataset = tiny::makeStudy(m_dir.path(), m_study, 80);
    QVERIFY(m_dataset > 0);
}

TrainConfig TestTrainer::tinyConfig() const
{
    return tiny::config();
}

std::vector<double> TestTrainer::valLosses(qint64 runId) const
{
    std::vector<double> out;
    auto rows = RunRepository(*m_study).metrics(runId, QStringLiteral("val"), true);
    for (const MetricRow &r : rows.value())
        if (r.name == QLatin1String("loss"))
            out.push_back(r.value);
    return out;
}

void TestTrainer::tinyRunLearnsAndIsRecorded()
{
    std::vector<double> trainLoss;
    int steps = 0;
    QStringList statuses;
    TrainCallbacks cb;
    cb.step = [&](const StepInfo &) { ++steps; };
    cb.epoch = [&](const EpochInfo &e) { trainLoss.push_back(e.train.loss); };
    cb.status = [&](RunStatus s) { statuses.append(runStatusName(s)); };
    TrainConfig c = tinyConfig();
    c.epochs = 6;
    auto out = Trainer::train(*m_study, m_dataset, c, cb, QStringLiteral("tiny"));
    QVERIFY2(out, qPrintable(out.error()));
    QCOMPARE(out->status, RunStatus::Completed);
    QCOMPARE(statuses, (QStringList { QStringLiteral("running"), QStringLiteral("completed") }));
    QCOMPARE(static_cast<int>(trainLoss.size()), 6);
    QVERIFY2(trainLoss.back() < trainLoss.front() * 0.8,
        qPrintable(QStringLiteral("%1 → %2").arg(trainLoss.front()).arg(trainLoss.back())));
    QCOMPARE(steps, 6 * 7); // 56 train cases / 8
    RunRepository runs(*m_study);
    auto rec = runs.run(out->runId);
    QVERIFY(rec);
    QCOMPARE(rec->status, RunStatus::Completed);
    QCOMPARE(rec->name, QStringLiteral("tiny"));
    QCOMPARE(rec->threads, 1);
    QVERIFY(rec->versions.contains(QStringLiteral("libtorch")));
    QVERIFY(rec->bestEpoch >= 0);
    QVERIFY(rec->config.value(QStringLiteral("feature_spec")).toObject().contains(QStringLiteral("record_fields")));
    auto stepLoss = runs.metrics(out->runId, QStringLiteral("train"));
    QVERIFY(stepLoss);
    QVERIFY(static_cast<int>(stepLoss->size()) > 6 * 7);
    QVERIFY(runs.artifact(out->runId, QStringLiteral("test"), QStringLiteral("roc")));
    QVERIFY(runs.artifact(out->runId, QStringLiteral("val"), QStringLiteral("confusion")));
    QVERIFY(std::isfinite(out->test.auroc));
    QCOMPARE(out->test.n, 12);
    // The best model reloads and predicts.
    auto model = TrainedModel::load(*m_study, out->runId, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    QCOMPARE(model->epoch, rec->bestEpoch);
}

void TestTrainer::sameSeedSameMetrics()
{
    TrainConfig c = tinyConfig();
    c.epochs = 2;
    auto a = Trainer::train(*m_study, m_dataset, c, {});
    auto b = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY(a && b);
    QCOMPARE(valLosses(a->runId), valLosses(b->runId));
    QCOMPARE(a->test.auroc, b->test.auroc);
    c.seed = 2;
    auto d = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY(d);
    QVERIFY(valLosses(a->runId) != valLosses(d->runId));
    // The map terms reach the gradient: switching either changes the curve of the same seed.
    c.seed = 1;
    QVERIFY(c.mapAlignment > 0.0 && c.mapSharpness == 0.0); // the defaults
    for (const char *which : { "map_alignment", "map_sharpness" }) {
        TrainConfig other = c;
        if (QLatin1String(which) == QLatin1String("map_alignment"))
            other.mapAlignment = 0.0;
        else
            other.mapSharpness = 0.2;
        auto e = Trainer::train(*m_study, m_dataset, other, {});
        QVERIFY(e);
        QVERIFY2(valLosses(a->runId) != valLosses(e->runId), which);
    }
}

void TestTrainer::resumeContinuesTheSameCurve()
{
    const TrainConfig c = tinyConfig();
    auto full = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY(full);
    // Cancel in the third epoch, after two finished epochs.
    int epochsDone = 0;
    TrainCallbacks cb;
    cb.epoch = [&](const EpochInfo &) { ++epochsDone; };
    cb.cancelled = [&] { return epochsDone >= 2; };
    auto cut = Trainer::train(*m_study, m_dataset, c, cb);
    QVERIFY(cut);
    QCOMPARE(cut->status, RunStatus::Cancelled);
    QCOMPARE(valLosses(cut->runId).size(), std::size_t(2));
    auto resumed = Trainer::resume(*m_study, cut->runId, {});
    QVERIFY2(resumed, qPrintable(resumed.error()));
    QCOMPARE(resumed->status, RunStatus::Completed);
    const auto expected = valLosses(full->runId), got = valLosses(cut->runId);
    QCOMPARE(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        QVERIFY2(std::abs(got[i] - expected[i]) < 1e-5,
            qPrintable(QStringLiteral("epoch %1: %2 vs %3").arg(i).arg(got[i]).arg(expected[i])));
    // No metric row is duplicated by the resume.
    QSqlQuery q(m_study->database());
    q.prepare(QStringLiteral("SELECT count(*) FROM metrics WHERE run_id = ? AND split = 'val' AND name = 'loss'"));
    q.addBindValue(cut->runId);
    QVERIFY(q.exec() && q.next());
    QCOMPARE(q.value(0).toInt(), 4);
    // A completed run is not resumed.
    QVERIFY(!Trainer::resume(*m_study, cut->runId, {}));
}

void TestTrainer::cancelMidEpochKeepsCheckpoint()
{
    int steps = 0;
    TrainCallbacks cb;
    cb.step = [&](const StepInfo &) { ++steps; };
    cb.cancelled = [&] { return steps >= 10; }; // in the second epoch (7 steps each)
    auto out = Trainer::train(*m_study, m_dataset, tinyConfig(), cb);
    QVERIFY(out);
    QCOMPARE(out->status, RunStatus::Cancelled);
    QVERIFY(out->message.contains(QStringLiteral("checkpoint of epoch 1 is kept")));
    RunRepository runs(*m_study);
    QCOMPARE(runs.run(out->runId)->status, RunStatus::Cancelled);
    auto checkpoint = runs.checkpoint(out->runId, false);
    QVERIFY(checkpoint);
    QCOMPARE(checkpoint->epoch, 0);
    QVERIFY(TrainedModel::load(*m_study, out->runId, QStringLiteral("cpu")));
}

void TestTrainer::nonFiniteLossStopsTheRun()
{
    // The trainer's loss hook (util/TestHooks.h), set for this run only.
    testHooks().lossOffset = [](int step) { return step == 3 ? std::nan("") : 0.0; };
    auto out = Trainer::train(*m_study, m_dataset, tinyConfig(), {});
    testHooks().lossOffset = nullptr;
    QVERIFY(out);
    QCOMPARE(out->status, RunStatus::Failed);
    QVERIFY2(out->message.contains(QStringLiteral("the loss became nan at epoch 1, step 3")), qPrintable(out->message));
    QCOMPARE(RunRepository(*m_study).run(out->runId)->status, RunStatus::Failed);
}

void TestTrainer::tamperedCheckpointIsRefused()
{
    TrainConfig c = tinyConfig();
    c.epochs = 1;
    auto out = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY(out);
    QSqlQuery q(m_study->database());
    q.prepare(QStringLiteral(
        "UPDATE checkpoints SET data = substr(data, 1, 100) || x'00' || substr(data, 102) WHERE run_id = ?"));
    q.addBindValue(out->runId);
    QVERIFY(q.exec());
    auto model = TrainedModel::load(*m_study, out->runId, QStringLiteral("cpu"));
    QVERIFY(!model);
    QVERIFY2(model.error().contains(QStringLiteral("altered")), qPrintable(model.error()));
}

void TestTrainer::checkpointOfAnEarlierVersionLoadsOnceConverted()
{
    // Studies written before our checkpoint format hold LibTorch archives ("model.<name>" tensors
    // and "epoch"). A run's blob in that format, even with its stored hash, is refused (LibTorch's
    // reader trusts its input); the audited conversion of a trusted study makes it load.
    TrainConfig c = tinyConfig();
    c.epochs = 1;
    auto out = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY(out);
    auto current = TrainedModel::load(*m_study, out->runId, QStringLiteral("cpu"));
    QVERIFY2(current, qPrintable(current.error()));
    torch::serialize::OutputArchive archive;
    for (const auto &p : current->model->named_parameters())
        archive.write("model." + p.key(), p.value().detach());
    for (const auto &b : current->model->named_buffers())
        archive.write("model." + b.key(), b.value().detach());
    archive.write("epoch", torch::tensor(static_cast<std::int64_t>(current->epoch)));
    std::ostringstream bytes;
    archive.save_to(bytes);
    const QByteArray legacy = QByteArray::fromStdString(bytes.str());
    QVERIFY(legacy.startsWith("PK"));
    QSqlQuery q(m_study->database());
    q.prepare(QStringLiteral("UPDATE checkpoints SET data = ?, sha256 = ? WHERE run_id = ?"));
    q.addBindValue(legacy);
    q.addBindValue(QString::fromLatin1(QCryptographicHash::hash(legacy, QCryptographicHash::Sha256).toHex()));
    q.addBindValue(out->runId);
    QVERIFY(q.exec());
    auto refusedLoad = TrainedModel::load(*m_study, out->runId, QStringLiteral("cpu"));
    QVERIFY(!refusedLoad);
    QVERIFY2(refusedLoad.error().contains(QStringLiteral("lepton runs convert-checkpoints"))
            && refusedLoad.error().contains(m_study->path()),
        qPrintable(refusedLoad.error()));
    auto conversion = CheckpointConversion::convertRun(*m_study, out->runId, QStringLiteral("tester"));
    QVERIFY2(conversion, qPrintable(conversion.error()));
    QCOMPARE(conversion->converted.size(), 1);
    QVERIFY(conversion->auditEntry > 0);
    auto entries = AuditLog(*m_study).entriesFor(QStringLiteral("run:%1").arg(out->runId));
    QVERIFY(entries && !entries->empty());
    QCOMPARE(entries->back().action, CheckpointConversion::auditAction());
    auto old = TrainedModel::load(*m_study, out->runId, QStringLiteral("cpu"));
    QVERIFY2(old, qPrintable(old.error()));
    QCOMPARE(old->epoch, current->epoch);
    const auto a = current->model->parameters(), b = old->model->parameters();
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        QVERIFY(torch::equal(a[i], b[i]));
    // The same bytes from a file are refused too.
    const QString file = m_dir.filePath(QStringLiteral("legacy.ckpt"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(legacy);
    f.close();
    TrainConfig transfer = tinyConfig();
    transfer.epochs = 1;
    transfer.imageEncoderFrom = file;
    auto refused = Trainer::train(*m_study, m_dataset, transfer, {});
    QVERIFY(!refused || refused->status != RunStatus::Completed);
    const QString message = refused ? refused->message : refused.error();
    QVERIFY2(message.contains(QStringLiteral("not a Lepton checkpoint")), qPrintable(message));
}

void TestTrainer::badConfigIsRefused()
{
    TrainConfig c = tinyConfig();
    c.learningRate = -1;
    auto out = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY(!out);
    QVERIFY(out.error().contains(QStringLiteral("lr")));
    c = tinyConfig();
    c.device = QStringLiteral("cuda");
    if (!torch::cuda::is_available()) {
        out = Trainer::train(*m_study, m_dataset, c, {});
        QVERIFY(!out);
        QVERIFY(out.error().contains(QStringLiteral("CUDA")));
    }
    c = tinyConfig();
    c.precision = QStringLiteral("bf16");
    out = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY(!out);
    QVERIFY2(out.error().contains(QStringLiteral("precision")) && out.error().contains(QStringLiteral("CUDA")),
        qPrintable(out.error()));
    c.precision = QStringLiteral("fp16");
    QVERIFY(c.validate().contains(QStringLiteral("precision")));
    c = tinyConfig();
    c.positiveClass = QStringLiteral("maybe");
    out = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY(!out);
    QVERIFY(out.error().contains(QStringLiteral("positive_class")));
    auto parsed = TrainConfig::fromJson(QJsonObject { { QStringLiteral("epochs"), QStringLiteral("many") } });
    QVERIFY(!parsed);
    QVERIFY(parsed.error().contains(QStringLiteral("epochs")));
    parsed = TrainConfig::fromJson(QJsonObject { { QStringLiteral("map_alignment"), -1 } });
    QVERIFY(!parsed);
    QVERIFY(parsed.error().contains(QStringLiteral("map_alignment")));
    parsed = TrainConfig::fromJson(QJsonObject { { QStringLiteral("map_alignment"), 0 } });
    QVERIFY(parsed && parsed.value().mapAlignment == 0.0);
    QCOMPARE(TrainConfig().toJson().value(QStringLiteral("map_alignment")).toDouble(), 0.5);
}

void TestTrainer::fineTuningChoices()
{
    // A source run whose image encoder the others start from, written as safetensors.
    TrainConfig c = tinyConfig();
    c.epochs = 3;
    auto source = Trainer::train(*m_study, m_dataset, c, {}, QStringLiteral("source"));
    QVERIFY2(source, qPrintable(source.error()));
    auto sourceModel = TrainedModel::load(*m_study, source->runId, QStringLiteral("cpu"));
    QVERIFY2(sourceModel, qPrintable(sourceModel.error()));
    std::vector<std::pair<std::string, torch::Tensor>> state;
    std::map<std::string, torch::Tensor> sourceImage;
    for (const auto &p : sourceModel->model->imageEncoder()->named_parameters())
        state.emplace_back(p.key(), p.value()), sourceImage[p.key()] = p.value().clone();
    for (const auto &b : sourceModel->model->imageEncoder()->named_buffers())
        state.emplace_back(b.key(), b.value()), sourceImage[b.key()] = b.value().clone();
    const QString path = m_dir.filePath(QStringLiteral("source-image.safetensors"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(*safetensors::write(state));
    }
    auto isBase = [](const std::string &name) { return name.rfind("stem.", 0) == 0 || name.rfind("stages.", 0) == 0; };
    // The largest change of the encoder's own weights and statistics from the source.
    auto baseChange = [&](qint64 runId) {
        auto m = TrainedModel::load(*m_study, runId, QStringLiteral("cpu"));
        double most = 0.0;
        for (const auto &p : m->model->imageEncoder()->named_parameters())
            if (isBase(p.key()))
                most = std::max(most, (p.value() - sourceImage.at(p.key())).abs().max().item<double>());
        for (const auto &b : m->model->imageEncoder()->named_buffers())
            if (isBase(b.key()))
                most = std::max(most,
                    (b.value().to(torch::kDouble) - sourceImage.at(b.key()).to(torch::kDouble))
                        .abs()
                        .max()
                        .item<double>());
        return most;
    };
    auto recorded = [&](qint64 runId) {
        return RunRepository(*m_study).run(runId)->config.value(QStringLiteral("parameters")).toObject();
    };

    // Adapters: the encoder's convolutions, batch-norm statistics and projection stay as loaded;
    // the adapters learn; the trainable count leaves out exactly what is frozen.
    c = tinyConfig();
    c.epochs = 2;
    c.imageEncoderFrom = path;
    c.model.imageAdapters = 4;
    QStringList log;
    TrainCallbacks cb;
    cb.log = [&](const QString &line) { log.append(line); };
    auto adapted = Trainer::train(*m_study, m_dataset, c, cb, QStringLiteral("adapters"));
    QVERIFY2(adapted, qPrintable(adapted.error()));
    QCOMPARE(baseChange(adapted->runId), 0.0);
    auto adaptedModel = TrainedModel::load(*m_study, adapted->runId, QStringLiteral("cpu"));
    qint64 base = 0, total = 0;
    double adapterWeight = 0.0;
    for (const auto &p : adaptedModel->model->named_parameters()) {
        total += p.value().numel();
        const std::string key = p.key();
        // Frozen with adapters: the stem, the stages and the projection.
        if (key.rfind("image.", 0) == 0 && (isBase(key.substr(6)) || key.rfind("image.project.", 0) == 0))
            base += p.value().numel();
        if (key.rfind("image.adapters.", 0) == 0 && key.find(".2.weight") != std::string::npos)
            adapterWeight = std::max(adapterWeight, p.value().abs().max().item<double>());
    }
    QVERIFY2(adapterWeight > 0.0, "the adapters' up-projections never left zero");
    const QJsonObject params = recorded(adapted->runId);
    QCOMPARE(params.value(QStringLiteral("total")).toInteger(), total);
    QCOMPARE(params.value(QStringLiteral("trainable")).toInteger(), total - base);
    QVERIFY2(log.filter(QStringLiteral("Trainable parameters: %1 of %2").arg(total - base).arg(total)).size() == 1,
        qPrintable(log.join(QLatin1Char('\n'))));

    // The whole encoder frozen for every epoch: nothing of it moves, statistics included.
    c = tinyConfig();
    c.epochs = 2;
    c.imageEncoderFrom = path;
    c.freezeImageEpochs = 2;
    auto frozen = Trainer::train(*m_study, m_dataset, c, {}, QStringLiteral("frozen"));
    QVERIFY2(frozen, qPrintable(frozen.error()));
    QCOMPARE(baseChange(frozen->runId), 0.0);
    QVERIFY(recorded(frozen->runId).value(QStringLiteral("trainable_while_frozen")).toInteger()
        < recorded(frozen->runId).value(QStringLiteral("trainable")).toInteger());

    // A lower learning rate for the encoder moves it much less than the rest's rate does.
    c = tinyConfig();
    c.epochs = 1;
    c.imageEncoderFrom = path;
    auto full = Trainer::train(*m_study, m_dataset, c, {}, QStringLiteral("full"));
    QVERIFY2(full, qPrintable(full.error()));
    c.imageEncoderLrScale = 0.01;
    auto slow = Trainer::train(*m_study, m_dataset, c, {}, QStringLiteral("slow"));
    QVERIFY2(slow, qPrintable(slow.error()));
    auto weightChange = [&](qint64 runId) {
        auto m = TrainedModel::load(*m_study, runId, QStringLiteral("cpu"));
        const torch::Tensor w = m->model->imageEncoder()->named_parameters()["stem.0.weight"];
        return (w - sourceImage.at("stem.0.weight")).abs().mean().item<double>();
    };
    const double fullChange = weightChange(full->runId), slowChange = weightChange(slow->runId);
    QVERIFY2(fullChange > 0.0 && slowChange < 0.2 * fullChange,
        qPrintable(QStringLiteral("%1 vs %2").arg(slowChange).arg(fullChange)));
    QCOMPARE(RunRepository(*m_study)
                 .run(slow->runId)
                 ->config.value(QStringLiteral("train"))
                 .toObject()
                 .value(QStringLiteral("image_encoder_lr_scale"))
                 .toDouble(),
        0.01);
    c.imageEncoderLrScale = 0.0;
    QVERIFY(c.validate().contains(QStringLiteral("image_encoder_lr_scale")));
    c.imageEncoderLrScale = 1.0;
    c.model.imageAdapters = -1;
    QVERIFY(c.model.validate().contains(QStringLiteral("image_adapters")));
}

void TestTrainer::cudaMixedPrecisionTrains()
{
    if (!torch::cuda::is_available())
        QSKIP("no CUDA device: this LibTorch or machine has none (see docs/GPU.md for a GPU run)");
    std::vector<double> trainLoss;
    TrainCallbacks cb;
    cb.epoch = [&](const EpochInfo &e) { trainLoss.push_back(e.train.loss); };
    TrainConfig c = tinyConfig();
    c.device = QStringLiteral("cuda");
    c.precision = QStringLiteral("bf16");
    c.epochs = 6;
    auto out = Trainer::train(*m_study, m_dataset, c, cb);
    QVERIFY2(out, qPrintable(out.error()));
    QCOMPARE(out->status, RunStatus::Completed);
    QVERIFY2(trainLoss.back() < trainLoss.front() * 0.8,
        qPrintable(QStringLiteral("%1 → %2").arg(trainLoss.front()).arg(trainLoss.back())));
    auto rec = RunRepository(*m_study).run(out->runId);
    QVERIFY(rec);
    QCOMPARE(rec->device, QStringLiteral("cuda"));
    QVERIFY2(!rec->deviceName.startsWith(QStringLiteral("CUDA device")), qPrintable(rec->deviceName));
    QCOMPARE(rec->config.value(QStringLiteral("precision_used")).toString(), QStringLiteral("bf16"));
    // The checkpoint trained on the GPU loads and predicts on the CPU.
    auto model = TrainedModel::load(*m_study, out->runId, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    auto ds = model->dataset(*m_study, m_dataset);
    QVERIFY2(ds, qPrintable(ds.error()));
    const Evaluation ev = evaluateModel(model->model, ds.value(), ds.value()->indicesOf(QStringLiteral("test")),
        torch::Device(torch::kCPU), 8, 1, model->positiveClass);
    QVERIFY(std::isfinite(ev.metrics.auroc));
    QVERIFY(std::abs(ev.metrics.auroc - out->test.auroc) < 0.05);
}

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
