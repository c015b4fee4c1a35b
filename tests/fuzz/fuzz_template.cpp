// SPDX-License-Identifier: GPL-3.0-or-later
// DomainTemplate::fromJson on whatever JSON the bytes parse to; a template that reads is also
// written back, read again and bound to a small dataset shape.
#include "FuzzSupport.h"
#include "decision/DomainTemplate.h"

#include <QJsonDocument>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument doc = QJsonDocument::fromJson(lepton::fuzz::bytes(data, size));
    if (!doc.isObject())
        return 0;
    auto parsed = lepton::DomainTemplate::fromJson(doc.object(), QStringLiteral("fuzz.json"));
    if (!parsed) {
        if (parsed.error().isEmpty())
            __builtin_trap();
        return 0;
    }
    auto again = lepton::DomainTemplate::fromJson(parsed->toJson(), QStringLiteral("fuzz-roundtrip.json"));
    (void)again;
    auto bound = parsed->boundTo({ QStringLiteral("benign"), QStringLiteral("malignant") }, QStringLiteral("malignant"),
        { QStringLiteral("age"), QStringLiteral("income") });
    if (bound) {
        (void)bound->positiveIndex();
        for (const QString &c : bound->classes)
            (void)bound->decisionLabel(c);
    }
    return 0;
}
