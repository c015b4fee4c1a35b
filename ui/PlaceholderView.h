// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

/// A view that is not built yet says so plainly, and says where its work can be done today.
class PlaceholderView : public QWidget
{
    Q_OBJECT
public:
    PlaceholderView(const QString &title, const QString &text, QWidget *parent = nullptr);
};
