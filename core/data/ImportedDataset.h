// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/FieldType.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace lepton {

/// A field value as imported: its text as written and, for numeric, boolean and date fields,
/// its number (boolean 0/1, date in days since 1970-01-01).
struct FieldValue
{
    bool missing = true;
    double number = 0.0;
    QString text;
};

/// A record or event field: its column and type.
struct FieldSpec
{
    QString name;
    FieldType type = FieldType::Numeric;
    bool typeOverridden = false;
    QStringList categories; ///< categorical only: the distinct values, sorted
};

/// One accepted row of the manifest.
struct ImportedCase
{
    QString caseId;
    QString label; ///< empty: unlabelled
    QString split; ///< train / val / test, or empty for unlabelled cases without a split
    QString groupKey; ///< the --group-col value (a patient); empty: the case is its own group
    QString imageRef; ///< the image cell as written in the manifest; empty: no image
    QString imagePath; ///< absolute path after resolving against the image root
    QByteArray imageHash; ///< SHA-256 of the file, hex
    int imageWidth = 0;
    int imageHeight = 0;
    int imageChannels = 0;
    int imageBits = 0;
    int line = 0;
    std::vector<FieldValue> values; ///< one per record field, in field order
};

/// One accepted row of the events file.
struct ImportedEvent
{
    int caseIndex = -1; ///< index into ImportedDataset::cases
    double time = 0.0; ///< the time as a number (ISO dates: days since 1970-01-01)
    QString timeText;
    int line = 0;
    std::vector<FieldValue> values; ///< one per event field
};

/// A validated dataset, ready to be written into a study in one transaction.
struct ImportedDataset
{
    QString name;
    QString manifestPath;
    QString eventsPath;
    QString imageRoot;
    QByteArray manifestHash;
    QByteArray eventsHash;
    QString idColumn;
    QString labelColumn;
    QString imageColumn;
    QString splitColumn;
    QString timeColumn;
    QString groupColumn; ///< empty: no groups
    QString dicomWindow = QStringLiteral("auto"); ///< DicomWindow::text(): how DICOM images are shown
    bool splitFromManifest = false;
    quint64 splitSeed = 0;
    QStringList classes; ///< sorted class names
    std::vector<FieldSpec> fields;
    std::vector<FieldSpec> eventFields;
    std::vector<ImportedCase> cases;
    std::vector<ImportedEvent> events;
};

} // namespace lepton
