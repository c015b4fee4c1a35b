// SPDX-License-Identifier: GPL-3.0-or-later
// CsvReader::parse on arbitrary bytes: it must return true or false with a message, never crash.
#include "FuzzSupport.h"
#include "data/CsvReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lepton::CsvReader reader;
    if (reader.parse(lepton::fuzz::bytes(data, size), QStringLiteral("fuzz.csv"))) {
        // Touch what callers read so that a row with dangling data would be noticed by ASan.
        qsizetype total = reader.header().size();
        for (const lepton::CsvRow &row : reader.rows())
            for (const QString &field : row.fields)
                total += field.size();
        (void)total;
        (void)reader.column(QStringLiteral("case_id"));
    } else if (reader.errorString().isEmpty()) {
        __builtin_trap(); // a failure must say why
    }
    return 0;
}
