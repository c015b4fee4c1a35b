// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QVector>
#include <QWidget>

/// Horizontal bars for named values, largest magnitude on top: positive values one colour,
/// negative another, each labelled with its value and, optionally, a note (e.g. the field's value
/// in this case). For modality weights, field attributions (signed) and the like.
class SignedBarChart : public QWidget
{
    Q_OBJECT
public:
    explicit SignedBarChart(QWidget *parent = nullptr);

    /// `notes` may be empty or one per value. Bars are sorted by |value| unless `keepOrder`.
    void setBars(
        const QStringList &names, const QVector<double> &values, const QStringList &notes = {}, bool keepOrder = false);
    void clear();
    void setTitle(const QString &title);
    /// Shows at most this many bars (the largest); 0: all.
    void setMaximumBars(int n) { m_maxBars = n; }
    /// Keeps the height of at least this many bars, so that the chart (and what is laid out below
    /// it) keeps its place when one case has fewer bars than the next.
    void setReservedBars(int n)
    {
        m_reservedBars = n;
        updateGeometry();
    }
    void setValueFormat(char format, int precision)
    {
        m_format = format;
        m_precision = precision;
    }
    void setColours(const QColor &positive, const QColor &negative);
    int barCount() const { return static_cast<int>(m_names.size()); }
    QString barName(int i) const { return m_names.value(i); }
    double barValue(int i) const { return m_values.value(i); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return { 200, 60 }; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_title;
    QStringList m_names, m_notes;
    QVector<double> m_values;
    int m_maxBars = 0;
    int m_reservedBars = 0;
    char m_format = 'f';
    int m_precision = 3;
    QColor m_positive { 0xd6, 0x4b, 0x3c };
    QColor m_negative { 0x3b, 0x7d, 0xc4 };
};
