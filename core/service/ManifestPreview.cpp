// SPDX-License-Identifier: GPL-3.0-or-later
#include "ManifestPreview.h"

#include <QSet>

namespace lepton {

namespace {
constexpr int kExampleCount = 3;

QString shortened(const QString &text)
{
    return text.size() > 24 ? text.left(23) + QChar(0x2026) : text;
}
} // namespace

Result<ManifestPreview> ManifestPreview::read(const QString &path, int previewRows)
{
    CsvReader reader;
    if (!reader.readFile(path))
        return Result<ManifestPreview>::failure(reader.errorString());
    ManifestPreview p;
    p.path = path;
    p.header = reader.header();
    const std::vector<CsvRow> &rows = reader.rows();
    p.rowCount = static_cast<qint64>(rows.size());
    p.firstRows.assign(rows.begin(), rows.begin() + std::min<std::size_t>(rows.size(), std::size_t(previewRows)));
    for (int col = 0; col < p.header.size(); ++col) {
        ManifestColumn c;
        c.name = p.header.at(col);
        // The same values the importer infers from: trimmed, not missing, from rows of the
        // header's width.
        QStringList values;
        QSet<QString> seen;
        for (const CsvRow &row : rows) {
            if (row.fields.size() != p.header.size())
                continue;
            const QString &v = row.fields.at(col);
            if (isMissingValue(v))
                continue;
            values.append(v.trimmed());
            if (c.examples.size() < kExampleCount && !seen.contains(values.last())) {
                seen.insert(values.last());
                c.examples.append(shortened(values.last()));
            }
        }
        c.inferred = inferFieldType(values);
        p.columns.push_back(std::move(c));
    }
    return p;
}

} // namespace lepton
