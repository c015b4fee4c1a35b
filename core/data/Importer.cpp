// SPDX-License-Identifier: GPL-3.0-or-later
#include "Importer.h"

#include "data/ImportContext.h"
#include "data/ImportStages.h"

#include <QElapsedTimer>

namespace lepton {

ImportOutcome Importer::run(const ImportOptions &o)
{
    QElapsedTimer clock;
    clock.start();
    ImportContext ctx(o);
    using Stage = bool (*)(ImportContext &);
    const Stage first = o.dicomDir.isEmpty() ? importstage::readManifest : importstage::readDicomFolder;
    const Stage stages[] = { first, importstage::addDicomFields, importstage::resolveColumns,
        importstage::deidentifyRows, importstage::validateRows, importstage::inferTypes, importstage::resolveImages,
        importstage::buildDataset, importstage::readEvents, importstage::summariseDeidentification };
    ImportOutcome out;
    for (Stage stage : stages) {
        if (!stage(ctx)) {
            out.report = std::move(ctx.report);
            return out;
        }
    }
    ImportReport &report = ctx.report;
    report.casesImported = static_cast<int>(ctx.dataset.cases.size());
    report.casesExcluded = report.rowsRead - report.casesImported;
    report.seconds = clock.elapsed() / 1000.0;
    if (ctx.dataset.cases.empty())
        report.addFatal(QStringLiteral("no-cases"), o.manifestPath,
            QStringLiteral("no case could be imported; fix the problems listed above"));
    else if (!ctx.stopIfCancelled())
        out.dataset = std::move(ctx.dataset);
    out.report = std::move(ctx.report);
    return out;
}

} // namespace lepton
