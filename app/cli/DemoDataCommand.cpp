// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"
#include "Commands.h"

#include "demo/DemoGenerator.h"
#include "demo/ModalityBaseline.h"

#include <QFile>
#include <QJsonArray>

namespace lepton::cli {
namespace {

int printBaseline(const QString &dir, bool json, QJsonObject *jsonOut)
{
    printErr(QStringLiteral("Measuring the per-modality baseline…\n"));
    auto rows = ModalityBaseline::measure(dir);
    if (!rows) {
        printErr(QStringLiteral("lepton demo-data: %1\n").arg(rows.error()));
        return ExitFailure;
    }
    QJsonArray list;
    QString table = QStringLiteral("\nBaseline (logistic regression on simple features), test AUROC:\n");
    table += QStringLiteral("  %1  %2  %3\n")
                 .arg(QStringLiteral("modalities"), -24)
                 .arg(QStringLiteral("features"), 8)
                 .arg(QStringLiteral("AUROC"), 6);
    for (const BaselineRow &r : rows.value()) {
        table += QStringLiteral("  %1  %2  %3\n").arg(r.modalities, -24).arg(r.features, 8).arg(r.testAuroc, 6, 'f', 3);
        list.append(QJsonObject { { QStringLiteral("modalities"), r.modalities },
            { QStringLiteral("features"), r.features }, { QStringLiteral("test_auroc"), r.testAuroc } });
    }
    if (json)
        jsonOut->insert(QStringLiteral("baseline"), list);
    else
        printOut(table);
    return ExitOk;
}

} // namespace

int runDemoData(const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption domain(QStringLiteral("domain"), QStringLiteral("medical or finance (default medical)."),
        QStringLiteral("DOMAIN"), QStringLiteral("medical"));
    const QCommandLineOption cases(QStringLiteral("cases"), QStringLiteral("Number of cases (default 2000)."),
        QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption seed(QStringLiteral("seed"),
        QStringLiteral("Random seed (default 7); same seed, same bytes."), QStringLiteral("S"), QStringLiteral("7"));
    const QCommandLineOption out(
        QStringLiteral("out"), QStringLiteral("Output folder (default lepton-demo-DOMAIN)."), QStringLiteral("DIR"));
    const QCommandLineOption baseline(QStringLiteral("baseline"),
        QStringLiteral("Also measure how well each modality alone and together predict the label."));
    const QCommandLineOption format(QStringLiteral("format"),
        QStringLiteral("Image files: png, or dicom (a mix of transfer syntaxes, two visits per patient, and "
                       "labels.csv for --dicom-dir; default png)."),
        QStringLiteral("FORMAT"), QStringLiteral("png"));
    const QCommandLineOption imageSize(QStringLiteral("image-size"),
        QStringLiteral("Side of the medical images in pixels (default 128; e.g. 2000 for scanner-sized files)."),
        QStringLiteral("N"), QStringLiteral("128"));
    const QCommandLineOption notes(QStringLiteral("notes"),
        QStringLiteral("Add a free-text column 'note' (a clinical note, or the applicant's statement) that carries "
                       "part of the label: symptom words, negations, synonyms, filler and empty notes."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the summary as JSON."));
    for (const auto &o : { domain, cases, seed, out, baseline, format, imageSize, notes, json })
        p.addOption(o);
    if (auto code = parseArguments(p, QStringLiteral("demo-data"),
            QStringLiteral(
                "[--domain medical|finance] [--cases N] [--seed S] [--out DIR] [--format png|dicom] [--notes]"),
            QStringLiteral("Writes a seeded synthetic dataset: a manifest CSV, an events CSV, images "
                           "(medical) and ground_truth.json. The label needs every modality: "
                           "see docs/DEMO_DATA.md."),
            args, 0, 0))
        return *code;
    DemoOptions o;
    o.domain = p.value(domain);
    if (o.domain != QLatin1String("medical") && o.domain != QLatin1String("finance"))
        return usageError(
            QStringLiteral("demo-data"), QStringLiteral("--domain must be medical or finance, not '%1'").arg(o.domain));
    o.imageFormat = p.value(format);
    o.notes = p.isSet(notes);
    if (o.imageFormat != QLatin1String("png") && o.imageFormat != QLatin1String("dicom"))
        return usageError(
            QStringLiteral("demo-data"), QStringLiteral("--format must be png or dicom, not '%1'").arg(o.imageFormat));
    bool ok = false;
    o.cases = p.value(cases).toInt(&ok);
    if (!ok || o.cases < 10)
        return usageError(QStringLiteral("demo-data"),
            QStringLiteral("--cases needs a whole number ≥ 10, not '%1'").arg(p.value(cases)));
    o.imageSize = p.value(imageSize).toInt(&ok);
    if (!ok || o.imageSize < 32 || o.imageSize > 4096)
        return usageError(QStringLiteral("demo-data"),
            QStringLiteral("--image-size needs a whole number from 32 to 4096, not '%1'").arg(p.value(imageSize)));
    o.seed = p.value(seed).toULongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("demo-data"),
            QStringLiteral("--seed needs a whole number ≥ 0, not '%1'").arg(p.value(seed)));
    o.outDir = p.isSet(out) ? p.value(out) : QStringLiteral("lepton-demo-") + o.domain;
    o.progress = stderrProgress();
    o.cancelled = interruptCancel();
    auto summary = DemoGenerator::generate(o);
    if (!summary) {
        printErr(QStringLiteral("lepton demo-data: %1\n").arg(summary.error()));
        return ExitFailure;
    }
    QJsonObject result { { QStringLiteral("domain"), o.domain }, { QStringLiteral("out"), o.outDir },
        { QStringLiteral("manifest"), summary->manifestPath }, { QStringLiteral("events"), summary->eventsPath },
        { QStringLiteral("ground_truth"), summary->groundTruthPath }, { QStringLiteral("cases"), summary->cases },
        { QStringLiteral("positives"), summary->positives }, { QStringLiteral("images"), summary->images },
        { QStringLiteral("events_rows"), summary->events } };
    if (!p.isSet(json))
        printOut(QStringLiteral("Wrote %1 %2 cases (%3 positive), %4 images, %5 events to %6\n"
                                "Import it with: lepton import STUDY.lepton --manifest %7 --events %8\n")
                     .arg(summary->cases)
                     .arg(o.domain)
                     .arg(summary->positives)
                     .arg(summary->images)
                     .arg(summary->events)
                     .arg(o.outDir, summary->manifestPath, summary->eventsPath));
    if (p.isSet(baseline)) {
        const int code = printBaseline(o.outDir, p.isSet(json), &result);
        if (code != ExitOk)
            return code;
    }
    if (p.isSet(json))
        printJson(result);
    return ExitOk;
}

} // namespace lepton::cli
