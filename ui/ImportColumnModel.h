// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/FieldType.h"
#include "data/Importer.h"
#include "service/ManifestPreview.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

/// The columns of a manifest as the import dialog edits them: each column's role (case id,
/// label, image, split or record field) and, for record fields, its type. Roles start from the
/// default column names and types from inferFieldType over the column's values; applyTo() turns
/// the user's choices into ImportOptions, so the importer itself does the importing.
///
/// The Role and Type cells are edited with a combo box: ChoicesRole lists the choices and
/// Qt::EditRole is the index of the current one.
class ImportColumnModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Role, Type, Examples, ColumnCount };
    /// What a manifest column is for. Identifier: a record field whose values are replaced by
    /// pseudonyms (only when de-identifying). Drop: read past and stored nowhere. Group: the cases
    /// with one value (a patient) stay in one split (ImportOptions::groupColumn).
    enum class ColumnRole { CaseId, Label, Image, Split, RecordField, Identifier, Drop, Group };
    static constexpr int ChoicesRole = Qt::UserRole + 1;
    /// The choices' help, one sentence each (the combo's item tooltips).
    static constexpr int ChoiceHelpRole = ChoicesRole + 1;

    explicit ImportColumnModel(QObject *parent = nullptr);

    /// Sets the columns of a manifest read by ManifestPreview (roles start from the default column
    /// names, types from the inferred ones).
    void setColumns(const std::vector<lepton::ManifestColumn> &columns);
    void clear();

    QString columnName(int row) const;
    ColumnRole role(int row) const;
    /// The column's type as chosen (the inferred one unless the user changed it).
    lepton::FieldType type(int row) const;
    lepton::FieldType inferredType(int row) const;
    void setRole(int row, ColumnRole role);
    void setType(int row, lepton::FieldType type);
    /// The row of a column by name, or -1.
    int rowOf(const QString &name) const;

    static QString roleName(ColumnRole role);
    /// What a role does, in a sentence (the role cell's tooltip).
    static QString roleHelp(ColumnRole role);

    /// What is wrong with the roles (no case id, two label columns, …), or an empty string.
    QString validate() const;
    /// Writes the columns' roles, the user's type overrides, the dropped columns and the identifier
    /// columns (options.deidentify.idColumns; enabling de-identification is the caller's) into `options`.
    void applyTo(lepton::ImportOptions &options) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Entry
    {
        QString name;
        ColumnRole role = ColumnRole::RecordField;
        lepton::FieldType inferred = lepton::FieldType::Categorical;
        lepton::FieldType type = lepton::FieldType::Categorical;
        QString examples;
    };

    QStringList namesWithRole(ColumnRole role) const;
    QString roleColumn(ColumnRole role, const QString &defaultName) const;

    std::vector<Entry> m_entries;
};
