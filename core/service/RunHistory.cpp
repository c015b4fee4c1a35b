// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunHistory.h"

#include "RunListModel.h"

#include <QCoreApplication>

#include <cmath>
#include <map>

namespace lepton {

Result<TrainingCurves> RunHistory::curves(Study &study, qint64 runId, bool completedOnly)
{
    RunRepository repo(study);
    auto run = repo.run(runId);
    if (!run)
        return Result<TrainingCurves>::failure(run.error());
    auto rows = repo.metrics(runId);
    if (!rows)
        return Result<TrainingCurves>::failure(rows.error());
    std::map<int, std::vector<double>> stepLoss;
    std::map<int, std::map<QString, double>> train, val;
    for (const MetricRow &m : rows.value()) {
        if (m.split == QLatin1String("train") && m.step >= 0 && m.name == QLatin1String("loss"))
            stepLoss[m.epoch].push_back(m.value);
        else if (m.step < 0 && m.split == QLatin1String("train"))
            train[m.epoch][m.name] = m.value;
        else if (m.step < 0 && m.split == QLatin1String("val"))
            val[m.epoch][m.name] = m.value;
    }
    TrainingCurves c;
    c.run = run.take();
    std::size_t perEpoch = 1;
    for (const auto &[epoch, losses] : stepLoss)
        perEpoch = std::max(perEpoch, losses.size());
    for (const auto &[epoch, losses] : stepLoss) {
        if (completedOnly && !val.count(epoch))
            continue;
        for (std::size_t i = 0; i < losses.size(); ++i) {
            c.stepX.append(epoch + double(i + 1) / double(perEpoch));
            c.stepLoss.append(losses[i]);
        }
    }
    for (const auto &[epoch, v] : val) {
        auto get = [&v](const char *name) {
            auto it = v.find(QString::fromLatin1(name));
            return it == v.end() ? NAN : it->second;
        };
        EpochSummary e;
        e.epoch = epoch;
        const auto t = train.find(epoch);
        e.trainLoss
            = t == train.end() || !t->second.count(QStringLiteral("loss")) ? NAN : t->second.at(QStringLiteral("loss"));
        e.valLoss = get("loss");
        e.valAuroc = get("auroc");
        e.valAccuracy = get("accuracy");
        e.valSensitivity = get("sensitivity");
        e.valSpecificity = get("specificity");
        e.valF1 = get("f1");
        e.seconds = t == train.end() || !t->second.count(QStringLiteral("seconds"))
            ? NAN
            : t->second.at(QStringLiteral("seconds"));
        e.best = epoch == c.run.bestEpoch;
        c.epochs.push_back(e);
    }
    return c;
}

Result<RunRecord> RunHistory::resumable(Study &study, qint64 runId)
{
    auto run = RunRepository(study).run(runId);
    if (!run)
        return run;
    if (!isResumable(run->status))
        return Result<RunRecord>::failure(QCoreApplication::translate(
            "RunHistory", "Run %1 is %2; only a cancelled, interrupted or failed run can be resumed.")
                                              .arg(runId)
                                              .arg(runStatusName(run->status)));
    return run;
}

int RunHistory::configuredEpochs(const RunRecord &run)
{
    return run.config.value(QStringLiteral("train")).toObject().value(QStringLiteral("epochs")).toInt();
}

} // namespace lepton
