// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

/// Edits a cell with a combo box: the choices come from the model's `choicesRole` (a
/// QStringList) and Qt::EditRole is the index of the current choice (-1: none). A choice is
/// committed as soon as it is picked, so the delegate also suits persistent editors. A cell that
/// is not editable shows a disabled, empty combo box.
class ImportComboDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit ImportComboDelegate(int choicesRole, QObject *parent = nullptr);

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;
    void updateEditorGeometry(
        QWidget *editor, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_choicesRole;
};
