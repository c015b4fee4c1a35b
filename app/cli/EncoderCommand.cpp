// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "model/BackboneModule.h"
#include "store/AuditLog.h"
#include "store/EncoderRepository.h"
#include "store/Study.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

namespace lepton::cli {

namespace {

/// "0.485,0.456,0.406" as numbers; empty when any part is not a number.
std::optional<std::vector<double>> numberList(const QString &text)
{
    std::vector<double> out;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.trimmed().toDouble(&ok);
        if (!ok)
            return std::nullopt;
        out.push_back(v);
    }
    return out;
}

QString joined(const std::vector<double> &v)
{
    QStringList parts;
    for (double x : v)
        parts.append(QString::number(x, 'g', 4));
    return parts.join(QLatin1Char(','));
}

QString megabytes(qint64 bytes)
{
    return QStringLiteral("%1 MB").arg(bytes / 1e6, 0, 'f', 1);
}

QString parameterText(qint64 n)
{
    return n >= 1000000 ? QStringLiteral("%1 M").arg(n / 1e6, 0, 'f', 1) : QString::number(n);
}

QJsonObject encoderJson(const StoredEncoder &e)
{
    QJsonArray mean, std;
    for (double x : e.mean)
        mean.append(x);
    for (double x : e.std)
        std.append(x);
    return QJsonObject { { QStringLiteral("id"), e.id }, { QStringLiteral("name"), e.name },
        { QStringLiteral("format"), e.format }, { QStringLiteral("sha256"), e.sha256 },
        { QStringLiteral("size"), e.size }, { QStringLiteral("parameters"), e.parameters },
        { QStringLiteral("channels"), e.channels }, { QStringLiteral("input_size"), e.inputSize },
        { QStringLiteral("mean"), mean }, { QStringLiteral("std"), std }, { QStringLiteral("features"), e.features },
        { QStringLiteral("map_size"), e.mapSize }, { QStringLiteral("source"), e.source },
        { QStringLiteral("imported_at"), e.importedAt }, { QStringLiteral("imported_by"), e.importedBy } };
}

const QString kTrust = QStringLiteral(
    "A TorchScript file is a program: it runs with your rights whenever a run uses this encoder. Import only "
    "files you would run (docs/TRANSFER.md).");

/// `lepton encoder import STUDY FILE --name NAME …`
int runEncoderImport(const QStringList &args)
{
    const QString command = QStringLiteral("encoder import");
    QCommandLineParser p;
    const QCommandLineOption name(
        QStringLiteral("name"), QStringLiteral("The study's name for the encoder (required)."), QStringLiteral("NAME"));
    const QCommandLineOption inputSize(QStringLiteral("input-size"),
        QStringLiteral("Resize images to N×N before the encoder (default: as the dataset gives them)."),
        QStringLiteral("N"));
    const QCommandLineOption channels(QStringLiteral("channels"),
        QStringLiteral("Channels the encoder reads, 1 or 3 (default: found by running it: 3 if it takes them)."),
        QStringLiteral("C"));
    const QCommandLineOption mean(QStringLiteral("mean"),
        QStringLiteral("Per-channel mean on pixel values in [0, 1], comma-separated (default: ImageNet's for 3 "
                       "channels, 0.449 for 1)."),
        QStringLiteral("M,…"));
    const QCommandLineOption stdev(QStringLiteral("std"),
        QStringLiteral("Per-channel standard deviation, comma-separated (default: ImageNet's, 0.226 for 1)."),
        QStringLiteral("S,…"));
    const QCommandLineOption actor(QStringLiteral("actor"),
        QStringLiteral("Who imports, as recorded in the audit log (default: the OS user, %1).")
            .arg(AuditLog::currentUser()),
        QStringLiteral("NAME"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the stored encoder as JSON."));
    for (const auto &o : { name, inputSize, channels, mean, stdev, actor, json })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("A TorchScript image encoder (torch.jit.save)."));
    if (auto code = parseArguments(p, command,
            QStringLiteral("STUDY FILE --name NAME [--input-size N] [--channels 1|3] [--mean M,… --std S,…]"),
            QStringLiteral("Stores a TorchScript image encoder in the study, with its SHA-256, size and an audit "
                           "entry, after running it once on a blank image to learn what it reads and returns: a "
                           "feature map [B, C, h, w] (pooled features [B, C] work, without maps). Train with it by "
                           "`lepton train --image-encoder NAME` or \"image_encoder\": NAME in the config. "
                           "scripts/export-torchvision-encoder.py writes such a file. ")
                + kTrust,
            args, 2, 2))
        return *code;
    if (!p.isSet(name) || p.value(name).trimmed().isEmpty())
        return usageError(command, QStringLiteral("--name NAME is required: runs refer to the encoder by it"));
    BackboneRequest request;
    request.name = p.value(name).trimmed();
    bool ok = true;
    if (p.isSet(inputSize)) {
        request.inputSize = p.value(inputSize).toInt(&ok);
        if (!ok || request.inputSize < 16 || request.inputSize > 1024)
            return usageError(
                command, QStringLiteral("--input-size: '%1' is not a size in 16–1024").arg(p.value(inputSize)));
    }
    if (p.isSet(channels)) {
        request.channels = p.value(channels).toInt(&ok);
        if (!ok || (request.channels != 1 && request.channels != 3))
            return usageError(command, QStringLiteral("--channels: '%1' is not 1 or 3").arg(p.value(channels)));
    }
    if (p.isSet(mean) != p.isSet(stdev))
        return usageError(command, QStringLiteral("--mean and --std go together"));
    if (p.isSet(mean)) {
        const auto m = numberList(p.value(mean)), s = numberList(p.value(stdev));
        if (!m || !s || m->empty() || m->size() != s->size())
            return usageError(command,
                QStringLiteral("--mean and --std need the same number of comma-separated numbers, one per channel"));
        request.mean = *m;
        request.std = *s;
        if (request.channels == 0)
            request.channels = static_cast<int>(m->size());
    }
    if (p.isSet(actor) && p.value(actor).trimmed().isEmpty())
        return usageError(command, QStringLiteral("--actor needs a name"));
    const QString who = p.isSet(actor) ? p.value(actor).trimmed() : AuditLog::currentUser();
    const QString studyPath = p.positionalArguments().at(0), file = p.positionalArguments().at(1);

    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) {
        printErr(QStringLiteral("lepton %1: %2: cannot be read (%3)\n").arg(command, file, in.errorString()));
        return ExitInvalidInput;
    }
    if (in.size() > qint64(900) * 1000 * 1000) {
        printErr(QStringLiteral("lepton %1: %2: %3 is more than a study keeps in one piece (900 MB)\n")
                     .arg(command, file, megabytes(in.size())));
        return ExitInvalidInput;
    }
    const QByteArray bytes = in.readAll();
    auto study = Study::open(studyPath, Study::Mode::ReadWrite);
    if (!study) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, study.error()));
        return ExitFailure;
    }
    std::pair<int, int> map { 0, 0 };
    auto probed = probeBackbone(bytes, file, request, &map);
    if (!probed) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, probed.error()));
        return ExitInvalidInput;
    }
    const ImageBackbone &b = probed.value();
    StoredEncoder e;
    e.name = request.name;
    e.sha256 = b.sha256;
    e.size = bytes.size();
    if (auto module = loadBackboneModule(bytes, file))
        e.parameters = backboneParameterCount(module.value());
    e.channels = b.channels;
    e.inputSize = b.inputSize;
    e.mean = b.mean;
    e.std = b.std;
    e.features = b.features;
    e.mapSize = QStringLiteral("%1x%2").arg(map.first).arg(map.second);
    e.source = QFileInfo(file).absoluteFilePath();
    e.data = bytes;
    auto id = EncoderRepository(*study.value()).add(e, who);
    if (!id) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, id.error()));
        return ExitFailure;
    }
    if (p.isSet(json)) {
        auto stored = EncoderRepository(*study.value()).find(e.name);
        printJson(QJsonObject { { QStringLiteral("study"), study.value()->path() },
            { QStringLiteral("encoder"), stored ? encoderJson(stored.value()) : QJsonObject() } });
    } else {
        printOut(QStringLiteral("Imported image encoder '%1' from %2: TorchScript, %3, SHA-256 %4, %5 parameters.\n"
                                "It reads %6 channel(s)%7 normalised by mean %8 and std %9, and returns %10 features "
                                "on a %11 map%12.\n")
                     .arg(e.name, file, megabytes(e.size), e.sha256, parameterText(e.parameters))
                     .arg(e.channels)
                     .arg(e.inputSize > 0 ? QStringLiteral(" at %1×%1 px").arg(e.inputSize) : QString())
                     .arg(joined(e.mean), joined(e.std))
                     .arg(e.features)
                     .arg(QString(e.mapSize).replace(QLatin1Char('x'), QChar(0xd7)))
                     .arg(map.first * map.second <= 1 ? QStringLiteral(" (pooled: no spatial maps or Grad-CAM)")
                                                      : QString()));
    }
    printErr(kTrust + QLatin1Char('\n'));
    return ExitOk;
}

/// `lepton encoder list STUDY`
int runEncoderList(const QStringList &args)
{
    const QString command = QStringLiteral("encoder list");
    QCommandLineParser p;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the encoders as JSON."));
    p.addOption(json);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, command, QStringLiteral("STUDY [--json]"),
            QStringLiteral("Lists the study's image encoders: what each reads and returns, its SHA-256 and where it "
                           "came from. The study is only read."),
            args, 1, 1))
        return *code;
    auto study = Study::open(p.positionalArguments().first(), Study::Mode::ReadOnly);
    if (!study) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, study.error()));
        return ExitFailure;
    }
    auto all = EncoderRepository(*study.value()).list();
    if (!all) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, all.error()));
        return ExitFailure;
    }
    if (p.isSet(json)) {
        QJsonArray list;
        for (const auto &e : all.value())
            list.append(encoderJson(e));
        printJson(
            QJsonObject { { QStringLiteral("study"), study.value()->path() }, { QStringLiteral("encoders"), list } });
        return ExitOk;
    }
    if (all->empty()) {
        printOut(
            QStringLiteral("%1 has no image encoders; `lepton encoder import` adds one.\n").arg(study.value()->path()));
        return ExitOk;
    }
    QString text = QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                       .arg(QStringLiteral("NAME").leftJustified(16), QStringLiteral("PARAMS").rightJustified(8),
                           QStringLiteral("CH").rightJustified(3), QStringLiteral("INPUT").rightJustified(6),
                           QStringLiteral("FEAT").rightJustified(5), QStringLiteral("MAP").leftJustified(7),
                           QStringLiteral("SHA-256").leftJustified(13), QStringLiteral("SIZE").rightJustified(9),
                           QStringLiteral("IMPORTED"));
    for (const auto &e : all.value())
        text += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9 by %10 from %11\n")
                    .arg(e.name.leftJustified(16), parameterText(e.parameters).rightJustified(8),
                        QString::number(e.channels).rightJustified(3),
                        (e.inputSize > 0 ? QString::number(e.inputSize) : QStringLiteral("-")).rightJustified(6),
                        QString::number(e.features).rightJustified(5), e.mapSize.leftJustified(7),
                        e.sha256.left(12).leftJustified(13), megabytes(e.size).rightJustified(9), e.importedAt.left(19))
                    .arg(e.importedBy, e.source);
    printOut(text);
    return ExitOk;
}

} // namespace

int runEncoder(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == QLatin1String("import"))
        return runEncoderImport(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("list"))
        return runEncoderList(args.mid(1));
    QCommandLineParser p;
    if (auto code
        = parseArguments(p, QStringLiteral("encoder"), QStringLiteral("(import STUDY FILE --name NAME | list STUDY)"),
            QStringLiteral("The study's image encoders (docs/TRANSFER.md). `lepton encoder import --help`: store a "
                           "TorchScript encoder; `lepton encoder list --help`: list them."),
            args, 0, 0))
        return *code;
    return usageError(QStringLiteral("encoder"), QStringLiteral("name a subcommand: import or list"));
}

} // namespace lepton::cli
