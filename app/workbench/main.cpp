// SPDX-License-Identifier: GPL-3.0-or-later
// `lepton-workbench [STUDY]`: the GUI.
#include "CaseTableModel.h"
#include "DataView.h"
#include "ExperimentsView.h"
#include "ImportDialog.h"
#include "InspectorView.h"
#include "MainWindow.h"
#include "PretrainDialog.h"
#include "TemplateEditorDialog.h"
#include "TrainingForm.h"
#include "TrainingView.h"

#include "service/RunListModel.h"
#include "service/StudySession.h"
#include "util/Heap.h"
#include "util/Threads.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QCommandLineParser>
#include <QTableView>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Lepton Workbench"));
    QApplication::setOrganizationName(QStringLiteral("Lepton"));
    QApplication::setApplicationVersion(QStringLiteral(LEPTON_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("lepton-workbench"));
    lepton::configureTorchThreads(qEnvironmentVariableIntValue("LEPTON_THREADS"));
    lepton::tuneHeapForLargeBuffers();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Multimodal deep learning with explainable, reviewable decisions."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("A study file (.lepton) to open."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Save a picture of the window to FILE and quit."), QStringLiteral("FILE"));
    const QCommandLineOption view(QStringLiteral("view"),
        QStringLiteral("Show this view: data, training, experiments, inspector or review."), QStringLiteral("VIEW"));
    const QCommandLineOption select(
        QStringLiteral("select-row"), QStringLiteral("Select this row of the case table."), QStringLiteral("N"));
    const QCommandLineOption grid(QStringLiteral("thumbnails"), QStringLiteral("Show the cases as thumbnails."));
    const QCommandLineOption run(
        QStringLiteral("run"), QStringLiteral("Show this run's curves in the Training view."), QStringLiteral("ID"));
    const QCommandLineOption wait(QStringLiteral("screenshot-delay"),
        QStringLiteral("Milliseconds to wait before the screenshot (default 800)."), QStringLiteral("MS"),
        QStringLiteral("800"));
    const QCommandLineOption train(QStringLiteral("train-epochs"),
        QStringLiteral("Start a run of N epochs from the Training view's form (with its other defaults)."),
        QStringLiteral("N"));
    const QCommandLineOption exitWhenDone(QStringLiteral("exit-when-done"),
        QStringLiteral("With --train-epochs: quit when the run ends and print its outcome."));
    const QCommandLineOption importManifest(QStringLiteral("import"),
        QStringLiteral("Open the import dialog for this manifest (events.csv beside it is picked up)."),
        QStringLiteral("MANIFEST"));
    const QCommandLineOption inspect(QStringLiteral("inspect"),
        QStringLiteral(
            "Open this case (its id in the manifest) in the Inspector, under --run (default: the newest run)."),
        QStringLiteral("CASE"));
    const QCommandLineOption compare(
        QStringLiteral("compare"), QStringLiteral("With --inspect: compare with this run."), QStringLiteral("ID"));
    const QCommandLineOption runs(QStringLiteral("select-runs"),
        QStringLiteral("Select these runs in the Experiments view (comma-separated ids)."), QStringLiteral("IDS"));
    const QCommandLineOption templateEditor(QStringLiteral("template-editor"),
        QStringLiteral("Open the Template editor for --run (default: the Experiments view's current run)."));
    const QCommandLineOption pretrain(
        QStringLiteral("pretrain"), QStringLiteral("Open Training ▸ Pretrain Encoder… (the study must be writable)."));
    for (const auto &o : { screenshot, view, select, grid, run, wait, train, exitWhenDone, importManifest, inspect,
             compare, runs, templateEditor, pretrain })
        parser.addOption(o);
    parser.process(app);

    lepton::StudySession session;
    MainWindow window(&session);
    // Scripted runs (screenshots) must never wait for a click: errors go to stderr.
    const bool scripted = parser.isSet(screenshot) || parser.isSet(exitWhenDone);
    if (scripted) {
        window.setInteractive(false);
        QObject::connect(&window, &MainWindow::errorShown, &app,
            [](const QString &message) { std::fprintf(stderr, "lepton-workbench: %s\n", qPrintable(message)); });
    }
    window.show();
    if (!parser.positionalArguments().isEmpty())
        (void)window.openStudy(parser.positionalArguments().first()); // a failure is shown; the start page stays
    if (parser.isSet(view)) {
        const QStringList names { QStringLiteral("data"), QStringLiteral("training"), QStringLiteral("experiments"),
            QStringLiteral("inspector"), QStringLiteral("review") };
        const int index = names.indexOf(parser.value(view).toLower());
        if (index < 0) {
            qCritical("lepton-workbench: --view must be one of %s", qPrintable(names.join(QStringLiteral(", "))));
            return 2;
        }
        window.showView(MainWindow::View(index));
    }
    if (parser.isSet(grid))
        window.dataView()->setGridMode(true);
    if (parser.isSet(select) && window.dataView()->caseModel()->rowCount() > 0)
        window.dataView()->caseView()->selectRow(parser.value(select).toInt());
    if (parser.isSet(run)) {
        const qint64 id = parser.value(run).toLongLong();
        auto *table = window.trainingView()->findChild<QTableView *>(QStringLiteral("runsTable"));
        for (int r = 0; table && r < table->model()->rowCount(); ++r)
            if (table->model()->index(r, 0).data(lepton::RunListModel::RunIdRole).toLongLong() == id)
                table->selectRow(r);
    }
    if (parser.isSet(runs)) {
        QList<qint64> ids;
        for (const QString &id : parser.value(runs).split(QLatin1Char(','), Qt::SkipEmptyParts))
            ids.append(id.trimmed().toLongLong());
        window.showView(MainWindow::ExperimentsPage);
        window.experimentsView()->selectRuns(ids);
    }
    if (parser.isSet(inspect)) {
        window.showView(MainWindow::InspectorPage);
        InspectorView *inspector = window.inspectorView();
        const qint64 runId = parser.isSet(run) ? parser.value(run).toLongLong() : inspector->currentRun();
        if (parser.isSet(compare))
            inspector->setCompareRun(parser.value(compare).toLongLong());
        inspector->openCaseKey(runId, parser.value(inspect));
    }
    if (parser.isSet(templateEditor))
        window.showTemplateEditor(parser.isSet(run) ? parser.value(run).toLongLong() : 0);
    PretrainDialog *pretrainDialog = parser.isSet(pretrain) ? window.showPretrainDialog() : nullptr;
    if (parser.isSet(importManifest) && !window.handleDroppedPath(parser.value(importManifest)))
        return 3;
    if (parser.isSet(train)) {
        TrainingView *t = window.trainingView();
        window.showView(MainWindow::TrainingPage);
        t->form()->setEpochs(parser.value(train).toInt());
        if (parser.isSet(exitWhenDone)) {
            QObject::connect(t, &TrainingView::runFinished, &app, [](qint64 runId, const QString &status) {
                std::printf("run %lld %s\n", static_cast<long long>(runId), qPrintable(status));
                std::fflush(stdout);
                QApplication::exit(status == QLatin1String("completed") ? 0 : 1);
            });
        }
        if (!t->startTraining())
            return 1;
    }
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        QTimer::singleShot(parser.value(wait).toInt(), &window, [&window, file, pretrainDialog] {
            // An open import dialog or template editor is what the picture is of.
            QWidget *shown = window.importDialog() && window.importDialog()->isVisible()
                ? static_cast<QWidget *>(window.importDialog())
                : &window;
            if (window.templateEditor() && window.templateEditor()->isVisible())
                shown = window.templateEditor();
            if (pretrainDialog)
                shown = pretrainDialog;
            const bool ok = shown->grab().save(file);
            QApplication::exit(ok ? 0 : 1);
        });
    }
    return app.exec();
}
