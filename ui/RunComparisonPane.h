// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/RunComparison.h"

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class RunCurvesPlot;

/// The runs selected in the Experiments view side by side: their per-epoch curves laid over each
/// other, their metrics (the best of each row highlighted) and their settings (optionally only
/// those that differ). It shows a RunComparison computed by the core; it computes nothing.
///
/// Children by objectName: compareTabs, runCurves, metricsTable, diffTable, onlyDifferences,
/// diffSummary.
class RunComparisonPane : public QWidget
{
    Q_OBJECT
public:
    explicit RunComparisonPane(QWidget *parent = nullptr);

    /// Shows `comparison`; `labels` name its runs in order ("#3 name"). Run i has colour i.
    void showComparison(const lepton::RunComparison &comparison, const QStringList &labels);
    /// Shows nothing, with a placeholder saying why (no study, nothing selected).
    void clear(const QString &placeholder);

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
};
