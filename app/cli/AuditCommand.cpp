// SPDX-License-Identifier: GPL-3.0-or-later
// `lepton audit verify|list`: checks and prints a study's audit log.
#include "CliSupport.h"
#include "Commands.h"

#include "store/AuditLog.h"
#include "store/Study.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace lepton::cli {
namespace {

const QString kUsage = QStringLiteral(
    "Usage: lepton audit <verify|list> STUDY [options]\n\n"
    "Checks and prints the audit log of a study: every review, every rename, tag, note or deletion\n"
    "of a run and every export of data or a model (file, SHA-256, who, when), each entry chained to\n"
    "the one before it by SHA-256 (docs/AUDIT.md).\n\n"
    "  verify STUDY [--json]     recompute the chain; exit 0 when intact, 1 at the first broken entry\n"
    "  list STUDY [--json] [--limit N] [--entity E] [--action A]\n"
    "                            print the entries, oldest first\n\n"
    "`lepton audit verify --help` and `lepton audit list --help` describe their options.\n");

Result<std::shared_ptr<Study>> openStudy(const QString &command, const QString &path)
{
    auto study = Study::open(path, Study::Mode::ReadOnly);
    if (!study)
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, study.error()));
    return study;
}

int runVerify(const QStringList &args)
{
    const QString command = QStringLiteral("audit verify");
    QCommandLineParser p;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    p.addOption(json);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, command, QStringLiteral("STUDY [--json]"),
            QStringLiteral("Recomputes the audit log's hash chain from the first entry and reports the first entry "
                           "whose content or link to the entry before it does not match.\nExit 0: intact; 1: "
                           "broken or unreadable."),
            args, 1, 1))
        return *code;
    auto study = openStudy(command, p.positionalArguments().first());
    if (!study)
        return ExitFailure;
    auto v = AuditLog(*study.value()).verify();
    if (!v) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, v.error()));
        return ExitFailure;
    }
    if (p.isSet(json)) {
        QJsonObject o { { QStringLiteral("study"), study.value()->path() }, { QStringLiteral("ok"), v->ok },
            { QStringLiteral("entries"), v->entries } };
        if (!v->ok) {
            o.insert(QStringLiteral("first_broken_id"), v->firstBrokenId);
            o.insert(QStringLiteral("reason"), v->reason);
        }
        printJson(o);
    } else if (v->ok) {
        printOut(QStringLiteral("audit log: %1 entries, chain intact\n").arg(v->entries));
    } else {
        printOut(QStringLiteral("audit log: entry %1 is broken: %2\n").arg(v->firstBrokenId).arg(v->reason));
    }
    return v->ok ? ExitOk : ExitFailure;
}

int runList(const QStringList &args)
{
    const QString command = QStringLiteral("audit list");
    QCommandLineParser p;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption limit(
        QStringLiteral("limit"), QStringLiteral("Print only the newest N entries."), QStringLiteral("N"));
    const QCommandLineOption entity(QStringLiteral("entity"),
        QStringLiteral("Print only the entries about E, e.g. run:3 or prediction:12."), QStringLiteral("E"));
    const QCommandLineOption action(QStringLiteral("action"),
        QStringLiteral("Print only the entries whose action is A or starts with A followed by a dot, e.g. "
                       "export or export.model.torchscript."),
        QStringLiteral("A"));
    for (const auto &o : { json, limit, entity, action })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, command, QStringLiteral("STUDY [--json] [--limit N] [--entity E] [--action A]"),
            QStringLiteral("Prints the audit log's entries, oldest first: id, time (UTC), actor, action, entity "
                           "and details."),
            args, 1, 1))
        return *code;
    int newest = -1;
    if (p.isSet(limit)) {
        bool ok = false;
        newest = p.value(limit).toInt(&ok);
        if (!ok || newest < 0)
            return usageError(command, QStringLiteral("--limit needs a number of entries (0 or more)"));
    }
    auto study = openStudy(command, p.positionalArguments().first());
    if (!study)
        return ExitFailure;
    AuditLog log(*study.value());
    Result<std::vector<AuditEntry>> entries = std::vector<AuditEntry>();
    if (p.isSet(entity) || p.isSet(action)) {
        entries = p.isSet(entity) ? log.entriesFor(p.value(entity)) : log.entries();
        if (entries && p.isSet(action)) {
            const QString a = p.value(action);
            const QString prefix = a + QLatin1Char('.');
            entries->erase(std::remove_if(entries->begin(), entries->end(),
                               [&](const AuditEntry &e) { return e.action != a && !e.action.startsWith(prefix); }),
                entries->end());
        }
        if (entries && newest >= 0 && static_cast<int>(entries->size()) > newest)
            entries->erase(entries->begin(), entries->end() - newest);
    } else {
        auto total = log.count();
        entries = total ? log.entries(newest >= 0 ? std::max(0, total.value() - newest) : 0, newest)
                        : Result<std::vector<AuditEntry>>::failure(total.error());
    }
    if (!entries) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, entries.error()));
        return ExitFailure;
    }
    if (p.isSet(json)) {
        QJsonArray list;
        for (const AuditEntry &e : entries.value())
            list.append(QJsonObject { { QStringLiteral("id"), e.id }, { QStringLiteral("at"), e.at },
                { QStringLiteral("actor"), e.actor }, { QStringLiteral("action"), e.action },
                { QStringLiteral("entity"), e.entity }, { QStringLiteral("details"), e.details },
                { QStringLiteral("prev_hash"), e.prevHash }, { QStringLiteral("hash"), e.hash } });
        printJson(
            QJsonObject { { QStringLiteral("study"), study.value()->path() }, { QStringLiteral("entries"), list } });
        return ExitOk;
    }
    // Columns as wide as their longest value (export actions and actor names run long), details last.
    int actorWidth = 5, actionWidth = 6, entityWidth = 6;
    for (const AuditEntry &e : entries.value()) {
        actorWidth = std::max(actorWidth, static_cast<int>(e.actor.size()));
        actionWidth = std::max(actionWidth, static_cast<int>(e.action.size()));
        entityWidth = std::max(entityWidth, static_cast<int>(e.entity.size()));
    }
    QString table = QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                        .arg(QStringLiteral("id"), 5)
                        .arg(QStringLiteral("at (UTC)"), -24)
                        .arg(QStringLiteral("actor"), -actorWidth)
                        .arg(QStringLiteral("action"), -actionWidth)
                        .arg(QStringLiteral("entity"), -entityWidth)
                        .arg(QStringLiteral("details"));
    for (const AuditEntry &e : entries.value())
        table += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                     .arg(e.id, 5)
                     .arg(e.at, -24)
                     .arg(e.actor, -actorWidth)
                     .arg(e.action, -actionWidth)
                     .arg(e.entity, -entityWidth)
                     .arg(QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Compact)));
    printOut(table);
    return ExitOk;
}

} // namespace

int runAudit(const QStringList &args)
{
    if (args.isEmpty()) {
        printErr(kUsage);
        return ExitUsage;
    }
    const QString sub = args.first();
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
        printOut(kUsage);
        return ExitOk;
    }
    if (sub == QLatin1String("verify"))
        return runVerify(args.mid(1));
    if (sub == QLatin1String("list"))
        return runList(args.mid(1));
    return usageError(QStringLiteral("audit"), QStringLiteral("unknown subcommand '%1'; use verify or list").arg(sub));
}

} // namespace lepton::cli
