// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark (not a test): how the Data view's case table behaves on a big study. Opens the study
// in a DataView, then times opening, a page fetch at the end of the loaded rows, text and label
// filters and a sort, each as the user would trigger it. Prints a table; asserts nothing.
// Opening is timed twice: how long the GUI thread is busy, and until the dataset's counts (read
// in the background) are on screen.
#include "CaseTableModel.h"
#include "DataView.h"

#include "service/StudySession.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>

#include <cstdio>

namespace {

double timed(const std::function<void()> &work)
{
    QElapsedTimer t;
    t.start();
    work();
    QCoreApplication::processEvents();
    return t.nsecsElapsed() / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STUDY\n", argv[0]);
        return 2;
    }
    lepton::StudySession session;
    DataView view(&session);
    view.resize(1200, 800);
    view.show();
    CaseTableModel *model = view.caseModel();
    std::printf("%-44s %10s %10s\n", "action", "ms", "rows");
    auto row = [&](const char *what, double ms) {
        std::printf("%-44s %10.1f %10d\n", what, ms, model->totalCount());
        std::fflush(stdout);
    };
    // Read-write, as the workbench opens it (an older study is migrated).
    bool shown = false;
    QEventLoop waitForCounts;
    QObject::connect(&view, &DataView::datasetShown, &waitForCounts, [&] {
        shown = true;
        waitForCounts.quit();
    });
    QElapsedTimer untilShown;
    untilShown.start();
    lepton::Status opened;
    row("open the study's newest dataset (GUI thread)",
        timed([&] { opened = session.open(QString::fromLocal8Bit(argv[1])); }));
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error()));
        return 1;
    }
    if (!shown) {
        QTimer::singleShot(60000, &waitForCounts, &QEventLoop::quit);
        waitForCounts.exec();
    }
    if (!shown) {
        std::fprintf(stderr, "the dataset's counts did not arrive\n");
        return 1;
    }
    row("  ... until its counts and chart are shown", untilShown.nsecsElapsed() / 1e6);
    row("scroll to the end of the loaded page", timed([&] { view.caseView()->scrollToBottom(); }));
    double worstPage = 0;
    for (int i = 0; i < 20; ++i)
        worstPage = std::max(worstPage, timed([&] { view.caseView()->scrollToBottom(); }));
    row("worst of 20 further page fetches", worstPage);
    // Typing waits 200 ms for the next key, then runs this query: time the query.
    lepton::CaseFilter text = model->filter();
    text.text = QStringLiteral("99");
    row("filter ids containing \"99\"", timed([&] { model->setFilter(text); }));
    text.text.clear();
    row("clear the text filter", timed([&] { model->setFilter(text); }));
    row("filter by label (second class)", timed([&] { view.labelBox()->setCurrentIndex(2); }));
    row("filter back to any label", timed([&] { view.labelBox()->setCurrentIndex(0); }));
    row("sort by label, descending", timed([&] { model->sort(CaseTableModel::Label, Qt::DescendingOrder); }));
    row("thumbnail grid on", timed([&] { view.setGridMode(true); }));
    return 0;
}
