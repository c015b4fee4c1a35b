// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

class QCPCurve;
class QCPItemStraightLine;
class QCPItemText;
class QCPTextElement;
class QCustomPlot;

/// Named curves through points in the unit square, each with its colour and a legend entry:
/// ROC curves (false- against true-positive rate, with the chance diagonal), precision-recall
/// curves (with an optional baseline at the positive rate) and reliability diagrams (mean
/// predicted probability against observed frequency, with the diagonal of perfect calibration;
/// points may be sized by how many cases their bin holds).
///
/// Points keep their order (a ROC curve may climb straight up at one x), so the curves are
/// parametric. An empty plot shows a placeholder text saying why it is empty.
class CurvePlot : public QWidget
{
    Q_OBJECT
public:
    enum class Kind {
        Generic, ///< no reference line; axis labels from setAxisLabels()
        Roc, ///< false-positive rate → true-positive rate, diagonal
        PrecisionRecall, ///< recall → precision, optional baseline
        Reliability ///< mean predicted probability → observed frequency, diagonal
    };

    explicit CurvePlot(QWidget *parent = nullptr);

    /// Sets the axis labels, the reference line and the legend's corner for a kind of curve.
    void setKind(Kind kind);
    Kind kind() const { return m_kind; }
    void setAxisLabels(const QString &x, const QString &y);
    /// A title above the plot; empty: none.
    void setTitle(const QString &title);

    /// Removes every curve (the kind, labels and reference line stay).
    void clear();
    /// Adds a curve and returns its index. Pairs with a non-finite value are skipped; extra values
    /// of the longer vector are ignored. With `weights` (one per point, e.g. cases per bin) the
    /// points are drawn as discs whose area grows with the weight.
    int addCurve(const QString &name, const QVector<double> &x, const QVector<double> &y, const QColor &colour,
        const QVector<double> &weights = {});
    /// Draws one curve thicker than the rest (e.g. the current run); -1: none.
    void setEmphasised(int curve);
    /// A horizontal reference line at y (e.g. the positive rate on a PR plot); NaN: none.
    void setBaseline(double y, const QString &label = QString());
    /// What the plot says when it has no curve.
    void setPlaceholderText(const QString &text);

    int curveCount() const { return static_cast<int>(m_curves.size()); }
    /// Points drawn for a curve (after skipping non-finite ones); 0 for an unknown index.
    int pointCount(int curve) const;
    QString curveName(int curve) const;
    /// Discs drawn for weighted points, over all curves.
    int weightMarkerCount() const { return m_weightMarkers; }
    bool hasDiagonal() const;

    /// Writes the plot as PNG or PDF by the file's suffix; false with a message when it cannot.
    bool exportTo(const QString &path, QString *error = nullptr);
    /// Replots and repaints at once (tests); changes otherwise queue one replot.
    void replotNow();

    QCustomPlot *plot() const { return m_plot; }
    QSize sizeHint() const override { return { 420, 360 }; }

private:
    void scheduleReplot();
    void updatePlaceholder();
    void exportInteractively();

    QCustomPlot *m_plot;
    QCPItemStraightLine *m_diagonal;
    QCPItemStraightLine *m_baseline;
    QCPItemText *m_baselineLabel;
    QCPItemText *m_placeholder;
    QCPTextElement *m_title = nullptr;
    QVector<QCPCurve *> m_curves;
    Kind m_kind = Kind::Generic;
    int m_weightMarkers = 0;
    QString m_lastExportPath;
};
