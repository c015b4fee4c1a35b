// SPDX-License-Identifier: GPL-3.0-or-later
#include "PlaceholderView.h"

#include <QLabel>
#include <QVBoxLayout>

PlaceholderView::PlaceholderView(const QString &title, const QString &text, QWidget *parent) : QWidget(parent)
{
    auto *label = new QLabel(QStringLiteral("<h2>%1</h2><p>%2</p>").arg(title.toHtmlEscaped(), text), this);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setMaximumWidth(640);
    auto *layout = new QVBoxLayout(this);
    layout->addStretch();
    layout->addWidget(label, 0, Qt::AlignHCenter);
    layout->addStretch();
}
