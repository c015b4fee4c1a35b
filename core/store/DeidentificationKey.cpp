// SPDX-License-Identifier: GPL-3.0-or-later
#include "DeidentificationKey.h"

#include "data/Deidentifier.h"
#include "store/Study.h"

namespace lepton {
namespace {

const QString SecretKey = QStringLiteral("deidentify_secret");

} // namespace

Result<QByteArray> DeidentificationKey::load(const Study *study)
{
    if (!study)
        return Deidentifier::newSecret();
    const QString stored = study->metaValue(SecretKey);
    if (stored.isEmpty())
        return Deidentifier::newSecret();
    const QByteArray secret = QByteArray::fromHex(stored.toLatin1());
    if (secret.size() != Deidentifier::SecretBytes)
        return Result<QByteArray>::failure(
            QStringLiteral("%1: the de-identification key in the study's meta table is damaged; the same patients "
                           "would get different pseudonyms, so de-identified imports into this study are refused "
                           "(import into a new study)")
                .arg(study->path()));
    return secret;
}

Status DeidentificationKey::store(Study &study, const QByteArray &secret)
{
    const QString stored = study.metaValue(SecretKey);
    if (stored.isEmpty())
        return study.setMetaValue(SecretKey, QString::fromLatin1(secret.toHex()));
    if (QByteArray::fromHex(stored.toLatin1()) != secret)
        return Status::failure(
            QStringLiteral("%1: another import gave the study a de-identification key meanwhile; nothing was written, "
                           "import again")
                .arg(study.path()));
    return Status();
}

} // namespace lepton
