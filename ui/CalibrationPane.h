// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/ExperimentService.h"

#include <QColor>
#include <QWidget>

class CurvePlot;
class QLabel;

/// The reliability diagram of a run on a split: the core's reliability bins (mean confidence of
/// the predicted class against how often it was right, a disc per bin sized by its cases) and the
/// expected calibration error computed from exactly those bins — the number the Metrics table and
/// `lepton evaluate` show.
///
/// Children by objectName: calibrationPlot, calibrationCaption.
class CalibrationPane : public QWidget
{
    Q_OBJECT
public:
    explicit CalibrationPane(QWidget *parent = nullptr);

    /// Shows the reliability of `results` (of the run `label`, drawn in `colour`).
    void showResults(const lepton::SplitResults &results, const QString &label, const QColor &colour);
    /// No diagram: the placeholder says why.
    void clear(const QString &placeholder);

    /// "0.0404": the ECE shown, as the Metrics table prints it; empty when none is shown.
    QString eceText() const { return m_eceText; }
    /// How the ECE is printed everywhere in the view.
    static QString formatEce(double ece);

private:
    CurvePlot *m_plot;
    QLabel *m_caption;
    QString m_eceText;
};
