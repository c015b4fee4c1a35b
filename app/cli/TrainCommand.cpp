// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "store/DatasetRepository.h"
#include "store/Study.h"
#include "train/Trainer.h"

#include <QElapsedTimer>
#include <QFile>
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

} // namespace

int runTrain(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption dataset(
        QStringLiteral("dataset"), QStringLiteral("Dataset id or name (default: the newest)."), QStringLiteral("ID"));
    const QCommandLineOption config(QStringLiteral("config"),
        QStringLiteral("A JSON file with training settings (see docs/TRAINING.md)."), QStringLiteral("FILE"));
    const QCommandLineOption fusion(QStringLiteral("fusion"),
        QStringLiteral("attention (default), concat, image, record or history."), QStringLiteral("VARIANT"));
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
    const QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("No progress on stderr."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the outcome as JSON."));
    for (const auto &o : { dataset, config, fusion, epochs, batch, lr, imageSize, seed, device, precision,
             templateOption, threads, resume, name, quiet, json })
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
                QStringLiteral("--fusion must be attention, concat, image, record or history"));
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
    return report(Trainer::train(*study.value(), ds->id, c, cliCallbacks(p.isSet(quiet)), p.value(name)), p.isSet(json),
        p.isSet(quiet));
}

} // namespace lepton::cli
