// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "dataset/MultimodalDataset.h"
#include "store/Study.h"
#include "train/Evaluator.h"
#include "train/TrainedModel.h"

#include <cmath>

namespace lepton::cli {

int runEvaluate(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption run(
        QStringLiteral("run"), QStringLiteral("The run whose best model to evaluate."), QStringLiteral("ID"));
    const QCommandLineOption split(QStringLiteral("split"), QStringLiteral("train, val or test (default test)."),
        QStringLiteral("SPLIT"), QStringLiteral("test"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("auto (default), cpu or cuda."),
        QStringLiteral("DEVICE"), QStringLiteral("auto"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    for (const auto &o : { run, split, device, json })
        p.addOption(o);
    p.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("The study file (.lepton)."));
    if (auto code = parseArguments(p, QStringLiteral("evaluate"), QStringLiteral("STUDY --run ID [--split test]"),
            QStringLiteral("Evaluates a run's best model on a split of its dataset."), args, 1, 1))
        return *code;
    bool ok = false;
    const qint64 runId = p.value(run).toLongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("evaluate"), QStringLiteral("--run ID is required"));
    const QString s = p.value(split);
    if (s != QLatin1String("train") && s != QLatin1String("val") && s != QLatin1String("test"))
        return usageError(QStringLiteral("evaluate"), QStringLiteral("--split must be train, val or test"));
    auto study = Study::open(p.positionalArguments().first(), Study::Mode::ReadOnly);
    if (!study) {
        printErr(QStringLiteral("lepton evaluate: %1\n").arg(study.error()));
        return ExitFailure;
    }
    auto model = TrainedModel::load(*study.value(), runId, p.value(device));
    if (!model) {
        printErr(QStringLiteral("lepton evaluate: %1\n").arg(model.error()));
        return ExitFailure;
    }
    auto ds = model->dataset(*study.value(), model->run.datasetId);
    if (!ds) {
        printErr(QStringLiteral("lepton evaluate: %1\n").arg(ds.error()));
        return ExitFailure;
    }
    const Evaluation ev = evaluateModel(model->model, ds.value(), ds.value()->indicesOf(s), model->device,
        model->config.batchSize, model->config.workers, model->positiveClass, interruptCancel());
    if (ev.cancelled)
        return ExitFailure;
    if (p.isSet(json)) {
        QJsonObject o = ev.metrics.toJson();
        o.insert(QStringLiteral("run_id"), runId);
        o.insert(QStringLiteral("split"), s);
        o.insert(QStringLiteral("epoch"), model->epoch + 1);
        printJson(o);
        return ExitOk;
    }
    const ClassificationMetrics &m = ev.metrics;
    auto f = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("–"); };
    printOut(QStringLiteral("Run %1 (epoch %2) on %3: %4 cases\n").arg(runId).arg(model->epoch + 1).arg(s).arg(m.n));
    for (const auto &[name, value] : std::vector<std::pair<QString, double>> { { QStringLiteral("loss"), m.loss },
             { QStringLiteral("accuracy"), m.accuracy }, { QStringLiteral("sensitivity"), m.sensitivity },
             { QStringLiteral("specificity"), m.specificity }, { QStringLiteral("precision"), m.precision },
             { QStringLiteral("F1"), m.f1 }, { QStringLiteral("AUROC"), m.auroc }, { QStringLiteral("AUPRC"), m.auprc },
             { QStringLiteral("ECE"), m.ece } })
        printOut(QStringLiteral("  %1 %2\n").arg(name, -12).arg(f(value)));
    printOut(QStringLiteral("Confusion matrix (rows: true %1, columns: predicted)\n")
                 .arg(model->spec.classes.join(QStringLiteral("/"))));
    for (std::size_t r = 0; r < m.confusion.size(); ++r) {
        QString line = QStringLiteral("  %1").arg(model->spec.classes.value(static_cast<int>(r)), -12);
        for (int c : m.confusion[r])
            line += QStringLiteral(" %1").arg(c, 6);
        printOut(line + QLatin1Char('\n'));
    }
    return ExitOk;
}

} // namespace lepton::cli
