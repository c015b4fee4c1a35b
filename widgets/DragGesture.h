// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMouseEvent>
#include <QPoint>

/// The drags the image views share (ImageView, HeatmapView): the right button drags the window
/// of a DICOM image, the left button pans a zoomed image. The view keeps its own zoom and pan.
class DragGesture
{
public:
    enum class Kind { None, Window, Pan };

    /// Starts the drag `event`'s button stands for, if any; returns it.
    Kind press(const QMouseEvent *event, bool windowDrag, bool hasImage, bool zoomed)
    {
        m_last = event->position().toPoint();
        m_kind = Kind::None;
        if (event->button() == Qt::RightButton && windowDrag && hasImage)
            m_kind = Kind::Window;
        else if (event->button() == Qt::LeftButton && zoomed)
            m_kind = Kind::Pan;
        return m_kind;
    }
    /// The drag under way while its button is held (None otherwise) and the movement since the
    /// last event in *delta.
    Kind move(const QMouseEvent *event, QPoint *delta)
    {
        const QPoint pos = event->position().toPoint();
        *delta = pos - m_last;
        m_last = pos;
        const Qt::MouseButton held = m_kind == Kind::Window ? Qt::RightButton : Qt::LeftButton;
        return m_kind != Kind::None && (event->buttons() & held) ? m_kind : Kind::None;
    }
    /// True when `event` ends the drag under way.
    bool release(const QMouseEvent *event)
    {
        const Qt::MouseButton held = m_kind == Kind::Window ? Qt::RightButton : Qt::LeftButton;
        if (m_kind == Kind::None || event->button() != held)
            return false;
        m_kind = Kind::None;
        return true;
    }
    /// The cursor a drag of `kind` shows.
    static Qt::CursorShape cursor(Kind kind) { return kind == Kind::Window ? Qt::SizeAllCursor : Qt::ClosedHandCursor; }

private:
    Kind m_kind = Kind::None;
    QPoint m_last;
};
