// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "model/TorchScriptExport.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/TrainedModel.h"

#include <QSaveFile>

namespace lepton::cli {

int runExport(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption run(QStringLiteral("run"), QStringLiteral("The run to export."), QStringLiteral("ID"));
    const QCommandLineOption checkpoint(QStringLiteral("checkpoint"),
        QStringLiteral("Write the run's best checkpoint (our format) to FILE, e.g. to start "
                       "another run's image encoder from it (image_encoder_from)."),
        QStringLiteral("FILE"));
    const QCommandLineOption torchscript(QStringLiteral("torchscript"),
        QStringLiteral("Write the run's best model as TorchScript to FILE (Python: torch.jit.load(FILE); inputs and "
                       "outputs in docs/TRAINING.md)."),
        QStringLiteral("FILE"));
    for (const auto &o : { run, checkpoint, torchscript })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("export"),
            QStringLiteral("STUDY --run ID (--checkpoint FILE | --torchscript FILE)"),
            QStringLiteral("Writes a run's model out of the study."), args, 1, 1))
        return *code;
    bool ok = false;
    const qint64 runId = p.value(run).toLongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("export"), QStringLiteral("--run ID is required"));
    if (!p.isSet(checkpoint) && !p.isSet(torchscript))
        return usageError(
            QStringLiteral("export"), QStringLiteral("say what to write: --checkpoint FILE or --torchscript FILE"));
    auto study = Study::open(p.positionalArguments().first(), Study::Mode::ReadOnly);
    if (!study) {
        printErr(QStringLiteral("lepton export: %1\n").arg(study.error()));
        return ExitFailure;
    }
    if (p.isSet(torchscript)) {
        auto model = TrainedModel::load(*study.value(), runId, QStringLiteral("cpu"));
        if (!model) {
            printErr(QStringLiteral("lepton export: %1\n").arg(model.error()));
            return ExitFailure;
        }
        Status st = exportTorchScript(model->model, p.value(torchscript));
        if (!st) {
            printErr(QStringLiteral("lepton export: %1\n").arg(st.error()));
            return ExitFailure;
        }
        printOut(QStringLiteral("Wrote run %1's model (epoch %2) as TorchScript to %3\n")
                     .arg(runId)
                     .arg(model->epoch + 1)
                     .arg(p.value(torchscript)));
        if (!p.isSet(checkpoint))
            return ExitOk;
    }
    RunRepository runs(*study.value());
    auto best = runs.checkpoint(runId, true);
    if (!best)
        best = runs.checkpoint(runId, false);
    if (!best) {
        printErr(QStringLiteral("lepton export: %1\n").arg(best.error()));
        return ExitFailure;
    }
    // QSaveFile: the file appears whole or not at all.
    QSaveFile out(p.value(checkpoint));
    if (!out.open(QIODevice::WriteOnly) || out.write(best->data) != best->data.size() || !out.commit()) {
        printErr(QStringLiteral("lepton export: %1: cannot be written (%2)\n").arg(out.fileName(), out.errorString()));
        return ExitFailure;
    }
    printOut(QStringLiteral("Wrote the checkpoint of run %1, epoch %2 (%3 KiB) to %4\n")
                 .arg(runId)
                 .arg(best->epoch + 1)
                 .arg(best->data.size() / 1024)
                 .arg(out.fileName()));
    return ExitOk;
}

} // namespace lepton::cli
