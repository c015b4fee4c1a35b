// SPDX-License-Identifier: GPL-3.0-or-later
#include "Deidentifier.h"

#include <QDate>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace lepton {
namespace { } // namespace

QByteArray Deidentifier::newSecret()
{
    QByteArray secret(SecretBytes, Qt::Uninitialized);
    auto *words = reinterpret_cast<quint32 *>(secret.data());
    QRandomGenerator::system()->fillRange(words, SecretBytes / static_cast<int>(sizeof(quint32)));
    return secret;
}

Deidentifier::Deidentifier(QByteArray secret) : m_secret(std::move(secret)) { }

QByteArray Deidentifier::mac(const QByteArray &purpose, const QString &value) const
{
    QMessageAuthenticationCode code(QCryptographicHash::Sha256, m_secret);
    code.addData(purpose);
    code.addData("\0", 1);
    code.addData(value.toUtf8());
    return code.result();
}

QString Deidentifier::pseudonym(const QString &id) const
{
    return QStringLiteral("p-") + QString::fromLatin1(mac(QByteArrayLiteral("id"), id).toHex().left(16));
}

int Deidentifier::dayShift(const QString &patientId) const
{
    const QByteArray m = mac(QByteArrayLiteral("date-shift"), patientId);
    const quint32 v = (quint32(quint8(m[0])) << 24) | (quint32(quint8(m[1])) << 16) | (quint32(quint8(m[2])) << 8)
        | quint32(quint8(m[3]));
    const int s = static_cast<int>(v % (2 * MaxShiftDays)); // 0 … 729
    return s < MaxShiftDays ? s - MaxShiftDays : s - MaxShiftDays + 1; // -365 … -1, 1 … 365
}

QString Deidentifier::shiftIsoText(const QString &text, int days)
{
    const QString t = text.trimmed();
    if (t.size() < 10)
        return text;
    const QDate d = QDate::fromString(t.left(10), Qt::ISODate);
    if (!d.isValid())
        return text;
    return d.addDays(days).toString(Qt::ISODate) + t.mid(10);
}

} // namespace lepton
