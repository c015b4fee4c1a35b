// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSlider;

/// Live training curves over an x axis in epochs (fractional): the train loss of batch b of B in
/// epoch e (0-based) sits at x = e + (b+1)/B, the validation values of epoch e at x = e + 1.
///
/// Shows the raw train loss per step (faint, thin, not antialiased: it can hold 100 000+ points),
/// its exponential moving average, the validation loss per epoch and one chosen metric per epoch on
/// the right axis, plus a vertical marker at the best epoch. Under the plot a control row offers
/// smoothing, a log scale for the losses, reset zoom and export to PNG or PDF.
///
/// Points are appended (never replaced) and every update queues a single replot for the next
/// event-loop turn, so many small batches cost one redraw. Non-finite values are skipped. The view
/// follows new data until the user zooms or pans; "Reset zoom" (or a double click) follows it again.
class LossPlot : public QWidget
{
    Q_OBJECT
public:
    /// Default smoothing factor, the common default of training dashboards: it evens out
    /// batch-to-batch noise yet stays close to the raw curve, so a sudden change shows at once.
    /// Runs with hundreds of noisy steps per epoch read better at 0.9 or more (the slider).
    static constexpr double kDefaultSmoothing = 0.6;
    static constexpr double kMaxSmoothing = 0.99;

    explicit LossPlot(QWidget *parent = nullptr);

    /// Removes all points, hides the best-epoch marker and resets the zoom.
    void clear();
    /// Appends train-loss points (x in epochs). Pairs with a non-finite x or loss are skipped; if
    /// the sizes differ the extra values of the longer vector are ignored.
    void addSteps(const QVector<double> &x, const QVector<double> &loss);
    /// Appends one epoch: the validation loss (left axis) and the metric (right axis). Non-finite
    /// values are skipped individually. best = true moves the best-epoch marker to x.
    void addEpoch(double x, double valLoss, double metric, bool best);

    /// Name of the metric on the right axis and in the legend, e.g. "val AUROC".
    void setMetricName(const QString &name);
    QString metricName() const { return m_metricName; }

    /// Exponential moving average factor, clamped to [0, 0.99] (0: the smoothed curve equals the raw
    /// one). Recomputes the whole smoothed curve and moves the slider.
    void setSmoothing(double factor);
    double smoothing() const { return m_smoothing; }

    /// Logarithmic scale for the losses (left axis); zero and negative losses then fall off the
    /// plot. Moves the check box.
    void setLogScale(bool on);
    bool logScale() const { return m_logScale; }

    /// Follows the data again after the user zoomed or panned.
    void resetZoom();
    /// True once the user (or any caller other than this widget) changed an axis range.
    bool userZoomed() const { return m_userZoomed; }

    /// Writes the plot as PNG or PDF, chosen by the file's suffix (case-insensitive). Returns false
    /// and, if error is given, a message naming the file when the suffix is unknown or the file
    /// cannot be written.
    bool exportTo(const QString &path, QString *error = nullptr);

    /// Replots and repaints at once (benchmarks, tests); updates otherwise queue one replot.
    void replotNow();

    int stepPointCount() const;
    int epochPointCount() const;
    /// x of the best-epoch marker; NaN when there is none.
    double bestEpochX() const { return m_bestX; }

    QCustomPlot *plot() const { return m_plot; }
    QCPGraph *rawGraph() const { return m_raw; }
    QCPGraph *smoothedGraph() const { return m_smoothed; }
    QCPGraph *valLossGraph() const { return m_valLoss; }
    QCPGraph *metricGraph() const { return m_metric; }
    QSlider *smoothingSlider() const { return m_slider; }
    QCheckBox *logScaleBox() const { return m_logBox; }
    QPushButton *exportButton() const { return m_exportButton; }
    QPushButton *resetZoomButton() const { return m_resetButton; }

    QSize sizeHint() const override { return { 640, 360 }; }

private:
    /// Bounds of everything added so far, kept as points arrive so rescaling costs O(1).
    struct Bounds
    {
        double xMin = 0.0, xMax = 0.0;
        double lossMin = 0.0, lossMax = 0.0, lossMinPositive = 0.0, lossMaxPositive = 0.0;
        double metricMin = 0.0, metricMax = 0.0;
        bool hasX = false, hasLoss = false, hasPositiveLoss = false, hasMetric = false;
        void addX(double x);
        void addLoss(double loss);
        void addMetric(double metric);
    };

    void exportInteractively();
    void appendSmoothed(const QVector<double> &x, const QVector<double> &loss);
    void recomputeSmoothed();
    void updateSmoothedName();
    void applyAutoRanges();
    /// Sizes the legend to its entries and places the best-epoch label; runs before every replot
    /// and export.
    void updateBeforeReplot();
    void updateMarkerLabel();
    void scheduleReplot();
    void onRangeChanged();

    QCustomPlot *m_plot;
    QCPGraph *m_raw;
    QCPGraph *m_smoothed;
    QCPGraph *m_valLoss;
    QCPGraph *m_metric;
    QCPItemStraightLine *m_bestLine;
    QCPItemText *m_bestLabel;
    QSlider *m_slider;
    QLabel *m_smoothingValue;
    QCheckBox *m_logBox;
    QPushButton *m_resetButton;
    QPushButton *m_exportButton;

    QString m_metricName;
    QString m_lastExportPath;
    Bounds m_bounds;
    double m_smoothing = kDefaultSmoothing;
    // Running EMA state: m_emaSum / m_emaWeight is the bias-corrected average, so the curve starts
    // at the first loss instead of rising from zero.
    double m_emaSum = 0.0;
    double m_emaWeight = 0.0;
    double m_bestX;
    bool m_logScale = false;
    bool m_userZoomed = false;
    bool m_settingRanges = false; // our own range changes are not the user's zoom
};
