// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/ReviewRepository.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <functional>

class QDialog;
class QWidget;

/// The Review view's questions, opened (not executed) with open(), deleted on close. Each calls
/// its `save` on OK and closes when it returns true (a refusal is shown by the view).
///
/// Children by objectName: override: decisionText, classBox, reasonEdit; comment: commentHint,
/// commentEdit.
class ReviewDialogs
{
    Q_DECLARE_TR_FUNCTIONS(ReviewDialogs)

public:
    /// "The decision is X" (in its class's colour, with what is done when the template names it),
    /// the most likely class where it differs, the right class among `choices` (every class but the
    /// decision) and a required reason.
    static QDialog *overrideDialog(QWidget *parent, const lepton::ReviewItem &item, const QStringList &choices,
        const QString &positiveClass, std::function<bool(const QString &chosenClass, const QString &reason)> save);

    /// A comment, with a line saying what it is for and that it does not review the case;
    /// Ctrl+Enter saves as OK does.
    static QDialog *commentDialog(
        QWidget *parent, const lepton::ReviewItem &item, std::function<bool(const QString &text)> save);
};
