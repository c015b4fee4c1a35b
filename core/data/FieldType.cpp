// SPDX-License-Identifier: GPL-3.0-or-later
#include "FieldType.h"

#include <QDate>
#include <QDateTime>
#include <QLocale>
#include <QSet>
#include <QTimeZone>

#include <cmath>

namespace lepton {

QString fieldTypeName(FieldType type)
{
    switch (type) {
    case FieldType::Numeric:
        return QStringLiteral("numeric");
    case FieldType::Categorical:
        return QStringLiteral("categorical");
    case FieldType::Boolean:
        return QStringLiteral("boolean");
    case FieldType::Date:
        return QStringLiteral("date");
    case FieldType::Text:
        return QStringLiteral("text");
    }
    return QString();
}

std::optional<FieldType> fieldTypeFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("numeric"))
        return FieldType::Numeric;
    if (n == QLatin1String("categorical"))
        return FieldType::Categorical;
    if (n == QLatin1String("boolean"))
        return FieldType::Boolean;
    if (n == QLatin1String("date"))
        return FieldType::Date;
    if (n == QLatin1String("text"))
        return FieldType::Text;
    return std::nullopt;
}

bool isMissingValue(const QString &text)
{
    const QString t = text.trimmed();
    return t.isEmpty() || t.compare(QLatin1String("NA"), Qt::CaseInsensitive) == 0
        || t.compare(QLatin1String("NaN"), Qt::CaseInsensitive) == 0
        || t.compare(QLatin1String("null"), Qt::CaseInsensitive) == 0;
}

std::optional<double> parseNumber(const QString &text)
{
    bool ok = false;
    const double v = QLocale::c().toDouble(text.trimmed(), &ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::optional<bool> parseBoolean(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("yes") || t == QLatin1String("true") || t == QLatin1String("y") || t == QLatin1String("t")
        || t == QLatin1String("1"))
        return true;
    if (t == QLatin1String("no") || t == QLatin1String("false") || t == QLatin1String("n") || t == QLatin1String("f")
        || t == QLatin1String("0"))
        return false;
    return std::nullopt;
}

std::optional<double> parseIsoDays(const QString &text)
{
    const QString t = text.trimmed();
    // Bare numbers are not dates, even though ISO allows "2024".
    if (t.size() < 10 || t.at(4) != QLatin1Char('-'))
        return std::nullopt;
    static const QDate epoch(1970, 1, 1);
    if (t.size() == 10) {
        const QDate d = QDate::fromString(t, Qt::ISODate);
        if (!d.isValid())
            return std::nullopt;
        return static_cast<double>(epoch.daysTo(d));
    }
    QDateTime dt = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!dt.isValid())
        return std::nullopt;
    if (dt.timeSpec() == Qt::LocalTime)
        dt.setTimeZone(QTimeZone::utc()); // times without a zone are read as written, not shifted
    return static_cast<double>(dt.toMSecsSinceEpoch()) / 86400000.0;
}

std::optional<double> parseAs(FieldType type, const QString &text)
{
    switch (type) {
    case FieldType::Numeric:
        return parseNumber(text);
    case FieldType::Boolean: {
        const auto b = parseBoolean(text);
        if (!b)
            return std::nullopt;
        return *b ? 1.0 : 0.0;
    }
    case FieldType::Date:
        return parseIsoDays(text);
    case FieldType::Categorical:
    case FieldType::Text:
        return std::nullopt;
    }
    return std::nullopt;
}

FieldType inferFieldType(const QStringList &values, double threshold)
{
    if (values.isEmpty())
        return FieldType::Categorical;
    int booleans = 0, numbers = 0, dates = 0;
    for (const QString &v : values) {
        if (parseBoolean(v))
            ++booleans;
        if (parseNumber(v))
            ++numbers;
        if (parseIsoDays(v))
            ++dates;
    }
    const double n = values.size();
    if (booleans == values.size()) // strict: a mostly-0/1 count column stays numeric
        return FieldType::Boolean;
    if (numbers / n >= threshold)
        return FieldType::Numeric;
    if (dates / n >= threshold)
        return FieldType::Date;
    return looksLikeFreeText(values) ? FieldType::Text : FieldType::Categorical;
}

bool looksLikeFreeText(const QStringList &values)
{
    if (values.size() < 8)
        return false;
    const QSet<QString> distinct(values.begin(), values.end());
    qint64 spaced = 0, chars = 0;
    for (const QString &v : values) {
        if (v.trimmed().contains(QLatin1Char(' ')))
            ++spaced;
        chars += v.size();
    }
    const double n = values.size();
    return distinct.size() > n / 2 && spaced > n / 2 && chars / n >= 20.0;
}

} // namespace lepton
