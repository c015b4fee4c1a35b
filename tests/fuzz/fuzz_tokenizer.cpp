// SPDX-License-Identifier: GPL-3.0-or-later
// The text tokenizer's client on what a study can hold: the first byte chooses between a note (the
// rest as UTF-8, tokenized by a fixed tokenizer through the helper; every span must lie inside the
// text, in order, and every id inside the vocabulary, also when cut to a token limit, and the ids
// alone the same as with spans) and a run's
// tokenizer model (the rest as a serialized model: it loads, or fails with a reason).
#include "FuzzSupport.h"
#include "dataset/TextTokenizer.h"

#include <QStringList>

namespace {

const lepton::TextTokenizer &fixedTokenizer()
{
    static const std::shared_ptr<const lepton::TextTokenizer> t = [] {
        QStringList corpus;
        const QStringList forms = { QStringLiteral("Pt reports %1 for 3 days."), QStringLiteral("Denies %1."),
            QStringLiteral("No %1 reported, café visit noted."), QStringLiteral("Ongoing %1 overnight 😀.") };
        const QStringList words
            = { QStringLiteral("fever"), QStringLiteral("cough"), QStringLiteral("headache"), QStringLiteral("rash") };
        for (const QString &f : forms)
            for (const QString &w : words)
                corpus.append(f.arg(w));
        auto trained = lepton::TextTokenizer::train(corpus, lepton::TokenizerOptions());
        if (!trained) {
            std::fprintf(stderr, "fuzz_tokenizer: %s\n", qPrintable(trained.error()));
            std::abort();
        }
        return trained.value();
    }();
    return *t;
}

void checkSpans(const std::vector<lepton::TextToken> &tokens, const QString &text, int vocab)
{
    int previous = 0;
    for (const lepton::TextToken &t : tokens) {
        if (t.id < 0 || t.id >= vocab || t.begin < previous || t.begin > t.end || t.end > text.size())
            __builtin_trap();
        previous = t.begin;
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lepton::fuzz::initialiseQt(argc, argv);
    (void)fixedTokenizer();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray rest = lepton::fuzz::bytes(data + 1, size - 1);
    if (data[0] % 2 == 0) {
        const lepton::TextTokenizer &t = fixedTokenizer();
        const QString text = QString::fromUtf8(rest);
        const int limit = 1 + data[0] % 16;
        const auto all = t.encodeAll({ text, text }, 0);
        const auto cut = t.encodeAll({ text }, limit);
        const auto ids = t.encodeAll({ text }, limit, false);
        if (!all || !cut || !ids)
            __builtin_trap(); // a note is never a reason for the helper to stop
        if (ids.value()[0].size() != cut.value()[0].size())
            __builtin_trap();
        for (std::size_t i = 0; i < ids.value()[0].size(); ++i)
            if (ids.value()[0][i].id != cut.value()[0][i].id)
                __builtin_trap();
        checkSpans(all.value()[0], text, t.vocabSize());
        checkSpans(cut.value()[0], text, t.vocabSize());
        if (all.value()[0].size() != all.value()[1].size() || cut.value()[0].size() > std::size_t(limit))
            __builtin_trap();
        for (std::size_t i = 0; i < cut.value()[0].size(); ++i)
            if (cut.value()[0][i].id != all.value()[0][i].id)
                __builtin_trap();
        return 0;
    }
    auto loaded = lepton::TextTokenizer::fromModel(rest);
    if (!loaded) {
        if (loaded.error().isEmpty())
            __builtin_trap();
        return 0;
    }
    const auto tokens = loaded.value()->encode(QStringLiteral("Denies fever."));
    checkSpans(tokens, QStringLiteral("Denies fever."), loaded.value()->vocabSize());
    return 0;
}
