// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DragGesture.h"

#include <QImage>
#include <QPointF>
#include <QWidget>

/// Shows an image scaled to fit, keeping its aspect ratio, with a message when there is none.
///
/// The mouse wheel (and Ctrl+= / Ctrl+-) zooms about the cursor, dragging with the left button
/// pans a zoomed image, Ctrl+0 or a double-click fits it again. With window dragging on (a DICOM
/// image), dragging with the right button reports its movement (windowDragged) for the owner to
/// change the window; a double-click also asks for the window to be reset (resetRequested).
class ImageView : public QWidget
{
    Q_OBJECT
public:
    explicit ImageView(QWidget *parent = nullptr);

    /// Shows `image`, fitted again (zoom 1) unless `keepView` (the same image re-windowed).
    void setImage(const QImage &image, bool keepView = false);
    /// Shows no image but a short message (e.g. "No image for this case").
    void setMessage(const QString &message);
    const QImage &image() const { return m_image; }
    QString message() const { return m_message; }

    /// Right-button drags report windowDragged (and the cursor says so); off by default.
    void setWindowDragEnabled(bool on) { m_windowDrag = on; }
    bool windowDragEnabled() const { return m_windowDrag; }

    double zoom() const { return m_zoom; }
    QPointF pan() const { return m_pan; }
    void setZoom(double zoom);
    void zoomIn() { setZoom(m_zoom * 1.25); }
    void zoomOut() { setZoom(m_zoom / 1.25); }
    /// Zoom 1, centred.
    void resetView();
    /// Where the image is drawn, in widget coordinates (empty without image).
    QRectF imageRect() const;

    QSize sizeHint() const override { return { 256, 256 }; }

Q_SIGNALS:
    /// The right button moved by `delta` pixels since the last report (window dragging on).
    void windowDragged(QPoint delta);
    /// A double-click: the view is fitted again and the owner may reset what it controls.
    void resetRequested();

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void zoomAbout(double zoom, const QPointF &at);
    void clampPan();

    QImage m_image;
    QString m_message;
    bool m_windowDrag = false;
    double m_zoom = 1.0;
    QPointF m_pan; ///< offset of the image's centre from the widget's, in pixels
    DragGesture m_drag;
};
