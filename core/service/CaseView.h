// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/DicomWindow.h"
#include "data/FieldType.h"
#include "store/DatasetRepository.h"
#include "store/ExplanationRepository.h"

#include <QByteArray>
#include <QMetaType>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <cmath>
#include <memory>
#include <optional>
#include <vector>

namespace lepton {

/// An image ready to draw: 8 bits per channel, rows packed (no padding: a row is
/// width × channels bytes). channels 1: grey; 3: RGB; 4: RGBA. 16-bit images are scaled to 8
/// bits. Free of OpenCV and QtGui, so a view turns it into its own image type.
struct CaseImage
{
    int width = 0;
    int height = 0;
    int channels = 0;
    QByteArray pixels;

    bool isNull() const { return pixels.isEmpty(); }
};

struct DicomImage; // data/Dicom.h: held, not looked into, by the front ends

/// A DICOM image as the viewer re-windows it (CaseViewService::renderDicom): the decoded values
/// stay with the service's types, the front ends see the key tags and the window.
struct CaseDicom
{
    std::shared_ptr<const DicomImage> image; ///< null: the case's image is not a DICOM file
    std::vector<std::pair<QString, QString>> keyTags; ///< keyword → value, in the viewer's order
    bool grey = true; ///< false for colour images, which are not windowed
    /// The dataset's window (chosen at import; what training sees): the image is first shown, and
    /// reset, with it.
    DicomWindow window;
    QString windowName; ///< how the window is described: "the file's window", "full range", "40,400"
    double center = 0.0; ///< that window as centre and width, in modality values
    double width = 0.0;
    double minValue = 0.0; ///< the range of the modality values
    double maxValue = 0.0;
    int frames = 1;
    QString transferSyntaxName;

    bool isNull() const { return !image; }
};

/// A stored explanation map (attention or Grad-CAM) as values relative to its maximum (0..1),
/// row-major, width × height of them.
struct CaseMap
{
    int width = 0;
    int height = 0;
    std::vector<float> values;

    bool isEmpty() const { return values.empty(); }
};

/// A record field of the case with its value.
struct CaseFieldValue
{
    QString name;
    FieldType type = FieldType::Numeric;
    QVariant value; ///< as stored (number, or text for categorical); invalid when missing
    /// The value for people: numbers as stored, booleans "yes"/"no", dates ISO 8601; empty when
    /// missing (the view says so in its own words).
    QString text;

    bool missing() const { return !value.isValid(); }
};

/// The history of one numeric (or boolean, or date) event field: its values over time, oldest first.
struct CaseSeries
{
    QString name;
    std::vector<double> times;
    std::vector<double> values;
};

/// One field's attribution (field attention, or Integrated Gradients on p(positive)).
struct AttributionView
{
    QString field;
    double value = 0.0;
    QString method; ///< "ig", "occlusion" (a category against its training mode), "missing"; empty: older explanations
};

/// One change of a counterfactual: the field, its value now and the value that would flip the decision.
struct CounterfactualChangeView
{
    QString field, from, to, unit;
    /// +1: the field's attribution points the way this change moves p; -1: against it; 0: unknown.
    int agreesWithAttribution = 0;
};

/// What a run's stored explanations of a case say; `stored` is false when none is stored yet.
struct ExplanationView
{
    bool stored = false;
    CaseMap attention;
    CaseMap gradcam;
    /// Modality weights, image / record / history, in that order; empty without attention.
    std::vector<std::pair<QString, double>> modalityWeights;
    /// Per modality the case has: p(positive) minus p with it masked (image / record / history
    /// among them, in that order); empty for explanations stored before it was measured.
    std::vector<std::pair<QString, double>> modalityAblation;
    /// What the field attributions are relative to, in words (empty for older explanations).
    QString attributionBaseline;
    /// Other counterfactuals on other fields, as sentences.
    QStringList counterfactualAlternatives;
    std::vector<AttributionView> fieldAttention;
    std::vector<AttributionView> integratedGradients;
    /// The temporal attention weights with the times of the events they belong to (the most
    /// recent events the model saw, oldest first); both the same length.
    std::vector<double> temporalTimes, temporalWeights;
    /// The note as the model read it, and its words with their token attention and Integrated
    /// Gradients (of p(positive), against the note without words); empty without a text model.
    QString note;
    struct Word
    {
        QString word;
        int begin = 0, end = 0;
        double attention = 0.0, ig = 0.0;
        double occlusion = 0.0; ///< p(positive) minus p without the word
    };
    std::vector<Word> noteWords;
    bool hasNote = false; ///< the run's model reads a note (even when this case has none)
    QString noteCounterfactual; ///< the sentences whose removal changes the decision, in words
    bool hasCounterfactual = false;
    QString counterfactualText; ///< the sentence as stored
    bool counterfactualFound = false;
    bool counterfactualVerified = false;
    std::vector<CounterfactualChangeView> counterfactualChanges;
};

/// Everything the case panels show for one case (and, with a run, its prediction and explanation),
/// read in one call by CaseViewService.
struct CaseView
{
    qint64 runId = 0; ///< 0: the case without a run
    qint64 datasetId = 0;
    StoredCase record;
    std::vector<CaseFieldValue> fields; ///< record fields, in the dataset's order
    std::vector<CaseSeries> history; ///< one per non-categorical event field, in the dataset's order

    CaseImage image; ///< null when the case has no image, or it could not be decoded
    QString imageMessage; ///< why there is no image (missing modality, or the decoder's message)
    /// Set when the image is a DICOM file: its values for re-windowing, its key tags and window.
    CaseDicom dicom;
    std::optional<QRectF> lesionBox; ///< from the dataset's ground-truth file, in image pixels

    /// The run's stored prediction; absent when the run did not predict the case
    /// (predictionMessage says so and what to do).
    std::optional<StoredPrediction> prediction;
    QString predictionMessage;
    QStringList classes; ///< the run's classes in the model's order
    QString positiveClass;
    /// p(positive class), calibrated when the prediction was; NaN when unknown.
    double positiveProbability = std::nan("");
    /// The class the decision stands for (the template's label mapped back to its class; the
    /// predicted class when the prediction was not decided). Empty without a prediction.
    QString decidedClass;
    /// The most likely class (of the calibrated probabilities where decided, else the model's).
    QString mostLikelyClass;
    /// The run's rule in words ("abnormal when p(abnormal) ≥ 4.8 %: …, else normal"); empty when
    /// the run's template cannot be read (ruleMessage says why).
    QString ruleText;
    QString ruleMessage;
    /// Empty when the decided class is the most likely one; else why the decision differs.
    QString differsText;
    ExplanationView explanation;

    /// The decision to show: the policy's, else the predicted class.
    QString decision() const
    {
        if (!prediction)
            return QString();
        return prediction->decision.isEmpty() ? prediction->predicted : prediction->decision;
    }
};

/// What to read for a case.
struct CaseViewRequest
{
    qint64 runId = 0; ///< 0: no prediction or explanation
    qint64 caseId = 0;
    bool image = true; ///< decode the image
};

} // namespace lepton

Q_DECLARE_METATYPE(lepton::CaseView)
