// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"
#include "explain/Redecide.h"
#include "store/AuditActions.h"
#include "train/TensorBoard.h"

#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/CheckpointConversion.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>

#include <cmath>

namespace lepton::cli {

namespace {

/// `lepton runs convert-checkpoints`: the only way a LibTorch archive in a study is read.
int runConvertCheckpoints(const QStringList &args)
{
    const QString command = QStringLiteral("runs convert-checkpoints");
    QCommandLineParser p;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption run(
        QStringLiteral("run"), QStringLiteral("The run whose checkpoints to convert."), QStringLiteral("ID"));
    const QCommandLineOption actor(QStringLiteral("actor"),
        QStringLiteral("Who converts, as recorded in the study's audit log (default: the OS user, %1).")
            .arg(AuditLog::currentUser()),
        QStringLiteral("NAME"));
    for (const auto &o : { json, run, actor })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton), one you trust."));
    if (auto code = parseArguments(p, command, QStringLiteral("STUDY --run ID [--actor NAME] [--json]"),
            QStringLiteral("Converts the checkpoints that an earlier version of Lepton Workbench stored as LibTorch "
                           "archives into the current checkpoint format, so that the run can be evaluated, used for "
                           "predictions and resumed. Other commands refuse such checkpoints.\n\n"
                           "This TRUSTS THE STUDY FILE: the archives are read with LibTorch's archive reader, which "
                           "a crafted file can crash or worse. Convert only a study that you or your team trained, "
                           "never one received from someone you do not trust. The conversion is recorded in the "
                           "study's audit log (action run.convert_checkpoints, with the old and new SHA-256 of "
                           "each checkpoint); the study must be writable."),
            args, 1, 1))
        return *code;
    bool ok = false;
    const qint64 runId = p.value(run).toLongLong(&ok);
    if (!p.isSet(run) || !ok || runId <= 0)
        return usageError(command, QStringLiteral("--run needs the id of a run (see `lepton runs STUDY`)"));
    if (p.isSet(actor) && p.value(actor).trimmed().isEmpty())
        return usageError(command, QStringLiteral("--actor needs a name"));
    auto study = openForExport(p.positionalArguments().first());
    if (!study) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, study.error()));
        return ExitFailure;
    }
    auto report = CheckpointConversion::convertRun(
        *study.value(), runId, p.isSet(actor) ? p.value(actor).trimmed() : AuditLog::currentUser());
    if (!report) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, report.error()));
        return ExitFailure;
    }
    auto epochs = [](const QList<int> &list) {
        QStringList shown;
        for (int e : list)
            shown << QString::number(e + 1);
        return shown;
    };
    if (p.isSet(json)) {
        printJson(QJsonObject { { QStringLiteral("study"), study.value()->path() }, { QStringLiteral("run_id"), runId },
            { QStringLiteral("converted_epochs"), QJsonArray::fromStringList(epochs(report->converted)) },
            { QStringLiteral("current_epochs"), QJsonArray::fromStringList(epochs(report->current)) },
            { QStringLiteral("audit_entry"), report->auditEntry } });
    } else if (report->converted.isEmpty()) {
        printOut(QStringLiteral("Run %1 has no LibTorch-archive checkpoint; nothing was changed\n").arg(runId));
    } else {
        printOut(
            QStringLiteral("Converted the checkpoints of run %1 (epochs %2) to the current format (audit entry %3)\n")
                .arg(runId)
                .arg(epochs(report->converted).join(QStringLiteral(", ")))
                .arg(report->auditEntry));
    }
    return ExitOk;
}

/// `lepton runs redecide`: a run's stored predictions decided again under another template.
int runRedecide(const QStringList &args)
{
    const QString command = QStringLiteral("runs redecide");
    QCommandLineParser p;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption run(
        QStringLiteral("run"), QStringLiteral("The run whose predictions to re-decide."), QStringLiteral("ID"));
    const QCommandLineOption templateOption(QStringLiteral("template"),
        QStringLiteral("The template: a built-in one (%1) or a template file (`lepton template init` writes one).")
            .arg(DomainTemplate::builtinNames().join(QStringLiteral(", "))),
        QStringLiteral("NAME|FILE"));
    const QCommandLineOption actor(QStringLiteral("actor"),
        QStringLiteral("Who re-decides, as recorded in the study's audit log (default: the OS user, %1).")
            .arg(AuditLog::currentUser()),
        QStringLiteral("NAME"));
    const QCommandLineOption dryRun(
        QStringLiteral("dry-run"), QStringLiteral("Show what would change; write nothing (the study is only read)."));
    for (const auto &o : { json, run, templateOption, actor, dryRun })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, command,
            QStringLiteral("STUDY --run ID --template NAME|FILE [--actor NAME] [--dry-run] [--json]"),
            QStringLiteral("Decides a run's stored predictions again with another template, without retraining or "
                           "predicting: each prediction's stored calibrated probabilities get the new template's "
                           "decision, grade, expected cost and referral. The run keeps its positive class unless the "
                           "template names one. The template, bound to the run's classes and fields, replaces the "
                           "run's own in its config, so later predictions and explanations decide with it. Everything "
                           "is written in one transaction with an audit log entry (action run.redecide: old and new "
                           "template, how many decisions changed and how); the study must be writable. Stored "
                           "explanations and reviews are kept; explain again to explain the new decisions. A run "
                           "still training is refused."),
            args, 1, 1))
        return *code;
    bool ok = false;
    const qint64 runId = p.value(run).toLongLong(&ok);
    if (!p.isSet(run) || !ok || runId <= 0)
        return usageError(command, QStringLiteral("--run needs the id of a run (see `lepton runs STUDY`)"));
    if (!p.isSet(templateOption) || p.value(templateOption).trimmed().isEmpty())
        return usageError(command, QStringLiteral("--template needs a built-in template's name or a template file"));
    if (p.isSet(actor) && p.value(actor).trimmed().isEmpty())
        return usageError(command, QStringLiteral("--actor needs a name"));
    auto chosen = DomainTemplate::load(p.value(templateOption));
    if (!chosen) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, chosen.error()));
        return ExitInvalidInput;
    }
    const QString path = p.positionalArguments().first();
    auto study = Study::open(path, p.isSet(dryRun) ? Study::Mode::ReadOnly : Study::Mode::ReadWrite);
    if (!study) {
        const QFileInfo file(path);
        if (!p.isSet(dryRun) && file.isFile() && (!file.isWritable() || !QFileInfo(file.absolutePath()).isWritable()))
            printErr(QStringLiteral("lepton %1: %2: is read-only (the file or its folder); nothing was re-decided. "
                                    "Re-deciding is recorded in the study's audit log: copy the study to a folder "
                                    "you can write to, or add --dry-run to see what would change\n")
                         .arg(command, path));
        else
            printErr(QStringLiteral("lepton %1: %2\n").arg(command, study.error()));
        return ExitFailure;
    }
    RedecideOptions options;
    options.write = !p.isSet(dryRun);
    options.source = p.value(templateOption);
    auto outcome = redecideRun(*study.value(), runId, chosen.value(),
        p.isSet(actor) ? p.value(actor).trimmed() : AuditLog::currentUser(), options);
    if (!outcome) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, outcome.error()));
        return ExitFailure;
    }
    const RedecideOutcome &o = outcome.value();
    if (p.isSet(json)) {
        QJsonObject out = o.toJson();
        out.insert(QStringLiteral("study"), study.value()->path());
        out.insert(QStringLiteral("dry_run"), p.isSet(dryRun));
        out.insert(QStringLiteral("written"), o.written);
        out.insert(QStringLiteral("audit_entry"), o.auditEntry > 0 ? QJsonValue(o.auditEntry) : QJsonValue());
        printJson(out);
        return ExitOk;
    }
    auto shown = [](const QString &decision) { return decision.isEmpty() ? QStringLiteral("(none)") : decision; };
    auto counts = [&](const QMap<QString, int> &m) {
        QStringList parts;
        for (auto it = m.begin(); it != m.end(); ++it)
            parts << QStringLiteral("%1 %2").arg(shown(it.key())).arg(it.value());
        return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
    };
    QString text = QStringLiteral("Run %1 %2 with template \"%3\" (was \"%4\"): %5 of %6 decisions %7\n")
                       .arg(runId)
                       .arg(p.isSet(dryRun) ? QStringLiteral("would be re-decided") : QStringLiteral("re-decided"))
                       .arg(o.newTemplate, o.oldTemplate)
                       .arg(o.changed)
                       .arg(o.predictions)
                       .arg(p.isSet(dryRun) ? QStringLiteral("would change") : QStringLiteral("changed"));
    text += QStringLiteral("  Rule: %1\n").arg(o.rule);
    if (o.positiveClass != o.oldPositiveClass)
        text += QStringLiteral("  Positive class: %1 (was %2)\n").arg(o.positiveClass, o.oldPositiveClass);
    for (const RedecideOutcome::Transition &t : o.transitions)
        text += QStringLiteral("  %1 → %2: %3\n").arg(shown(t.from), shown(t.to)).arg(t.cases);
    text += QStringLiteral("  Changed to, per decision: %1\n").arg(counts(o.changedTo));
    text += QStringLiteral("  Decisions now: %1 (before: %2)\n").arg(counts(o.after), counts(o.before));
    text += QStringLiteral("  Referred to review: %1 (before: %2)\n").arg(o.referredAfter).arg(o.referredBefore);
    if (o.written)
        text += QStringLiteral("The run's config now holds the template; audit entry %1\n").arg(o.auditEntry);
    else if (!p.isSet(dryRun))
        text += QStringLiteral("The run already decides with this template; nothing was written\n");
    printOut(text);
    return ExitOk;
}

} // namespace

int runRuns(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == QLatin1String("convert-checkpoints"))
        return runConvertCheckpoints(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("redecide"))
        return runRedecide(args.mid(1));
    QCommandLineParser p;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption run(
        QStringLiteral("run"), QStringLiteral("With --tensorboard: the run to write."), QStringLiteral("ID"));
    const QCommandLineOption tensorboard(QStringLiteral("tensorboard"),
        QStringLiteral("Write the run's metrics as a TensorBoard event file into DIR (`tensorboard --logdir DIR`)."),
        QStringLiteral("DIR"));
    const QCommandLineOption actor(QStringLiteral("actor"),
        QStringLiteral("With --tensorboard: who exports, as recorded in the study's audit log (default: the OS "
                       "user, %1).")
            .arg(AuditLog::currentUser()),
        QStringLiteral("NAME"));
    for (const auto &o : { json, run, tensorboard, actor })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("runs"),
            QStringLiteral("STUDY [--json] | STUDY --run ID --tensorboard DIR [--actor NAME] | redecide STUDY --run ID "
                           "--template NAME|FILE [--actor NAME] | convert-checkpoints STUDY --run ID [--actor NAME]"),
            QStringLiteral("Lists the training runs of a study with their key metrics, or writes one run's metrics "
                           "as a TensorBoard event file (recorded in the study's audit log; the study must be "
                           "writable). `lepton runs redecide --help`: deciding a run's stored predictions again with "
                           "another template. `lepton runs convert-checkpoints --help`: converting the checkpoints of "
                           "an earlier version, for a study you trust."),
            args, 1, 1))
        return *code;
    if (p.isSet(actor) && p.value(actor).trimmed().isEmpty())
        return usageError(QStringLiteral("runs"), QStringLiteral("--actor needs a name"));
    auto study = p.isSet(tensorboard) ? openForExport(p.positionalArguments().first())
                                      : Study::open(p.positionalArguments().first(), Study::Mode::ReadOnly);
    if (!study) {
        printErr(QStringLiteral("lepton runs: %1\n").arg(study.error()));
        return ExitFailure;
    }
    RunRepository repo(*study.value());
    if (p.isSet(tensorboard)) {
        bool ok = false;
        const qint64 runId = p.value(run).toLongLong(&ok);
        if (!ok)
            return usageError(QStringLiteral("runs"), QStringLiteral("--tensorboard needs --run ID"));
        auto rec = repo.run(runId);
        auto rows = rec ? repo.metrics(runId) : Result<std::vector<MetricRow>>::failure(rec.error());
        if (!rows) {
            printErr(QStringLiteral("lepton runs: %1\n").arg(rows.error()));
            return ExitFailure;
        }
        const QDateTime started = QDateTime::fromString(rec->startedAt, Qt::ISODate);
        auto path = writeTensorBoard(p.value(tensorboard), rows.value(),
            started.isValid() ? started.toSecsSinceEpoch() : QDateTime::currentSecsSinceEpoch());
        if (!path) {
            printErr(QStringLiteral("lepton runs: %1\n").arg(path.error()));
            return ExitFailure;
        }
        auto id = AuditLog(*study.value())
                      .recordExport(path.value(), p.isSet(actor) ? p.value(actor).trimmed() : AuditLog::currentUser(),
                          auditaction::ExportMetricsTensorBoard, QStringLiteral("run:%1").arg(runId),
                          QJsonObject { { QStringLiteral("run_id"), runId }, { QStringLiteral("run_name"), rec->name },
                              { QStringLiteral("dataset_id"), rec->datasetId },
                              { QStringLiteral("format"), QStringLiteral("tensorboard") },
                              { QStringLiteral("values"), static_cast<qint64>(rows->size()) } });
        if (!id) {
            printErr(QStringLiteral("lepton runs: %1\n").arg(id.error()));
            return ExitFailure;
        }
        printOut(QStringLiteral("Wrote %1 metric values of run %2 to %3 (audit entry %4)\n")
                     .arg(rows->size())
                     .arg(runId)
                     .arg(path.value())
                     .arg(id.value()));
        return ExitOk;
    }
    auto runs = repo.runs();
    if (!runs) {
        printErr(QStringLiteral("lepton runs: %1\n").arg(runs.error()));
        return ExitFailure;
    }
    // A read-only open does not mark runs whose process has ended; show them as the next writable
    // open will store them.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (RunRecord &r : runs.value())
        if (RunRepository::ownerGone(r, now)) {
            r.status = RunStatus::Interrupted;
            r.message = QStringLiteral("the process ended during training; resume it");
        }
    QJsonArray list;
    QString table = QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9\n")
                        .arg(QStringLiteral("id"), 3)
                        .arg(QStringLiteral("name"), -22)
                        .arg(QStringLiteral("status"), -11)
                        .arg(QStringLiteral("fusion"), -9)
                        .arg(QStringLiteral("best"), 4)
                        .arg(QStringLiteral("val AUROC"), 9)
                        .arg(QStringLiteral("test AUROC"), 10)
                        .arg(QStringLiteral("test acc"), 8)
                        .arg(QStringLiteral("minutes"), 7);
    for (const RunRecord &r : runs.value()) {
        QMap<QString, double> finals;
        auto metrics = repo.metrics(r.id, QString(), true);
        if (metrics)
            for (const MetricRow &m : metrics.value())
                if (m.split.startsWith(QStringLiteral("final_")))
                    finals.insert(m.split.mid(6) + QLatin1Char('.') + m.name, m.value);
        const double minutes = QDateTime::fromString(r.startedAt, Qt::ISODateWithMs)
                                   .msecsTo(QDateTime::fromString(r.endedAt, Qt::ISODateWithMs))
            / 60000.0;
        const QString fusion = r.config.value(QStringLiteral("train"))
                                   .toObject()
                                   .value(QStringLiteral("model"))
                                   .toObject()
                                   .value(QStringLiteral("fusion"))
                                   .toString();
        auto v = [&](const QString &key) {
            return finals.contains(key) && std::isfinite(finals.value(key)) ? QString::number(finals.value(key), 'f', 3)
                                                                            : QStringLiteral("–");
        };
        table += QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9\n")
                     .arg(r.id, 3)
                     .arg(r.name.left(22), -22)
                     .arg(runStatusName(r.status), -11)
                     .arg(fusion, -9)
                     .arg(r.bestEpoch >= 0 ? QString::number(r.bestEpoch + 1) : QStringLiteral("–"), 4)
                     .arg(v(QStringLiteral("val.auroc")), 9)
                     .arg(v(QStringLiteral("test.auroc")), 10)
                     .arg(v(QStringLiteral("test.accuracy")), 8)
                     .arg(r.endedAt.isEmpty() ? QStringLiteral("–") : QString::number(minutes, 'f', 1), 7);
        QJsonObject o { { QStringLiteral("id"), r.id }, { QStringLiteral("name"), r.name },
            { QStringLiteral("status"), runStatusName(r.status) }, { QStringLiteral("message"), r.message },
            { QStringLiteral("fusion"), fusion }, { QStringLiteral("dataset_id"), r.datasetId },
            { QStringLiteral("best_epoch"), r.bestEpoch + 1 }, { QStringLiteral("device"), r.device },
            { QStringLiteral("threads"), r.threads }, { QStringLiteral("started_at"), r.startedAt },
            { QStringLiteral("ended_at"), r.endedAt } };
        for (auto it = finals.begin(); it != finals.end(); ++it)
            o.insert(it.key(), std::isfinite(it.value()) ? QJsonValue(it.value()) : QJsonValue());
        list.append(o);
    }
    if (p.isSet(json))
        printJson(QJsonObject { { QStringLiteral("study"), study.value()->path() }, { QStringLiteral("runs"), list } });
    else
        printOut(table);
    return ExitOk;
}

} // namespace lepton::cli
