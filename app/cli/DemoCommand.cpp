// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "store/DatasetRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QFile>

namespace lepton::cli {

int runDemo(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption domain(QStringLiteral("domain"), QStringLiteral("medical or finance (default medical)."),
        QStringLiteral("DOMAIN"), QStringLiteral("medical"));
    const QCommandLineOption cases(QStringLiteral("cases"), QStringLiteral("Number of cases (default 2000)."),
        QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("Working folder (default lepton-demo)."),
        QStringLiteral("DIR"), QStringLiteral("lepton-demo"));
    const QCommandLineOption epochs(
        QStringLiteral("epochs"), QStringLiteral("Training epochs (default: the trainer's)."), QStringLiteral("N"));
    for (const auto &o : { domain, cases, dir, epochs })
        p.addOption(o);
    if (auto code = parseArguments(p, QStringLiteral("demo"),
            QStringLiteral("[--domain medical|finance] [--cases N] [--dir DIR]"),
            QStringLiteral("Runs the whole path headless: demo data → study → training → prediction → "
                           "summary. The study is DIR/demo-DOMAIN.lepton; open it with lepton-workbench."),
            args, 0, 0))
        return *code;
    const QString d = p.value(dir);
    const QString dataDir = d + QStringLiteral("/data-") + p.value(domain);
    const QString studyPath = d + QStringLiteral("/demo-") + p.value(domain) + QStringLiteral(".lepton");
    if (QFile::exists(studyPath)) {
        printErr(
            QStringLiteral("lepton demo: %1 exists already; open it, or remove it to start again\n").arg(studyPath));
        return printStudyInfo(studyPath, false);
    }
    printErr(QStringLiteral("1/6 Generating demo data in %1\n").arg(dataDir));
    const int gen = runDemoData({ QStringLiteral("--domain"), p.value(domain), QStringLiteral("--cases"),
        p.value(cases), QStringLiteral("--out"), dataDir });
    if (gen != ExitOk)
        return gen;
    printErr(QStringLiteral("2/6 Importing into %1\n").arg(studyPath));
    ImportOptions o;
    o.manifestPath = dataDir + QStringLiteral("/manifest.csv");
    o.eventsPath = dataDir + QStringLiteral("/events.csv");
    o.name = QStringLiteral("demo-") + p.value(domain);
    const int imp = importIntoStudy(studyPath, o, false, nullptr);
    if (imp != ExitOk)
        return imp;
    printErr(QStringLiteral("3/6 Training the attention-fusion model\n"));
    QStringList trainArgs { studyPath, QStringLiteral("--name"), QStringLiteral("demo attention") };
    if (p.isSet(epochs))
        trainArgs << QStringLiteral("--epochs") << p.value(epochs);
    const int trained = runTrain(trainArgs);
    if (trained != ExitOk)
        return trained;
    qint64 runId = 0;
    {
        auto study = Study::open(studyPath, Study::Mode::ReadOnly);
        auto runs
            = study ? RunRepository(*study.value()).runs() : Result<std::vector<RunRecord>>::failure(study.error());
        if (!runs || runs->empty()) {
            printErr(QStringLiteral("lepton demo: the run cannot be found in %1\n").arg(studyPath));
            return ExitFailure;
        }
        runId = runs->back().id;
    }
    printErr(QStringLiteral("4/6 Predicting the test split\n"));
    const int predicted = runPredict({ studyPath, QStringLiteral("--run"), QString::number(runId),
        QStringLiteral("--split"), QStringLiteral("test") });
    if (predicted != ExitOk)
        return predicted;
    printErr(QStringLiteral("5/6 Explaining the test split\n"));
    const int explained
        = runExplain({ studyPath, QStringLiteral("--run"), QString::number(runId), QStringLiteral("--all") });
    if (explained != ExitOk)
        return explained;
    QString firstTestCase;
    {
        auto study = Study::open(studyPath, Study::Mode::ReadOnly);
        CaseFilter test;
        test.split = QStringLiteral("test");
        auto cases = study ? DatasetRepository(*study.value()).cases(1, test, 0, 1)
                           : Result<std::vector<StoredCase>>::failure(study.error());
        if (cases && !cases->empty())
            firstTestCase = cases->front().caseKey;
    }
    if (!firstTestCase.isEmpty()) {
        printOut(QStringLiteral("\nOne explained case:\n"));
        runExplain(
            { studyPath, QStringLiteral("--run"), QString::number(runId), QStringLiteral("--case"), firstTestCase });
    }
    printErr(QStringLiteral("6/6 Summary\n"));
    const int info = printStudyInfo(studyPath, false);
    if (info != ExitOk)
        return info;
    printOut(QStringLiteral("\n"));
    const int runs = runRuns({ studyPath });
    printOut(QStringLiteral("\nOpen it: lepton-workbench %1\n").arg(studyPath));
    return runs;
}

} // namespace lepton::cli
