// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <torch/types.h>

#include <QByteArray>
#include <QMap>
#include <QString>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lepton {

/// The safetensors layout, the weights format of the Python ecosystem (Hugging Face's
/// `safetensors`): nothing in it is executed, so a file from anywhere can be read safely.
///
/// Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON (padded with
/// spaces to a multiple of 8), an object mapping each tensor's name to {"dtype": "F32", "shape":
/// [2, 3], "data_offsets": [begin, end]} plus an optional "__metadata__" object of strings; then
/// the data, each tensor's little-endian row-major bytes at [begin, end) counted from the data's
/// start. Reading checks what the reference reader checks: the offsets tile the data without gaps
/// or overlaps and each span is exactly its shape times its dtype's size.
struct SafeTensorsFile
{
    std::map<std::string, torch::Tensor> tensors;
    QMap<QString, QString> metadata;
};

namespace safetensors {

/// Largest header a file may declare (the reference reader's limit).
constexpr quint64 kMaxHeaderBytes = 100'000'000;

/// The file's bytes for `tensors` (any device; written from CPU copies, in the given order) with
/// `metadata` as "__metadata__". Fails, naming the tensor, for a dtype the layout has no name for.
Result<QByteArray> write(
    const std::vector<std::pair<std::string, torch::Tensor>> &tensors, const QMap<QString, QString> &metadata = {});

/// Reads a whole file's bytes; every message says what is wrong and, where it is one tensor's
/// fault, names it.
Result<SafeTensorsFile> read(const QByteArray &bytes);

/// Whether the first bytes look like the layout (a plausible header length followed by '{').
bool looksLike(const QByteArray &bytes);

} // namespace safetensors
} // namespace lepton
