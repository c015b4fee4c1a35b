// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/RunRepository.h"
#include "util/Result.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace lepton {

/// One scalar of a TensorBoard event file.
struct ScalarEvent
{
    QString tag;
    qint64 step = 0;
    float value = 0.0f;
    double wallTime = 0.0;
};

/// Writes a run's metrics as a TensorBoard event file (TFRecord framing with masked CRC-32C,
/// `Event` protocol buffers with scalar summaries) in `dir`, created if needed: per-step train
/// loss and learning rate under train/loss and train/lr by step, per-epoch metrics under
/// SPLIT/NAME by epoch. Returns the file's path.
Result<QString> writeTensorBoard(const QString &dir, const std::vector<MetricRow> &rows, double wallTime);

/// The file's bytes for a list of scalars (after the file-version event).
QByteArray encodeTensorBoard(const std::vector<ScalarEvent> &events, double wallTime);
/// Reads such bytes back, checking every record's length and data CRC; fails on corruption.
Result<std::vector<ScalarEvent>> decodeTensorBoard(const QByteArray &bytes);
/// CRC-32C (Castagnoli), as TFRecord uses it.
quint32 crc32c(const char *data, std::size_t size);

} // namespace lepton
