// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include <QFile>

namespace lepton::cli {

int runDemo(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption domain(QStringLiteral("domain"), QStringLiteral("medical or finance (default medical)."), QStringLiteral("DOMAIN"), QStringLiteral("medical"));
    const QCommandLineOption cases(QStringLiteral("cases"), QStringLiteral("Number of cases (default 2000)."), QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("Working folder (default lepton-demo)."), QStringLiteral("DIR"), QStringLiteral("lepton-demo"));
    for (const auto &o : {domain, cases, dir})
        p.addOption(o);
    if (auto code = parseArguments(p, QStringLiteral("demo"), QStringLiteral("[--domain medical|finance] [--cases N] [--dir DIR]"),
                                   QStringLiteral("Runs the whole path headless: demo data → study → summary. The study is "
                                                  "DIR/demo-DOMAIN.lepton; open it with lepton-workbench."),
                                   args, 0, 0))
        return *code;
    const QString d = p.value(dir);
    const QString dataDir = d + QStringLiteral("/data-") + p.value(domain);
    const QString studyPath = d + QStringLiteral("/demo-") + p.value(domain) + QStringLiteral(".lepton");
    if (QFile::exists(studyPath)) {
        printErr(QStringLiteral("lepton demo: %1 exists already; open it, or remove it to start again\n").arg(studyPath));
        return printStudyInfo(studyPath, false);
    }
    printErr(QStringLiteral("1/3 Generating demo data in %1\n").arg(dataDir));
    const int gen = runDemoData({QStringLiteral("--domain"), p.value(domain), QStringLiteral("--cases"), p.value(cases),
                                 QStringLiteral("--out"), dataDir});
    if (gen != ExitOk)
        return gen;
    printErr(QStringLiteral("2/3 Importing into %1\n").arg(studyPath));
    ImportOptions o;
    o.manifestPath = dataDir + QStringLiteral("/manifest.csv");
    o.eventsPath = dataDir + QStringLiteral("/events.csv");
    o.name = QStringLiteral("demo-") + p.value(domain);
    const int imp = importIntoStudy(studyPath, o, false, nullptr);
    if (imp != ExitOk)
        return imp;
    printErr(QStringLiteral("3/3 Summary\n"));
    return printStudyInfo(studyPath, false);
}

} // namespace lepton::cli
