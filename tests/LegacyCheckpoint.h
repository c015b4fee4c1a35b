// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Checkpoints as earlier versions stored them, for the tests of their refusal and conversion
// (train/CheckpointConversion.h). Declared without the core's types, so that a test that runs the
// command line only need not see them.

#include <QByteArray>
#include <QString>

namespace legacycheckpoint {

/// A LibTorch archive of run `runId`'s current model in `study`, as an earlier version stored a
/// checkpoint: "model.<name>" tensors and "epoch". Empty when the run cannot be loaded.
QByteArray archiveOfRun(const QString &study, qint64 runId, int epoch);

} // namespace legacycheckpoint
