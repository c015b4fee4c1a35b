// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "store/DatasetRepository.h"
#include "store/Study.h"
#include "train/Pretrainer.h"

#include <QJsonArray>

namespace lepton::cli {

namespace {

/// One epoch's figures beside their chance levels.
QString epochLine(const PretrainEpoch &e)
{
    QString line = QStringLiteral("epoch %1/%2  loss %3 (chance %4)")
                       .arg(e.epoch + 1)
                       .arg(e.epochs)
                       .arg(e.loss, 0, 'f', 4)
                       .arg(e.chanceLoss, 0, 'f', 4);
    if (e.accuracy >= 0.0)
        line += QStringLiteral("  pair found %1 (chance %2)")
                    .arg(e.accuracy, 0, 'f', 3)
                    .arg(e.chanceAccuracy, 0, 'f', 3);
    return line + QStringLiteral("  (%1 s)").arg(e.seconds, 0, 'f', 1);
}

} // namespace

int runPretrain(const QStringList &args)
{
    const QString command = QStringLiteral("pretrain");
    QCommandLineParser p;
    const QCommandLineOption dataset(
        QStringLiteral("dataset"), QStringLiteral("Dataset id or name (default: the newest)."), QStringLiteral("ID"));
    const QCommandLineOption name(QStringLiteral("name"),
        QStringLiteral("The encoder's name in the study (default: pretrained-dataset-ID)."), QStringLiteral("NAME"));
    const QCommandLineOption epochs(
        QStringLiteral("epochs"), QStringLiteral("Epochs over the images (default 30)."), QStringLiteral("N"));
    const QCommandLineOption batch(QStringLiteral("batch-size"),
        QStringLiteral("Images per batch, each seen as two views (default 64)."), QStringLiteral("N"));
    const QCommandLineOption imageSize(
        QStringLiteral("image-size"), QStringLiteral("Image side in pixels (default 64)."), QStringLiteral("N"));
    const QCommandLineOption channels(
        QStringLiteral("image-channels"), QStringLiteral("1 (default; colour turned grey) or 3."), QStringLiteral("C"));
    const QCommandLineOption width(QStringLiteral("width"),
        QStringLiteral("Channels of the encoder's first convolution, as model.width (default 16)."),
        QStringLiteral("N"));
    const QCommandLineOption depth(
        QStringLiteral("depth"), QStringLiteral("Residual stages, as model.depth (default 3)."), QStringLiteral("N"));
    const QCommandLineOption lr(
        QStringLiteral("lr"), QStringLiteral("Learning rate (default 0.002)."), QStringLiteral("X"));
    const QCommandLineOption method(QStringLiteral("method"),
        QStringLiteral("contrastive (default: two cropped, augmented views of each image find each other) or masked "
                       "(hidden patches reconstructed from the rest)."),
        QStringLiteral("METHOD"));
    const QCommandLineOption temperature(QStringLiteral("temperature"),
        QStringLiteral("Temperature of the contrastive loss (default 0.2)."), QStringLiteral("T"));
    const QCommandLineOption seed(
        QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."), QStringLiteral("S"));
    const QCommandLineOption threads(
        QStringLiteral("threads"), QStringLiteral("LibTorch threads (default: all cores)."), QStringLiteral("N"));
    const QCommandLineOption includeTest(QStringLiteral("include-test"),
        QStringLiteral("Also learn from the test split's images (left out by default: a test set stays unseen)."));
    const QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("No progress on stderr."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the outcome as JSON."));
    for (const auto &o : { dataset, name, epochs, batch, imageSize, channels, width, depth, lr, method, temperature,
             seed, threads, includeTest, quiet, json })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, command, QStringLiteral("STUDY [--dataset ID] [--epochs N] [--name NAME]"),
            QStringLiteral("Pretrains the built-in image encoder on a dataset's own images, labelled or not, by "
                           "contrastive learning between two augmented views of each image (SimCLR), and stores it "
                           "as one of the study's image encoders: train with it by `lepton train --image-encoder "
                           "NAME`. Each epoch prints the loss and how often a view finds its pair among the batch, "
                           "beside their chance levels. Ctrl+C cancels; nothing is stored then (docs/TRANSFER.md)."),
            args, 1, 1))
        return *code;
    PretrainOptions o;
    auto intOption = [&](const QCommandLineOption &opt, int &target) {
        if (!p.isSet(opt))
            return true;
        bool ok = false;
        target = p.value(opt).toInt(&ok);
        return ok;
    };
    if (!intOption(epochs, o.epochs) || !intOption(batch, o.batchSize) || !intOption(imageSize, o.imageSize)
        || !intOption(channels, o.imageChannels) || !intOption(width, o.width) || !intOption(depth, o.depth)
        || !intOption(threads, o.threads))
        return usageError(command,
            QStringLiteral("--epochs, --batch-size, --image-size, --image-channels, --width, "
                           "--depth and --threads need whole numbers"));
    if (o.imageChannels != 1 && o.imageChannels != 3)
        return usageError(command, QStringLiteral("--image-channels: use 1 or 3"));
    for (const auto &[opt, target] :
        { std::pair { &lr, &o.learningRate }, std::pair { &temperature, &o.temperature } }) {
        if (!p.isSet(*opt))
            continue;
        bool ok = false;
        *target = p.value(*opt).toDouble(&ok);
        if (!ok)
            return usageError(command, QStringLiteral("--%1 needs a number").arg(opt->names().first()));
    }
    if (p.isSet(seed)) {
        bool ok = false;
        o.seed = p.value(seed).toULongLong(&ok);
        if (!ok)
            return usageError(command, QStringLiteral("--seed needs a whole number"));
    }
    o.includeTest = p.isSet(includeTest);
    if (p.isSet(method)) {
        o.method = p.value(method);
        if (o.method != QLatin1String("contrastive") && o.method != QLatin1String("masked"))
            return usageError(command, QStringLiteral("--method: use contrastive or masked"));
    }
    auto study = Study::open(p.positionalArguments().first(), Study::Mode::ReadWrite);
    if (!study) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, study.error()));
        return ExitFailure;
    }
    auto ds = DatasetRepository(*study.value()).find(p.value(dataset));
    if (!ds) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, ds.error()));
        return ExitInvalidInput;
    }
    o.datasetId = ds->id;
    o.name = p.isSet(name) ? p.value(name).trimmed() : QStringLiteral("pretrained-dataset-%1").arg(ds->id);

    PretrainCallbacks cb;
    cb.cancelled = interruptCancel();
    const bool talk = !p.isSet(quiet);
    if (talk) {
        cb.log = [](const QString &line) { printErr(line + QLatin1Char('\n')); };
        cb.progress = stderrProgress();
        cb.epoch = [](const PretrainEpoch &e) { printErr(epochLine(e) + QLatin1Char('\n')); };
    }
    auto out = pretrainImageEncoder(*study.value(), o, cb);
    if (!out) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, out.error()));
        return interruptRequested() ? ExitFailure : ExitInvalidInput;
    }
    const PretrainEpoch &last = out->epochs.back();
    if (p.isSet(json)) {
        QJsonArray epochsJson;
        for (const auto &e : out->epochs)
            epochsJson.append(
                QJsonObject { { QStringLiteral("loss"), e.loss }, { QStringLiteral("chance_loss"), e.chanceLoss },
                    { QStringLiteral("accuracy"), e.accuracy }, { QStringLiteral("seconds"), e.seconds } });
        printJson(QJsonObject { { QStringLiteral("study"), study.value()->path() },
            { QStringLiteral("encoder_id"), out->encoderId }, { QStringLiteral("name"), out->name },
            { QStringLiteral("sha256"), out->sha256 }, { QStringLiteral("images"), out->images },
            { QStringLiteral("method"), o.method }, { QStringLiteral("chance_loss"), last.chanceLoss },
            { QStringLiteral("chance_accuracy"), last.chanceAccuracy }, { QStringLiteral("epochs"), epochsJson } });
    } else {
        printOut(QStringLiteral("Pretrained image encoder '%1' (%2) on %3 images; last %4. Stored in the study "
                                "(SHA-256 %5…); train with it by `lepton train --image-encoder %1`.\n")
                     .arg(out->name, o.method)
                     .arg(out->images)
                     .arg(epochLine(last).section(QStringLiteral("  "), 1))
                     .arg(out->sha256.left(12)));
    }
    return ExitOk;
}

} // namespace lepton::cli
