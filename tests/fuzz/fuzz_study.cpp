// SPDX-License-Identifier: GPL-3.0-or-later
// A mutated study file: the bytes become a *.lepton file, Study::open reads it read-only and,
// when it opens, the datasets and runs are listed. Refusal with a message is the expected outcome
// for most inputs; a crash or a hang is a finding.
#include "FuzzSupport.h"
#include "store/DatasetRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

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
            (void)runs.runs();
        }
    }
    lepton::Study::closeThreadConnections();
    return 0;
}
