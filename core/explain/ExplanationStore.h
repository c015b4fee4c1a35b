// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "explain/Explainer.h"
#include "util/Result.h"

#include <QByteArray>

namespace lepton {

class Study;

/// A map (CV_32F, values ≥ 0) as an 8-bit grey PNG scaled to its maximum; `scale` receives that
/// maximum, which decodeMap needs to restore the values (to 1/255 of it).
QByteArray encodeMap(const cv::Mat &map, double *scale);
cv::Mat decodeMap(const QByteArray &png, double scale);

/// Stores one case's explanation for a run: its prediction (replacing an earlier one) and the
/// attention, Grad-CAM, Integrated Gradients and counterfactual explanations, in one go.
Status storeExplanation(Study &study, qint64 runId, const CaseExplanation &e);

} // namespace lepton
