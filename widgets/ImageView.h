// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QWidget>

/// Shows an image scaled to fit, keeping its aspect ratio, with a message when there is none.
class ImageView : public QWidget
{
    Q_OBJECT
public:
    explicit ImageView(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    /// Shows no image but a short message (e.g. "No image for this case").
    void setMessage(const QString &message);
    const QImage &image() const { return m_image; }
    QString message() const { return m_message; }

    QSize sizeHint() const override { return { 256, 256 }; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QImage m_image;
    QString m_message;
};
