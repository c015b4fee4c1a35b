// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseViewService.h"

#include "data/Dicom.h"
#include "data/GroundTruth.h"
#include "data/ImageDecoder.h"
#include "decision/DecisionText.h"
#include "service/RunDecision.h"
#include "store/DatasetRepository.h"
#include "store/ExplanationRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QDate>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace lepton {

namespace {

/// An 8-bit, packed copy of a decoded image: grey stays grey, BGR becomes RGB, BGRA RGBA.
CaseImage packed(const cv::Mat &decoded)
{
    cv::Mat eight;
    if (decoded.depth() == CV_16U)
        decoded.convertTo(eight, CV_8U, 1.0 / 257.0);
    else
        eight = decoded;
    cv::Mat ordered;
    switch (eight.channels()) {
    case 3:
        cv::cvtColor(eight, ordered, cv::COLOR_BGR2RGB);
        break;
    case 4:
        cv::cvtColor(eight, ordered, cv::COLOR_BGRA2RGBA);
        break;
    default:
        ordered = eight;
    }
    CaseImage out;
    out.width = ordered.cols;
    out.height = ordered.rows;
    out.channels = ordered.channels();
    const int rowBytes = out.width * out.channels;
    out.pixels.resize(qsizetype(rowBytes) * out.height);
    for (int y = 0; y < out.height; ++y)
        std::copy_n(
            ordered.ptr<uchar>(y), rowBytes, reinterpret_cast<uchar *>(out.pixels.data()) + qsizetype(y) * rowBytes);
    return out;
}

QString valueText(const StoredField &field, const QVariant &value)
{
    if (!value.isValid())
        return QString();
    switch (field.type) {
    case FieldType::Boolean:
        return value.toDouble() != 0.0 ? QStringLiteral("yes") : QStringLiteral("no");
    case FieldType::Date:
        return QDate(1970, 1, 1).addDays(static_cast<qint64>(value.toDouble())).toString(Qt::ISODate);
    case FieldType::Numeric:
    case FieldType::Categorical:
    case FieldType::Text:
        break;
    }
    return value.toString();
}

std::vector<AttributionView> attributions(const QJsonValue &list)
{
    std::vector<AttributionView> out;
    for (const QJsonValue &v : list.toArray())
        out.push_back({ v.toObject().value(QStringLiteral("field")).toString(),
            v.toObject().value(QStringLiteral("value")).toDouble(),
            v.toObject().value(QStringLiteral("method")).toString() });
    return out;
}

/// The stored explanations of a prediction, read into `out`; `events` are the case's, by time.
void readExplanations(
    const std::vector<StoredExplanation> &stored, const std::vector<StoredEvent> &events, ExplanationView &out)
{
    out.stored = !stored.empty();
    for (const StoredExplanation &e : stored) {
        if (e.kind == QLatin1String("attention")) {
            out.attention = CaseViewService::decodeMap(e.data);
            const QJsonObject w = e.summary.value(QStringLiteral("modality_weights")).toObject();
            for (const char *m : { "image", "record", "history", "text" })
                if (w.contains(QString::fromLatin1(m)))
                    out.modalityWeights.emplace_back(
                        QString::fromLatin1(m), w.value(QString::fromLatin1(m)).toDouble());
            const QJsonObject a = e.summary.value(QStringLiteral("modality_ablation")).toObject();
            for (const char *m : { "image", "record", "history", "text" })
                if (a.value(QString::fromLatin1(m)).isDouble())
                    out.modalityAblation.emplace_back(
                        QString::fromLatin1(m), a.value(QString::fromLatin1(m)).toDouble());
            out.fieldAttention = attributions(e.summary.value(QStringLiteral("field_attention")));
            std::vector<double> weights;
            for (const QJsonValue &v : e.summary.value(QStringLiteral("temporal_attention")).toArray())
                weights.push_back(v.toDouble());
            // The weights belong to the most recent events the model saw, oldest first.
            const std::size_t k = std::min(events.size(), weights.size());
            for (std::size_t i = events.size() - k; i < events.size(); ++i)
                out.temporalTimes.push_back(events[i].time);
            out.temporalWeights.assign(weights.end() - std::ptrdiff_t(k), weights.end());
        } else if (e.kind == QLatin1String("text")) {
            out.hasNote = true;
            out.note = e.summary.value(QStringLiteral("note")).toString();
            out.noteCounterfactual
                = e.summary.value(QStringLiteral("counterfactual")).toObject().value(QStringLiteral("text")).toString();
            for (const QJsonValue &v : e.summary.value(QStringLiteral("words")).toArray()) {
                const QJsonObject w = v.toObject();
                out.noteWords.push_back(
                    { w.value(QStringLiteral("word")).toString(), w.value(QStringLiteral("begin")).toInt(),
                        w.value(QStringLiteral("end")).toInt(), w.value(QStringLiteral("attention")).toDouble(),
                        w.value(QStringLiteral("ig")).toDouble(), w.value(QStringLiteral("occlusion")).toDouble() });
            }
        } else if (e.kind == QLatin1String("gradcam")) {
            out.gradcam = CaseViewService::decodeMap(e.data);
        } else if (e.kind == QLatin1String("integrated_gradients")) {
            out.integratedGradients = attributions(e.summary.value(QStringLiteral("fields")));
            out.attributionBaseline = e.summary.value(QStringLiteral("baseline")).toString();
        } else if (e.kind == QLatin1String("counterfactual")) {
            out.hasCounterfactual = true;
            out.counterfactualText = e.summary.value(QStringLiteral("text")).toString();
            out.counterfactualFound = e.summary.value(QStringLiteral("found")).toBool();
            out.counterfactualVerified = e.summary.value(QStringLiteral("verified")).toBool();
            for (const QJsonValue &v : e.summary.value(QStringLiteral("alternatives")).toArray())
                out.counterfactualAlternatives.append(v.toObject().value(QStringLiteral("text")).toString());
            for (const QJsonValue &v : e.summary.value(QStringLiteral("changes")).toArray()) {
                const QJsonObject ch = v.toObject();
                out.counterfactualChanges.push_back(
                    { ch.value(QStringLiteral("field")).toString(), ch.value(QStringLiteral("from")).toString(),
                        ch.value(QStringLiteral("to")).toString(), ch.value(QStringLiteral("unit")).toString(),
                        ch.value(QStringLiteral("agrees_with_attribution")).toInt() });
            }
        }
    }
}

} // namespace

Result<CaseView> CaseViewService::load(const CaseViewRequest &request) const
{
    using R = Result<CaseView>;
    DatasetRepository data(m_study);
    CaseView view;
    view.runId = request.runId;
    auto record = data.caseRecord(request.caseId, &view.datasetId);
    if (!record)
        return R::failure(record.error());
    view.record = record.take();

    auto fields = data.fields(view.datasetId, QStringLiteral("record"));
    if (!fields)
        return R::failure(fields.error());
    auto values = data.caseValues(view.datasetId, request.caseId);
    if (!values)
        return R::failure(values.error());
    for (std::size_t i = 0; i < fields->size(); ++i) {
        const StoredField &f = (*fields)[i];
        const QVariant v = values->value(static_cast<int>(i));
        view.fields.push_back({ f.name, f.type, v, valueText(f, v) });
    }

    auto eventFields = data.fields(view.datasetId, QStringLiteral("event"));
    if (!eventFields)
        return R::failure(eventFields.error());
    auto events = data.caseEvents(request.caseId);
    if (!events)
        return R::failure(events.error());
    for (std::size_t f = 0; f < eventFields->size(); ++f) {
        if ((*eventFields)[f].type == FieldType::Categorical)
            continue;
        CaseSeries series;
        series.name = (*eventFields)[f].name;
        for (const StoredEvent &e : events.value()) {
            const QVariant v = e.values.value(static_cast<int>(f));
            if (!v.isValid())
                continue;
            series.times.push_back(e.time);
            series.values.push_back(v.toDouble());
        }
        view.history.push_back(std::move(series));
    }

    if (view.record.imagePath.isEmpty()) {
        view.imageMessage = QStringLiteral("No image for this case (the modality is missing).");
    } else if (request.image && isDicom(view.record.imagePath)) {
        // Read once, kept for the viewer's window/level: the first view is the dataset's window,
        // as training sees the image.
        DicomWindow window;
        if (auto owner = data.dataset(view.datasetId))
            if (auto parsed = DicomWindow::parse(owner->dicomWindow))
                window = parsed.value();
        auto dicom = readDicom(view.record.imagePath, window);
        if (dicom) {
            view.dicom = dicom.take();
            view.image = renderDicom(view.dicom);
        } else {
            view.imageMessage = dicom.error();
        }
    } else if (request.image) {
        auto image = decodeImage(view.record.imagePath);
        if (image)
            view.image = image.take();
        else
            view.imageMessage = image.error();
    }
    auto summary = data.dataset(view.datasetId);
    if (summary)
        if (auto truth = GroundTruth::besideManifest(summary->manifestPath))
            view.lesionBox = truth->lesionBox(view.record.caseKey);

    if (request.runId <= 0)
        return view;
    auto run = RunRepository(m_study).run(request.runId);
    if (!run)
        return R::failure(run.error());
    for (const QJsonValue &v :
        run->config.value(QStringLiteral("feature_spec")).toObject().value(QStringLiteral("classes")).toArray())
        view.classes.append(v.toString());
    view.positiveClass = run->config.value(QStringLiteral("positive_class")).toString();

    ExplanationRepository explanations(m_study);
    auto prediction = explanations.prediction(request.runId, request.caseId);
    if (!prediction) {
        view.predictionMessage = QStringLiteral("Case %1: %2").arg(view.record.caseKey, prediction.error());
        return view;
    }
    view.prediction = prediction.take();
    const std::vector<double> &probs
        = view.prediction->calibrated.empty() ? view.prediction->probabilities : view.prediction->calibrated;
    const int positive = static_cast<int>(view.classes.indexOf(view.positiveClass));
    if (positive >= 0 && positive < int(probs.size()))
        view.positiveProbability = probs[std::size_t(positive)];
    // The decision is the answer; the most likely class is shown only where it differs, with why.
    view.mostLikelyClass = view.classes.value(mostLikelyClass(probs));
    if (auto rule = RunDecision::of(run->config, view.classes, request.runId)) {
        view.ruleText = rule->rule;
        view.decidedClass = rule->decidedClass(view.prediction->decision, view.prediction->predicted);
        view.differsText = rule->differs(probs, view.decidedClass);
    } else {
        view.ruleMessage = rule.error();
        view.decidedClass
            = view.classes.contains(view.prediction->decision) ? view.prediction->decision : view.prediction->predicted;
    }

    auto stored = explanations.load(view.prediction->id);
    if (!stored)
        return R::failure(stored.error());
    readExplanations(stored.value(), events.value(), view.explanation);
    return view;
}

Result<qint64> CaseViewService::findCase(qint64 runId, const QString &caseKey) const
{
    DatasetRepository data(m_study);
    std::vector<qint64> datasets;
    auto run = RunRepository(m_study).run(runId);
    if (run)
        datasets.push_back(run->datasetId);
    auto all = data.datasets(false);
    if (!all)
        return Result<qint64>::failure(all.error());
    for (const DatasetSummary &d : all.value())
        if (!run || d.id != run->datasetId)
            datasets.push_back(d.id);
    for (qint64 d : datasets)
        if (auto c = data.caseByKey(d, caseKey))
            return c->id;
    return Result<qint64>::failure(
        QStringLiteral("No case '%1' in this study; check the id (it is the manifest's case_id).").arg(caseKey));
}

Result<std::vector<RunChoice>> CaseViewService::runs() const
{
    auto runs = RunRepository(m_study).runs();
    if (!runs)
        return Result<std::vector<RunChoice>>::failure(runs.error());
    std::vector<RunChoice> out;
    for (auto it = runs->rbegin(); it != runs->rend(); ++it)
        out.push_back({ it->id, it->name, runStatusName(it->status), it->datasetId });
    return out;
}

Result<CaseImage> CaseViewService::decodeImage(const QString &path)
{
    auto decoded = ImageDecoder::decode(path);
    if (!decoded)
        return Result<CaseImage>::failure(decoded.error());
    try {
        return packed(decoded.value());
    } catch (const cv::Exception &e) {
        return Result<CaseImage>::failure(
            QStringLiteral("%1 cannot be shown (%2); check that it is a PNG, JPEG, BMP or TIFF image.")
                .arg(path, QString::fromStdString(e.msg)));
    }
}

bool CaseViewService::isDicom(const QString &path)
{
    QFile file(path);
    const QByteArray head = file.open(QIODevice::ReadOnly) ? file.read(132) : QByteArray();
    return DicomReader::looksLikeDicom(head, path);
}

Result<CaseDicom> CaseViewService::readDicom(const QString &path, const DicomWindow &window)
{
    using R = Result<CaseDicom>;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("image %1 cannot be read (%2)").arg(path, file.errorString()));
    const QByteArray bytes = file.readAll();
    auto read = DicomReader::read(bytes, path, ImageDecodeLimits().maxPixels);
    if (!read)
        return R::failure(read.error());
    try {
        auto image = std::make_shared<DicomImage>(read.take());
        CaseDicom out;
        out.grey = image->values.channels() == 1;
        out.frames = image->frames;
        out.transferSyntaxName = image->transferSyntaxName;
        out.window = window;
        switch (window.mode) {
        case DicomWindow::Mode::Auto:
            out.windowName = image->hasFileWindow ? QStringLiteral("the file's window")
                : !image->voiLut.empty()          ? QStringLiteral("the file's VOI LUT")
                                                  : QStringLiteral("full range (the file has no window)");
            break;
        case DicomWindow::Mode::Full:
            out.windowName = QStringLiteral("full range");
            break;
        case DicomWindow::Mode::Fixed:
            out.windowName = window.text();
            break;
        }
        if (out.grey && !image->values.empty()) {
            cv::minMaxLoc(image->values, &out.minValue, &out.maxValue);
            DicomReader::effectiveWindow(*image, window, &out.center, &out.width);
        }
        // The viewer's keywords first, in their order; any others the reader gave after them.
        const QStringList order = DicomReader::keyTagKeywords();
        for (const QString &k : order)
            if (image->keyTags.contains(k) && !image->keyTags.value(k).isEmpty())
                out.keyTags.emplace_back(k, image->keyTags.value(k));
        for (auto it = image->keyTags.cbegin(); it != image->keyTags.cend(); ++it)
            if (!order.contains(it.key()) && !it.value().isEmpty())
                out.keyTags.emplace_back(it.key(), it.value());
        out.image = std::move(image);
        return out;
    } catch (const cv::Exception &e) {
        return R::failure(QStringLiteral("%1 cannot be shown (%2).").arg(path, QString::fromStdString(e.msg)));
    }
}

CaseImage CaseViewService::renderDicom(const CaseDicom &dicom)
{
    if (dicom.isNull())
        return CaseImage();
    try {
        return packed(DicomReader::render(*dicom.image, dicom.window));
    } catch (const cv::Exception &) {
        return CaseImage();
    }
}

CaseImage CaseViewService::renderDicom(const CaseDicom &dicom, double center, double width)
{
    if (dicom.isNull())
        return CaseImage();
    DicomWindow window;
    window.mode = DicomWindow::Mode::Fixed;
    window.center = center;
    window.width = std::max(1.0, width);
    try {
        return packed(DicomReader::render(*dicom.image, window));
    } catch (const cv::Exception &) {
        return CaseImage();
    }
}

Result<CaseImage> CaseViewService::thumbnail(const QString &path, int side)
{
    ImageDecodeLimits limits;
    limits.decodeSide = side; // shrunk to this below: JPEG 2000 decodes no finer
    auto decoded = ImageDecoder::decode(path, limits);
    if (!decoded)
        return Result<CaseImage>::failure(decoded.error());
    try {
        cv::Mat eight, small;
        if (decoded->depth() == CV_16U)
            decoded->convertTo(eight, CV_8U, 1.0 / 257.0);
        else
            eight = decoded.value();
        if (eight.channels() == 3)
            cv::cvtColor(eight, eight, cv::COLOR_BGR2GRAY);
        else if (eight.channels() == 4)
            cv::cvtColor(eight, eight, cv::COLOR_BGRA2GRAY);
        // At least one pixel each way: a 10 × 4000 image must not shrink to nothing.
        const double scale = double(std::max(1, side)) / std::max(eight.cols, eight.rows);
        const cv::Size size(
            std::max(1, int(std::lround(eight.cols * scale))), std::max(1, int(std::lround(eight.rows * scale))));
        cv::resize(eight, small, size, 0, 0, cv::INTER_AREA);
        return packed(small);
    } catch (const cv::Exception &e) {
        return Result<CaseImage>::failure(
            QStringLiteral("%1 cannot be shown (%2).").arg(path, QString::fromStdString(e.msg)));
    }
}

CaseMap CaseViewService::decodeMap(const QByteArray &png)
{
    CaseMap map;
    if (png.isEmpty())
        return map;
    // A study is a file people send each other: the header is checked before the codec runs.
    auto header = ImageDecoder::readHeader(png, QStringLiteral("stored map"));
    if (!header || header->format != "png" || qint64(header->width) * header->height > 4096 * 4096)
        return map;
    try {
        const cv::Mat bytes(1, int(png.size()), CV_8UC1, const_cast<char *>(png.constData()));
        const cv::Mat grey = cv::imdecode(bytes, cv::IMREAD_GRAYSCALE);
        if (grey.empty() || grey.depth() != CV_8U)
            return map;
        map.width = grey.cols;
        map.height = grey.rows;
        map.values.reserve(std::size_t(grey.cols) * std::size_t(grey.rows));
        for (int y = 0; y < grey.rows; ++y) {
            const uchar *row = grey.ptr<uchar>(y);
            for (int x = 0; x < grey.cols; ++x)
                map.values.push_back(row[x] / 255.0f);
        }
    } catch (const cv::Exception &) {
        return CaseMap();
    }
    return map;
}

} // namespace lepton
