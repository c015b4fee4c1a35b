// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Progress.h"
#include "util/Result.h"

#include <QString>

#include <cstdint>

namespace lepton {

/// Options of the synthetic demo study.
struct DemoOptions
{
    QString domain = QStringLiteral("medical"); ///< "medical" or "finance"
    int cases = 2000;
    std::uint64_t seed = 7;
    QString outDir;
    int imageSize = 128; ///< medical only
    /// "png", or "dicom": each image a DICOM file (12 bits stored, a mix of transfer syntaxes and
    /// MONOCHROME1, identifying attributes of made-up patients with two visits each), plus
    /// labels.csv for importing the folder without the manifest (docs/DICOM.md).
    QString imageFormat = QStringLiteral("png");
    /// A free-text column per case ("note": a clinical note, or the applicant's statement) that
    /// carries a planted text term of the label (docs/DEMO_DATA.md).
    bool notes = false;
    ProgressFn progress;
    CancelFn cancelled;
};

/// What was written.
struct DemoSummary
{
    QString manifestPath;
    QString eventsPath;
    QString groundTruthPath;
    int cases = 0;
    int positives = 0;
    int images = 0;
    int events = 0;
};

/// Writes a seeded synthetic study in the documented input formats: a manifest CSV, an events
/// CSV, images (medical) and a ground-truth JSON saying which fields and image regions cause the
/// label. The label is planted so that each modality alone is insufficient (see docs/DEMO_DATA.md).
/// The same options give the same bytes on every run and platform: the generator uses its own
/// random number generator and distributions, never the standard library's.
class DemoGenerator
{
public:
    static Result<DemoSummary> generate(const DemoOptions &options);
};

} // namespace lepton
