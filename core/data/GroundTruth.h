// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QHash>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <optional>

namespace lepton {

/// What a demo study's `ground_truth.json` (written by `lepton demo-data`) says about its cases:
/// where each lesion is and which fields cause the label. Views use it to draw the lesion box
/// over an explanation; it is only known for generated data.
class GroundTruth
{
public:
    /// Reads a ground-truth file; failure names the file and what is wrong with it.
    static Result<GroundTruth> load(const QString &path);
    /// The ground truth beside a manifest (its folder's ground_truth.json), if there is one.
    static std::optional<GroundTruth> besideManifest(const QString &manifestPath);

    /// The lesion's bounding box in the image's pixels, when the case has one.
    std::optional<QRectF> lesionBox(const QString &caseKey) const;
    const QStringList &causalFields() const { return m_causalFields; }
    int cases() const { return static_cast<int>(m_boxes.size()); }

private:
    QHash<QString, QRectF> m_boxes;
    QStringList m_causalFields;
};

} // namespace lepton
