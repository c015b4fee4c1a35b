// SPDX-License-Identifier: GPL-3.0-or-later
#include "HeatmapView.h"

#include "DragGesture.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <array>
#include <cmath>

namespace {

/// Piecewise-linear colour ramps through a few stops.
QColor ramp(const std::vector<std::array<double, 4>> &stops, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    for (std::size_t i = 1; i < stops.size(); ++i) {
        if (t <= stops[i][0]) {
            const auto &a = stops[i - 1];
            const auto &b = stops[i];
            const double u = (t - a[0]) / std::max(1e-9, b[0] - a[0]);
            return QColor::fromRgbF(
                float(a[1] + u * (b[1] - a[1])), float(a[2] + u * (b[2] - a[2])), float(a[3] + u * (b[3] - a[3])));
        }
    }
    const auto &l = stops.back();
    return QColor::fromRgbF(float(l[1]), float(l[2]), float(l[3]));
}

} // namespace

HeatmapView::HeatmapView(QWidget *parent) : QWidget(parent)
{
    setMinimumSize(160, 160);
}

QColor HeatmapView::colourAt(ColourMap map, double t)
{
    static const std::vector<std::array<double, 4>> jet { { 0.0, 0.0, 0.0, 0.5 }, { 0.11, 0.0, 0.0, 1.0 },
        { 0.36, 0.0, 1.0, 1.0 }, { 0.61, 1.0, 1.0, 0.0 }, { 0.86, 1.0, 0.0, 0.0 }, { 1.0, 0.5, 0.0, 0.0 } };
    static const std::vector<std::array<double, 4>> viridis { { 0.0, 0.267, 0.005, 0.329 },
        { 0.25, 0.229, 0.322, 0.546 }, { 0.5, 0.128, 0.567, 0.551 }, { 0.75, 0.369, 0.789, 0.383 },
        { 1.0, 0.993, 0.906, 0.144 } };
    static const std::vector<std::array<double, 4>> hot { { 0.0, 0.0, 0.0, 0.0 }, { 0.4, 1.0, 0.0, 0.0 },
        { 0.8, 1.0, 1.0, 0.0 }, { 1.0, 1.0, 1.0, 1.0 } };
    switch (map) {
    case ColourMap::Viridis:
        return ramp(viridis, t);
    case ColourMap::Hot:
        return ramp(hot, t);
    case ColourMap::Jet:
        break;
    }
    return ramp(jet, t);
}

void HeatmapView::setImage(const QImage &image, bool keepView)
{
    const bool sameSize = image.size() == m_image.size();
    m_image = image;
    m_message.clear();
    if (!keepView || !sameSize)
        resetView();
    update();
}

void HeatmapView::resetView()
{
    m_zoom = 1.0;
    m_pan = QPointF();
    update();
}

void HeatmapView::wheelEvent(QWheelEvent *event)
{
    if (m_image.isNull()) {
        event->ignore();
        return;
    }
    const double zoom = std::clamp(m_zoom * std::pow(1.25, event->angleDelta().y() / 120.0), 1.0, 32.0);
    // The point under the cursor stays where it is (relative to the fitted image's centre).
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + m_pan;
    const QPointF at = event->position();
    m_pan = at + (centre - at) * (zoom / m_zoom) - QPointF(width() / 2.0, height() / 2.0);
    m_zoom = zoom;
    if (m_zoom <= 1.0)
        m_pan = QPointF();
    update();
    event->accept();
}

void HeatmapView::mousePressEvent(QMouseEvent *event)
{
    const DragGesture::Kind kind = m_drag.press(event, m_windowDrag, !m_image.isNull(), m_zoom > 1.0);
    if (kind != DragGesture::Kind::None)
        setCursor(DragGesture::cursor(kind));
    event->accept();
}

void HeatmapView::mouseMoveEvent(QMouseEvent *event)
{
    QPoint delta;
    switch (m_drag.move(event, &delta)) {
    case DragGesture::Kind::Window:
        if (!delta.isNull())
            Q_EMIT windowDragged(delta);
        break;
    case DragGesture::Kind::Pan: {
        const double limitX = width() * m_zoom / 2.0, limitY = height() * m_zoom / 2.0;
        m_pan += delta;
        m_pan.setX(std::clamp(m_pan.x(), -limitX, limitX));
        m_pan.setY(std::clamp(m_pan.y(), -limitY, limitY));
    }
        update();
        break;
    case DragGesture::Kind::None:
        break;
    }
}

void HeatmapView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_drag.release(event))
        unsetCursor();
}

void HeatmapView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    resetView();
    Q_EMIT resetRequested();
}

void HeatmapView::setMap(const QVector<float> &values, int width, int height)
{
    if (values.size() != width * height || width <= 0 || height <= 0) {
        m_map.clear();
        m_mapWidth = m_mapHeight = 0;
    } else {
        m_map = values;
        m_mapWidth = width;
        m_mapHeight = height;
    }
    rebuildOverlay();
    update();
}

void HeatmapView::rebuildOverlay()
{
    m_mapNote = m_map.isEmpty() ? QString() : degenerateReason(m_map, m_mapWidth, m_mapHeight);
    m_overlay = m_mapNote.isEmpty() ? colouredMap(m_map, m_mapWidth, m_mapHeight, m_colourMap) : QImage();
}

QString HeatmapView::degenerateReason(const QVector<float> &values, int width, int height)
{
    if (values.isEmpty() || width <= 0 || height <= 0 || values.size() < qsizetype(width) * height)
        return {};
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    if (!(*hi > 0.0f) || *hi - *lo <= 1e-6f * std::max(1.0f, std::abs(*hi)))
        return tr("Flat map: the model weighs every region alike here, so it shows no region.");
    double total = 0.0;
    for (float v : values)
        total += std::max(0.0f, v);
    const int peak = int(hi - values.begin());
    const int x = peak % width, y = peak / width;
    const bool border = x == 0 || y == 0 || x == width - 1 || y == height - 1;
    if (border && width * height > 4 && total > 0.0 && *hi / total >= 0.5)
        return tr("%1 % of the map's weight sits in one border cell (column %2, row %3): the model looks at "
                  "the image's edge, not at a region within it.")
            .arg(100.0 * *hi / total, 0, 'f', 0)
            .arg(x + 1)
            .arg(y + 1);
    return {};
}

QImage HeatmapView::colouredMap(const QVector<float> &values, int width, int height, ColourMap map)
{
    if (values.isEmpty() || width <= 0 || height <= 0 || values.size() < qsizetype(width) * height)
        return QImage();
    const float top = *std::max_element(values.begin(), values.end());
    QImage overlay(width, height, QImage::Format_ARGB32);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double t = top > 0 ? values[y * width + x] / top : 0.0;
            QColor c = colourAt(map, t);
            // Low values fade out, so the image shows through where nothing was looked at.
            c.setAlphaF(float(std::clamp(0.25 + 0.75 * t, 0.0, 1.0)));
            overlay.setPixelColor(x, y, c);
        }
    return overlay;
}

void HeatmapView::setOverlayVisible(bool on)
{
    m_overlayVisible = on;
    update();
}

void HeatmapView::setOpacity(double opacity)
{
    m_opacity = std::clamp(opacity, 0.0, 1.0);
    update();
}

void HeatmapView::setColourMap(ColourMap map)
{
    m_colourMap = map;
    rebuildOverlay();
    update();
}

void HeatmapView::setBox(const std::optional<QRectF> &box)
{
    m_box = box;
    update();
}

void HeatmapView::setBoxVisible(bool on)
{
    m_boxVisible = on;
    update();
}

void HeatmapView::setCaption(const QString &caption)
{
    if (caption == m_caption)
        return;
    m_caption = caption;
    update();
}

void HeatmapView::setMessage(const QString &message)
{
    m_image = QImage();
    m_message = message;
    update();
}

QImage HeatmapView::composed() const
{
    return compose(m_image, m_overlayVisible ? m_overlay : QImage(), m_opacity, m_boxVisible ? m_box : std::nullopt);
}

QImage HeatmapView::compose(
    const QImage &image, const QImage &overlay, double opacity, const std::optional<QRectF> &box)
{
    if (image.isNull())
        return {};
    QImage out = image.convertToFormat(QImage::Format_ARGB32);
    QPainter p(&out);
    if (!overlay.isNull()) {
        p.setOpacity(opacity);
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.drawImage(QRectF(out.rect()), overlay);
        p.setOpacity(1.0);
    }
    if (box) {
        QPen pen(QColor(0, 255, 120), std::max(1.0, out.width() / 128.0));
        pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawRect(*box);
    }
    return out;
}

void HeatmapView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (m_image.isNull()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    const QImage img = composed();
    // Room on the right for the colour bar and its labels, below for a note on the map.
    const bool bar = colourBarVisible();
    const int barRoom = bar ? 16 + fontMetrics().horizontalAdvance(tr("high")) + 10 : 0;
    const QString note = !m_mapNote.isEmpty() ? m_mapNote : (bar ? m_caption : QString());
    const int noteRoom = note.isEmpty() ? 0 : 3 * fontMetrics().height() + 6;
    const QSize area(std::max(1, width() - barRoom), std::max(1, height() - noteRoom));
    const QSize fitted = img.size().scaled(area, Qt::KeepAspectRatio);
    const QRect target(QPoint((area.width() - fitted.width()) / 2, (area.height() - fitted.height()) / 2), fitted);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    if (m_zoom > 1.0) {
        // Zoomed about the fitted image's centre and moved by the pan, inside the image's area.
        const QSizeF zoomed = QSizeF(fitted) * m_zoom;
        const QPointF centre = QRectF(target).center() + m_pan;
        p.save();
        p.setClipRect(QRect(QPoint(0, 0), area));
        p.setRenderHint(QPainter::SmoothPixmapTransform, zoomed.width() < img.width());
        p.drawImage(QRectF(centre - QPointF(zoomed.width() / 2, zoomed.height() / 2), zoomed), img);
        p.restore();
    } else {
        p.drawImage(target, img);
    }
    if (bar) {
        // The map's colours from low (bottom) to high (top), relative to the map's maximum.
        const QRect barRect(target.right() + 8, target.top(), 10, target.height());
        for (int y = 0; y < barRect.height(); ++y) {
            const double t = 1.0 - double(y) / std::max(1, barRect.height() - 1);
            p.setPen(colourAt(m_colourMap, t));
            p.drawLine(barRect.left(), barRect.top() + y, barRect.right(), barRect.top() + y);
        }
        p.setPen(palette().color(QPalette::WindowText));
        p.setBrush(Qt::NoBrush);
        p.drawRect(barRect.adjusted(0, 0, -1, -1));
        const int tx = barRect.right() + 4;
        p.drawText(QPoint(tx, barRect.top() + fontMetrics().ascent()), tr("high"));
        p.drawText(QPoint(tx, barRect.bottom()), tr("low"));
    }
    if (!note.isEmpty()) {
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(4, height() - noteRoom, width() - 8, noteRoom), Qt::AlignCenter | Qt::TextWordWrap, note);
    }
}
