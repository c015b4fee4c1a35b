// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportColumnModel.h"

using lepton::FieldType;

namespace {

constexpr int RoleCount = 8;
constexpr int TypeCount = 5;

QString typeLabel(FieldType type)
{
    switch (type) {
    case FieldType::Numeric:
        return ImportColumnModel::tr("Numeric");
    case FieldType::Categorical:
        return ImportColumnModel::tr("Categorical");
    case FieldType::Boolean:
        return ImportColumnModel::tr("Boolean");
    case FieldType::Date:
        return ImportColumnModel::tr("Date");
    case FieldType::Text:
        return ImportColumnModel::tr("Text");
    }
    return QString();
}

} // namespace

ImportColumnModel::ImportColumnModel(QObject *parent) : QAbstractTableModel(parent) { }

void ImportColumnModel::setColumns(const std::vector<lepton::ManifestColumn> &columns)
{
    const lepton::ImportOptions defaults;
    beginResetModel();
    m_entries.clear();
    m_entries.reserve(columns.size());
    for (const lepton::ManifestColumn &c : columns) {
        Entry e;
        e.name = c.name;
        if (e.name == defaults.idColumn)
            e.role = ColumnRole::CaseId;
        else if (e.name == defaults.labelColumn)
            e.role = ColumnRole::Label;
        else if (e.name == defaults.imageColumn)
            e.role = ColumnRole::Image;
        else if (e.name == defaults.splitColumn)
            e.role = ColumnRole::Split;
        e.inferred = c.inferred;
        e.type = e.inferred;
        e.examples = c.examples.join(QStringLiteral(", "));
        m_entries.push_back(e);
    }
    endResetModel();
}

void ImportColumnModel::clear()
{
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

QString ImportColumnModel::columnName(int row) const
{
    return m_entries.at(static_cast<std::size_t>(row)).name;
}

ImportColumnModel::ColumnRole ImportColumnModel::role(int row) const
{
    return m_entries.at(static_cast<std::size_t>(row)).role;
}

FieldType ImportColumnModel::type(int row) const
{
    return m_entries.at(static_cast<std::size_t>(row)).type;
}

FieldType ImportColumnModel::inferredType(int row) const
{
    return m_entries.at(static_cast<std::size_t>(row)).inferred;
}

void ImportColumnModel::setRole(int row, ColumnRole role)
{
    Entry &e = m_entries.at(static_cast<std::size_t>(row));
    if (e.role == role)
        return;
    e.role = role;
    // The type cell becomes (un)editable with the role.
    Q_EMIT dataChanged(index(row, Role), index(row, Type));
}

void ImportColumnModel::setType(int row, FieldType type)
{
    Entry &e = m_entries.at(static_cast<std::size_t>(row));
    if (e.type == type)
        return;
    e.type = type;
    Q_EMIT dataChanged(index(row, Type), index(row, Type));
}

int ImportColumnModel::rowOf(const QString &name) const
{
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].name == name)
            return static_cast<int>(i);
    return -1;
}

QString ImportColumnModel::roleName(ColumnRole role)
{
    switch (role) {
    case ColumnRole::CaseId:
        return tr("Case id");
    case ColumnRole::Label:
        return tr("Label");
    case ColumnRole::Image:
        return tr("Image");
    case ColumnRole::Split:
        return tr("Split");
    case ColumnRole::RecordField:
        return tr("Record field");
    case ColumnRole::Identifier:
        return tr("Identifier");
    case ColumnRole::Drop:
        return tr("Drop");
    case ColumnRole::Group:
        return tr("Group");
    }
    return QString();
}

QString ImportColumnModel::roleHelp(ColumnRole role)
{
    switch (role) {
    case ColumnRole::CaseId:
        return tr("Identifies each case; the events file refers to it");
    case ColumnRole::Label:
        return tr("The class the model learns");
    case ColumnRole::Image:
        return tr("The image file, relative to the image folder");
    case ColumnRole::Split:
        return tr("train, val or test; empty: assigned at import");
    case ColumnRole::RecordField:
        return tr("A field of the record the model reads");
    case ColumnRole::Identifier:
        return tr("A record field replaced by a pseudonym when de-identifying");
    case ColumnRole::Drop:
        return tr("Read past and stored nowhere");
    case ColumnRole::Group:
        return tr("Cases of one group, e.g. a patient, stay in one split");
    }
    return QString();
}

QStringList ImportColumnModel::namesWithRole(ColumnRole role) const
{
    QStringList names;
    for (const Entry &e : m_entries)
        if (e.role == role)
            names.append(e.name);
    return names;
}

QString ImportColumnModel::validate() const
{
    if (m_entries.empty())
        return tr("The manifest has no columns.");
    const QStringList ids = namesWithRole(ColumnRole::CaseId);
    if (ids.isEmpty()) {
        return tr("No column is the case id: the manifest has no “%1” column. Set the role of the "
                  "column that identifies each case to “%2”.")
            .arg(lepton::ImportOptions().idColumn, roleName(ColumnRole::CaseId));
    }
    if (ids.size() > 1)
        return tr("Only one column can be the case id; now %1 are.").arg(ids.join(tr(" and ")));
    for (ColumnRole role : { ColumnRole::Label, ColumnRole::Image, ColumnRole::Split, ColumnRole::Group }) {
        const QStringList names = namesWithRole(role);
        if (names.size() > 1)
            return tr("Only one column can have the role “%1”; now %2 have it.")
                .arg(roleName(role), names.join(tr(" and ")));
    }
    return QString();
}

QString ImportColumnModel::roleColumn(ColumnRole role, const QString &defaultName) const
{
    const QStringList names = namesWithRole(role);
    if (!names.isEmpty())
        return names.first();
    // No column has the role: name one the manifest does not have, so that a column called by
    // the default name but given another role is not taken for it.
    if (rowOf(defaultName) < 0)
        return defaultName;
    QString absent;
    for (int n = 1; rowOf(absent) >= 0; ++n)
        absent = QStringLiteral("%1 (none %2)").arg(defaultName).arg(n);
    return absent;
}

void ImportColumnModel::applyTo(lepton::ImportOptions &options) const
{
    const lepton::ImportOptions defaults;
    const QStringList ids = namesWithRole(ColumnRole::CaseId);
    options.idColumn = ids.isEmpty() ? defaults.idColumn : ids.first();
    options.labelColumn = roleColumn(ColumnRole::Label, defaults.labelColumn);
    options.imageColumn = roleColumn(ColumnRole::Image, defaults.imageColumn);
    options.splitColumn = roleColumn(ColumnRole::Split, defaults.splitColumn);
    // A column the user chose by a name other than the default must be there, or the import fails.
    options.labelColumnGiven
        = !namesWithRole(ColumnRole::Label).isEmpty() && options.labelColumn != defaults.labelColumn;
    options.imageColumnGiven
        = !namesWithRole(ColumnRole::Image).isEmpty() && options.imageColumn != defaults.imageColumn;
    options.splitColumnGiven
        = !namesWithRole(ColumnRole::Split).isEmpty() && options.splitColumn != defaults.splitColumn;
    options.fieldTypes.clear();
    for (const Entry &e : m_entries)
        if (e.role == ColumnRole::RecordField && e.type != e.inferred)
            options.fieldTypes.insert(e.name, e.type);
    options.dropColumns = namesWithRole(ColumnRole::Drop);
    const QStringList groups = namesWithRole(ColumnRole::Group);
    options.groupColumn = groups.isEmpty() ? QString() : groups.first();
    options.deidentify.idColumns = namesWithRole(ColumnRole::Identifier);
}

int ImportColumnModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int ImportColumnModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImportColumnModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return QVariant();
    const Entry &e = m_entries[static_cast<std::size_t>(index.row())];
    const bool isField = e.role == ColumnRole::RecordField;
    switch (index.column()) {
    case Name:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return e.name;
        break;
    case Role:
        if (role == Qt::DisplayRole)
            return roleName(e.role);
        if (role == Qt::EditRole)
            return static_cast<int>(e.role);
        if (role == Qt::ToolTipRole)
            return roleHelp(e.role);
        if (role == ChoiceHelpRole) {
            QStringList help;
            for (int r = 0; r < RoleCount; ++r)
                help.append(roleHelp(static_cast<ColumnRole>(r)));
            return help;
        }
        if (role == ChoicesRole) {
            QStringList names;
            for (int r = 0; r < RoleCount; ++r)
                names.append(roleName(static_cast<ColumnRole>(r)));
            return names;
        }
        break;
    case Type:
        if (role == Qt::DisplayRole)
            return isField ? typeLabel(e.type) : QStringLiteral("—");
        if (role == Qt::EditRole)
            return isField ? static_cast<int>(e.type) : -1;
        if (role == ChoicesRole) {
            QStringList names;
            for (int t = 0; t < TypeCount; ++t)
                names.append(typeLabel(static_cast<FieldType>(t)));
            return names;
        }
        if (role == Qt::ToolTipRole)
            return isField ? tr("Inferred from the values: %1").arg(typeLabel(e.inferred))
                           : tr("Only record fields have a type");
        break;
    case Examples:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return e.examples;
        break;
    default:
        break;
    }
    return QVariant();
}

bool ImportColumnModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || role != Qt::EditRole || !(flags(index) & Qt::ItemIsEditable))
        return false;
    bool ok = false;
    const int choice = value.toInt(&ok);
    if (!ok)
        return false;
    if (index.column() == Role && choice >= 0 && choice < RoleCount) {
        setRole(index.row(), static_cast<ColumnRole>(choice));
        return true;
    }
    if (index.column() == Type && choice >= 0 && choice < TypeCount) {
        setType(index.row(), static_cast<FieldType>(choice));
        return true;
    }
    return false;
}

Qt::ItemFlags ImportColumnModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == Role || (index.column() == Type && role(index.row()) == ColumnRole::RecordField))
        f |= Qt::ItemIsEditable;
    return f;
}

QVariant ImportColumnModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case Name:
        return tr("Column");
    case Role:
        return tr("Role");
    case Type:
        return tr("Type");
    case Examples:
        return tr("Example values");
    default:
        return QVariant();
    }
}
