// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPoint>
#include <QStringList>
#include <QWidget>

#include <vector>

/// A confusion matrix of n classes: true classes down the side, predicted classes across the
/// top. Each cell shows its count and its share of the true class (the row); the colour deepens
/// with that share, blue on the diagonal (correct) and red off it (errors), so where a model
/// confuses which class reads at a glance. Row totals stand on the right.
///
/// Hovering outlines a cell and its tooltip says what it holds. A click on a cell, or Enter or
/// Space on the keyboard's current cell (moved with the arrow keys), emits cellClicked() and
/// marks the cell as current.
class ConfusionMatrixView : public QWidget
{
    Q_OBJECT
public:
    explicit ConfusionMatrixView(QWidget *parent = nullptr);

    /// counts[true][predicted]; rows or columns beyond the classes are ignored, missing ones
    /// count as zero. Resets the current and hovered cells.
    void setMatrix(const QStringList &classes, const std::vector<std::vector<int>> &counts);
    /// No matrix: the placeholder text is shown instead.
    void clear();
    /// What an empty view says (e.g. why there is no matrix).
    void setPlaceholderText(const QString &text);
    QString placeholderText() const { return m_placeholder; }
    /// What the columns are ("Decision", "Most likely class"; "Predicted class" by default): the
    /// title above them and the word in a cell's description.
    void setColumnTitle(const QString &title);
    QString columnTitle() const { return m_columnTitle; }

    QStringList classes() const { return m_classes; }
    int classCount() const { return static_cast<int>(m_classes.size()); }
    /// The count of a cell; 0 outside the matrix.
    int count(int trueClass, int predictedClass) const;
    int rowTotal(int trueClass) const;
    int total() const;

    /// The cell's rectangle in widget coordinates (for tests and tooltips); empty outside.
    QRect cellRect(int trueClass, int predictedClass) const;
    /// The cell under a point in widget coordinates, or (-1, -1).
    QPoint cellAt(const QPoint &pos) const;

    /// The keyboard's and the last click's cell as (predicted, true) = (x, y); (-1, -1): none.
    QPoint currentCell() const { return m_current; }
    void setCurrentCell(int trueClass, int predictedClass);
    QPoint hoveredCell() const { return m_hover; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void cellClicked(int trueClass, int predictedClass);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    /// Where things go for the current size: the grid's top-left corner and the cell side.
    struct Geometry
    {
        QPoint origin;
        int cell = 0;
        int rowLabelWidth = 0;
        int headerHeight = 0;
    };
    Geometry geometry() const;
    double rowShare(int trueClass, int predictedClass) const;
    QColor cellColour(int trueClass, int predictedClass) const;
    QString cellDescription(int trueClass, int predictedClass) const;

    QStringList m_classes;
    std::vector<std::vector<int>> m_counts;
    QString m_placeholder;
    QString m_columnTitle;
    QPoint m_hover { -1, -1 };
    QPoint m_current { -1, -1 };
};
