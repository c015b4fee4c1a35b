// SPDX-License-Identifier: GPL-3.0-or-later
// `lepton-workbench [STUDY]`: the GUI.
#include "CaseTableModel.h"
#include "MainWindow.h"

#include "util/Threads.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTableView>
#include <QTimer>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Lepton Workbench"));
    QApplication::setOrganizationName(QStringLiteral("Lepton"));
    QApplication::setApplicationVersion(QStringLiteral(LEPTON_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("lepton-workbench"));
    lepton::configureTorchThreads(qEnvironmentVariableIntValue("LEPTON_THREADS"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Multimodal deep learning with explainable, reviewable decisions."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("STUDY"), QStringLiteral("A study file (.lepton) to open."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Save a picture of the window to FILE and quit."), QStringLiteral("FILE"));
    const QCommandLineOption select(
        QStringLiteral("select-row"), QStringLiteral("Select this row of the case table."), QStringLiteral("N"));
    parser.addOption(screenshot);
    parser.addOption(select);
    parser.process(app);

    MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty())
        window.openStudy(parser.positionalArguments().first());
    if (parser.isSet(select) && window.caseModel()->rowCount() > 0)
        window.caseView()->selectRow(parser.value(select).toInt());
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        QTimer::singleShot(800, &window, [&window, file] {
            const bool ok = window.grab().save(file);
            QApplication::exit(ok ? 0 : 1);
        });
    }
    return app.exec();
}
