// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/FieldType.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace lepton {

/// How one field becomes numbers: its type, and for numbers the train-split mean and standard
/// deviation used to standardise it; for categories the list (index + 1 is the token, 0 unknown).
/// A number that is positive and strongly right-skewed on the train split (a lab value, an
/// amount) is standardised on its logarithm, so that a few extreme values do not dominate.
struct FieldEncoding
{
    QString name;
    FieldType type = FieldType::Numeric;
    double mean = 0.0;
    double std = 1.0;
    bool log = false;
    QStringList categories;

    /// A number standardised as fitted (log first when `log`); values ≤ 0 of a log field clamp.
    float standardise(double value) const;
};

/// The text modality: which record columns are free text and the tokenizer trained on the train
/// split. Several text columns are read as one note: their texts joined in column order, each on a
/// line of its own; the first `maxTokens` tokens are kept (the start of a note carries its reason).
struct TextSpec
{
    QStringList fields;
    int maxTokens = 128;
    int vocabSize = 2000; ///< asked of the tokenizer's training (it may keep fewer)
    QString tokenizer = QStringLiteral("bpe");
    QByteArray tokenizerModel; ///< SentencePiece's serialized model
};

/// Everything fitted on the training split that turns a case into tensors. Saved with a run so
/// that prediction on new data uses the training statistics, never its own.
struct FeatureSpec
{
    std::vector<FieldEncoding> recordFields; ///< every record field but the text ones
    TextSpec text;
    std::vector<FieldEncoding> eventFields;
    double timeScale = 1.0; ///< std of (last event time - event time) over train events
    double imageMean = 0.0;
    double imageStd = 1.0;
    int imageSize = 128;
    int imageChannels = 1;
    int maxEvents = 32;
    QStringList classes;

    /// Width of one event step: value, missing flag and change since the first value per field,
    /// then the time feature.
    bool hasText() const { return !text.fields.isEmpty(); }
    int eventWidth() const { return static_cast<int>(eventFields.size()) * 3 + 1; }
    QJsonObject toJson() const;
    static FeatureSpec fromJson(const QJsonObject &json);
};

} // namespace lepton
