// SPDX-License-Identifier: GPL-3.0-or-later
#include "CsvReader.h"

#include <QCryptographicHash>
#include <QFile>
#include <QStringDecoder>

namespace lepton {

bool CsvReader::readFile(const QString &path)
{
    QFile file(path);
    if (!file.exists()) {
        m_error = QStringLiteral("%1: file not found; check the path").arg(path);
        return false;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString());
        return false;
    }
    return parse(file.readAll(), path);
}

bool CsvReader::parse(const QByteArray &data, const QString &sourceName)
{
    m_header.clear();
    m_rows.clear();
    m_warnings.clear();
    m_error.clear();
    m_hash = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();

    if (data.contains('\0')) {
        m_error = QStringLiteral("%1: is a binary file, not CSV text; choose the manifest CSV").arg(sourceName);
        return false;
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder(data);
    if (decoder.hasError()) {
        m_error = QStringLiteral("%1: is not UTF-8 text; save it as UTF-8 CSV").arg(sourceName);
        return false;
    }
    if (text.startsWith(QChar(0xFEFF)))
        text.remove(0, 1);

    std::vector<CsvRow> records;
    CsvRow current;
    QString field;
    int line = 1;
    current.line = 1;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    bool afterClosingQuote = false;
    int quoteStartLine = 0;
    const qsizetype n = text.size();

    auto endField = [&] {
        current.fields.append(field);
        field.clear();
        fieldWasQuoted = false;
        afterClosingQuote = false;
    };
    auto endRecord = [&] {
        const bool quoted = fieldWasQuoted;
        endField();
        const bool blank = current.fields.size() == 1 && current.fields.first().isEmpty() && !quoted;
        if (!blank)
            records.push_back(std::move(current));
        current = CsvRow();
    };

    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < n && text.at(i + 1) == QLatin1Char('"')) {
                    field.append(QLatin1Char('"'));
                    ++i;
                } else {
                    inQuotes = false;
                    afterClosingQuote = true;
                }
            } else {
                if (c == QLatin1Char('\n')
                    || (c == QLatin1Char('\r') && !(i + 1 < n && text.at(i + 1) == QLatin1Char('\n'))))
                    ++line;
                field.append(c);
            }
            continue;
        }
        if (c == QLatin1Char(',')) {
            endField();
        } else if (c == QLatin1Char('\r') || c == QLatin1Char('\n')) {
            if (c == QLatin1Char('\r') && i + 1 < n && text.at(i + 1) == QLatin1Char('\n'))
                ++i;
            endRecord();
            ++line;
            current.line = line;
        } else if (c == QLatin1Char('"') && field.isEmpty() && !fieldWasQuoted) {
            inQuotes = true;
            fieldWasQuoted = true;
            quoteStartLine = line;
        } else {
            if (afterClosingQuote) {
                m_warnings.append(
                    QStringLiteral("%1:%2: text after a closing quote was kept").arg(sourceName).arg(line));
                afterClosingQuote = false;
            }
            field.append(c);
        }
    }
    if (inQuotes) {
        m_error = QStringLiteral("%1:%2: a quoted field is never closed; add the missing '\"'")
                      .arg(sourceName)
                      .arg(quoteStartLine);
        return false;
    }
    if (!field.isEmpty() || !current.fields.isEmpty() || fieldWasQuoted)
        endRecord();

    if (records.empty()) {
        m_error = QStringLiteral("%1: is empty; a header line with column names is needed").arg(sourceName);
        return false;
    }
    for (const QString &name : records.front().fields)
        m_header.append(name.trimmed());
    records.erase(records.begin());
    m_rows = std::move(records);
    return true;
}

QString csvQuote(const QString &field)
{
    const bool needs = field.contains(QLatin1Char(',')) || field.contains(QLatin1Char('"'))
        || field.contains(QLatin1Char('\n')) || field.contains(QLatin1Char('\r'));
    if (!needs)
        return field;
    QString q = field;
    q.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

QString csvLine(const QStringList &fields)
{
    QStringList quoted;
    quoted.reserve(fields.size());
    for (const QString &f : fields)
        quoted.append(csvQuote(f));
    return quoted.join(QLatin1Char(','));
}

} // namespace lepton
