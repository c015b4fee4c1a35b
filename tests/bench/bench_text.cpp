// SPDX-License-Identifier: GPL-3.0-or-later
// Tokenizer speed: trains the SentencePiece tokenizer on a manifest's notes and tokenizes N notes
// (the manifest's, repeated with a number appended so that no two are equal): all in one request
// to the helper, ids only as MultimodalDataset asks, and with spans; and one note per request, as
// explaining a case does.
// Prints a table. Usage: lepton_bench_text MANIFEST COLUMN N
#include "data/CsvReader.h"
#include "dataset/TextTokenizer.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

using namespace lepton;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 4) {
        std::fprintf(stderr, "usage: lepton_bench_text MANIFEST COLUMN N\n");
        return 2;
    }
    CsvReader csv;
    if (!csv.readFile(QString::fromLocal8Bit(argv[1]))) {
        std::fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    const int column = csv.column(QString::fromLocal8Bit(argv[2]));
    const int n = QString::fromLocal8Bit(argv[3]).toInt();
    QStringList notes;
    for (const CsvRow &r : csv.rows())
        if (column >= 0 && column < r.fields.size() && !r.fields.at(column).trimmed().isEmpty())
            notes.append(r.fields.at(column));
    if (notes.isEmpty() || n <= 0) {
        std::fprintf(stderr, "no notes in column %s\n", argv[2]);
        return 1;
    }
    QStringList many;
    many.reserve(n);
    for (int i = 0; i < n; ++i)
        many.append(notes.at(i % notes.size()) + QStringLiteral(" Ref %1.").arg(i));
    QElapsedTimer t;
    t.start();
    auto tokenizer = TextTokenizer::train(notes, TokenizerOptions());
    const double trainMs = t.elapsed();
    if (!tokenizer) {
        std::fprintf(stderr, "%s\n", qPrintable(tokenizer.error()));
        return 1;
    }
    t.restart();
    // What a dataset does: every note in one request, ids only.
    const auto batched = tokenizer.value()->encodeAll(many, 128, false);
    const double batchMs = t.elapsed();
    t.restart();
    // Every note in one request with each token's span in the text (what explanations use).
    const auto withSpans = tokenizer.value()->encodeAll(many, 128, true);
    const double spansMs = t.elapsed();
    if (!batched || !withSpans) {
        std::fprintf(stderr, "%s\n", qPrintable(batched ? withSpans.error() : batched.error()));
        return 1;
    }
    std::size_t tokens = 0;
    for (const auto &note : batched.value())
        tokens += note.size();
    // What explaining a case does: one note per request (a round trip to the helper each).
    const int single = std::min(n, 10000);
    t.restart();
    for (int i = 0; i < single; ++i)
        (void)tokenizer.value()->encode(many.at(i), 128);
    const double singleMs = t.elapsed();
    std::printf("%-52s %10s\n", "what", "seconds");
    std::printf("%-52s %10.3f\n",
        qPrintable(QStringLiteral("train tokenizer on %1 notes (%2 pieces)")
                       .arg(notes.size())
                       .arg(tokenizer.value()->vocabSize())),
        trainMs / 1000.0);
    std::printf(
        "%-52s %10.3f\n", qPrintable(QStringLiteral("tokenize %1 notes in one request, ids").arg(n)), batchMs / 1000.0);
    std::printf("%-52s %10.3f\n", qPrintable(QStringLiteral("tokenize %1 notes in one request, with spans").arg(n)),
        spansMs / 1000.0);
    std::printf("%-52s %10.3f\n", qPrintable(QStringLiteral("tokenize %1 notes, one request each").arg(single)),
        singleMs / 1000.0);
    std::printf("tokens per note: %.1f (%zu notes)\n", static_cast<double>(tokens) / n, static_cast<std::size_t>(n));
    return 0;
}
