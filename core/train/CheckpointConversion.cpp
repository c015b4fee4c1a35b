// SPDX-License-Identifier: GPL-3.0-or-later
#include "CheckpointConversion.h"

#include "store/AuditActions.h"
#include "store/AuditLog.h"
#include "store/RunRepository.h"
#include "store/Study.h"
#include "train/Checkpoint.h"
#include "train/TrainConfig.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonObject>

#include <vector>

namespace lepton {

namespace {

QString sha256(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

} // namespace

QString CheckpointConversion::auditAction()
{
    return auditaction::RunConvertCheckpoints;
}

Result<CheckpointConversionReport> CheckpointConversion::convertRun(Study &study, qint64 runId, const QString &actor)
{
    using R = Result<CheckpointConversionReport>;
    if (study.isReadOnly())
        return R::failure(QStringLiteral("%1 is open read-only; its checkpoints cannot be converted. Copy the study to "
                                         "a folder you can write to")
                              .arg(study.path()));
    RunRepository runs(study);
    auto run = runs.run(runId);
    if (!run)
        return R::failure(run.error());
    auto config = TrainConfig::fromJson(run->config.value(QStringLiteral("train")).toObject());
    if (!config)
        return R::failure(QStringLiteral("run %1's config cannot be read: %2").arg(runId).arg(config.error()));
    auto stored = runs.checkpoints(runId);
    if (!stored)
        return R::failure(stored.error());

    CheckpointConversionReport report;
    report.runId = runId;
    struct Converted
    {
        int epoch;
        QByteArray before;
        QByteArray after;
        bool optimizer;
    };
    std::vector<Converted> converted;
    for (const Checkpoint &c : stored.value()) {
        if (!CheckpointIO::isLegacyArchive(c.data)) {
            report.current.append(c.epoch);
            continue;
        }
        try {
            // A fresh model and optimizer per checkpoint: nothing of one carries into the next.
            FusionNet model(config->model);
            torch::optim::AdamW optimizer(model->parameters(),
                torch::optim::AdamWOptions(config->learningRate).weight_decay(config->weightDecay));
            bool withOptimizer = false;
            auto bytes = CheckpointIO::convertLegacyArchive(c.data, model, optimizer, c.epoch, &withOptimizer);
            if (!bytes)
                return R::failure(QStringLiteral("run %1 of %2: the checkpoint of epoch %3 cannot be converted: %4")
                                      .arg(runId)
                                      .arg(study.path())
                                      .arg(c.epoch + 1)
                                      .arg(bytes.error()));
            converted.push_back({ c.epoch, c.data, bytes.value(), withOptimizer });
        } catch (const c10::Error &e) {
            return R::failure(QStringLiteral("run %1's model cannot be built: %2")
                                  .arg(runId)
                                  .arg(QString::fromStdString(e.what_without_backtrace())));
        }
    }
    if (converted.empty())
        return report;

    QJsonArray epochs;
    for (const Converted &c : converted)
        epochs.append(QJsonObject { { QStringLiteral("epoch"), c.epoch },
            { QStringLiteral("old_sha256"), sha256(c.before) }, { QStringLiteral("new_sha256"), sha256(c.after) },
            { QStringLiteral("optimizer_state"), c.optimizer } });
    const QJsonObject details { { QStringLiteral("run_id"), runId }, { QStringLiteral("run_name"), run->name },
        { QStringLiteral("from"), QStringLiteral("libtorch-archive") },
        { QStringLiteral("to"), QStringLiteral("lepton-checkpoint-1") }, { QStringLiteral("checkpoints"), epochs } };
    Status st = study.transaction([&](QSqlDatabase &) {
        for (const Converted &c : converted) {
            Status s = runs.replaceCheckpointData(runId, c.epoch, c.after);
            if (!s)
                return s;
        }
        auto entry = AuditLog(study).append(actor, auditAction(), QStringLiteral("run:%1").arg(runId), details);
        if (!entry)
            return Status::failure(entry.error());
        report.auditEntry = entry.value();
        return Status();
    });
    if (!st)
        return R::failure(st.error());
    for (const Converted &c : converted)
        report.converted.append(c.epoch);
    return report;
}

} // namespace lepton
