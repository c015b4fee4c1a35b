// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// DICOM images through GDCM (docs/DICOM.md): the pixel pipeline from stored values to what the
// model and the viewer see, the file's attributes as record fields, and a writer for the demo and
// the tests. Nothing here throws; a file that cannot be read is a message naming the file and,
// where known, its transfer syntax.

#include "data/DicomWindow.h"
#include "util/Result.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>

#include <vector>

namespace lepton {

/// One DICOM image read and decoded: the first frame's modality values and what the file says
/// about how to show them.
struct DicomImage
{
    cv::Mat values; ///< CV_32FC1 modality values (rescale applied) or CV_8UC3 (BGR) for colour
    int frames = 1; ///< frames in the file; only the first is in `values`
    int fullWidth = 0; ///< the frame's size by the header (`values` is smaller after a reduction)
    int fullHeight = 0;
    int reduction = 0; ///< halvings skipped in decoding (read's minSide; JPEG 2000 only)
    int bitsStored = 0;
    bool signedPixels = false;
    QString photometric; ///< as in the file (MONOCHROME1, MONOCHROME2, RGB, YBR_FULL, …)
    bool monochrome1 = false; ///< low values are white: inverted when rendered
    QString transferSyntaxUid;
    QString transferSyntaxName;
    QString sopClassUid;
    double rescaleSlope = 1.0;
    double rescaleIntercept = 0.0;
    bool hasFileWindow = false;
    double fileCenter = 0.0;
    double fileWidth = 0.0;
    cv::Mat voiLut; ///< CV_32FC1, one row: the file's VOI LUT (when it has one and no window)
    double voiLutFirst = 0.0; ///< the stored value the LUT's first entry maps
    double voiLutMax = 0.0; ///< the largest value the LUT can hold (2^bits − 1)
    bool burnedInAnnotation = false; ///< BurnedInAnnotation = YES
    QMap<QString, QString> keyTags; ///< keyword → value, for the viewer (DicomReader::keyTagKeywords)
};

/// What a DICOM file's header says, read without decoding pixels.
struct DicomHeader
{
    int width = 0;
    int height = 0;
    int frames = 1;
    int samples = 1; ///< samples per pixel
    int bitsAllocated = 0;
    QString transferSyntaxName;
};

class DicomReader
{
public:
    /// The "DICM" mark at byte 128 (Part 10 file), or a .dcm name.
    static bool looksLikeDicom(const QByteArray &bytes, const QString &path);
    /// Rows, columns and frames from the header; refuses non-image objects with the reason.
    static Result<DicomHeader> header(const QByteArray &bytes, const QString &path);
    /// Decodes the first frame (every transfer syntax GDCM's codecs cover). `maxPixels` bounds the
    /// pixels of one frame, checked before anything is decompressed.
    /// `minSide` > 0: the caller needs no more than this many pixels on the smaller side, and a
    /// JPEG 2000 frame is decoded at the coarsest resolution that still has them (the values'
    /// size is then smaller than the header's; reduction says by how many halvings).
    static Result<DicomImage> read(const QByteArray &bytes, const QString &path, qint64 maxPixels, int minSide = 0);
    /// Windowed 8-bit image (CV_8UC1, or CV_8UC3 for colour), MONOCHROME1 inverted.
    static cv::Mat render(const DicomImage &image, const DicomWindow &window);
    /// The window `render` uses for grey images: centre and width in modality values.
    static void effectiveWindow(const DicomImage &image, const DicomWindow &window, double *center, double *width);
    /// Attribute values by keyword (PatientAge, ViewPosition, …), read from the header only;
    /// absent attributes are empty strings. Unknown keywords make it fail.
    static Result<QMap<QString, QString>> attributes(const QString &path, const QStringList &keywords);
    /// True when `keyword` names a public DICOM attribute.
    static bool isKeyword(const QString &keyword);
    /// The attributes the viewer shows beside a DICOM image.
    static QStringList keyTagKeywords();
};

/// The value of an attribute as a record field: ages ("063Y") in years, dates (DA) as ISO
/// YYYY-MM-DD, everything else trimmed as written.
QString dicomFieldText(const QString &keyword, const QString &value);

/// What de-identification does with an attribute (PS3.15 Annex E, basic profile, as docs/DICOM.md
/// lists it).
enum class DicomPhi {
    None, ///< not identifying: kept
    Identifier, ///< ids and UIDs: replaced by a pseudonym
    Date, ///< dates: shifted with the patient's offset
    Age, ///< ages: above 89 stored as 90
    Remove ///< names, addresses, institutions, free text, birth date: never stored
};
DicomPhi dicomPhiKind(const QString &keyword);
/// Every attribute keyword that dicomPhiKind does not call None.
QStringList dicomPhiKeywords();

/// A DICOM file to write (the demo's images, the tests' files).
struct DicomWriteSpec
{
    cv::Mat pixels; ///< CV_8UC1, CV_16UC1, CV_16SC1 or CV_8UC3 (BGR)
    QString transferSyntax = QStringLiteral("explicit-le"); ///< a name from dicomTransferSyntaxNames()
    int bitsStored = 0; ///< 0: all the sample's bits
    bool monochrome1 = false; ///< write MONOCHROME1 (the caller has inverted the values)
    double rescaleSlope = 1.0;
    double rescaleIntercept = 0.0;
    bool window = false; ///< write windowCenter/windowWidth
    double windowCenter = 0.0;
    double windowWidth = 0.0;
    int frames = 1; ///< the pixels repeated as this many frames
    /// A VOI LUT Sequence item (PS3.3 C.11.2): entries, the first value they map, their bits
    /// (written when voiLut is not empty).
    std::vector<quint16> voiLut;
    int voiLutFirst = 0;
    int voiLutBits = 16;
    QMap<QString, QString> attributes; ///< keyword → value (PatientID, PatientAge, …)
    QString sopClassUid; ///< default: Secondary Capture Image Storage
    bool withoutPixels = false; ///< a non-image object (the SOP class says which)
};

/// Short names of the transfer syntaxes the writer and reader support, in a stable order:
/// implicit-le, explicit-le, explicit-be, deflated, rle, jpeg-baseline, jpeg-extended,
/// jpeg-lossless, jpeg-ls, jpeg2000.
QStringList dicomTransferSyntaxNames();
/// Writes `spec` to `path`; returns an empty string or the reason it could not.
QString writeDicom(const QString &path, const DicomWriteSpec &spec);

} // namespace lepton
