// SPDX-License-Identifier: GPL-3.0-or-later
#include "StudyImport.h"

#include "demo/DemoGenerator.h"
#include "store/AuditActions.h"
#include "store/AuditLog.h"
#include "store/DatasetRepository.h"
#include "store/DeidentificationKey.h"
#include "store/Study.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QSaveFile>

namespace lepton {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("StudyImport", text);
}
} // namespace

std::pair<QString, QString> StudyImport::filesInFolder(const QString &folder)
{
    const QDir dir(folder);
    QString manifest, events;
    if (dir.exists(QStringLiteral("events.csv")))
        events = dir.filePath(QStringLiteral("events.csv"));
    if (dir.exists(QStringLiteral("manifest.csv")))
        return { dir.filePath(QStringLiteral("manifest.csv")), events };
    QStringList csvs = dir.entryList({ QStringLiteral("*.csv") }, QDir::Files);
    csvs.removeAll(QStringLiteral("events.csv"));
    if (csvs.size() == 1)
        manifest = dir.filePath(csvs.first());
    return { manifest, events };
}

QString StudyImport::fatalReason(const ImportReport &report)
{
    for (const ImportProblem &p : report.problems()) {
        if (p.severity != ImportProblem::Severity::Fatal)
            continue;
        if (p.file.isEmpty() || p.reason.startsWith(p.file))
            return p.reason;
        QString where = QFileInfo(p.file).fileName();
        if (p.line > 0)
            where += QLatin1Char(':') + QString::number(p.line);
        return where + QStringLiteral(": ") + p.reason;
    }
    return QString();
}

Status StudyImport::run(Study &study, ImportOptions o, StudyImportResult *out)
{
    StudyImportResult local;
    StudyImportResult &result = out ? *out : local;
    if (Status prepared = prepare(study, o, result); !prepared)
        return prepared;
    return save(study, o, result);
}

Status StudyImport::prepare(Study &study, ImportOptions &o, StudyImportResult &result)
{
    result.pending.reset();
    if (study.isReadOnly())
        return Status::failure(
            tr("The study %1 is open read-only; reopen it for writing to import.").arg(study.path()));
    if (o.deidentify.enabled) {
        // The study's key (or a new one, stored with the dataset): same patient, same pseudonym.
        Result<QByteArray> secret = DeidentificationKey::load(&study);
        if (!secret)
            return Status::failure(secret.error());
        o.deidentify.secret = secret.value();
    }
    auto outcome = std::make_shared<ImportOutcome>(Importer::run(o));
    result.report = outcome->report;
    result.haveReport = true;
    if (outcome->report.hasFatal() || !outcome->dataset) {
        const QString reason = fatalReason(outcome->report);
        return Status::failure(reason.isEmpty() ? tr("The import stopped: see its report.") : reason);
    }
    if (o.cancelled && o.cancelled())
        return Status::failure(tr("The import was cancelled; nothing was written."));
    result.datasetName = outcome->dataset->name;
    result.cases = static_cast<int>(outcome->dataset->cases.size());
    result.pending = std::move(outcome);
    return {};
}

Status StudyImport::save(Study &study, const ImportOptions &o, StudyImportResult &result)
{
    const std::shared_ptr<ImportOutcome> outcome = std::exchange(result.pending, nullptr);
    if (!outcome || !outcome->dataset)
        return Status::failure(tr("There is no imported dataset to save; import it again."));
    if (study.isReadOnly())
        return Status::failure(
            tr("The study %1 is open read-only; reopen it for writing to import.").arg(study.path()));
    // From here the dataset is stored in one transaction: all of it or nothing.
    if (o.progress)
        o.progress(0, 0, tr("Saving dataset"));
    DatasetRepository repository(study);
    // The key and the dataset in one transaction: both are stored, or neither.
    Result<qint64> id = Result<qint64>::failure(QString());
    const Status saved = study.transaction([&](QSqlDatabase &) {
        if (o.deidentify.enabled)
            if (Status s = DeidentificationKey::store(study, o.deidentify.secret); !s)
                return s;
        id = repository.save(*outcome->dataset, outcome->report);
        return id ? Status() : Status::failure(id.error());
    });
    if (!saved)
        return Status::failure(tr("The dataset could not be saved: %1").arg(saved.error()));
    result.datasetId = id.value();
    return {};
}

bool StudyImport::mostRowsExcluded(const ImportReport &report)
{
    return report.rowsRead > 0 && 2 * report.casesExcluded > report.rowsRead;
}

Status StudyImport::createDemoStudy(const QString &folder, const QString &studyFile, const QString &domain, int cases,
    const ProgressFn &progress, const CancelFn &cancelled)
{
    DemoOptions d;
    d.domain = domain;
    d.cases = cases;
    d.outDir = QDir(folder).filePath(QStringLiteral("data-%1").arg(domain));
    d.progress = [progress](qint64 done, qint64 total, const QString &stage) {
        if (progress)
            progress(done, total, tr("1/2 Generating: %1").arg(stage));
    };
    d.cancelled = cancelled;
    auto demo = DemoGenerator::generate(d);
    if (!demo)
        return Status::failure(demo.error());
    ImportOptions io;
    io.manifestPath = demo->manifestPath;
    io.eventsPath = demo->eventsPath;
    io.name = QStringLiteral("demo-%1").arg(domain);
    io.progress = [progress](qint64 done, qint64 total, const QString &stage) {
        if (progress)
            progress(done, total, tr("2/2 Importing: %1").arg(stage));
    };
    io.cancelled = cancelled;
    ImportOutcome out = Importer::run(io);
    if (cancelled && cancelled())
        return Status::failure(tr("Creating the demo study was cancelled; nothing was written."));
    if (!out.dataset)
        return Status::failure(out.report.toText(5));
    // Only a complete import creates the study file.
    auto study = Study::open(studyFile, Study::Mode::CreateOrOpen);
    if (!study)
        return Status::failure(study.error());
    auto id = DatasetRepository(*study.value()).save(*out.dataset, out.report);
    return id ? Status() : Status::failure(id.error());
}

Status StudyImport::commitReportExport(
    Study *study, QSaveFile &file, qint64 datasetId, const QString &manifestPath, int rows)
{
    const QString path = file.fileName();
    if (!study) {
        if (!file.commit())
            return Status::failure(tr("%1 cannot be written: %2").arg(path, file.errorString()));
        return {};
    }
    // The report names cases and quotes values: without its audit entry nothing is written.
    const QString entity = datasetId > 0 ? QStringLiteral("dataset:%1").arg(datasetId) : QStringLiteral("study");
    auto entry = AuditLog(*study).commitExport(file, QString(), auditaction::ExportImportReportCsv, entity,
        QJsonObject { { QStringLiteral("manifest"), manifestPath }, { QStringLiteral("rows"), rows } });
    if (!entry)
        return Status::failure(tr("%1 was not exported: %2").arg(path, entry.error()));
    return {};
}

} // namespace lepton
