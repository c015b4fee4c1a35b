// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"
#include "dataset/MultimodalDataset.h"
#include "decision/DecisionText.h"
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

#include <optional>

#include <opencv2/core.hpp>

namespace lepton::cli {
namespace {

QString signedValue(double v)
{
    return QStringLiteral("%1%2").arg(v >= 0 ? QStringLiteral("+") : QString()).arg(v, 0, 'f', 3);
}

QString topFields(const std::vector<FieldAttribution> &fields, int n, bool absolute)
{
    std::vector<FieldAttribution> sorted = fields;
    std::stable_sort(sorted.begin(), sorted.end(), [&](const FieldAttribution &a, const FieldAttribution &b) {
        return absolute ? std::abs(a.value) > std::abs(b.value) : a.value > b.value;
    });
    QStringList parts;
    for (int i = 0; i < n && i < static_cast<int>(sorted.size()); ++i) {
        const FieldAttribution &f = sorted[static_cast<std::size_t>(i)];
        if (f.method == QLatin1String("missing"))
            continue;
        parts.append(absolute ? QStringLiteral("%1 %2%3").arg(f.field, signedValue(f.value),
                         f.method == QLatin1String("occlusion") ? QStringLiteral(" (category)") : QString())
                              : QStringLiteral("%1 %2").arg(f.field).arg(f.value, 0, 'f', 3));
    }
    QStringList missing;
    for (const FieldAttribution &f : fields)
        if (f.method == QLatin1String("missing"))
            missing.append(f.field);
    if (!missing.isEmpty())
        parts.append(QStringLiteral("missing: %1").arg(missing.join(QStringLiteral(", "))));
    return parts.join(QStringLiteral(", "));
}

void printExplanation(const CaseExplanation &e, const DomainTemplate &bound)
{
    const QString positive = bound.classes.value(std::max(0, bound.positiveIndex()));
    printOut(
        QStringLiteral("Case %1: decision %2 · %3 (calibrated) · grade %4 · expected cost %5%6\n")
            .arg(e.caseKey, e.prediction.decision, probabilityText(positive, e.positiveProbability), e.prediction.grade)
            .arg(e.prediction.expectedCost, 0, 'f', 3)
            .arg(e.prediction.referred ? QStringLiteral(" · referred to review") : QString()));
    printOut(QStringLiteral("  rule: %1\n").arg(ruleText(bound)));
    int decided = -1;
    for (int i = 0; i < bound.classes.size(); ++i)
        if (bound.decisionLabel(bound.classes[i]) == e.prediction.decision)
            decided = i;
    if (const QString why = differsText(bound, e.prediction.calibrated, decided); !why.isEmpty())
        printOut(QStringLiteral("  most likely: %1\n").arg(why));
    const QString names[]
        = { QStringLiteral("image"), QStringLiteral("record"), QStringLiteral("history"), QStringLiteral("text") };
    const std::size_t modalities = e.usesText ? 4 : 3;
    QStringList weights;
    for (std::size_t m = 0; m < modalities; ++m)
        weights.append(QStringLiteral("%1 %2").arg(names[m]).arg(e.modalityWeights[m], 0, 'f', 2));
    printOut(QStringLiteral("  modality attention: %1\n").arg(weights.join(QStringLiteral(", "))));
    QStringList ablation;
    for (std::size_t m = 0; m < modalities; ++m)
        ablation.append(std::isfinite(e.modalityAblation[m])
                ? QStringLiteral("%1 %2").arg(names[m], signedValue(e.modalityAblation[m]))
                : QStringLiteral("%1 absent").arg(names[m]));
    printOut(QStringLiteral("  modality contribution (p(%1) minus p without it): %2\n")
                 .arg(positive, ablation.join(QStringLiteral(", "))));
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
    printOut(QStringLiteral("  field attributions to p(%1), %2: %3 (completeness error %4)\n")
                 .arg(positive, CaseExplanation::attributionBaseline(), topFields(e.integratedGradients, 3, true))
                 .arg(e.igCompletenessError, 0, 'g', 2));
    if (e.usesText) {
        if (e.tokens.empty()) {
            printOut(QStringLiteral("  note: none\n"));
        } else {
            std::vector<WordAttribution> words = e.words();
            auto top = [&](auto value) {
                std::stable_sort(words.begin(), words.end(), [&](const WordAttribution &a, const WordAttribution &b) {
                    return std::abs(value(a)) > std::abs(value(b));
                });
                QStringList out;
                for (std::size_t i = 0; i < std::min<std::size_t>(5, words.size()); ++i)
                    out.append(QStringLiteral("'%1' %2").arg(words[i].word, signedValue(value(words[i]))));
                return out.join(QStringLiteral(", "));
            };
            printOut(QStringLiteral("  note words, p(%1) minus p without the word: %2\n")
                         .arg(positive, top([](const WordAttribution &w) { return w.occlusion; })));
            printOut(QStringLiteral("  note words, Integrated Gradients against a note of blank tokens: %1 "
                                    "(completeness error %2)\n")
                         .arg(top([](const WordAttribution &w) { return w.ig; }))
                         .arg(e.textIgCompletenessError, 0, 'g', 2));
            if (!e.textCounterfactual.text.isEmpty())
                printOut(
                    QStringLiteral("  note counterfactual: %1%2\n")
                        .arg(e.textCounterfactual.text,
                            e.textCounterfactual.found
                                ? QStringLiteral(" (%1, verified: %2)")
                                      .arg(probabilityText(positive, e.textCounterfactual.probabilityAfter),
                                          e.textCounterfactual.verified ? QStringLiteral("yes") : QStringLiteral("no"))
                                : QString()));
        }
    }
    if (!e.temporalWeights.empty()) {
        const auto top = std::max_element(e.temporalWeights.begin(), e.temporalWeights.end());
        printOut(QStringLiteral("  temporal attention: event %1 of %2 weighs most (%3)\n")
                     .arg(top - e.temporalWeights.begin() + 1)
                     .arg(e.temporalWeights.size())
                     .arg(*top, 0, 'f', 2));
    }
    QStringList disagree;
    for (const CounterfactualChange &c : e.counterfactual.changes)
        if (c.agreesWithAttribution < 0)
            disagree.append(c.field);
    printOut(
        QStringLiteral("  counterfactual: %1%2%3\n")
            .arg(e.counterfactual.text,
                e.counterfactual.found && !e.counterfactual.verified ? QStringLiteral(" (NOT verified)") : QString(),
                disagree.isEmpty()
                    ? QString()
                    : QStringLiteral(" — its change of %1 goes against that field's attribution, which is "
                                     "measured from the average case, not from this one")
                          .arg(disagree.join(QStringLiteral(", ")))));
    for (const CounterfactualAlternative &a : e.counterfactual.alternatives)
        printOut(QStringLiteral("    or: %1 (distance %2 SD)\n").arg(a.text).arg(a.distance, 0, 'f', 2));
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
    std::optional<CaseExplanation> only; // printed once the summary names the template
    options.explained = [&](const CaseExplanation &e) {
        if (json)
            out.append(e.toJson());
        else if (cases == 1)
            only = e;
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
    if (only)
        printExplanation(*only, summary->bound);
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
        QStringLiteral("Measure faithfulness on --split against a ground-truth file, each measure beside its "
                       "chance level (nothing is stored)."));
    const QCommandLineOption groundTruth(QStringLiteral("ground-truth"),
        QStringLiteral("The ground-truth file for --report (default: ground_truth.json beside the dataset's "
                       "manifest; format in docs/EXPLANATIONS.md)."),
        QStringLiteral("FILE"));
    const QCommandLineOption stabilityRun(QStringLiteral("stability-run"),
        QStringLiteral("With --report: also measure explanation stability, the rank correlation of each case's "
                       "field attributions under this run and under run M (trained on the same dataset, e.g. "
                       "with another seed)."),
        QStringLiteral("M"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    for (const auto &o :
        { run, caseOption, all, split, dataset, templateOption, device, report, groundTruth, stabilityRun, json })
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
    qint64 stabilityRunId = 0;
    if (p.isSet(stabilityRun)) {
        stabilityRunId = p.value(stabilityRun).toLongLong(&ok);
        if (!ok || !p.isSet(report))
            return usageError(
                QStringLiteral("explain"), QStringLiteral("--stability-run M takes a run id and goes with --report"));
        if (stabilityRunId == runId)
            return usageError(
                QStringLiteral("explain"), QStringLiteral("--stability-run needs a run other than --run"));
    }

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
        // Stability: the second run explains the same cases with its own model and decision setup.
        std::optional<TrainedModel> other;
        std::optional<Explainer> otherExplainer;
        if (stabilityRunId != 0) {
            auto loaded = TrainedModel::load(*study.value(), stabilityRunId, p.value(device));
            if (!loaded) {
                printErr(QStringLiteral("lepton explain: --stability-run: %1\n").arg(loaded.error()));
                return ExitFailure;
            }
            if (loaded->run.datasetId != model->run.datasetId) {
                printErr(QStringLiteral("lepton explain: run %1 was trained on dataset %2, run %3 on dataset %4; "
                                        "--stability-run needs a run trained on the same dataset\n")
                             .arg(stabilityRunId)
                             .arg(loaded->run.datasetId)
                             .arg(runId)
                             .arg(model->run.datasetId));
                return ExitInvalidInput;
            }
            auto otherSetup = DecisionSetup::forRun(*study.value(), loaded.value(), p.value(templateOption));
            if (!otherSetup) {
                printErr(QStringLiteral("lepton explain: --stability-run: %1\n").arg(otherSetup.error()));
                return ExitInvalidInput;
            }
            auto otherDs = loaded->dataset(*study.value(), datasetId);
            if (!otherDs) {
                printErr(QStringLiteral("lepton explain: --stability-run: %1\n").arg(otherDs.error()));
                return ExitFailure;
            }
            if (otherDs.value()->size() != ds.value()->size()) {
                printErr(QStringLiteral("lepton explain: runs %1 and %2 see dataset %3 with different cases; "
                                        "--stability-run needs the same cases\n")
                             .arg(runId)
                             .arg(stabilityRunId)
                             .arg(datasetId));
                return ExitInvalidInput;
            }
            other = loaded.take();
            otherExplainer.emplace(other->model, otherDs.value(), otherSetup.value(), other->device);
        }
        auto r = measureFaithfulness(explainer, *ds.value(), indices, truth, 3, stderrProgress(), interruptCancel(),
            otherExplainer ? &*otherExplainer : nullptr);
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
        printExplanation(e, setup->bound);
    return ExitOk;
}

} // namespace lepton::cli
