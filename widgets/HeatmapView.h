// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DragGesture.h"

#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QVector>
#include <QWidget>

#include <optional>

/// An image with a heat map laid over it (an attention map or Grad-CAM): the map is stretched to
/// the image, coloured by a colour map and blended with an opacity, with a colour bar beside it;
/// an optional box (e.g. the known lesion) is outlined. A degenerate map (flat, or all weight in
/// one border cell) is not drawn but named. Scales to fit, keeping the aspect ratio.
///
/// The mouse wheel zooms about the cursor, the left button pans a zoomed image, a double-click
/// fits it again (resetRequested). With window dragging on (a DICOM image), right-button drags
/// are reported (windowDragged) for the owner to change the window.
class HeatmapView : public QWidget
{
    Q_OBJECT
public:
    enum class ColourMap { Jet, Viridis, Hot };

    explicit HeatmapView(QWidget *parent = nullptr);

    /// Shows `image`, fitted again (zoom 1) unless `keepView` (the same image re-windowed).
    void setImage(const QImage &image, bool keepView = false);
    void setWindowDragEnabled(bool on) { m_windowDrag = on; }
    bool windowDragEnabled() const { return m_windowDrag; }
    double zoom() const { return m_zoom; }
    void resetView();
    /// A map of `width` × `height` values (row-major, any non-negative scale; shown relative to
    /// its maximum). An empty vector removes it.
    void setMap(const QVector<float> &values, int width, int height);
    void setOverlayVisible(bool on);
    void setOpacity(double opacity); ///< 0..1
    void setColourMap(ColourMap map);
    void setBox(const std::optional<QRectF> &box); ///< in the image's pixels
    void setBoxVisible(bool on);
    /// Shows no image but a short message.
    void setMessage(const QString &message);
    /// A line under a drawn map that qualifies it (e.g. that the image barely changed the
    /// decision); empty for none. A degenerate map's note takes its place.
    void setCaption(const QString &caption);
    QString caption() const { return m_caption; }

    bool hasImage() const { return !m_image.isNull(); }
    bool hasMap() const { return !m_map.isEmpty(); }
    bool overlayVisible() const { return m_overlayVisible; }
    double opacity() const { return m_opacity; }
    QString message() const { return m_message; }
    /// Why the map is not drawn although there is one (flat, or all its weight in one border
    /// cell); empty when it is drawn.
    QString mapNote() const { return m_mapNote; }
    /// Whether the colour bar beside the image is shown (with a visible, drawable map).
    bool colourBarVisible() const
    {
        return !m_image.isNull() && !m_overlay.isNull() && m_overlayVisible && m_mapNote.isEmpty();
    }
    /// Empty for a map worth drawing; else why not, in words: a flat map (every cell alike), or
    /// one whose weight sits for the most part in a single cell on the border.
    static QString degenerateReason(const QVector<float> &values, int width, int height);
    /// The image as drawn (map blended, box outlined), at the image's size; null without image.
    QImage composed() const;
    /// The image with a coloured map (colouredMap()) blended at `opacity` and the box outlined;
    /// null without image. Draws only on images, so any thread may call it (e.g. a report writer).
    static QImage compose(const QImage &image, const QImage &overlay, double opacity, const std::optional<QRectF> &box);
    /// A map (as setMap() takes it) coloured relative to its maximum, low values fading out.
    static QImage colouredMap(const QVector<float> &values, int width, int height, ColourMap map = ColourMap::Jet);
    /// The colour a map value in [0, 1] is drawn with.
    static QColor colourAt(ColourMap map, double t);

    QSize sizeHint() const override { return { 280, 280 }; }

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

private:
    void rebuildOverlay();

    QImage m_image;
    QVector<float> m_map;
    int m_mapWidth = 0, m_mapHeight = 0;
    QImage m_overlay; ///< the coloured map at the map's size
    bool m_overlayVisible = true;
    double m_opacity = 0.5;
    ColourMap m_colourMap = ColourMap::Jet;
    std::optional<QRectF> m_box;
    bool m_boxVisible = true;
    QString m_message;
    QString m_mapNote;
    QString m_caption;
    bool m_windowDrag = false;
    double m_zoom = 1.0;
    QPointF m_pan; ///< offset of the zoomed image's centre from the fitted one's, in pixels
    DragGesture m_drag;
};
