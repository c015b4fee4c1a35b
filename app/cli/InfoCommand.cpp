// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QJsonArray>

namespace lepton::cli {

int printStudyInfo(const QString &studyPath, bool json)
{
    auto study = Study::open(studyPath, Study::Mode::ReadOnly);
    if (!study) {
        printErr(QStringLiteral("lepton info: %1\n").arg(study.error()));
        return ExitFailure;
    }
    DatasetRepository repo(*study.value());
    auto all = repo.datasets();
    if (!all) {
        printErr(QStringLiteral("lepton info: %1\n").arg(all.error()));
        return ExitFailure;
    }
    if (json) {
        QJsonArray list;
        for (const DatasetSummary &d : all.value()) {
            QJsonObject splits, classes;
            for (auto it = d.splitCounts.begin(); it != d.splitCounts.end(); ++it)
                splits.insert(it.key().isEmpty() ? QStringLiteral("none") : it.key(), it.value());
            for (auto it = d.classCounts.begin(); it != d.classCounts.end(); ++it)
                classes.insert(it.key().isEmpty() ? QStringLiteral("unlabelled") : it.key(), it.value());
            list.append(QJsonObject { { QStringLiteral("id"), d.id }, { QStringLiteral("name"), d.name },
                { QStringLiteral("cases"), d.caseCount }, { QStringLiteral("images"), d.imageCount },
                { QStringLiteral("events"), d.eventCount }, { QStringLiteral("splits"), splits },
                { QStringLiteral("classes"), classes } });
        }
        printJson(
            QJsonObject { { QStringLiteral("study"), study.value()->path() }, { QStringLiteral("datasets"), list } });
        return ExitOk;
    }
    printOut(QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8\n")
                 .arg(QStringLiteral("id"), 3)
                 .arg(QStringLiteral("name"), -20)
                 .arg(QStringLiteral("cases"), 6)
                 .arg(QStringLiteral("images"), 6)
                 .arg(QStringLiteral("events"), 7)
                 .arg(QStringLiteral("train/val/test"), -16)
                 .arg(QStringLiteral("classes"), -30)
                 .arg(QString()));
    for (const DatasetSummary &d : all.value()) {
        QStringList classes;
        for (auto it = d.classCounts.begin(); it != d.classCounts.end(); ++it)
            classes.append(QStringLiteral("%1 %2")
                               .arg(it.key().isEmpty() ? QStringLiteral("(unlabelled)") : it.key())
                               .arg(it.value()));
        printOut(QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                     .arg(d.id, 3)
                     .arg(d.name.left(20), -20)
                     .arg(d.caseCount, 6)
                     .arg(d.imageCount, 6)
                     .arg(d.eventCount, 7)
                     .arg(QStringLiteral("%1/%2/%3")
                              .arg(d.splitCounts.value(QStringLiteral("train")))
                              .arg(d.splitCounts.value(QStringLiteral("val")))
                              .arg(d.splitCounts.value(QStringLiteral("test"))),
                         -16)
                     .arg(classes.join(QStringLiteral(", "))));
    }
    return ExitOk;
}

int runInfo(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    p.addOption(json);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("info"), QStringLiteral("STUDY [--json]"),
            QStringLiteral("Lists the datasets of a study."), args, 1, 1))
        return *code;
    return printStudyInfo(p.positionalArguments().first(), p.isSet(json));
}

} // namespace lepton::cli
