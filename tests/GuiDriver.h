// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Driving the workbench's widgets and dialogs from GUI tests as a user would: widgets found by
// object name, questions answered and messages read through the modal widget on screen.

#include <QAbstractButton>
#include <QApplication>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QTimer>
#include <QWidget>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace gui {

/// The child of `parent` named `name`; the test stops, naming it, when there is none.
template <typename T> T *child(const QObject *parent, const char *name)
{
    T *found = parent->findChild<T *>(QLatin1String(name));
    if (!found) {
        std::fprintf(stderr, "no child \"%s\" of the expected type under %s\n", name,
            qPrintable(parent->objectName().isEmpty() ? QString::fromLatin1(parent->metaObject()->className())
                                                      : parent->objectName()));
        std::abort();
    }
    return found;
}

/// Answers the next question (a QMessageBox with the Question icon) that becomes the active modal
/// widget within `timeoutMs`, by clicking `button`; its text goes to `seen` when given. Call it
/// before the action that asks: the question's event loop runs the answer.
inline void answerNextQuestion(
    QMessageBox::StandardButton button, std::shared_ptr<QString> seen = {}, int timeoutMs = 10000)
{
    auto *timer = new QTimer(qApp);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, qApp, [timer, button, seen, clock, timeoutMs] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (box && box->icon() == QMessageBox::Question && box->button(button)) {
            timer->stop();
            timer->deleteLater();
            if (seen)
                *seen = box->text();
            box->button(button)->click();
            return;
        }
        if (clock->elapsed() > timeoutMs) {
            timer->stop();
            timer->deleteLater();
        }
    });
    timer->start();
}

/// The visible message box (a warning or information that does not block), closed with OK; its
/// text, or an empty string when none is shown.
inline QString closeMessageBox()
{
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (QWidget *w : windows) {
        auto *box = qobject_cast<QMessageBox *>(w);
        if (!box || !box->isVisible() || box->icon() == QMessageBox::Question)
            continue;
        const QString text = box->text();
        if (QAbstractButton *ok = box->button(QMessageBox::Ok))
            ok->click();
        else
            box->close();
        return text;
    }
    return {};
}

} // namespace gui
