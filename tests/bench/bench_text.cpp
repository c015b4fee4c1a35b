// SPDX-License-Identifier: GPL-3.0-or-later
// Tokenizer speed: trains the SentencePiece tokenizer on a manifest's notes and tokenizes N notes
// (the manifest's, repeated with a number appended so that no two are equal), on one thread and on
// all cores as MultimodalDataset does. Prints a table. Usage: lepton_bench_text MANIFEST COLUMN N
#include "data/CsvReader.h"
#include "dataset/TextTokenizer.h"
#include "util/ParallelFor.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include <atomic>
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
    std::size_t tokens = 0;
    for (const QString &s : many)
        tokens += tokenizer.value()->encode(s, 128).size();
    const double oneMs = t.elapsed();
    t.restart();
    std::atomic<std::size_t> tokensAll { 0 };
    parallelFor(static_cast<std::size_t>(n), 0,
        [&](std::size_t i) { tokensAll += tokenizer.value()->encode(many.at(static_cast<int>(i)), 128).size(); });
    const double allMs = t.elapsed();
    std::printf("%-44s %10s\n", "what", "seconds");
    std::printf("%-44s %10.3f\n",
        qPrintable(QStringLiteral("train tokenizer on %1 notes (%2 pieces)")
                       .arg(notes.size())
                       .arg(tokenizer.value()->vocabSize())),
        trainMs / 1000.0);
    std::printf("%-44s %10.3f\n", qPrintable(QStringLiteral("tokenize %1 notes, 1 thread").arg(n)), oneMs / 1000.0);
    std::printf("%-44s %10.3f\n",
        qPrintable(QStringLiteral("tokenize %1 notes, %2 threads").arg(n).arg(QThread::idealThreadCount())),
        allMs / 1000.0);
    std::printf("tokens per note: %.1f (%zu / %zu)\n", static_cast<double>(tokens) / n, tokens, tokensAll.load());
    return 0;
}
