// SPDX-License-Identifier: GPL-3.0-or-later
// `lepton cases`: every case of a dataset with its split, group and label, and which modalities it
// has, for scripts and for checking a split (no patient in two splits).
#include "CliSupport.h"
#include "Commands.h"

#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QSet>

namespace lepton::cli {

int runCases(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption dataset(
        QStringLiteral("dataset"), QStringLiteral("Dataset id or name (default: the latest)."), QStringLiteral("ID"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the cases as JSON."));
    p.addOption(dataset);
    p.addOption(json);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("cases"), QStringLiteral("STUDY [--dataset ID] [--json]"),
            QStringLiteral("Lists every case of a dataset: its id, split, group, label, and whether it has an image, "
                           "record fields and events."),
            args, 1, 1))
        return *code;
    auto study = Study::open(p.positionalArguments().first(), Study::Mode::ReadOnly);
    if (!study) {
        printErr(QStringLiteral("lepton cases: %1\n").arg(study.error()));
        return ExitFailure;
    }
    DatasetRepository repo(*study.value());
    auto d = repo.find(p.value(dataset));
    if (!d) {
        printErr(QStringLiteral("lepton cases: %1\n").arg(d.error()));
        return ExitInvalidInput;
    }
    auto cases = repo.cases(d->id);
    auto values = repo.recordValues(d->id);
    auto events = repo.events(d->id);
    for (const QString *error : { &cases.error(), &values.error(), &events.error() })
        if (!error->isEmpty()) {
            printErr(QStringLiteral("lepton cases: %1\n").arg(*error));
            return ExitFailure;
        }
    QSet<qint64> withFields, withEvents;
    for (auto it = values->cbegin(); it != values->cend(); ++it)
        for (const QVariant &v : it.value())
            if (v.isValid()) {
                withFields.insert(it.key());
                break;
            }
    for (const StoredEvent &e : events.value())
        withEvents.insert(e.caseId);
    if (p.isSet(json)) {
        QJsonArray list;
        for (const StoredCase &c : cases.value())
            list.append(QJsonObject { { QStringLiteral("case"), c.caseKey }, { QStringLiteral("split"), c.split },
                { QStringLiteral("group"), c.groupKey }, { QStringLiteral("label"), c.label },
                { QStringLiteral("image"), !c.imagePath.isEmpty() },
                { QStringLiteral("fields"), withFields.contains(c.id) },
                { QStringLiteral("events"), withEvents.contains(c.id) } });
        printJson(QJsonObject { { QStringLiteral("dataset"), d->id }, { QStringLiteral("name"), d->name },
            { QStringLiteral("group_column"), d->groupColumn }, { QStringLiteral("cases"), list } });
        return ExitOk;
    }
    printOut(QStringLiteral("case\tsplit\tgroup\tlabel\timage\tfields\tevents\n"));
    auto yes = [](bool b) { return b ? QStringLiteral("yes") : QStringLiteral("no"); };
    for (const StoredCase &c : cases.value())
        printOut(QStringLiteral("%1\t%2\t%3\t%4\t%5\t%6\t%7\n")
                     .arg(c.caseKey, c.split.isEmpty() ? QStringLiteral("-") : c.split,
                         c.groupKey.isEmpty() ? QStringLiteral("-") : c.groupKey,
                         c.label.isEmpty() ? QStringLiteral("-") : c.label, yes(!c.imagePath.isEmpty()),
                         yes(withFields.contains(c.id)), yes(withEvents.contains(c.id))));
    return ExitOk;
}

} // namespace lepton::cli
