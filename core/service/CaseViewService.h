// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/CaseView.h"
#include "util/Result.h"

#include <QString>

#include <vector>

namespace lepton {

class Study;

/// A run as the case views offer it to choose from.
struct RunChoice
{
    qint64 id = 0;
    QString name;
    QString status; ///< by its name: running, completed, cancelled, failed or interrupted
    qint64 datasetId = 0;
};

/// Reads what the case panels show, in one call per case: the record fields with their values,
/// the event history, the decoded image, the ground truth's lesion box and, for a run, the
/// stored prediction and explanation (see CaseView).
///
/// Reads only, on the calling thread's connection to the study: call it off the GUI thread
/// (CaseViewLoader does). Failures say what could not be read and what to do; a missing image,
/// prediction or explanation is not a failure but a message in the view.
class CaseViewService
{
public:
    explicit CaseViewService(Study &study) : m_study(study) { }

    /// The case as `request` asks; fails when the case is not in the study or cannot be read.
    Result<CaseView> load(const CaseViewRequest &request) const;
    /// The id of the case with this key (the manifest's case_id): in the run's dataset first,
    /// else in any dataset of the study. Fails with a message naming the key when there is none.
    Result<qint64> findCase(qint64 runId, const QString &caseKey) const;
    /// The study's runs, newest first.
    Result<std::vector<RunChoice>> runs() const;

    /// Decodes an image file for display (8 bits, grey, RGB or RGBA); failure names the file.
    static Result<CaseImage> decodeImage(const QString &path);
    /// Whether the file is a DICOM file (the "DICM" mark, or a .dcm name).
    static bool isDicom(const QString &path);
    /// Reads a DICOM file for the viewer: its first frame's values, key tags and initial window,
    /// `window` (the dataset's; auto: the file's, else the full range of its values); failure
    /// names the file.
    static Result<CaseDicom> readDicom(const QString &path, const DicomWindow &window = DicomWindow());
    /// The DICOM image shown with the window it was read with (the dataset's, VOI LUT included).
    static CaseImage renderDicom(const CaseDicom &dicom);
    /// The DICOM image windowed to `center` ± `width` / 2 (modality values); colour images as they are.
    static CaseImage renderDicom(const CaseDicom &dicom, double center, double width);
    /// A grey thumbnail at most `side` pixels on its longer side (at least one pixel each way).
    static Result<CaseImage> thumbnail(const QString &path, int side);
    /// A stored 8-bit PNG map as values relative to 255; an empty map when it cannot be decoded.
    static CaseMap decodeMap(const QByteArray &png);

private:
    Study &m_study;
};

} // namespace lepton
