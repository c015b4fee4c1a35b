// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMap>
#include <QStringList>
#include <QWidget>

class QCustomPlot;

/// Counts per category, stacked by group: e.g. cases per split (categories) and class (groups),
/// so the class balance and the split sizes show at a glance. Each bar is labelled with its total.
class StackedBarChart : public QWidget
{
    Q_OBJECT
public:
    explicit StackedBarChart(QWidget *parent = nullptr);

    /// counts[category][group]; categories and groups are shown in the given orders.
    void setCounts(
        const QStringList &categories, const QStringList &groups, const QMap<QString, QMap<QString, int>> &counts);
    void clear();
    void setTitle(const QString &title);
    /// The total of one category (what its label says).
    int total(const QString &category) const;
    int groupCount() const;
    QCustomPlot *plot() const { return m_plot; }

    QSize sizeHint() const override { return { 360, 150 }; }

private:
    QCustomPlot *m_plot;
    QStringList m_categories;
    QMap<QString, int> m_totals;
};
