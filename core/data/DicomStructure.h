// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A walk over a DICOM file's element structure before any library parses it: every element,
// item and fragment must lie inside the file and its container, lengths and delimiters must be
// consistent, nesting is bounded. The DICOM library trusts these and stops the process on some
// inconsistencies; a file that fails this walk is refused with the reason instead.

#include "util/Result.h"

#include <QByteArray>
#include <QString>

#include <utility>
#include <vector>

namespace lepton {

struct DicomStructure
{
    QString transferSyntaxUid; ///< from the file meta information; empty without it
    bool explicitVr = true;
    bool bigEndian = false;
    bool deflated = false;
    bool hasPixelData = false;
    bool encapsulated = false; ///< pixel data as compressed fragments
    qint64 pixelDataLength = 0; ///< bytes of native pixel data, or of all fragments
    qint64 pixelDataOffset = 0; ///< native pixel data: where its value starts in the file (0: unknown)
    qint64 dataSetOffset = 0; ///< where the data set starts (after the file meta information)
    /// Encapsulated: offset and length of each fragment after the offset table, in `bytes` (for a
    /// deflated file: empty, as deflate and encapsulation do not meet).
    std::vector<std::pair<qint64, qint64>> fragments;
};

/// RLE lossless: each frame's fragment must start with a header of `segments` (samples per pixel
/// × bytes per sample) segments whose offsets lie inside it, in order. GDCM's RLE decoder reads
/// past its buffers otherwise. Returns an empty string or the reason.
QString checkRleFragments(const QByteArray &bytes, const DicomStructure &s, int segments, int frames);

/// The file rewritten with file meta information of our own making (preamble, version and the
/// transfer syntax the walk found) in front of the data set's bytes as they are: the library
/// then never reads the file's own meta group, whatever state it is in.
QByteArray withCleanMeta(const QByteArray &bytes, const DicomStructure &structure);

/// Checks the structure of a DICOM file held in memory. The error is the reason, in words, with
/// the byte offset where it was found (the caller names the file). `syntaxUid`, when given, gets
/// the transfer syntax as soon as the file meta information names it, also when the walk fails.
Result<DicomStructure> checkDicomStructure(const QByteArray &bytes, QString *syntaxUid = nullptr);

/// True for the transfer syntaxes whose pixel data is stored as it is (not encapsulated).
/// JPEG, JPEG-LS and JPEG 2000: each frame's code stream must declare the image the DICOM header
/// describes (rows, columns, components, a precision within the bits allocated) before GDCM's
/// decoders see it; they trust the header and read out of bounds otherwise. Returns an empty
/// string or the reason.
QString checkCodestreams(
    const QByteArray &bytes, const DicomStructure &s, int rows, int columns, int samples, int bitsAllocated);

bool isNativeTransferSyntax(const QString &uid);

} // namespace lepton
