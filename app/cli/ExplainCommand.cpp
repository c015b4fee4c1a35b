// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"
#include "dataset/MultimodalDataset.h"
#include "explain/DecisionSetup.h"
#include "explain/Explainer.h"
#include "explain/ExplanationStore.h"
#include "explain/Faithfulness.h"
#include "explain/PredictionService.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"
#include "train/TrainedModel.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <opencv2/core.hpp>

namespace lepton::cli {
namespace {

QString topFields(const std::vector<FieldAttribution> &fields, int n, bool absolute)
{
    std::vector<FieldAttribution> sorted = fields;
    std::sort(sorted.begin(), sorted.end(), [&](const FieldAttribution &a, const FieldAttribution &b) {
        return absolute ? std::abs(a.value) > std::abs(b.value) : a.value > b.value;
    });
    QStringList parts;
    for (int i = 0; i < n && i < static_cast<int>(sorted.size()); ++i)
        parts.append(QStringLiteral("%1 %2")
                         .arg(sorted[static_cast<std::size_t>(i)].field)
                         .arg(sorted[static_cast<std::size_t>(i)].value, 0, 'f', 3));
    return parts.join(QStringLiteral(", "));
}

void printExplanation(const CaseExplanation &e)
{
    printOut(QStringLiteral("Case %1: %2 (p %3 calibrated), grade %4, expected cost %5%6\n")
                 .arg(e.caseKey, e.prediction.decision)
                 .arg(e.positiveProbability, 0, 'f', 3)
                 .arg(e.prediction.grade)
                 .arg(e.prediction.expectedCost, 0, 'f', 3)
                 .arg(e.prediction.referred ? QStringLiteral(", referred to review") : QString()));
    printOut(QStringLiteral("  modality attention: image %1, record %2, history %3\n")
                 .arg(e.modalityWeights[0], 0, 'f', 2)
                 .arg(e.modalityWeights[1], 0, 'f', 2)
                 .arg(e.modalityWeights[2], 0, 'f', 2));
    if (!e.imageAttention.empty()) {
        cv::Point at, cam;
        cv::minMaxLoc(e.imageAttention, nullptr, nullptr, nullptr, &at);
        cv::minMaxLoc(e.gradCam, nullptr, nullptr, nullptr, &cam);
        printOut(QStringLiteral("  image: attention peak at (%1, %2), Grad-CAM peak at (%3, %4) of %5×%6\n")
                     .arg(at.x)
                     .arg(at.y)
                     .arg(cam.x)
                     .arg(cam.y)
                     .arg(e.imageAttention.cols)
                     .arg(e.imageAttention.rows));
    } else {
        printOut(QStringLiteral("  image: none\n"));
    }
    printOut(QStringLiteral("  field attention: %1\n").arg(topFields(e.fieldAttention, 3, false)));
    printOut(QStringLiteral("  integrated gradients: %1 (completeness error %2)\n")
                 .arg(topFields(e.integratedGradients, 3, true))
                 .arg(e.igCompletenessError, 0, 'g', 2));
    if (!e.temporalWeights.empty()) {
        const auto top = std::max_element(e.temporalWeights.begin(), e.temporalWeights.end());
        printOut(QStringLiteral("  temporal attention: event %1 of %2 weighs most (%3)\n")
                     .arg(top - e.temporalWeights.begin() + 1)
                     .arg(e.temporalWeights.size())
                     .arg(*top, 0, 'f', 2));
    }
    printOut(
        QStringLiteral("  counterfactual: %1%2\n")
            .arg(e.counterfactual.text,
                e.counterfactual.found && !e.counterfactual.verified ? QStringLiteral(" (NOT verified)") : QString()));
}

/// Every case of a split: predicted, explained and stored by the prediction service.
int explainAll(Study &study, qint64 runId, qint64 datasetId, const QString &split, const QString &device,
    const QString &templateOverride, bool json)
{
    const ProgressFn progress = stderrProgress();
    qint64 cases = 0;
    QJsonArray out;
    PredictOptions options;
    options.runId = runId;
    options.datasetId = datasetId;
    options.split = split;
    options.device = device;
    options.templateOverride = templateOverride;
    options.explain = true;
    options.cancelled = interruptCancel();
    options.progress = [&](qint64 done, qint64 total, const QString &stage) {
        if (stage != QLatin1String("Explaining"))
            return;
        cases = total;
        if (done > 0 && total > 1)
            progress(done, total, QStringLiteral("explaining"));
    };
    options.explained = [&](const CaseExplanation &e) {
        if (json)
            out.append(e.toJson());
        else if (cases == 1)
            printExplanation(e);
    };
    PredictionService::Failure failure {};
    auto summary = PredictionService::run(study, options, &failure);
    if (!summary) {
        printErr(QStringLiteral("lepton explain: %1\n").arg(summary.error()));
        switch (failure) {
        case PredictionService::Failure::Template:
        case PredictionService::Failure::NoCases:
            return ExitInvalidInput;
        case PredictionService::Failure::Model:
        case PredictionService::Failure::Dataset:
        case PredictionService::Failure::Storage:
        case PredictionService::Failure::Computation:
            break;
        }
        return ExitFailure;
    }
    if (summary->cancelled) {
        printErr(QStringLiteral("lepton explain: cancelled after %1 of %2 cases; those are stored\n")
                     .arg(summary->explained)
                     .arg(summary->cases));
        return ExitFailure;
    }
    const double ms = static_cast<double>(summary->explainMs) / summary->cases;
    if (json) {
        printJson(summary->cases == 1 ? out.first().toObject()
                                      : QJsonObject { { QStringLiteral("run_id"), runId },
                                          { QStringLiteral("explained"), summary->explained },
                                          { QStringLiteral("ms_per_case"), ms }, { QStringLiteral("cases"), out } });
    } else if (summary->cases > 1) {
        printOut(QStringLiteral("Explained and stored %1 cases of run %2 (%3 ms per case)\n")
                     .arg(summary->explained)
                     .arg(runId)
                     .arg(ms, 0, 'f', 0));
    }
    return ExitOk;
}

} // namespace

int runExplain(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption run(
        QStringLiteral("run"), QStringLiteral("The run whose model is explained."), QStringLiteral("ID"));
    const QCommandLineOption caseOption(
        QStringLiteral("case"), QStringLiteral("One case (its id in the manifest)."), QStringLiteral("CASE"));
    const QCommandLineOption all(QStringLiteral("all"), QStringLiteral("Every case of --split (default test)."));
    const QCommandLineOption split(QStringLiteral("split"), QStringLiteral("The split for --all (default test)."),
        QStringLiteral("SPLIT"), QStringLiteral("test"));
    const QCommandLineOption dataset(QStringLiteral("dataset"),
        QStringLiteral(
            "A dataset of the study (default: the run's), e.g. one imported by `lepton predict --manifest`."),
        QStringLiteral("ID"));
    const QCommandLineOption templateOption(QStringLiteral("template"),
        QStringLiteral("Decide with this template instead of the run's."), QStringLiteral("NAME|FILE"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("auto (default), cpu or cuda."),
        QStringLiteral("DEVICE"), QStringLiteral("auto"));
    const QCommandLineOption report(QStringLiteral("report"),
        QStringLiteral("Measure faithfulness on --split against the demo data's ground truth (nothing is stored)."));
    const QCommandLineOption groundTruth(QStringLiteral("ground-truth"),
        QStringLiteral("ground_truth.json for --report (default: beside the dataset's manifest)."),
        QStringLiteral("FILE"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    for (const auto &o : { run, caseOption, all, split, dataset, templateOption, device, report, groundTruth, json })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("explain"), QStringLiteral("STUDY --run ID (--case CASE | --all)"),
            QStringLiteral("Explains predictions of a run: attention, Grad-CAM, Integrated Gradients over record "
                           "fields and a counterfactual; stores them in the study with the prediction."),
            args, 1, 1))
        return *code;
    bool ok = false;
    const qint64 runId = p.value(run).toLongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("explain"), QStringLiteral("--run ID is required"));
    if ((p.isSet(caseOption) ? 1 : 0) + (p.isSet(all) ? 1 : 0) + (p.isSet(report) ? 1 : 0) != 1)
        return usageError(QStringLiteral("explain"), QStringLiteral("give one of --case CASE, --all or --report"));

    auto study = Study::open(p.positionalArguments().first(), Study::Mode::ReadWrite);
    if (!study) {
        printErr(QStringLiteral("lepton explain: %1\n").arg(study.error()));
        return ExitFailure;
    }
    qint64 datasetId = 0; // 0: the run's
    if (p.isSet(dataset)) {
        auto d = DatasetRepository(*study.value()).find(p.value(dataset));
        if (!d) {
            printErr(QStringLiteral("lepton explain: %1\n").arg(d.error()));
            return ExitInvalidInput;
        }
        datasetId = d->id;
    }
    if (p.isSet(all))
        return explainAll(
            *study.value(), runId, datasetId, p.value(split), p.value(device), p.value(templateOption), p.isSet(json));

    auto model = TrainedModel::load(*study.value(), runId, p.value(device));
    if (!model) {
        printErr(QStringLiteral("lepton explain: %1\n").arg(model.error()));
        return ExitFailure;
    }
    auto setup = DecisionSetup::forRun(*study.value(), model.value(), p.value(templateOption));
    if (!setup) {
        printErr(QStringLiteral("lepton explain: %1\n").arg(setup.error()));
        return ExitInvalidInput;
    }
    if (datasetId == 0)
        datasetId = model->run.datasetId;
    auto ds = model->dataset(*study.value(), datasetId);
    if (!ds) {
        printErr(QStringLiteral("lepton explain: %1\n").arg(ds.error()));
        return ExitFailure;
    }
    std::vector<int> indices;
    for (int i = 0; i < ds.value()->size(); ++i) {
        const EncodedCase &c = ds.value()->at(i);
        if (p.isSet(caseOption) ? c.caseKey == p.value(caseOption) : c.split == p.value(split))
            indices.push_back(i);
    }
    if (indices.empty()) {
        printErr(p.isSet(caseOption)
                ? QStringLiteral("lepton explain: dataset %1 has no case '%2'; check the id (as in the "
                                 "manifest's first column)\n")
                      .arg(datasetId)
                      .arg(p.value(caseOption))
                : QStringLiteral("lepton explain: no cases in split '%1'\n").arg(p.value(split)));
        return ExitInvalidInput;
    }

    Explainer explainer(model->model, ds.value(), setup.value(), model->device);
    if (p.isSet(report)) {
        QString truth = p.value(groundTruth);
        if (truth.isEmpty()) {
            auto summary = DatasetRepository(*study.value()).dataset(datasetId);
            if (summary)
                truth = QFileInfo(summary->manifestPath).dir().filePath(QStringLiteral("ground_truth.json"));
        }
        auto r = measureFaithfulness(explainer, *ds.value(), indices, truth, 3, stderrProgress(), interruptCancel());
        if (!r) {
            printErr(QStringLiteral("lepton explain: %1\n").arg(r.error()));
            return ExitInvalidInput;
        }
        if (r->cancelled)
            printErr(QStringLiteral("lepton explain: cancelled; the figures cover the first %1 cases\n").arg(r->cases));
        if (p.isSet(json))
            printJson(r->toJson());
        else
            printOut(r->table());
        return r->cancelled ? ExitFailure : ExitOk;
    }
    // One case: explained, stored and printed.
    const CaseExplanation e = explainer.explain(indices.front());
    Status st = storeExplanation(*study.value(), runId, e);
    if (!st) {
        printErr(QStringLiteral("lepton explain: %1\n").arg(st.error()));
        return ExitFailure;
    }
    if (p.isSet(json))
        printJson(e.toJson());
    else
        printExplanation(e);
    return ExitOk;
}

} // namespace lepton::cli
