// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/DomainTemplate.h"
#include "explain/Redecide.h"
#include "util/Result.h"

#include <QMap>
#include <QObject>
#include <QStringList>

#include <functional>
#include <limits>
#include <memory>
#include <vector>

namespace lepton {

class Study;

/// What the template editor reads of a run once: its classes and record fields, the template it
/// decides with (bound to them), the stored predictions it previews on, and what the data says
/// of each record field (explain/TemplateFromData: type, 1st–99th percentile range).
struct TemplateEditorData
{
    /// One stored prediction, as the preview needs it.
    struct Row
    {
        std::vector<double> probabilities; ///< calibrated (the model's when none were stored), class order
        int label = -1; ///< index of the true class in `classes`; -1: unlabelled
        QString decision; ///< the decision stored now
    };

    qint64 runId = 0;
    QString runName;
    qint64 datasetId = 0;
    QStringList classes; ///< the run's, in the model's output order
    QStringList fields; ///< the run's record fields
    QString runPositiveClass; ///< the class the run scores (kept unless a template names another)
    DomainTemplate current; ///< the run's template bound to its classes and fields
    DomainTemplate fromData; ///< templateFromData of the run's dataset (empty when it failed)
    QString fromDataProblem; ///< why there is no fromData (the ranges are then left empty)
    QString split; ///< the split `rows` come from: "val", or empty for all (no val predictions)
    std::vector<Row> rows;
    int storedPredictions = 0; ///< the run's predictions on every split (what apply re-decides)
};

/// What a template makes of the cached predictions.
struct TemplatePreview
{
    DomainTemplate bound; ///< the template bound as redecideRun binds it
    QString rule; ///< ruleText(bound)
    int cases = 0;
    QMap<QString, int> after; ///< decision (action) → cases, referred ones included (as RedecideOutcome::after)
    std::vector<int> decided; ///< per class: cases decided so and not referred
    int referred = 0;
    int changed = 0; ///< cases whose decision differs from the stored one
    /// Two classes only, over the labelled cases that are not referred: of the labelled positives
    /// those decided positive, of the labelled negatives those decided negative. NaN: none.
    double sensitivity = std::numeric_limits<double>::quiet_NaN();
    double specificity = std::numeric_limits<double>::quiet_NaN();

    /// "212 decided abnormal, 88 normal, 14 referred · sensitivity 0.97 · specificity 0.61"
    QString summary() const;
};

/// The template editor's reading, calculating and writing (ui/TemplateEditorDialog is its view).
/// load() reads once, off the GUI thread; preview() then decides the cached rows in memory, so
/// every change in the editor is counted without a query. apply() re-decides the run's stored
/// predictions (explain/Redecide, audited as run.redecide); saveAs() writes the template's JSON.
class TemplateEditorService
{
public:
    /// Reads a run's template, classes, fields, validation predictions (all stored predictions
    /// when none is on the validation split) and its dataset's field types and ranges. Reads
    /// only; long on a large study: call it from a background read (see loadInBackground).
    static Result<TemplateEditorData> load(Study &study, qint64 runId);
    /// load() on a pool thread with its own connection; `done` runs on `context`'s thread.
    static void loadInBackground(std::shared_ptr<Study> study, QObject *context, qint64 runId,
        std::function<void(const Result<TemplateEditorData> &)> done);
    /// Whether a run has stored predictions (one indexed count; quick enough for a menu).
    static Result<bool> hasPredictions(Study &study, qint64 runId);

    explicit TemplateEditorService(TemplateEditorData data);

    const TemplateEditorData &data() const { return m_data; }
    /// The template the editor starts with: the run's, with the data's field types, and its
    /// ranges for the fields the run's template gives none.
    DomainTemplate initialTemplate() const;

    /// Checks `edited` as a template file would be checked (DomainTemplate::fromJson: the error
    /// names the key, e.g. "grades[2].below: …") and binds it to the run as redecideRun does.
    Result<DomainTemplate> validate(const DomainTemplate &edited) const;
    /// Decides the cached rows with `edited` in memory (no query).
    Result<TemplatePreview> preview(const DomainTemplate &edited) const;

    /// redecideRun's preview over every stored prediction of the run (writes nothing).
    static Result<RedecideOutcome> previewApply(Study &study, qint64 runId, const DomainTemplate &edited);
    /// Re-decides every stored prediction of the run with `edited`, keeps it in the run's config
    /// and writes the audit entry run.redecide (redecideRun with write = true).
    static Result<RedecideOutcome> apply(
        Study &study, qint64 runId, const DomainTemplate &edited, const QString &actor, const QString &source);
    /// After apply(): the cached rows' stored decisions and the run's template are `bound`'s.
    void markApplied(const DomainTemplate &bound);
    /// Writes the template's JSON to `path` atomically (QSaveFile); a failure names the file.
    static Status saveAs(const DomainTemplate &edited, const QString &path);

private:
    TemplateEditorData m_data;
};

} // namespace lepton
