// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReviewDialogs.h"

#include "ClassColours.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

/// Ctrl+Enter in a text box runs `run` instead of starting a new line.
class CtrlEnterFilter : public QObject
{
public:
    CtrlEnterFilter(QObject *parent, std::function<void()> run) : QObject(parent), m_run(std::move(run)) { }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::KeyPress) {
            const auto *key = static_cast<QKeyEvent *>(event);
            if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)
                && key->modifiers().testFlag(Qt::ControlModifier)) {
                m_run();
                return true;
            }
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_run;
};

} // namespace

QDialog *ReviewDialogs::overrideDialog(QWidget *parent, const lepton::ReviewItem &item, const QStringList &choices,
    const QString &positiveClass, std::function<bool(const QString &, const QString &)> save)
{
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Override the decision for %1").arg(item.caseKey));
    auto *classes = new QComboBox(dialog);
    classes->setObjectName(QStringLiteral("classBox"));
    // Every class but the decision on screen: the reviewer can record any other answer.
    classes->addItems(choices);
    auto *reason = new QPlainTextEdit(dialog);
    reason->setObjectName(QStringLiteral("reasonEdit"));
    reason->setPlaceholderText(tr("Why the decision is wrong here (required)"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    QObject::connect(reason, &QPlainTextEdit::textChanged, dialog, [reason, buttons, classes] {
        buttons->button(QDialogButtonBox::Ok)
            ->setEnabled(!reason->toPlainText().trimmed().isEmpty() && classes->count() > 0);
    });
    const auto colouredClass = [&positiveClass](const QString &c) {
        return QStringLiteral("<b style='color:%1'>%2</b>")
            .arg(classColour(c, positiveClass).name(), c.toHtmlEscaped());
    };
    QString decision = colouredClass(item.decidedClass);
    if (!item.decision.isEmpty() && item.decision != item.decidedClass)
        decision = tr("%1 (%2)").arg(item.decision.toHtmlEscaped(), decision);
    auto *decisionText = new QLabel(decision, dialog);
    decisionText->setObjectName(QStringLiteral("decisionText"));
    auto *form = new QFormLayout(dialog);
    form->addRow(tr("The decision is"), decisionText);
    if (!item.predicted.isEmpty() && item.predicted != item.decidedClass)
        form->addRow(tr("Most likely"), new QLabel(colouredClass(item.predicted), dialog));
    form->addRow(tr("Right class"), classes);
    form->addRow(tr("Reason"), reason);
    form->addRow(buttons);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, [dialog, classes, reason, save = std::move(save)] {
        if (save(classes->currentText(), reason->toPlainText().trimmed()))
            dialog->accept();
    });
    dialog->open();
    reason->setFocus();
    return dialog;
}

QDialog *ReviewDialogs::commentDialog(
    QWidget *parent, const lepton::ReviewItem &item, std::function<bool(const QString &)> save)
{
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Comment on %1").arg(item.caseKey));
    // What the comment is for, and what it is not: it does not review the case.
    auto *hint = new QLabel(tr("A note on case %1 for the record and the review report (for example what to check "
                               "next). A comment does not review the case: it stays to review until its decision is "
                               "accepted or overridden. Ctrl+Enter saves.")
                                .arg(item.caseKey),
        dialog);
    hint->setObjectName(QStringLiteral("commentHint"));
    hint->setWordWrap(true);
    auto *text = new QPlainTextEdit(dialog);
    text->setObjectName(QStringLiteral("commentEdit"));
    text->setPlaceholderText(tr("Comment"));
    hint->setBuddy(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Save comment"));
    ok->setEnabled(false);
    QObject::connect(text, &QPlainTextEdit::textChanged, dialog,
        [text, ok] { ok->setEnabled(!text->toPlainText().trimmed().isEmpty()); });
    // Ctrl+Enter (either Enter key) saves, as OK does; Enter alone starts a new line.
    text->installEventFilter(new CtrlEnterFilter(text, [ok] {
        if (ok->isEnabled())
            ok->click();
    }));
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(hint);
    layout->addWidget(text);
    layout->addWidget(buttons);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, [dialog, text, save = std::move(save)] {
        if (save(text->toPlainText().trimmed()))
            dialog->accept();
    });
    dialog->open();
    text->setFocus();
    return dialog;
}
