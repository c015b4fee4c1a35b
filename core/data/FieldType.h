// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace lepton {

/// The type of a record or event field.
/// Text is free text (a clinical note, a statement): stored as written and read by the text
/// encoder through a tokenizer, never turned into categories.
enum class FieldType { Numeric, Categorical, Boolean, Date, Text };

/// True for the types whose values are stored as text, not numbers (categorical, text).
inline bool isTextValued(FieldType type)
{
    return type == FieldType::Categorical || type == FieldType::Text;
}

QString fieldTypeName(FieldType type);
/// Parses "numeric", "categorical", "boolean", "date" or "text".
std::optional<FieldType> fieldTypeFromName(const QString &name);

/// True for the missing-value markers: empty, NA, NaN, null (any case, surrounding spaces ignored).
bool isMissingValue(const QString &text);

/// Parses a number in the C locale ("1.5", "-3e2"); finite values only.
std::optional<double> parseNumber(const QString &text);
/// Parses yes/no, true/false, y/n, t/f, 1/0 (any case).
std::optional<bool> parseBoolean(const QString &text);
/// Parses an ISO 8601 date or date-time into days since 1970-01-01 (fractional for times).
std::optional<double> parseIsoDays(const QString &text);

/// Parses one non-missing value of the given type into a number: numeric as is, boolean 0/1,
/// date as days since 1970-01-01. Categorical values have no number (nullopt).
std::optional<double> parseAs(FieldType type, const QString &text);

/// Infers a column's type from its non-missing values: the first of boolean, numeric, date that
/// at least `threshold` of the values parse as; else text when the values read as free text
/// (looksLikeFreeText), else categorical. Values that then fail to parse
/// are reported by the importer as unparsable, so a few typos do not turn a column categorical.
FieldType inferFieldType(const QStringList &values, double threshold = 0.9);

/// Free text rather than categories: at least 8 values, mostly distinct (over half), most of them
/// (over half) with a space, and on average at least 20 characters long.
bool looksLikeFreeText(const QStringList &values);

} // namespace lepton
