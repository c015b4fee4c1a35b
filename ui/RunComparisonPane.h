// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/ExperimentService.h"
#include "service/RunComparison.h"

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class RunCurvesPlot;

/// The runs selected in the Experiments view side by side: their per-epoch curves laid over each
/// other, their metrics (the best of each row highlighted) and their settings (optionally only
/// those that differ). It shows a RunComparison computed by the core; it computes nothing.
///
/// Children by objectName: compareTabs, runCurves, metricsTable, diffTable, onlyDifferences,
/// diffSummary, cvTable, cvSummary, selectCvGroup.
///
/// The Cross-validation tab shows the aggregate of the cross-validation the current run is a
/// fold of: for val and test, each metric's mean ± SD across the folds, its 95 % interval and how
/// many folds counted.
class RunComparisonPane : public QWidget
{
    Q_OBJECT
public:
    explicit RunComparisonPane(QWidget *parent = nullptr);

    /// Shows `comparison`; `labels` name its runs in order ("#3 name"). Run i has colour i.
    /// `groupLabel` non-empty (the runs are the folds of one cross-validation): their mean curve
    /// with a ± SD band is drawn as well, over the epochs every run has.
    void showComparison(
        const lepton::RunComparison &comparison, const QStringList &labels, const QString &groupLabel = QString());
    /// Shows nothing, with a placeholder saying why (no study, nothing selected).
    void clear(const QString &placeholder);
    /// Shows a cross-validation's aggregate on the Cross-validation tab; `raise` brings the tab to
    /// the front.
    void showCrossValidation(const lepton::CvAggregate &aggregate, bool raise);
    /// The Cross-validation tab shows no aggregate, with `placeholder` saying why.
    void clearCrossValidation(const QString &placeholder);

Q_SIGNALS:
    /// "Select its runs" on the Cross-validation tab: select these runs (the group's folds).
    void selectRunsRequested(const QList<qint64> &runIds);

private:
    void showMetrics();
    void showSettings();

    lepton::RunComparison m_comparison;
    QStringList m_labels;
    QTabWidget *m_tabs;
    RunCurvesPlot *m_curves;
    QStandardItemModel *m_metrics;
    QTableView *m_metricsView;
    QStandardItemModel *m_diff;
    QTableView *m_diffView;
    QCheckBox *m_onlyDifferences;
    QLabel *m_diffSummary;
    QWidget *m_cvPage;
    QStandardItemModel *m_cv;
    QTableView *m_cvView;
    QLabel *m_cvSummary;
    QPushButton *m_selectCvGroup;
    QList<qint64> m_cvRuns;
};
