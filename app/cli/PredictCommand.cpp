// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"
#include "decision/DecisionText.h"
#include "explain/PredictionService.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

namespace lepton::cli {

int runPredict(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption run(
        QStringLiteral("run"), QStringLiteral("The run whose best model predicts."), QStringLiteral("ID"));
    const QCommandLineOption dataset(QStringLiteral("dataset"),
        QStringLiteral("A dataset of the study (default: the run's)."), QStringLiteral("ID"));
    const QCommandLineOption manifest(QStringLiteral("manifest"),
        QStringLiteral("Import this manifest first and predict its cases."), QStringLiteral("FILE"));
    const QCommandLineOption events(
        QStringLiteral("events"), QStringLiteral("Events CSV for --manifest."), QStringLiteral("FILE"));
    const QCommandLineOption imageRoot(
        QStringLiteral("image-root"), QStringLiteral("Image root for --manifest."), QStringLiteral("DIR"));
    const QCommandLineOption split(QStringLiteral("split"),
        QStringLiteral("Only this split (train, val, test); default all cases."), QStringLiteral("SPLIT"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("auto (default), cpu or cuda."),
        QStringLiteral("DEVICE"), QStringLiteral("auto"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption templateOption(QStringLiteral("template"),
        QStringLiteral("Decide with this template (medical, finance, generic or a file) instead of the run's."),
        QStringLiteral("NAME|FILE"));
    for (const auto &o : { run, dataset, manifest, events, imageRoot, split, device, templateOption, json })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("predict"),
            QStringLiteral("STUDY --run ID [--dataset ID | --manifest FILE]"),
            QStringLiteral("Predicts class probabilities with a run's best model and stores them in the study."), args,
            1, 1))
        return *code;
    bool ok = false;
    const qint64 runId = p.value(run).toLongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("predict"), QStringLiteral("--run ID is required"));
    if (p.isSet(dataset) && p.isSet(manifest))
        return usageError(QStringLiteral("predict"), QStringLiteral("give --dataset or --manifest, not both"));
    const QString studyPath = p.positionalArguments().first();
    qint64 datasetId = 0;
    if (p.isSet(manifest)) {
        ImportOptions o;
        o.manifestPath = p.value(manifest);
        o.eventsPath = p.value(events);
        o.imageRoot = p.value(imageRoot);
        o.minClassCases = 0; // new data may be unlabelled or have any label counts
        const int code = importIntoStudy(studyPath, o, false, &datasetId);
        if (code != ExitOk)
            return code;
    }
    auto study = Study::open(studyPath, Study::Mode::ReadWrite);
    if (!study) {
        printErr(QStringLiteral("lepton predict: %1\n").arg(study.error()));
        return ExitFailure;
    }
    if (p.isSet(dataset)) {
        auto d = DatasetRepository(*study.value()).find(p.value(dataset));
        if (!d) {
            printErr(QStringLiteral("lepton predict: %1\n").arg(d.error()));
            return ExitInvalidInput;
        }
        datasetId = d->id;
    }
    PredictOptions options;
    options.runId = runId;
    options.datasetId = datasetId;
    options.split = p.value(split);
    options.device = p.value(device);
    options.templateOverride = p.value(templateOption);
    options.cancelled = interruptCancel();
    options.progress = [runId](qint64 done, qint64 total, const QString &stage) {
        if (done == 0 && stage == QLatin1String("Predicting"))
            printErr(QStringLiteral("Predicting %1 cases with run %2…\n").arg(total).arg(runId));
    };
    PredictionService::Failure failure {};
    auto summary = PredictionService::run(*study.value(), options, &failure);
    if (!summary) {
        printErr(QStringLiteral("lepton predict: %1\n").arg(summary.error()));
        switch (failure) {
        case PredictionService::Failure::Template:
        case PredictionService::Failure::Dataset:
        case PredictionService::Failure::NoCases:
            return ExitInvalidInput;
        case PredictionService::Failure::Model:
        case PredictionService::Failure::Storage:
        case PredictionService::Failure::Computation:
            break;
        }
        return ExitFailure;
    }
    if (summary->cancelled) {
        printErr(QStringLiteral("lepton predict: cancelled; nothing was stored\n"));
        return ExitFailure;
    }
    const QMap<QString, int> &perClass = summary->perClass;
    const QMap<QString, int> &perDecision = summary->perDecision;
    datasetId = summary->datasetId;
    if (p.isSet(json)) {
        QJsonObject counts;
        for (auto it = perClass.begin(); it != perClass.end(); ++it)
            counts.insert(it.key(), it.value());
        QJsonObject decisions;
        for (auto it = perDecision.begin(); it != perDecision.end(); ++it)
            decisions.insert(it.key(), it.value());
        printJson(QJsonObject { { QStringLiteral("run_id"), runId }, { QStringLiteral("dataset_id"), datasetId },
            { QStringLiteral("template"), summary->templateName },
            { QStringLiteral("temperature"), summary->temperature }, { QStringLiteral("decisions"), decisions },
            { QStringLiteral("referred"), summary->referred }, { QStringLiteral("predictions"), summary->predicted },
            { QStringLiteral("predicted"), counts }, { QStringLiteral("metrics"), summary->metrics } });
    } else {
        QStringList counts;
        for (auto it = perClass.begin(); it != perClass.end(); ++it)
            counts.append(QStringLiteral("%1 %2").arg(it.key()).arg(it.value()));
        printOut(QStringLiteral("Stored %1 predictions of run %2 for dataset %3 (most likely class: %4)\n")
                     .arg(summary->predicted)
                     .arg(runId)
                     .arg(datasetId)
                     .arg(counts.join(QStringLiteral(", "))));
        QStringList decided;
        for (auto it = perDecision.begin(); it != perDecision.end(); ++it)
            decided.append(QStringLiteral("%1 %2").arg(it.key()).arg(it.value()));
        printOut(QStringLiteral("Decisions (template %1, temperature %2): %3; referred to review: %4\n")
                     .arg(summary->templateName)
                     .arg(summary->temperature, 0, 'f', 3)
                     .arg(decided.join(QStringLiteral(", ")))
                     .arg(summary->referred));
        printOut(QStringLiteral("Rule: %1\n").arg(ruleText(summary->bound)));
    }
    return ExitOk;
}

} // namespace lepton::cli
