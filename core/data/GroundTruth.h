// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QHash>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace lepton {

/// Where a known cause lies in a case's image, in the image's pixels: a rectangle (x, y, w, h)
/// or a disc (cx, cy, radius).
struct GroundTruthRegion
{
    enum class Shape { Rectangle, Circle };
    Shape shape = Shape::Rectangle;
    double x = 0, y = 0, w = 0, h = 0; ///< Rectangle
    double cx = 0, cy = 0, radius = 0; ///< Circle

    /// The rectangle itself, or the disc's bounding box.
    QRectF bounds() const;
};

/// What is known about one case's causes.
struct CaseGroundTruth
{
    QString caseId;
    QStringList causalFields; ///< the case's own list, else the file's top-level one
    std::optional<GroundTruthRegion> region; ///< none: the case does not count for the pointing game
    QRectF box; ///< the box views draw: the file's x, y, w, h, else the region's bounds; empty without one
    double imageWidth = 0, imageHeight = 0; ///< the pixels the region is given in; 0 when the file does not say
    std::vector<int> causalTimeSteps; ///< event positions (0 = the oldest) that cause the label
    QStringList causalWords; ///< words (or phrases) of the case's note that carry its label
    QStringList negatedWords; ///< signal words the note denies ("denies fever"): they carry nothing
    int dominantModality = -1; ///< 0 image, 1 record, 2 history; -1 when none dominates or not known
};

/// A ground-truth file: which fields, image region, time steps (and, later, words) cause each
/// case's label, so that explanations can be scored against known causes (docs/EXPLANATIONS.md,
/// "Ground-truth file format"). The demo's `ground_truth.json` (written by `lepton demo-data`) is
/// one such file. Views use it to draw the lesion box over an explanation; `lepton explain
/// --report` scores against it.
class GroundTruth
{
public:
    /// A case dominates when its largest |risk component| is at least this many times the next
    /// one (the demo's per-case "risk" object, when a case gives no "dominant_modality").
    static constexpr double kDominanceRatio = 2.0;

    /// Reads a ground-truth file; failure names the file and what is wrong with it.
    static Result<GroundTruth> load(const QString &path);
    /// Parses a ground-truth file's contents; `source` names it in errors.
    static Result<GroundTruth> parse(const QByteArray &json, const QString &source);
    /// The ground truth beside a manifest (its folder's ground_truth.json), if there is one.
    static std::optional<GroundTruth> besideManifest(const QString &manifestPath);

    /// The lesion's bounding box in the image's pixels, when the case has one.
    std::optional<QRectF> lesionBox(const QString &caseKey) const;
    /// The file's top-level causal fields (what applies to a case that lists none of its own).
    const QStringList &causalFields() const { return m_causalFields; }
    /// One case, or nullptr when the file does not list it.
    const CaseGroundTruth *find(const QString &caseKey) const;
    /// Cases the file lists.
    int cases() const { return static_cast<int>(m_cases.size()); }

private:
    QHash<QString, CaseGroundTruth> m_cases;
    QStringList m_causalFields;
};

} // namespace lepton
