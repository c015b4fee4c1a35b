// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace lepton {

/// How a run's tokenizer is trained.
struct TokenizerOptions
{
    int vocabSize = 2000; ///< a few thousand notes fill about this many pieces; fewer are taken if they do not
    QString modelType = QStringLiteral("bpe"); ///< "bpe" or "unigram"
    int threads = 2;
};

/// One token of a text and where it came from: [begin, end) in UTF-16 code units of the QString.
struct TextToken
{
    int id = 0;
    int begin = 0;
    int end = 0;
};

/// Free text to token ids, through SentencePiece: trained on a run's training split only, saved
/// with the run (model()) and used unchanged for prediction. Id 0 is padding and 1 the unknown
/// piece; characters never seen in training fall back to their UTF-8 bytes, so accents, CJK and
/// emoji survive as tokens. Text is normalised with NFKC and case-folded before tokenizing.
/// SentencePiece runs in the helper process `lepton-tokenizer` (its library cannot share a process
/// with LibTorch: app/tokenizer/main.cpp); each tokenizer keeps one helper for its lifetime.
/// Thread-safe: requests to the helper are serialised.
class TextTokenizer
{
public:
    static constexpr int PadId = 0;
    static constexpr int UnknownId = 1;

    /// Trains on `texts` (empty ones skipped); fails with the reason when there is too little text.
    static Result<std::shared_ptr<const TextTokenizer>> train(
        const QStringList &texts, const TokenizerOptions &options);
    /// Loads a model written by model().
    static Result<std::shared_ptr<const TextTokenizer>> fromModel(const QByteArray &serialized);
    ~TextTokenizer();

    QByteArray model() const { return m_model; }
    int vocabSize() const;
    /// Token ids of a text with their spans; at most `maxTokens` (0: all), the first ones kept.
    std::vector<TextToken> encode(const QString &text, int maxTokens = 0) const;
    /// encode() of many texts in one request. A helper that stopped is started again once; when
    /// that fails too, the texts read as empty with a warning (use encodeAll() to get the error).
    std::vector<std::vector<TextToken>> encode(const QStringList &texts, int maxTokens = 0) const;
    /// encode() of many texts, failing with the reason when the helper cannot answer (what a
    /// dataset uses: notes are never silently read as empty). Without `spans` only the ids are
    /// filled (begin and end stay 0): what training needs, and about twice as fast.
    Result<std::vector<std::vector<TextToken>>> encodeAll(
        const QStringList &texts, int maxTokens = 0, bool spans = true) const;
    /// The helper's process id (diagnostics and tests), -1 when none runs.
    qint64 helperProcessId() const;
    /// Where the helper program is looked for, in order (for messages and tests): only
    /// $LEPTON_TOKENIZER when it is set, else beside the program and in libexec.
    static QStringList helperCandidates();
    /// A piece as text (SentencePiece's word-start marker shown as a space).
    QString piece(int id) const;

private:
    TextTokenizer();
    bool encodeLocked(
        const QStringList &texts, int maxTokens, bool spans, std::vector<std::vector<TextToken>> &out) const;
    struct Impl;
    mutable std::unique_ptr<Impl> m_impl; ///< replaced when the helper is started again
    mutable QMutex m_mutex; ///< one request to the helper at a time
    QByteArray m_model;
    QStringList m_pieces;
};

} // namespace lepton
