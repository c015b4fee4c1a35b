// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs an exported TorchScript model in Python's torch (Debian's python3-torch) on the inputs a
// test gives, and returns the largest absolute difference of its logits from the expected ones.

#include <QFile>
#include <QProcess>
#include <QString>

#include <torch/script.h>

#include <optional>
#include <vector>

namespace pyparity {

/// The inputs are pickled to `dataPath`; nullopt with `error` set when Python cannot run it.
inline std::optional<double> maxLogitDifference(const QString &modelPath, const QString &dataPath,
    const std::vector<torch::Tensor> &inputs, const torch::Tensor &expected, QString *error)
{
    std::vector<torch::Tensor> saved = inputs;
    saved.push_back(expected);
    const std::vector<char> bytes = torch::jit::pickle_save(c10::List<torch::Tensor>(saved));
    QFile f(dataPath);
    if (!f.open(QIODevice::WriteOnly)
        || f.write(bytes.data(), static_cast<qint64>(bytes.size())) != qint64(bytes.size())) {
        *error = dataPath + QStringLiteral(": cannot be written");
        return std::nullopt;
    }
    f.close();
    QProcess py;
    py.start(QStringLiteral("/usr/bin/python3"),
        { QStringLiteral("-c"),
            QStringLiteral("import sys, torch\n"
                           "x = torch.load(sys.argv[2])\n"
                           "m = torch.jit.load(sys.argv[1])\n"
                           "logits, weights = m(*x[:-1])\n"
                           "print(float((logits - x[-1]).abs().max()))\n"),
            modelPath, dataPath });
    if (!py.waitForFinished(120000) || py.exitCode() != 0) {
        *error = QString::fromUtf8(py.readAllStandardError());
        return std::nullopt;
    }
    return QString::fromUtf8(py.readAllStandardOutput()).trimmed().toDouble();
}

} // namespace pyparity
