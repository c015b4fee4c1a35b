// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportComboDelegate.h"

#include <QComboBox>
#include <QSignalBlocker>

ImportComboDelegate::ImportComboDelegate(int choicesRole, QObject *parent)
    : QStyledItemDelegate(parent), m_choicesRole(choicesRole)
{ }

QWidget *ImportComboDelegate::createEditor(
    QWidget *parent, const QStyleOptionViewItem &, const QModelIndex &index) const
{
    auto *combo = new QComboBox(parent);
    combo->addItems(index.data(m_choicesRole).toStringList());
    // The choices' help, where the model gives it (the role after the choices).
    const QStringList help = index.data(m_choicesRole + 1).toStringList();
    for (int i = 0; i < help.size() && i < combo->count(); ++i)
        combo->setItemData(i, help.at(i), Qt::ToolTipRole);
    combo->setPlaceholderText(QStringLiteral("—")); // shown while there is no choice
    combo->setFocusPolicy(Qt::StrongFocus);
    connect(combo, &QComboBox::currentIndexChanged, this, [this, combo] {
        // Commit the pick at once: the editor may stay open (persistent) for a long time.
        auto *self = const_cast<ImportComboDelegate *>(this);
        Q_EMIT self->commitData(combo);
    });
    return combo;
}

void ImportComboDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    auto *combo = qobject_cast<QComboBox *>(editor);
    if (!combo)
        return;
    const QSignalBlocker block(combo);
    const bool editable = index.flags() & Qt::ItemIsEditable;
    combo->setEnabled(editable);
    combo->setCurrentIndex(editable ? index.data(Qt::EditRole).toInt() : -1);
}

void ImportComboDelegate::setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const
{
    auto *combo = qobject_cast<QComboBox *>(editor);
    if (combo && combo->currentIndex() >= 0)
        model->setData(index, combo->currentIndex(), Qt::EditRole);
}

void ImportComboDelegate::updateEditorGeometry(
    QWidget *editor, const QStyleOptionViewItem &option, const QModelIndex &) const
{
    editor->setGeometry(option.rect);
}
