// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "explain/TemplateFromData.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace lepton::cli {

namespace {

/// `lepton template init`: a template written from a dataset's training split.
int runTemplateInit(const QStringList &args)
{
    const QString command = QStringLiteral("template init");
    QCommandLineParser p;
    const QCommandLineOption dataset(
        QStringLiteral("dataset"), QStringLiteral("Dataset id or name (default: the newest)."), QStringLiteral("ID"));
    const QCommandLineOption output(QStringLiteral("output"),
        QStringLiteral("Write the template to FILE instead of printing it."), QStringLiteral("FILE"));
    const QCommandLineOption force(QStringLiteral("force"), QStringLiteral("With --output: replace an existing file."));
    for (const auto &o : { dataset, output, force })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, command, QStringLiteral("STUDY [--dataset ID] [--output FILE [--force]]"),
            QStringLiteral("Writes a decision template from a dataset of the study (docs/TEMPLATES.md): its classes, "
                           "the positive class (a known name such as positive, yes or abnormal, else the rarer class "
                           "in training), a threshold of 50 %, grades low/high, every record field with its type, "
                           "and each numeric field's 1st–99th percentile of its training values as its range. "
                           "Nothing is actionable or immutable until you choose: edit the file, then use it with "
                           "`lepton train --template FILE`, `lepton predict --template FILE` or "
                           "`lepton runs redecide --template FILE`. Prints the JSON unless --output is given; the "
                           "study is only read."),
            args, 1, 1))
        return *code;
    if (p.isSet(force) && !p.isSet(output))
        return usageError(command, QStringLiteral("--force goes with --output FILE"));
    if (p.isSet(output) && p.value(output).trimmed().isEmpty())
        return usageError(command, QStringLiteral("--output needs a file name"));
    const QString path = p.value(output);
    if (p.isSet(output) && QFileInfo::exists(path) && !p.isSet(force)) {
        printErr(QStringLiteral("lepton %1: %2: exists already; choose another file or add --force to replace it\n")
                     .arg(command, path));
        return ExitFailure;
    }
    auto study = Study::open(p.positionalArguments().first(), Study::Mode::ReadOnly);
    if (!study) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, study.error()));
        return ExitFailure;
    }
    auto ds = DatasetRepository(*study.value()).find(p.value(dataset));
    if (!ds) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, ds.error()));
        return ExitInvalidInput;
    }
    TemplateFromDataNotes notes;
    auto t = templateFromData(*study.value(), ds->id, &notes);
    if (!t) {
        printErr(QStringLiteral("lepton %1: %2\n").arg(command, t.error()));
        return ExitInvalidInput;
    }
    const QByteArray bytes = QJsonDocument(t->toJson()).toJson(QJsonDocument::Indented);
    if (p.isSet(output)) {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
            printErr(QStringLiteral("lepton %1: %2: cannot be written (%3); choose another place\n")
                         .arg(command, path, file.errorString()));
            return ExitFailure;
        }
    } else {
        printOut(QString::fromUtf8(bytes));
    }
    // What was chosen for the user goes to stderr, so that stdout stays the template.
    QString said = QStringLiteral("Template \"%1\" from dataset %2 (%3 training cases): positive class %4 (%5); %6 "
                                  "fields, %7 with a range; nothing actionable yet")
                       .arg(t->name)
                       .arg(ds->id)
                       .arg(notes.trainCases)
                       .arg(t->positiveClass, notes.positiveReason)
                       .arg(t->fields.size())
                       .arg(t->ranges.size());
    if (!notes.withoutRange.isEmpty())
        said += QStringLiteral("; no range for %1").arg(notes.withoutRange.join(QStringLiteral("; ")));
    if (p.isSet(output))
        said += QStringLiteral("; written to %1").arg(path);
    printErr(said + QLatin1Char('\n'));
    return ExitOk;
}

} // namespace

int runTemplate(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == QLatin1String("init"))
        return runTemplateInit(args.mid(1));
    QCommandLineParser p;
    if (auto code
        = parseArguments(p, QStringLiteral("template"), QStringLiteral("init STUDY [--dataset ID] [--output FILE]"),
            QStringLiteral("Decision templates (docs/TEMPLATES.md). `lepton template init --help`: write a template "
                           "from a dataset's training data."),
            args, 0, 0))
        return *code;
    return usageError(QStringLiteral("template"), QStringLiteral("name a subcommand: init"));
}

} // namespace lepton::cli
