// SPDX-License-Identifier: GPL-3.0-or-later
// `lepton`: the headless front end of lepton_core.
#include "CliSupport.h"
#include "Commands.h"

#include "util/Heap.h"
#include "util/Threads.h"

#include <QCoreApplication>

#include <opencv2/core/version.hpp>

#include <torch/version.h>

namespace {

struct Command
{
    const char *name;
    const char *summary;
    int (*run)(const QStringList &);
};

const Command kCommands[] = {
    { "demo", "generate the demo study and run the whole path headless", lepton::cli::runDemo },
    { "demo-data", "write the synthetic demo dataset (images, manifest, events, ground truth)",
        lepton::cli::runDemoData },
    { "import", "import a manifest (and events) into a study, with a validation report", lepton::cli::runImport },
    { "info", "list a study's datasets with their cases, classes and splits", lepton::cli::runInfo },
    { "cases", "list a dataset's cases with split, group, label and modalities", lepton::cli::runCases },
    { "train", "train a fusion model on a dataset; records the run, metrics and checkpoints", lepton::cli::runTrain },
    { "runs",
        "list a study's training runs with their key metrics; re-decide a run with another template; convert an "
        "earlier version's checkpoints",
        lepton::cli::runRuns },
    { "evaluate", "evaluate a run's best model on a split", lepton::cli::runEvaluate },
    { "predict", "predict with a run's best model and store the predictions", lepton::cli::runPredict },
    { "explain", "explain a run's predictions (attention, Grad-CAM, gradients, counterfactual) and store them",
        lepton::cli::runExplain },
    { "export", "write a run's model out of the study", lepton::cli::runExport },
    { "template", "write a decision template from a dataset's training data", lepton::cli::runTemplate },
    { "pretrain", "pretrain the image encoder on a dataset's own images, labelled or not (self-supervised)",
        lepton::cli::runPretrain },
    { "encoder", "import a pretrained TorchScript image encoder into a study, or list them", lepton::cli::runEncoder },
    { "audit", "verify or list a study's audit log (reviews, run changes)", lepton::cli::runAudit },
};

QString usage()
{
    QString text = QStringLiteral("Usage: lepton <command> [options]\n\nCommands:\n");
    for (const Command &c : kCommands)
        text += QStringLiteral("  %1%2\n")
                    .arg(QString::fromLatin1(c.name).leftJustified(12), QString::fromLatin1(c.summary));
    text += QStringLiteral("\nOptions:\n  --help       show this help; `lepton <command> --help` for a command\n"
                           "  --version    show the version and library versions\n"
                           "\nExit codes: 0 success, 1 failure, 2 usage error, 3 invalid input data.\n");
    return text;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("lepton"));
    QCoreApplication::setOrganizationName(QStringLiteral("Lepton"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LEPTON_VERSION));
    lepton::cli::installInterruptHandler();
    lepton::configureTorchThreads(qEnvironmentVariableIntValue("LEPTON_THREADS"));
    lepton::tuneHeapForLargeBuffers();

    QStringList args = app.arguments();
    args.removeFirst();
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")
        || args.first() == QLatin1String("help")) {
        lepton::cli::printOut(usage());
        return args.isEmpty() ? lepton::cli::ExitUsage : lepton::cli::ExitOk;
    }
    if (args.first() == QLatin1String("--version")) {
        lepton::cli::printOut(QStringLiteral("lepton %1 (Qt %2, LibTorch %3, OpenCV %4)\n")
                                  .arg(QStringLiteral(LEPTON_VERSION), QString::fromLatin1(qVersion()),
                                      QStringLiteral(TORCH_VERSION), QStringLiteral(CV_VERSION)));
        return lepton::cli::ExitOk;
    }
    const QString name = args.takeFirst();
    for (const Command &c : kCommands)
        if (name == QLatin1String(c.name))
            return c.run(args);
    lepton::cli::printErr(QStringLiteral("lepton: unknown command '%1'\n\n").arg(name) + usage());
    return lepton::cli::ExitUsage;
}
