// SPDX-License-Identifier: GPL-3.0-or-later
// A mutated study file: the bytes become a *.lepton file, Study::open reads it read-only and,
// when it opens, the datasets and runs are listed, and for each run (the first few) its model is
// loaded from its stored checkpoint (as `lepton evaluate`/`predict` and the workbench do), its
// stored predictions are read with their cases, and the explanations of the first few. A study is
// a file people send each other, so its checkpoints and predictions are untrusted bytes too.
// Refusal with a message is the expected outcome for most inputs; a crash or a hang is a finding.
// The seed (corpus/fuzz_study/) holds a trained run with predictions and explanations.
#include "FuzzSupport.h"
#include "store/DatasetRepository.h"
#include "store/ExplanationRepository.h"
#include "store/PredictionQuery.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/TrainedModel.h"

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lepton::fuzz::initialiseQt(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // A new name per input would fill the scratch folder; one name, with any WAL left by the
    // previous input removed, keeps every run independent.
    const QString base = lepton::fuzz::scratchDir() + QStringLiteral("/study.lepton");
    QFile::remove(base + QStringLiteral("-wal"));
    QFile::remove(base + QStringLiteral("-shm"));
    const QString path = lepton::fuzz::writeScratch(QStringLiteral("study.lepton"), data, size);
    if (path.isEmpty())
        return 0;
    {
        auto study = lepton::Study::open(path, lepton::Study::Mode::ReadOnly);
        lepton::fuzz::trace("open", study ? QStringLiteral("ok") : study.error());
        if (!study) {
            if (study.error().isEmpty())
                __builtin_trap();
        } else {
            lepton::DatasetRepository datasets(**study);
            auto list = datasets.datasets(true);
            lepton::fuzz::trace("datasets", list ? QString::number(list->size()) : list.error());
            if (list) {
                for (const auto &d : *list) {
                    (void)datasets.fields(d.id, QStringLiteral("record"));
                    (void)datasets.cases(d.id, {}, 0, 50);
                }
            }
            lepton::RunRepository runs(**study);
            auto runList = runs.runs();
            lepton::fuzz::trace("runs", runList ? QString::number(runList->size()) : runList.error());
            if (runList) {
                int tried = 0;
                for (const auto &run : *runList) {
                    if (++tried > 3)
                        break;
                    auto model = lepton::TrainedModel::load(**study, run.id, QStringLiteral("cpu"));
                    lepton::fuzz::trace("model", model ? QStringLiteral("ok") : model.error());
                    lepton::PredictionFilter filter;
                    filter.runId = run.id;
                    auto predictions = lepton::PredictionQuery(**study).list(filter);
                    lepton::fuzz::trace(
                        "predictions", predictions ? QString::number(predictions->size()) : predictions.error());
                    if (!predictions)
                        continue;
                    lepton::ExplanationRepository explanations(**study);
                    for (std::size_t i = 0; i < predictions->size() && i < 3; ++i) {
                        const auto &p = (*predictions)[i];
                        auto stored = explanations.prediction(run.id, p.caseId);
                        auto loaded = explanations.load(p.predictionId);
                        lepton::fuzz::trace("explanations", loaded ? QString::number(loaded->size()) : loaded.error());
                        (void)stored;
                    }
                }
            }
        }
    }
    lepton::Study::closeThreadConnections();
    return 0;
}
