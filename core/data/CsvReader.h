// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace lepton {

/// One record of a CSV file with the physical line it starts on (1-based; the header is line 1).
struct CsvRow
{
    int line = 0;
    QStringList fields;
};

/// Reads comma-separated text as RFC 4180 describes it: quoted fields with embedded commas,
/// doubled quotes and line breaks; CRLF, LF or CR line ends; UTF-8 with or without a BOM.
/// Blank lines are skipped. Rows are returned as they are: the caller decides what a row with
/// the wrong number of fields means.
///
/// Fatal problems (unreadable file, binary content, text that is not UTF-8, a quote that is never
/// closed, no header) make read()/parse() return false with errorString() naming file and line.
class CsvReader
{
public:
    bool readFile(const QString &path);
    bool parse(const QByteArray &data, const QString &sourceName = QStringLiteral("<input>"));

    const QStringList &header() const { return m_header; }
    const std::vector<CsvRow> &rows() const { return m_rows; }
    /// Index of a header column by exact name (after trimming), or -1.
    int column(const QString &name) const { return m_header.indexOf(name); }
    const QString &errorString() const { return m_error; }
    /// Recoverable oddities found while reading (text after a closing quote), one line each.
    const QStringList &warnings() const { return m_warnings; }
    /// SHA-256 of the bytes read, hex.
    const QByteArray &contentHash() const { return m_hash; }

private:
    QStringList m_header;
    std::vector<CsvRow> m_rows;
    QString m_error;
    QStringList m_warnings;
    QByteArray m_hash;
};

/// Quotes one field for writing CSV when it needs quoting.
QString csvQuote(const QString &field);
/// Joins fields into one CSV line (without the line end).
QString csvLine(const QStringList &fields);

} // namespace lepton
