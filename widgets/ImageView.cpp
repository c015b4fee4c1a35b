// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageView.h"

#include <QPainter>

ImageView::ImageView(QWidget *parent) : QWidget(parent)
{
    setMinimumSize(128, 128);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage &image)
{
    m_image = image;
    m_message.clear();
    update();
}

void ImageView::setMessage(const QString &message)
{
    m_image = QImage();
    m_message = message;
    update();
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
    const QSize scaled = m_image.size().scaled(size(), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - scaled.width()) / 2, (height() - scaled.height()) / 2), scaled);
    // Small medical images are shown with visible pixels rather than blurred.
    p.setRenderHint(QPainter::SmoothPixmapTransform, scaled.width() < m_image.width());
    p.drawImage(target, m_image);
}
