// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/CsvReader.h"
#include "data/FieldType.h"
#include "util/Result.h"

#include <QStringList>

#include <vector>

namespace lepton {

/// A manifest column as the import dialog first shows it: its name, the type the importer would
/// infer from its values, and a few distinct example values.
struct ManifestColumn
{
    QString name;
    FieldType inferred = FieldType::Categorical;
    QStringList examples; ///< at most three distinct values, each at most 24 characters
};

/// What the import dialog shows of a manifest before importing it: the header, the first rows
/// and each column's inferred type. Reading reads the whole file (the types need every value):
/// call read() off the GUI thread for a big manifest.
struct ManifestPreview
{
    QString path;
    QStringList header;
    std::vector<CsvRow> firstRows; ///< at most the rows asked for
    qint64 rowCount = 0; ///< data rows in the file
    std::vector<ManifestColumn> columns; ///< one per header column

    /// Reads `path`; a failure says why the file cannot be read as CSV.
    static Result<ManifestPreview> read(const QString &path, int previewRows);
};

} // namespace lepton
