// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"
#include "store/AuditActions.h"

#include "model/SafeTensors.h"
#include "model/TorchScriptExport.h"
#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/TrainedModel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTemporaryFile>

namespace lepton::cli {
namespace {

QJsonObject runDetails(const RunRecord &run, int epoch, bool best)
{
    return QJsonObject { { QStringLiteral("run_id"), run.id }, { QStringLiteral("run_name"), run.name },
        { QStringLiteral("dataset_id"), run.datasetId }, { QStringLiteral("epoch"), epoch + 1 },
        { QStringLiteral("best"), best } };
}

/// Writes `bytes` to `path` with its audit entry (QSaveFile: the file appears whole or not at all,
/// and only with its entry). Returns the entry's id.
Result<qint64> writeRecorded(Study &study, const QString &path, const QByteArray &bytes, const QString &actor,
    const QString &action, const QString &entity, const QJsonObject &details)
{
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size())
        return Result<qint64>::failure(
            QStringLiteral("%1: cannot be written (%2); choose another place").arg(path, out.errorString()));
    return AuditLog(study).commitExport(out, actor, action, entity, details);
}

/// Writes the run's best model as TorchScript, recorded as export.model.torchscript.
int exportTorchScriptFile(Study &study, qint64 runId, const QString &path, const QString &actor)
{
    auto model = TrainedModel::load(study, runId, QStringLiteral("cpu"));
    if (!model) {
        printErr(QStringLiteral("lepton export: %1\n").arg(model.error()));
        return ExitFailure;
    }
    // The exporter writes a path; it goes to a temporary file first, then through a QSaveFile, so
    // the file appears whole (and is recorded) or not at all.
    QTemporaryFile scratch(QDir::temp().filePath(QStringLiteral("lepton-export-XXXXXX.pt")));
    if (!scratch.open()) {
        printErr(QStringLiteral("lepton export: cannot create a temporary file in %1 (%2)\n")
                     .arg(QDir::tempPath(), scratch.errorString()));
        return ExitFailure;
    }
    scratch.close();
    Status st = exportTorchScript(model->model, scratch.fileName());
    QFile written(scratch.fileName());
    if (st && !written.open(QIODevice::ReadOnly))
        st = Status::failure(
            QStringLiteral("%1: cannot be read back (%2)").arg(scratch.fileName(), written.errorString()));
    if (!st) {
        printErr(QStringLiteral("lepton export: %1\n").arg(st.error()));
        return ExitFailure;
    }
    QJsonObject details = runDetails(model->run, model->epoch, model->run.bestEpoch == model->epoch);
    details.insert(QStringLiteral("format"), QStringLiteral("torchscript"));
    auto id = writeRecorded(study, path, written.readAll(), actor, auditaction::ExportModelTorchScript,
        QStringLiteral("run:%1").arg(runId), details);
    if (!id) {
        printErr(QStringLiteral("lepton export: %1\n").arg(id.error()));
        return ExitFailure;
    }
    printOut(QStringLiteral("Wrote run %1's model (epoch %2) as TorchScript to %3 (audit entry %4)\n")
                 .arg(runId)
                 .arg(model->epoch + 1)
                 .arg(path)
                 .arg(id.value()));
    if (model->spec.hasText()) {
        // The tokenizer that turns a note into text_tokens, as SentencePiece's own model file.
        const QFileInfo info(path);
        const QString tokenizerPath = info.dir().filePath(info.completeBaseName() + QStringLiteral(".tokenizer.model"));
        QJsonObject tokenizerDetails = details;
        tokenizerDetails.insert(QStringLiteral("format"), QStringLiteral("sentencepiece"));
        tokenizerDetails.insert(QStringLiteral("text_fields"), QJsonArray::fromStringList(model->spec.text.fields));
        tokenizerDetails.insert(QStringLiteral("max_tokens"), model->spec.text.maxTokens);
        auto tid = writeRecorded(study, tokenizerPath, model->spec.text.tokenizerModel, actor,
            auditaction::ExportModelTorchScript, QStringLiteral("run:%1").arg(runId), tokenizerDetails);
        if (!tid) {
            printErr(QStringLiteral("lepton export: %1\n").arg(tid.error()));
            return ExitFailure;
        }
        printOut(QStringLiteral("Wrote its tokenizer (SentencePiece; text fields '%1', the first %2 tokens of a note) "
                                "to %3 (audit entry %4)\n")
                     .arg(model->spec.text.fields.join(QStringLiteral("', '")))
                     .arg(model->spec.text.maxTokens)
                     .arg(tokenizerPath)
                     .arg(tid.value()));
    }
    return ExitOk;
}

/// Writes the run's best model's parameters and buffers in the safetensors layout, by the names
/// of the model's state ("image.stem.0.weight"), recorded as export.model.safetensors.
int exportSafeTensorsFile(Study &study, qint64 runId, const QString &path, const QString &actor)
{
    auto model = TrainedModel::load(study, runId, QStringLiteral("cpu"));
    if (!model) {
        printErr(QStringLiteral("lepton export: %1\n").arg(model.error()));
        return ExitFailure;
    }
    std::vector<std::pair<std::string, torch::Tensor>> state;
    for (const auto &p : model->model->named_parameters())
        state.emplace_back(p.key(), p.value());
    for (const auto &b : model->model->named_buffers())
        state.emplace_back(b.key(), b.value());
    const QMap<QString, QString> metadata { { QStringLiteral("format"),
                                                QStringLiteral("lepton-workbench fusion model") },
        { QStringLiteral("run_id"), QString::number(runId) }, { QStringLiteral("run_name"), model->run.name },
        { QStringLiteral("epoch"), QString::number(model->epoch + 1) },
        { QStringLiteral("model_config"),
            QString::fromUtf8(QJsonDocument(model->model->config().toJson()).toJson(QJsonDocument::Compact)) } };
    auto bytes = safetensors::write(state, metadata);
    if (!bytes) {
        printErr(QStringLiteral("lepton export: %1\n").arg(bytes.error()));
        return ExitFailure;
    }
    QJsonObject details = runDetails(model->run, model->epoch, model->run.bestEpoch == model->epoch);
    details.insert(QStringLiteral("format"), QStringLiteral("safetensors"));
    details.insert(QStringLiteral("tensors"), static_cast<qint64>(state.size()));
    auto id = writeRecorded(
        study, path, *bytes, actor, auditaction::ExportModelSafeTensors, QStringLiteral("run:%1").arg(runId), details);
    if (!id) {
        printErr(QStringLiteral("lepton export: %1\n").arg(id.error()));
        return ExitFailure;
    }
    printOut(QStringLiteral("Wrote run %1's weights (epoch %2, %3 tensors) as safetensors to %4 (audit entry %5)\n")
                 .arg(runId)
                 .arg(model->epoch + 1)
                 .arg(state.size())
                 .arg(path)
                 .arg(id.value()));
    return ExitOk;
}

/// Writes the run's best (else newest) checkpoint, recorded as export.model.checkpoint.
int exportCheckpointFile(Study &study, qint64 runId, const QString &path, const QString &actor)
{
    RunRepository runs(study);
    auto run = runs.run(runId);
    if (!run) {
        printErr(QStringLiteral("lepton export: %1\n").arg(run.error()));
        return ExitFailure;
    }
    auto best = runs.checkpoint(runId, true);
    if (!best)
        best = runs.checkpoint(runId, false);
    if (!best) {
        printErr(QStringLiteral("lepton export: %1\n").arg(best.error()));
        return ExitFailure;
    }
    QJsonObject details = runDetails(run.value(), best->epoch, best->best);
    details.insert(QStringLiteral("format"), QStringLiteral("checkpoint"));
    auto id = writeRecorded(study, path, best->data, actor, auditaction::ExportModelCheckpoint,
        QStringLiteral("run:%1").arg(runId), details);
    if (!id) {
        printErr(QStringLiteral("lepton export: %1\n").arg(id.error()));
        return ExitFailure;
    }
    printOut(QStringLiteral("Wrote the checkpoint of run %1, epoch %2 (%3 KiB) to %4 (audit entry %5)\n")
                 .arg(runId)
                 .arg(best->epoch + 1)
                 .arg(best->data.size() / 1024)
                 .arg(path)
                 .arg(id.value()));
    return ExitOk;
}

} // namespace

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
    const QCommandLineOption safeTensors(QStringLiteral("safetensors"),
        QStringLiteral("Write the run's best model's weights in the safetensors layout to FILE (Python: "
                       "safetensors.torch.load_file(FILE); tensor names in docs/TRANSFER.md)."),
        QStringLiteral("FILE"));
    const QCommandLineOption actor(QStringLiteral("actor"),
        QStringLiteral("Who exports, as recorded in the study's audit log (default: the OS user, %1).")
            .arg(AuditLog::currentUser()),
        QStringLiteral("NAME"));
    for (const auto &o : { run, checkpoint, torchscript, safeTensors, actor })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("export"),
            QStringLiteral(
                "STUDY --run ID (--checkpoint FILE | --torchscript FILE | --safetensors FILE) [--actor NAME]"),
            QStringLiteral("Writes a run's model out of the study and records the export (file, SHA-256, who, "
                           "when) in the study's audit log; the study must be writable."),
            args, 1, 1))
        return *code;
    bool ok = false;
    const qint64 runId = p.value(run).toLongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("export"), QStringLiteral("--run ID is required"));
    if (!p.isSet(checkpoint) && !p.isSet(torchscript) && !p.isSet(safeTensors))
        return usageError(QStringLiteral("export"),
            QStringLiteral("say what to write: --checkpoint FILE, --torchscript FILE or --safetensors FILE"));
    if (p.isSet(actor) && p.value(actor).trimmed().isEmpty())
        return usageError(QStringLiteral("export"), QStringLiteral("--actor needs a name"));
    const QString who = p.isSet(actor) ? p.value(actor).trimmed() : AuditLog::currentUser();
    auto study = openForExport(p.positionalArguments().first());
    if (!study) {
        printErr(QStringLiteral("lepton export: %1\n").arg(study.error()));
        return ExitFailure;
    }
    if (p.isSet(torchscript)) {
        const int code = exportTorchScriptFile(*study.value(), runId, p.value(torchscript), who);
        if (code != ExitOk)
            return code;
    }
    if (p.isSet(safeTensors)) {
        const int code = exportSafeTensorsFile(*study.value(), runId, p.value(safeTensors), who);
        if (code != ExitOk)
            return code;
    }
    return p.isSet(checkpoint) ? exportCheckpointFile(*study.value(), runId, p.value(checkpoint), who) : ExitOk;
}

} // namespace lepton::cli
