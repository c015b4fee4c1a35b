// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark (not a test): how the Data view's case table behaves on a big study. Opens the study
// in a DataView, then times opening, a page fetch at the end of the loaded rows, text and label
// filters and a sort, each as the user would trigger it. Prints a table; asserts nothing.
#include "CaseTableModel.h"
#include "DataView.h"

#include "store/Study.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QTableView>

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
    auto study = lepton::Study::open(QString::fromLocal8Bit(argv[1]),
        lepton::Study::Mode::ReadWrite); // migrates an older study, as the workbench does
    if (!study) {
        std::fprintf(stderr, "%s\n", qPrintable(study.error()));
        return 1;
    }
    DataView view;
    view.resize(1200, 800);
    view.show();
    CaseTableModel *model = view.caseModel();
    std::printf("%-44s %10s %10s\n", "action", "ms", "rows");
    auto row = [&](const char *what, double ms) {
        std::printf("%-44s %10.1f %10d\n", what, ms, model->totalCount());
        std::fflush(stdout);
    };
    row("open the study's newest dataset", timed([&] { view.setStudy(study.value()); }));
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
