// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageView.h"

#include "DragGesture.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace {
constexpr double MinZoom = 1.0;
constexpr double MaxZoom = 32.0;
} // namespace

ImageView::ImageView(QWidget *parent) : QWidget(parent)
{
    setMinimumSize(128, 128);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setFocusPolicy(Qt::StrongFocus); // Ctrl+= / Ctrl+- after a click
}

void ImageView::setImage(const QImage &image, bool keepView)
{
    const bool sameSize = image.size() == m_image.size();
    m_image = image;
    m_message.clear();
    if (!keepView || !sameSize)
        resetView();
    update();
}

void ImageView::setMessage(const QString &message)
{
    m_image = QImage();
    m_message = message;
    resetView();
    update();
}

void ImageView::resetView()
{
    m_zoom = 1.0;
    m_pan = QPointF();
    update();
}

void ImageView::setZoom(double zoom)
{
    zoomAbout(zoom, QPointF(width() / 2.0, height() / 2.0));
}

QRectF ImageView::imageRect() const
{
    if (m_image.isNull())
        return {};
    const QSizeF fitted = QSizeF(m_image.size()).scaled(QSizeF(size()), Qt::KeepAspectRatio) * m_zoom;
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + m_pan;
    return QRectF(centre - QPointF(fitted.width() / 2.0, fitted.height() / 2.0), fitted);
}

void ImageView::zoomAbout(double zoom, const QPointF &at)
{
    zoom = std::clamp(zoom, MinZoom, MaxZoom);
    if (m_image.isNull() || zoom == m_zoom)
        return;
    // The point under `at` stays where it is.
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + m_pan;
    const QPointF newCentre = at + (centre - at) * (zoom / m_zoom);
    m_zoom = zoom;
    m_pan = newCentre - QPointF(width() / 2.0, height() / 2.0);
    clampPan();
    update();
}

void ImageView::clampPan()
{
    // A zoomed image can be moved until its edge reaches the middle of the view, no further.
    const QRectF r = imageRect();
    const double maxX = std::max(0.0, (r.width() - width()) / 2.0 + width() / 2.0);
    const double maxY = std::max(0.0, (r.height() - height()) / 2.0 + height() / 2.0);
    if (m_zoom <= 1.0) {
        m_pan = QPointF();
        return;
    }
    m_pan.setX(std::clamp(m_pan.x(), -maxX, maxX));
    m_pan.setY(std::clamp(m_pan.y(), -maxY, maxY));
}

void ImageView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base).darker(110));
    if (m_image.isNull()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    const QRectF target = imageRect();
    // Small medical images are shown with visible pixels rather than blurred.
    p.setRenderHint(QPainter::SmoothPixmapTransform, target.width() < m_image.width());
    p.drawImage(target, m_image);
    if (m_zoom > 1.0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(
            rect().adjusted(4, 4, -4, -4), Qt::AlignRight | Qt::AlignTop, tr("%1 %").arg(std::lround(m_zoom * 100.0)));
    }
}

void ImageView::wheelEvent(QWheelEvent *event)
{
    if (m_image.isNull()) {
        event->ignore();
        return;
    }
    const double steps = event->angleDelta().y() / 120.0;
    zoomAbout(m_zoom * std::pow(1.25, steps), event->position());
    event->accept();
}

void ImageView::mousePressEvent(QMouseEvent *event)
{
    const DragGesture::Kind kind = m_drag.press(event, m_windowDrag, !m_image.isNull(), m_zoom > 1.0);
    if (kind != DragGesture::Kind::None)
        setCursor(DragGesture::cursor(kind));
    event->accept();
}

void ImageView::mouseMoveEvent(QMouseEvent *event)
{
    QPoint delta;
    switch (m_drag.move(event, &delta)) {
    case DragGesture::Kind::Window:
        if (!delta.isNull())
            Q_EMIT windowDragged(delta);
        break;
    case DragGesture::Kind::Pan:
        m_pan += delta;
        clampPan();
        update();
        break;
    case DragGesture::Kind::None:
        break;
    }
}

void ImageView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_drag.release(event))
        unsetCursor();
}

void ImageView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    resetView();
    Q_EMIT resetRequested();
}

void ImageView::keyPressEvent(QKeyEvent *event)
{
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    if (ctrl && (event->key() == Qt::Key_Equal || event->key() == Qt::Key_Plus))
        zoomIn();
    else if (ctrl && event->key() == Qt::Key_Minus)
        zoomOut();
    else if (ctrl && event->key() == Qt::Key_0)
        resetView();
    else
        QWidget::keyPressEvent(event);
}
