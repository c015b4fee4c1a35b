// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/ExperimentService.h"

#include <QWidget>

#include <vector>

class CalibrationPane;
class ConfusionPane;
class CurvePlot;
class QComboBox;
class QLabel;
class QTabWidget;

/// The current run of the Experiments view on one split: its confusion matrix and a cell's cases,
/// ROC and precision-recall curves (of every compared run, the current one drawn on top) and its
/// reliability diagram. It shows SplitResults read by the core; it reads and computes nothing.
///
/// Children by objectName: runTitle, splitBox, runTabs, rocPlot, prPlot, and those of
/// ConfusionPane and CalibrationPane.
class RunResultsPane : public QWidget
{
    Q_OBJECT
public:
    explicit RunResultsPane(QWidget *parent = nullptr);

    /// The split asked for ("test" or "val").
    QString requestedSplit() const;
    /// Changes the split asked for; splitChanged() follows when it changes.
    void setRequestedSplit(const QString &split);

    /// Nothing to show: no study, or no run selected.
    void showNoRun(bool studyOpen);
    /// The results of `current` (the `index`-th of `runs`, which the curves compare).
    void showResults(const lepton::RunSummary &current, int index, const std::vector<lepton::RunSummary> &runs,
        const lepton::SplitResults &results);
    /// Says that the results of a run could not be read.
    void showError(const QString &message);

    ConfusionPane *confusion() const { return m_confusion; }
    CalibrationPane *calibration() const { return m_calibration; }

Q_SIGNALS:
    void splitChanged();

private:
    /// The confusion matrix the axis chosen asks for (the decision one needs stored predictions).
    void showMatrix();
    /// Below the matrix, before a cell is chosen: what a click lists, or what to do first.
    void showCaseMessage();
    void showCurves(const lepton::RunSummary &current, const std::vector<lepton::RunSummary> &runs,
        const lepton::SplitResults &results);

    QLabel *m_title;
    QComboBox *m_split;
    QTabWidget *m_tabs;
    ConfusionPane *m_confusion;
    CurvePlot *m_roc;
    CurvePlot *m_pr;
    CalibrationPane *m_calibration;
    // What showResults() showed last, for a change of the confusion matrix's axis.
    lepton::RunSummary m_current;
    lepton::SplitResults m_results;
    bool m_hasResults = false;
};
