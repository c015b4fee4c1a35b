// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "explain/PredictionService.h"
#include "metrics/CrossValidation.h"
#include "store/DatasetRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/Trainer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace lepton::cli {
namespace {

QString fmt(double v, int decimals = 3)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–");
}

TrainCallbacks cliCallbacks(bool quiet)
{
    TrainCallbacks cb;
    cb.cancelled = interruptCancel();
    const bool tty = stderrIsTerminal();
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    cb.step = [tty, clock, quiet](const StepInfo &s) {
        if (quiet || !tty || (clock->elapsed() < 200 && s.batch + 1 != s.batches))
            return;
        clock->restart();
        printErr(QStringLiteral("\repoch %1  step %2/%3  loss %4  %5 samples/s   ")
                     .arg(s.epoch + 1)
                     .arg(s.batch + 1)
                     .arg(s.batches)
                     .arg(s.loss, 0, 'f', 4)
                     .arg(s.samplesPerSecond, 0, 'f', 0));
    };
    cb.epoch = [tty, quiet](const EpochInfo &e) {
        if (quiet)
            return;
        printErr(QStringLiteral("%1epoch %2/%3  train loss %4  val loss %5  val AUROC %6  val acc %7  (%8 s)%9\n")
                     .arg(tty ? QStringLiteral("\r") : QString())
                     .arg(e.epoch + 1)
                     .arg(e.epochs)
                     .arg(fmt(e.train.loss, 4), fmt(e.val.loss, 4), fmt(e.val.auroc), fmt(e.val.accuracy))
                     .arg(e.seconds, 0, 'f', 1)
                     .arg(e.best ? QStringLiteral("  * best") : QString()));
    };
    cb.log = [quiet](const QString &line) {
        if (!quiet)
            printErr(line + QLatin1Char('\n'));
    };
    return cb;
}

int report(const Result<TrainOutcome> &outcome, bool json, bool quiet)
{
    if (!outcome) {
        printErr(QStringLiteral("lepton train: %1\n").arg(outcome.error()));
        return ExitFailure;
    }
    const TrainOutcome &o = outcome.value();
    // Why a run failed goes to stderr too (without --quiet the trainer's log has already said it).
    if (quiet && o.status == RunStatus::Failed)
        printErr(QStringLiteral("lepton train: run %1 failed: %2\n").arg(o.runId).arg(o.message));
    if (json) {
        printJson(QJsonObject { { QStringLiteral("run_id"), o.runId },
            { QStringLiteral("status"), runStatusName(o.status) }, { QStringLiteral("message"), o.message },
            { QStringLiteral("best_epoch"), o.bestEpoch + 1 }, { QStringLiteral("epochs_run"), o.epochsRun },
            { QStringLiteral("val"), o.val.toJson() }, { QStringLiteral("test"), o.test.toJson() } });
    } else {
        printOut(QStringLiteral("Run %1 %2%3\n")
                     .arg(o.runId)
                     .arg(runStatusName(o.status), o.message.isEmpty() ? QString() : QStringLiteral(": ") + o.message));
        if (o.status == RunStatus::Completed) {
            printOut(QStringLiteral("best epoch %1 of %2\n").arg(o.bestEpoch + 1).arg(o.epochsRun));
            printOut(QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                         .arg(QStringLiteral("split"), -6)
                         .arg(QStringLiteral("AUROC"), 7)
                         .arg(QStringLiteral("AUPRC"), 7)
                         .arg(QStringLiteral("acc"), 7)
                         .arg(QStringLiteral("sens"), 7)
                         .arg(QStringLiteral("spec"), 7)
                         .arg(QStringLiteral("F1"), 7)
                         .arg(QStringLiteral("ECE"), 7));
            for (const auto &[name, m] :
                { std::pair { QStringLiteral("val"), o.val }, std::pair { QStringLiteral("test"), o.test } })
                printOut(QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                             .arg(name, -6)
                             .arg(fmt(m.auroc), 7)
                             .arg(fmt(m.auprc), 7)
                             .arg(fmt(m.accuracy), 7)
                             .arg(fmt(m.sensitivity), 7)
                             .arg(fmt(m.specificity), 7)
                             .arg(fmt(m.f1), 7)
                             .arg(fmt(m.ece), 7));
        }
    }
    return o.status == RunStatus::Completed ? ExitOk : ExitFailure;
}

/// `--folds K`: K runs sharing a cross-validation group, each run's fold predicted (the
/// out-of-fold predictions), then the aggregate printed and stored with every run.
int crossValidate(Study &study, qint64 datasetId, TrainConfig c, int k, const QString &name, bool json, bool quiet)
{
    c.folds = k;
    c.cvGroup
        = QStringLiteral("cv-%1").arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    std::vector<QJsonObject> val, test;
    QJsonArray runs, oof;
    for (int fold = 0; fold < k; ++fold) {
        c.fold = fold;
        const QString runName = (name.isEmpty() ? QStringLiteral("cross-validation") : name)
            + QStringLiteral(" fold %1/%2").arg(fold + 1).arg(k);
        if (!quiet)
            printErr(QStringLiteral("Fold %1 of %2 (%3)\n").arg(fold + 1).arg(k).arg(c.cvGroup));
        auto outcome = Trainer::train(study, datasetId, c, cliCallbacks(quiet), runName);
        if (!outcome || outcome->status != RunStatus::Completed) {
            printErr(QStringLiteral("lepton train: fold %1 of %2 did not complete: %3; the runs so far are kept\n")
                         .arg(fold + 1)
                         .arg(k)
                         .arg(outcome ? outcome->message : outcome.error()));
            return ExitFailure;
        }
        runs.append(outcome->runId);
        val.push_back(outcome->val.toJson());
        test.push_back(outcome->test.toJson());
        // The fold's own cases, predicted by the run that did not train on them.
        PredictOptions po;
        po.runId = outcome->runId;
        po.split = QStringLiteral("val");
        auto predicted = PredictionService::run(study, po);
        if (!predicted) {
            printErr(QStringLiteral("lepton train: out-of-fold predictions of run %1: %2\n")
                         .arg(outcome->runId)
                         .arg(predicted.error()));
            return ExitFailure;
        }
        oof.append(QJsonObject { { QStringLiteral("run"), outcome->runId },
            { QStringLiteral("cases"), predicted->predicted }, { QStringLiteral("metrics"), predicted->metrics } });
    }
    const QJsonObject aggregate { { QStringLiteral("cv_group"), c.cvGroup }, { QStringLiteral("folds"), k },
        { QStringLiteral("runs"), runs }, { QStringLiteral("val"), aggregateMetrics(val) },
        { QStringLiteral("test"), aggregateMetrics(test) }, { QStringLiteral("out_of_fold"), oof } };
    RunRepository repo(study);
    for (const QJsonValue &run : runs)
        if (Status st
            = repo.saveArtifact(run.toInteger(), QStringLiteral("cv"), QStringLiteral("cv_aggregate"), aggregate);
            !st) {
            printErr(QStringLiteral("lepton train: %1\n").arg(st.error()));
            return ExitFailure;
        }
    if (json) {
        printJson(aggregate);
        return ExitOk;
    }
    printOut(QStringLiteral("Cross-validation %1: %2 folds, runs %3\n")
                 .arg(c.cvGroup)
                 .arg(k)
                 .arg(runs.toVariantList().isEmpty()
                         ? QString()
                         : QStringLiteral("%1–%2").arg(runs.first().toInteger()).arg(runs.last().toInteger())));
    printOut(QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("metric"), -17)
                 .arg(QStringLiteral("mean"), 7)
                 .arg(QStringLiteral("SD"), 7)
                 .arg(QStringLiteral("95 % interval"), 17)
                 .arg(QStringLiteral("per fold")));
    for (const auto &[split, metrics] : { std::pair { QStringLiteral("val"), aggregate.value(QStringLiteral("val")) },
             std::pair { QStringLiteral("test"), aggregate.value(QStringLiteral("test")) } }) {
        for (const char *key : { "auroc", "auprc", "accuracy", "sensitivity", "specificity", "f1", "ece" }) {
            const QJsonObject a = metrics.toObject().value(QLatin1String(key)).toObject();
            if (a.isEmpty())
                continue;
            QStringList per;
            for (const QJsonValue &v : a.value(QStringLiteral("values")).toArray())
                per.append(v.isDouble() ? QString::number(v.toDouble(), 'f', 3) : QStringLiteral("–"));
            printOut(QStringLiteral("%1 %2 %3 %4 %5\n")
                         .arg(split + QLatin1Char(' ') + QLatin1String(key), -17)
                         .arg(fmt(a.value(QStringLiteral("mean")).toDouble(std::nan(""))), 7)
                         .arg(fmt(a.value(QStringLiteral("sd")).toDouble(std::nan(""))), 7)
                         .arg(QStringLiteral("%1 – %2").arg(fmt(a.value(QStringLiteral("lo")).toDouble(std::nan(""))),
                                  fmt(a.value(QStringLiteral("hi")).toDouble(std::nan("")))),
                             17)
                         .arg(per.join(QLatin1Char(' '))));
        }
    }
    printOut(
        QStringLiteral("val: each fold validated by the run that did not train on it (out of fold); test: the same "
                       "untouched test split for every run.\n"));
    return ExitOk;
}

} // namespace

int runTrain(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption dataset(
        QStringLiteral("dataset"), QStringLiteral("Dataset id or name (default: the newest)."), QStringLiteral("ID"));
    const QCommandLineOption config(QStringLiteral("config"),
        QStringLiteral("A JSON file with training settings (see docs/TRAINING.md)."), QStringLiteral("FILE"));
    const QCommandLineOption fusion(QStringLiteral("fusion"),
        QStringLiteral("attention (default), concat, image, record, history or text."), QStringLiteral("VARIANT"));
    const QCommandLineOption epochs(
        QStringLiteral("epochs"), QStringLiteral("Epochs (default 30)."), QStringLiteral("N"));
    const QCommandLineOption batch(
        QStringLiteral("batch-size"), QStringLiteral("Batch size (default 32)."), QStringLiteral("N"));
    const QCommandLineOption lr(
        QStringLiteral("lr"), QStringLiteral("Learning rate (default 0.003)."), QStringLiteral("X"));
    const QCommandLineOption imageSize(
        QStringLiteral("image-size"), QStringLiteral("Image side in pixels (default 128)."), QStringLiteral("N"));
    const QCommandLineOption seed(
        QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."), QStringLiteral("S"));
    const QCommandLineOption device(
        QStringLiteral("device"), QStringLiteral("auto (default), cpu or cuda."), QStringLiteral("DEVICE"));
    const QCommandLineOption precision(QStringLiteral("precision"),
        QStringLiteral("auto (default: bfloat16 mixed precision on CUDA, float32 on the CPU), fp32 or bf16."),
        QStringLiteral("P"));
    const QCommandLineOption templateOption(QStringLiteral("template"),
        QStringLiteral("Decision template: medical, finance, generic or a file (default auto: the one whose "
                       "classes are the data's, else generic)."),
        QStringLiteral("NAME|FILE"));
    const QCommandLineOption threads(
        QStringLiteral("threads"), QStringLiteral("LibTorch threads (default: all cores)."), QStringLiteral("N"));
    const QCommandLineOption resume(
        QStringLiteral("resume"), QStringLiteral("Continue a cancelled or interrupted run."), QStringLiteral("RUN"));
    const QCommandLineOption name(
        QStringLiteral("name"), QStringLiteral("A name for the run."), QStringLiteral("NAME"));
    const QCommandLineOption folds(QStringLiteral("folds"),
        QStringLiteral("Cross-validation: K runs, each validated on one of K folds of the train and val cases "
                       "(patients kept together, stratified, seeded by --seed); the test split is untouched. "
                       "Prints and records the mean, SD and 95 % interval of every metric."),
        QStringLiteral("K"));
    const QCommandLineOption imageEncoder(QStringLiteral("image-encoder"),
        QStringLiteral("Start the image modality from the study's encoder NAME (`lepton encoder list`) instead of "
                       "the built-in CNN."),
        QStringLiteral("NAME"));
    const QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("No progress on stderr."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the outcome as JSON."));
    for (const auto &o : { dataset, config, fusion, epochs, batch, lr, imageSize, seed, device, precision,
             templateOption, threads, resume, name, folds, imageEncoder, quiet, json })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("train"), QStringLiteral("STUDY [--dataset ID] [options]"),
            QStringLiteral("Trains a fusion model on a dataset of the study and records the run, its "
                           "metrics and checkpoints there. Ctrl+C cancels cleanly; --resume continues."),
            args, 1, 1))
        return *code;
    auto study = Study::open(p.positionalArguments().first(), Study::Mode::ReadWrite);
    if (!study) {
        printErr(QStringLiteral("lepton train: %1\n").arg(study.error()));
        return ExitFailure;
    }
    if (p.isSet(resume)) {
        bool ok = false;
        const qint64 run = p.value(resume).toLongLong(&ok);
        if (!ok)
            return usageError(QStringLiteral("train"), QStringLiteral("--resume needs a run id"));
        return report(
            Trainer::resume(*study.value(), run, cliCallbacks(p.isSet(quiet))), p.isSet(json), p.isSet(quiet));
    }

    TrainConfig c;
    if (p.isSet(config)) {
        QFile f(p.value(config));
        if (!f.open(QIODevice::ReadOnly)) {
            printErr(QStringLiteral("lepton train: %1: cannot be read (%2)\n").arg(f.fileName(), f.errorString()));
            return ExitInvalidInput;
        }
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
        if (!doc.isObject()) {
            printErr(QStringLiteral("lepton train: %1: not a JSON object (%2 at offset %3)\n")
                         .arg(f.fileName(), error.errorString())
                         .arg(error.offset));
            return ExitInvalidInput;
        }
        auto parsed = TrainConfig::fromJson(doc.object());
        if (!parsed) {
            printErr(QStringLiteral("lepton train: %1: %2\n").arg(f.fileName(), parsed.error()));
            return ExitInvalidInput;
        }
        c = parsed.value();
    }
    auto intOption = [&](const QCommandLineOption &o, int &target) {
        if (!p.isSet(o))
            return true;
        bool ok = false;
        target = p.value(o).toInt(&ok);
        return ok;
    };
    if (p.isSet(fusion)) {
        const auto f = fusionVariantFromName(p.value(fusion));
        if (!f)
            return usageError(QStringLiteral("train"),
                QStringLiteral("--fusion must be attention, concat, image, record, history or text"));
        c.model.fusion = *f;
    }
    if (!intOption(epochs, c.epochs) || !intOption(batch, c.batchSize) || !intOption(imageSize, c.model.imageSize)
        || !intOption(threads, c.threads))
        return usageError(QStringLiteral("train"),
            QStringLiteral("--epochs, --batch-size, --image-size and --threads need whole numbers"));
    if (p.isSet(lr)) {
        bool ok = false;
        c.learningRate = p.value(lr).toDouble(&ok);
        if (!ok)
            return usageError(QStringLiteral("train"), QStringLiteral("--lr needs a number"));
    }
    if (p.isSet(imageEncoder)) {
        if (p.value(imageEncoder).trimmed().isEmpty())
            return usageError(QStringLiteral("train"), QStringLiteral("--image-encoder needs an encoder's name"));
        c.imageEncoder = p.value(imageEncoder).trimmed();
    }
    if (p.isSet(seed)) {
        bool ok = false;
        c.seed = p.value(seed).toULongLong(&ok);
        if (!ok)
            return usageError(QStringLiteral("train"), QStringLiteral("--seed needs a whole number"));
    }
    if (p.isSet(device))
        c.device = p.value(device);
    if (p.isSet(precision))
        c.precision = p.value(precision);
    if (p.isSet(templateOption))
        c.templateName = p.value(templateOption);
    const QString problem = c.validate().isEmpty() ? c.model.validate() : c.validate();
    if (!problem.isEmpty())
        return usageError(QStringLiteral("train"), problem);
    DatasetRepository datasets(*study.value());
    auto ds = datasets.find(p.value(dataset));
    if (!ds) {
        printErr(QStringLiteral("lepton train: %1\n").arg(ds.error()));
        return ExitInvalidInput;
    }
    if (p.isSet(folds)) {
        int k = 0;
        if (!intOption(folds, k) || k < 2 || k > 20)
            return usageError(QStringLiteral("train"), QStringLiteral("--folds needs a whole number from 2 to 20"));
        return crossValidate(*study.value(), ds->id, c, k, p.value(name), p.isSet(json), p.isSet(quiet));
    }
    return report(Trainer::train(*study.value(), ds->id, c, cliCallbacks(p.isSet(quiet)), p.value(name)), p.isSet(json),
        p.isSet(quiet));
}

} // namespace lepton::cli
