// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfusionMatrixView.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {
const QColor kCorrect(0x1f, 0x5f, 0xa8); // diagonal: the share of a class that was recognised
const QColor kError(0xc0, 0x39, 0x2b); // off the diagonal: the share sent to a wrong class
const QColor kGridLine(0xd0, 0xd4, 0xda);
const QColor kHover(0x20, 0x20, 0x20);
const QColor kCurrent(0xf0, 0xa0, 0x20);
constexpr int kMargin = 8;
constexpr int kMinCell = 22;
constexpr int kMaxCell = 150;

QColor mix(const QColor &from, const QColor &to, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(float(from.redF() + (to.redF() - from.redF()) * t),
        float(from.greenF() + (to.greenF() - from.greenF()) * t),
        float(from.blueF() + (to.blueF() - from.blueF()) * t));
}
} // namespace

ConfusionMatrixView::ConfusionMatrixView(QWidget *parent)
    : QWidget(parent), m_placeholder(tr("No confusion matrix")), m_columnTitle(tr("Predicted class"))
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAccessibleName(tr("Confusion matrix"));
    setAccessibleDescription(tr("Arrow keys move between cells; Enter lists the cases of a cell"));
}

void ConfusionMatrixView::setMatrix(const QStringList &classes, const std::vector<std::vector<int>> &counts)
{
    m_classes = classes;
    const std::size_t n = static_cast<std::size_t>(classes.size());
    m_counts.assign(n, std::vector<int>(n, 0));
    for (std::size_t t = 0; t < n && t < counts.size(); ++t)
        for (std::size_t p = 0; p < n && p < counts[t].size(); ++p)
            m_counts[t][p] = std::max(0, counts[t][p]);
    m_hover = m_current = QPoint(-1, -1);
    updateGeometry();
    update();
}

void ConfusionMatrixView::clear()
{
    setMatrix({}, {});
}

void ConfusionMatrixView::setColumnTitle(const QString &title)
{
    m_columnTitle = title;
    update();
}

void ConfusionMatrixView::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    update();
}

int ConfusionMatrixView::count(int trueClass, int predictedClass) const
{
    if (trueClass < 0 || predictedClass < 0 || trueClass >= classCount() || predictedClass >= classCount())
        return 0;
    return m_counts[static_cast<std::size_t>(trueClass)][static_cast<std::size_t>(predictedClass)];
}

int ConfusionMatrixView::rowTotal(int trueClass) const
{
    int sum = 0;
    for (int p = 0; p < classCount(); ++p)
        sum += count(trueClass, p);
    return sum;
}

int ConfusionMatrixView::total() const
{
    int sum = 0;
    for (int t = 0; t < classCount(); ++t)
        sum += rowTotal(t);
    return sum;
}

double ConfusionMatrixView::rowShare(int trueClass, int predictedClass) const
{
    const int row = rowTotal(trueClass);
    return row > 0 ? double(count(trueClass, predictedClass)) / row : 0.0;
}

ConfusionMatrixView::Geometry ConfusionMatrixView::geometry() const
{
    Geometry g;
    const int n = classCount();
    if (n == 0)
        return g;
    const QFontMetrics fm(font());
    const int line = fm.height();
    int widest = 0;
    for (const QString &c : m_classes)
        widest = std::max(widest, fm.horizontalAdvance(c));
    g.rowLabelWidth = std::min(widest, 160) + 10;
    g.headerHeight = 2 * line + 8; // axis title and class names
    const int axisTitle = line + 6; // the rotated "True class" on the left
    const int totals = fm.horizontalAdvance(QStringLiteral("n = 00000")) + 8;
    const int left = kMargin + axisTitle + g.rowLabelWidth;
    const int availableW = width() - left - totals - kMargin;
    const int availableH = height() - kMargin - g.headerHeight - kMargin;
    g.cell = std::clamp(std::min(availableW, availableH) / n, kMinCell, kMaxCell);
    // Centred in the room left over, so the matrix sits in the middle of a wide pane.
    const int spareW = std::max(0, availableW - g.cell * n);
    const int spareH = std::max(0, availableH - g.cell * n);
    g.origin = QPoint(left + spareW / 2, kMargin + g.headerHeight + spareH / 3);
    return g;
}

QRect ConfusionMatrixView::cellRect(int trueClass, int predictedClass) const
{
    const int n = classCount();
    if (trueClass < 0 || predictedClass < 0 || trueClass >= n || predictedClass >= n)
        return {};
    const Geometry g = geometry();
    return { g.origin.x() + predictedClass * g.cell, g.origin.y() + trueClass * g.cell, g.cell, g.cell };
}

QPoint ConfusionMatrixView::cellAt(const QPoint &pos) const
{
    const int n = classCount();
    if (n == 0)
        return { -1, -1 };
    const Geometry g = geometry();
    const QPoint d = pos - g.origin;
    if (d.x() < 0 || d.y() < 0)
        return { -1, -1 };
    const int p = d.x() / g.cell, t = d.y() / g.cell;
    if (p >= n || t >= n)
        return { -1, -1 };
    return { p, t };
}

void ConfusionMatrixView::setCurrentCell(int trueClass, int predictedClass)
{
    const int n = classCount();
    if (trueClass < 0 || predictedClass < 0 || trueClass >= n || predictedClass >= n)
        m_current = QPoint(-1, -1);
    else
        m_current = QPoint(predictedClass, trueClass);
    update();
}

QColor ConfusionMatrixView::cellColour(int trueClass, int predictedClass) const
{
    const double share = rowShare(trueClass, predictedClass);
    if (count(trueClass, predictedClass) == 0)
        return QColor(0xfa, 0xfa, 0xfb);
    // A little colour even for small shares, so a single error is not invisible.
    return mix(QColor(0xfa, 0xfa, 0xfb), trueClass == predictedClass ? kCorrect : kError, 0.12 + 0.88 * share);
}

QString ConfusionMatrixView::cellDescription(int trueClass, int predictedClass) const
{
    const int c = count(trueClass, predictedClass);
    return tr("True %1, %2 %3: %n case(s), %4% of the true %1 cases", nullptr, c)
        .arg(m_classes.value(trueClass), m_columnTitle.toLower(), m_classes.value(predictedClass))
        .arg(100.0 * rowShare(trueClass, predictedClass), 0, 'f', 1);
}

void ConfusionMatrixView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    const int n = classCount();
    if (n == 0) {
        painter.setPen(palette().color(QPalette::Disabled, QPalette::Text));
        painter.drawText(
            rect().adjusted(kMargin, kMargin, -kMargin, -kMargin), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const Geometry g = geometry();
    const QFontMetrics fm(font());
    const int line = fm.height();
    const QRect grid(g.origin, QSize(g.cell * n, g.cell * n));
    const QColor text = palette().color(QPalette::Text);
    // Secondary text (shares, row totals): mid grey, readable on white and on light cells.
    const QColor muted = mix(palette().color(QPalette::Base), text, 0.6);

    QFont bold = font();
    bold.setBold(true);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);

    // Axis titles.
    painter.setFont(bold);
    painter.setPen(text);
    painter.drawText(QRect(grid.left(), kMargin, grid.width(), line), Qt::AlignCenter, m_columnTitle);
    painter.save();
    painter.translate(kMargin + line / 2 + 2, grid.center().y());
    painter.rotate(-90);
    painter.drawText(QRect(-grid.height() / 2, -line / 2, grid.height(), line), Qt::AlignCenter, tr("True class"));
    painter.restore();

    // Class names across the top and down the side; the hovered row and column in bold.
    for (int i = 0; i < n; ++i) {
        const bool hotColumn = m_hover.x() == i || m_current.x() == i;
        const bool hotRow = m_hover.y() == i || m_current.y() == i;
        painter.setFont(hotColumn ? bold : font());
        painter.setPen(text);
        const QRect top(grid.left() + i * g.cell, kMargin + line + 4, g.cell, line);
        painter.drawText(top, Qt::AlignCenter, fm.elidedText(m_classes.at(i), Qt::ElideRight, g.cell - 4));
        painter.setFont(hotRow ? bold : font());
        const QRect side(grid.left() - g.rowLabelWidth, grid.top() + i * g.cell, g.rowLabelWidth - 8, g.cell);
        painter.drawText(side, Qt::AlignRight | Qt::AlignVCenter,
            fm.elidedText(m_classes.at(i), Qt::ElideRight, g.rowLabelWidth - 8));
        painter.setFont(small);
        painter.setPen(muted);
        painter.drawText(QRect(grid.right() + 8, grid.top() + i * g.cell, width() - grid.right() - 8, g.cell),
            Qt::AlignLeft | Qt::AlignVCenter, tr("n = %1").arg(rowTotal(i)));
    }

    // Cells: the count, and the row share below it when there is room.
    const bool roomForShare = g.cell >= 2 * line + 8;
    for (int t = 0; t < n; ++t) {
        for (int p = 0; p < n; ++p) {
            const QRect r = cellRect(t, p);
            const QColor fill = cellColour(t, p);
            painter.fillRect(r, fill);
            const bool dark = fill.lightnessF() < 0.55;
            painter.setPen(dark ? QColor(Qt::white) : text);
            painter.setFont(bold);
            const QString countText = QString::number(count(t, p));
            if (roomForShare) {
                painter.drawText(
                    r.adjusted(2, 0, -2, -r.height() / 2 + 2), Qt::AlignHCenter | Qt::AlignBottom, countText);
                painter.setFont(small);
                painter.setPen(dark ? QColor(255, 255, 255, 220) : muted);
                painter.drawText(r.adjusted(2, r.height() / 2 + 2, -2, 0), Qt::AlignHCenter | Qt::AlignTop,
                    QStringLiteral("%1%").arg(100.0 * rowShare(t, p), 0, 'f', 1));
            } else {
                painter.drawText(r, Qt::AlignCenter, countText);
            }
        }
    }
    painter.setPen(QPen(kGridLine, 1));
    for (int i = 0; i <= n; ++i) {
        painter.drawLine(grid.left() + i * g.cell, grid.top(), grid.left() + i * g.cell, grid.bottom() + 1);
        painter.drawLine(grid.left(), grid.top() + i * g.cell, grid.right() + 1, grid.top() + i * g.cell);
    }

    // The current cell (clicked or reached by keyboard), then the hovered one on top.
    painter.setBrush(Qt::NoBrush);
    if (m_current.x() >= 0) {
        painter.setPen(QPen(kCurrent, 3));
        painter.drawRect(cellRect(m_current.y(), m_current.x()).adjusted(1, 1, -2, -2));
        if (hasFocus()) {
            painter.setPen(QPen(text, 1, Qt::DotLine));
            painter.drawRect(cellRect(m_current.y(), m_current.x()).adjusted(4, 4, -5, -5));
        }
    }
    if (m_hover.x() >= 0 && m_hover != m_current) {
        painter.setPen(QPen(kHover, 2));
        painter.drawRect(cellRect(m_hover.y(), m_hover.x()).adjusted(1, 1, -1, -1));
    }
}

void ConfusionMatrixView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint cell = cellAt(event->position().toPoint());
    if (cell != m_hover) {
        m_hover = cell;
        setCursor(cell.x() >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void ConfusionMatrixView::mousePressEvent(QMouseEvent *event)
{
    const QPoint cell = cellAt(event->position().toPoint());
    if (event->button() != Qt::LeftButton || cell.x() < 0) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_current = cell;
    update();
    Q_EMIT cellClicked(cell.y(), cell.x());
}

void ConfusionMatrixView::leaveEvent(QEvent *event)
{
    m_hover = QPoint(-1, -1);
    update();
    QWidget::leaveEvent(event);
}

void ConfusionMatrixView::keyPressEvent(QKeyEvent *event)
{
    const int n = classCount();
    if (n == 0) {
        QWidget::keyPressEvent(event);
        return;
    }
    QPoint c = m_current.x() < 0 ? QPoint(0, 0) : m_current;
    switch (event->key()) {
    case Qt::Key_Left:
        c.rx() = std::max(0, c.x() - (m_current.x() < 0 ? 0 : 1));
        break;
    case Qt::Key_Right:
        c.rx() = std::min(n - 1, c.x() + (m_current.x() < 0 ? 0 : 1));
        break;
    case Qt::Key_Up:
        c.ry() = std::max(0, c.y() - (m_current.x() < 0 ? 0 : 1));
        break;
    case Qt::Key_Down:
        c.ry() = std::min(n - 1, c.y() + (m_current.x() < 0 ? 0 : 1));
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        m_current = c;
        update();
        Q_EMIT cellClicked(c.y(), c.x());
        return;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    m_current = c;
    setAccessibleDescription(cellDescription(c.y(), c.x()));
    update();
}

bool ConfusionMatrixView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QPoint cell = cellAt(help->pos());
        if (cell.x() >= 0)
            QToolTip::showText(help->globalPos(),
                cellDescription(cell.y(), cell.x()) + QStringLiteral("\n") + tr("Click to list these cases"), this,
                cellRect(cell.y(), cell.x()));
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

QSize ConfusionMatrixView::sizeHint() const
{
    const int n = std::max(2, classCount());
    const int line = fontMetrics().height();
    return { 160 + n * 84, 2 * line + 24 + n * 84 };
}

QSize ConfusionMatrixView::minimumSizeHint() const
{
    const int n = std::max(2, classCount());
    const int line = fontMetrics().height();
    return { 160 + n * kMinCell, 2 * line + 24 + n * kMinCell };
}
