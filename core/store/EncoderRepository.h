// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace lepton {

class Study;

/// An image encoder kept in the study (table `encoders`): a TorchScript file imported with
/// `lepton encoder import`, or one pretrained on the study's own images.
struct StoredEncoder
{
    qint64 id = 0;
    QString name;
    QString format = QStringLiteral("torchscript");
    QString sha256; ///< of data
    qint64 size = 0; ///< bytes of data
    qint64 parameters = 0;
    int channels = 3;
    int inputSize = 0; ///< 0: images as the dataset gives them
    std::vector<double> mean, std;
    int features = 0; ///< channels of the feature map
    QString mapSize; ///< "7x7": the feature map at the size it was probed at
    QString source; ///< the file it was imported from, or how it was made
    QString importedAt, importedBy;
    QByteArray data; ///< empty in list()
};

class EncoderRepository
{
public:
    explicit EncoderRepository(Study &study) : m_study(study) { }

    /// Stores an encoder and writes the audit entry `encoder.import`, in one transaction. A name
    /// already taken is refused (names stay what runs recorded).
    Result<qint64> add(const StoredEncoder &encoder, const QString &actor);
    /// Every encoder without its bytes, by name.
    Result<std::vector<StoredEncoder>> list() const;
    /// One encoder with its bytes; a missing name is refused with the names there are.
    Result<StoredEncoder> find(const QString &name) const;
    /// The encoder whose file has this SHA-256 (how a run finds the one it trained with).
    Result<StoredEncoder> findBySha256(const QString &sha256) const;

private:
    Study &m_study;
};

} // namespace lepton
