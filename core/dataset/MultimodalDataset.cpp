// SPDX-License-Identifier: GPL-3.0-or-later
#include "MultimodalDataset.h"

#include "dataset/Folds.h"

#include "data/ImageDecoder.h"
#include "dataset/ImageAugmenter.h"
#include "dataset/TextTokenizer.h"
#include "store/DatasetRepository.h"
#include "util/ParallelFor.h"
#include "util/SplitMix.h"

#include <QHash>
#include <QMutex>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

namespace lepton {

struct MultimodalDataset::Cache
{
    mutable QMutex mutex;
    std::vector<cv::Mat> images; ///< resized, source depth (8 or 16 bit)
    qint64 bytes = 0;
};

namespace {

struct Moments
{
    double sum = 0.0, sumSq = 0.0, sumCube = 0.0;
    qint64 n = 0;
    void add(double v)
    {
        sum += v;
        sumSq += v * v;
        sumCube += v * v * v;
        ++n;
    }
    double skewness() const
    {
        if (n < 3)
            return 0.0;
        const double m = mean(), sd = std();
        const double third = sumCube / n - 3.0 * m * sumSq / n + 2.0 * m * m * m;
        return third / (sd * sd * sd);
    }
    double mean() const { return n > 0 ? sum / n : 0.0; }
    double std() const
    {
        if (n < 2)
            return 1.0;
        const double m = mean();
        const double var = sumSq / n - m * m;
        return var > 1e-12 ? std::sqrt(var) : 1.0;
    }
};

/// Train-split statistics of one numeric field, of its values and of their logarithms.
struct FieldMoments
{
    Moments raw, logs;
    bool positive = true;
    void add(double v)
    {
        raw.add(v);
        positive = positive && v > 0.0;
        if (positive)
            logs.add(std::log(v));
    }
    /// Standardise on the logarithm when every value is positive and the values are strongly
    /// right-skewed (skewness above 1: log-normal-like lab values, amounts).
    void fit(FieldEncoding &e) const
    {
        e.log = positive && raw.n >= 20 && raw.skewness() > 1.0;
        const Moments &m = e.log ? logs : raw;
        e.mean = m.mean();
        e.std = m.std();
    }
};

FieldEncoding encodingOf(const StoredField &f)
{
    FieldEncoding e;
    e.name = f.name;
    e.type = f.type;
    e.categories = f.categories;
    return e;
}

/// A value as a number for the network: standardised for numbers, (index + 1) / count for
/// categories of an event field. Returns false for missing values.
bool encodeEventValue(const FieldEncoding &f, const QVariant &v, float &out)
{
    if (!v.isValid())
        return false;
    if (f.type == FieldType::Categorical) {
        const int idx = static_cast<int>(f.categories.indexOf(v.toString()));
        out = f.categories.isEmpty() ? 0.0f : static_cast<float>(idx + 1) / static_cast<float>(f.categories.size());
        return true;
    }
    out = f.standardise(v.toDouble());
    return true;
}

} // namespace

MultimodalDataset::MultimodalDataset() : m_cache(std::make_unique<Cache>()) { }
MultimodalDataset::~MultimodalDataset() = default;

Result<std::shared_ptr<MultimodalDataset>> MultimodalDataset::load(
    Study &study, qint64 datasetId, const DatasetOptions &options, const FeatureSpec *given)
{
    using R = Result<std::shared_ptr<MultimodalDataset>>;
    DatasetRepository repo(study);
    auto summary = repo.dataset(datasetId);
    auto recordFields = repo.fields(datasetId, QStringLiteral("record"));
    auto eventFields = repo.fields(datasetId, QStringLiteral("event"));
    auto cases = repo.cases(datasetId);
    auto values = repo.recordValues(datasetId);
    auto events = repo.events(datasetId);
    for (const QString *error : { &summary.error(), &recordFields.error(), &eventFields.error(), &cases.error(),
             &values.error(), &events.error() })
        if (!error->isEmpty())
            return R::failure(*error);

    // Each case's split: as stored, or, in cross-validation, its fold's role (train or val).
    std::vector<QString> splitOf;
    splitOf.reserve(cases->size());
    for (const StoredCase &c : cases.value())
        splitOf.push_back(c.split);
    if (options.folds >= 2) {
        std::vector<FoldCase> cv;
        cv.reserve(cases->size());
        for (const StoredCase &c : cases.value())
            cv.push_back({ c.caseKey, c.groupKey, static_cast<int>(summary->classes.indexOf(c.label)),
                !c.label.isEmpty() && (c.split == QLatin1String("train") || c.split == QLatin1String("val")) });
        const std::vector<int> folds = assignFolds(cv, options.folds, options.foldSeed);
        for (std::size_t i = 0; i < splitOf.size(); ++i)
            if (folds[i] >= 0)
                splitOf[i] = folds[i] == options.fold ? QStringLiteral("val") : QStringLiteral("train");
    }
    std::shared_ptr<MultimodalDataset> ds(new MultimodalDataset());
    ds->m_options = options;
    if (auto window = DicomWindow::parse(summary->dicomWindow))
        ds->m_dicomWindow = window.value();
    QHash<qint64, std::vector<const StoredEvent *>> eventsOf;
    for (const StoredEvent &e : events.value())
        eventsOf[e.caseId].push_back(&e);

    // Text fields feed the text encoder; the others the record encoder.
    std::vector<int> recordColumns, textColumns;
    for (std::size_t f = 0; f < recordFields->size(); ++f)
        ((*recordFields)[f].type == FieldType::Text ? textColumns : recordColumns).push_back(static_cast<int>(f));
    QStringList textNames;
    for (int f : textColumns)
        textNames.append((*recordFields)[static_cast<std::size_t>(f)].name);
    auto noteOf = [&](const QVariantList &row) {
        QStringList parts;
        for (int f : textColumns) {
            const QString t = row.value(f).toString().trimmed();
            if (!t.isEmpty())
                parts.append(t);
        }
        return parts.join(QLatin1Char('\n'));
    };

    FeatureSpec spec;
    if (given) {
        spec = *given;
        if (spec.text.fields != textNames)
            return R::failure(
                QStringLiteral("dataset %1 has the text field(s) '%2', but the model was trained on '%3'; "
                               "import the data with the same columns and types")
                    .arg(datasetId)
                    .arg(textNames.join(QStringLiteral("', '")), spec.text.fields.join(QStringLiteral("', '"))));
        if (spec.recordFields.size() != recordColumns.size() || spec.eventFields.size() != eventFields->size())
            return R::failure(QStringLiteral("dataset %1 has %2 record and %3 event fields, but the model was trained "
                                             "on %4 and %5; import the data with the same columns")
                                  .arg(datasetId)
                                  .arg(recordColumns.size())
                                  .arg(eventFields->size())
                                  .arg(spec.recordFields.size())
                                  .arg(spec.eventFields.size()));
    } else {
        // Fit on the train split only: validation and test statistics never leak into training.
        spec.classes = summary->classes;
        spec.imageSize = options.imageSize;
        spec.maxEvents = options.maxEvents;
        std::vector<FieldMoments> rec(recordColumns.size()), ev(eventFields->size());
        QStringList trainNotes;
        Moments timeDelta;
        for (std::size_t i = 0; i < cases->size(); ++i) {
            const StoredCase &c = (*cases)[i];
            if (splitOf[i] != QLatin1String("train"))
                continue;
            const QVariantList &row = values->value(c.id);
            for (std::size_t f = 0; f < rec.size(); ++f) {
                const int col = recordColumns[f];
                if (row.value(col).isValid() && !isTextValued((*recordFields)[static_cast<std::size_t>(col)].type))
                    rec[f].add(row.value(col).toDouble());
            }
            if (!textColumns.empty()) {
                const QString note = noteOf(row);
                if (!note.isEmpty())
                    trainNotes.append(note);
            }
            const auto &evs = eventsOf.value(c.id);
            for (const StoredEvent *e : evs) {
                timeDelta.add(evs.back()->time - e->time);
                for (std::size_t f = 0; f < ev.size(); ++f)
                    if (e->values.value(static_cast<int>(f)).isValid()
                        && (*eventFields)[f].type != FieldType::Categorical)
                        ev[f].add(e->values.value(static_cast<int>(f)).toDouble());
            }
        }
        for (std::size_t f = 0; f < rec.size(); ++f) {
            FieldEncoding e = encodingOf((*recordFields)[static_cast<std::size_t>(recordColumns[f])]);
            rec[f].fit(e);
            spec.recordFields.push_back(e);
        }
        for (std::size_t f = 0; f < ev.size(); ++f) {
            FieldEncoding e = encodingOf((*eventFields)[f]);
            ev[f].fit(e);
            spec.eventFields.push_back(e);
        }
        spec.timeScale = timeDelta.std();
        spec.imageChannels = options.imageChannels == 3 ? 3 : 1;
        if (!textColumns.empty()) {
            spec.text = options.text;
            spec.text.fields = textNames;
            TokenizerOptions to;
            to.vocabSize = spec.text.vocabSize;
            to.modelType = spec.text.tokenizer;
            auto tokenizer = TextTokenizer::train(trainNotes, to);
            if (!tokenizer)
                return R::failure(QStringLiteral("text field(s) '%1': %2")
                                      .arg(textNames.join(QStringLiteral("', '")), tokenizer.error()));
            spec.text.tokenizerModel = tokenizer.value()->model();
            ds->m_tokenizer = tokenizer.value();
        }
    }
    if (spec.hasText() && !ds->m_tokenizer) {
        auto tokenizer = TextTokenizer::fromModel(spec.text.tokenizerModel);
        if (!tokenizer)
            return R::failure(tokenizer.error());
        ds->m_tokenizer = tokenizer.value();
    }
    ds->m_spec = spec;

    // Encode every case.
    const int nf = static_cast<int>(spec.recordFields.size());
    const int width = spec.eventWidth();
    for (const StoredCase &c : cases.value()) {
        EncodedCase e;
        e.caseId = c.id;
        e.caseKey = c.caseKey;
        e.split = splitOf[static_cast<std::size_t>(&c - cases->data())];
        e.groupKey = c.groupKey;
        e.label = c.label.isEmpty() ? -1 : static_cast<int>(spec.classes.indexOf(c.label));
        e.imagePath = c.imagePath;
        e.recordValues.assign(static_cast<std::size_t>(nf), 0.0f);
        e.recordMissing.assign(static_cast<std::size_t>(nf), 1.0f);
        e.recordCategory.assign(static_cast<std::size_t>(nf), 0);
        const QVariantList &row = values->value(c.id);
        if (ds->m_tokenizer)
            e.text = noteOf(row); // tokenized below, on all cores
        for (int f = 0; f < nf; ++f) {
            const QVariant v = row.value(recordColumns[static_cast<std::size_t>(f)]);
            if (!v.isValid())
                continue;
            const FieldEncoding &fe = spec.recordFields[static_cast<std::size_t>(f)];
            e.recordMissing[static_cast<std::size_t>(f)] = 0.0f;
            e.recordPresent = true;
            if (fe.type == FieldType::Categorical)
                e.recordCategory[static_cast<std::size_t>(f)] = fe.categories.indexOf(v.toString()) + 1;
            else
                e.recordValues[static_cast<std::size_t>(f)] = fe.standardise(v.toDouble());
        }
        const auto &evs = eventsOf.value(c.id);
        const int first = std::max(0, static_cast<int>(evs.size()) - spec.maxEvents);
        e.eventCount = static_cast<int>(evs.size()) - first;
        e.events.assign(static_cast<std::size_t>(e.eventCount * width), 0.0f);
        // Per field: the value, a missing flag and the change since the field's first value in
        // the window (trends over a stay are what matter clinically, and a recurrent network
        // learns them faster when the change is given); then the time before the last event.
        const std::size_t nEventFields = spec.eventFields.size();
        std::vector<float> firstValue(nEventFields, 0.0f);
        std::vector<char> seenValue(nEventFields, 0);
        for (int t = 0; t < e.eventCount; ++t) {
            const StoredEvent *ev = evs[static_cast<std::size_t>(first + t)];
            float *step = e.events.data() + static_cast<std::ptrdiff_t>(t) * width;
            for (std::size_t f = 0; f < nEventFields; ++f) {
                float v = 0.0f;
                if (encodeEventValue(spec.eventFields[f], ev->values.value(static_cast<int>(f)), v)) {
                    if (!seenValue[f]) {
                        seenValue[f] = 1;
                        firstValue[f] = v;
                    }
                    step[3 * f] = v;
                    step[3 * f + 2] = spec.eventFields[f].type == FieldType::Categorical ? 0.0f : v - firstValue[f];
                } else {
                    step[3 * f + 1] = 1.0f;
                }
            }
            step[width - 1] = static_cast<float>((evs.back()->time - ev->time) / spec.timeScale);
        }
        ds->m_cases.push_back(std::move(e));
    }
    ds->m_cache->images.resize(ds->m_cases.size());
    if (ds->m_tokenizer) {
        QStringList notes;
        for (const EncodedCase &e : ds->m_cases)
            notes.append(e.text);
        const auto tokens = ds->m_tokenizer->encodeAll(notes, spec.text.maxTokens, false);
        if (!tokens)
            return R::failure(tokens.error());
        for (std::size_t i = 0; i < ds->m_cases.size(); ++i)
            for (const TextToken &t : tokens.value()[i])
                ds->m_cases[i].textIds.push_back(t.id);
    }

    if (!given) {
        // Image intensity statistics from (up to 256) train images, spread over the split.
        std::vector<int> train;
        for (int i = 0; i < ds->size(); ++i)
            if (ds->m_cases[static_cast<std::size_t>(i)].split == QLatin1String("train")
                && !ds->m_cases[static_cast<std::size_t>(i)].imagePath.isEmpty())
                train.push_back(i);
        Moments px;
        const std::size_t step = std::max<std::size_t>(1, train.size() / 256);
        for (std::size_t k = 0; k < train.size(); k += step) {
            const cv::Mat img = ds->image(train[k]);
            if (img.empty())
                continue;
            cv::Scalar mean, sd;
            cv::meanStdDev(img, mean, sd);
            const double n = static_cast<double>(img.total());
            px.sum += mean[0] * n;
            px.sumSq += (sd[0] * sd[0] + mean[0] * mean[0]) * n;
            px.n += static_cast<qint64>(n);
        }
        ds->m_spec.imageMean = px.n > 0 ? px.mean() : 0.0;
        ds->m_spec.imageStd = px.n > 0 ? px.std() : 1.0;
    }
    return R(std::move(ds));
}

std::vector<int> MultimodalDataset::indicesOf(const QString &split, bool labelledOnly) const
{
    std::vector<int> out;
    for (int i = 0; i < size(); ++i) {
        const EncodedCase &c = m_cases[static_cast<std::size_t>(i)];
        if (c.split == split && (!labelledOnly || c.label >= 0))
            out.push_back(i);
    }
    return out;
}

cv::Mat MultimodalDataset::image(int index, QString *error) const
{
    const EncodedCase &c = at(index);
    if (c.imagePath.isEmpty())
        return cv::Mat();
    cv::Mat stored;
    {
        QMutexLocker lock(&m_cache->mutex);
        stored = m_cache->images[static_cast<std::size_t>(index)];
    }
    if (stored.empty()) {
        ImageDecodeLimits limits;
        limits.dicomWindow = m_dicomWindow;
        limits.decodeSide = m_spec.imageSize; // resized to this below
        auto decoded = ImageDecoder::decode(c.imagePath, limits);
        if (!decoded) {
            if (error)
                *error = decoded.error();
            return cv::Mat();
        }
        cv::Mat img = decoded.take();
        try {
            if (img.channels() == 4)
                cv::cvtColor(img, img, cv::COLOR_BGRA2BGR);
            if (m_spec.imageChannels == 1 && img.channels() == 3)
                cv::cvtColor(img, img, cv::COLOR_BGR2GRAY);
            else if (m_spec.imageChannels == 3 && img.channels() == 1)
                cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
            const int s = m_spec.imageSize;
            if (img.cols != s || img.rows != s)
                cv::resize(img, img, cv::Size(s, s), 0, 0, img.cols > s ? cv::INTER_AREA : cv::INTER_LINEAR);
        } catch (const cv::Exception &e) {
            if (error)
                *error
                    = QStringLiteral("image %1 cannot be prepared: %2").arg(c.imagePath, QString::fromStdString(e.msg));
            return cv::Mat();
        }
        stored = img;
        const qint64 bytes = static_cast<qint64>(img.total() * img.elemSize());
        QMutexLocker lock(&m_cache->mutex);
        if (m_cache->bytes + bytes <= m_options.cacheBytes
            && m_cache->images[static_cast<std::size_t>(index)].empty()) {
            m_cache->images[static_cast<std::size_t>(index)] = img;
            m_cache->bytes += bytes;
        }
    }
    cv::Mat out;
    stored.convertTo(out, CV_32F, stored.depth() == CV_16U ? 1.0 / 65535.0 : 1.0 / 255.0);
    return out;
}

Status MultimodalDataset::warmCache()
{
    std::atomic<int> done { 0 };
    const int n = size();
    parallelFor(
        static_cast<std::size_t>(n), m_options.threads,
        [&](std::size_t i) {
            image(static_cast<int>(i));
            const int d = ++done;
            if (m_options.progress && (d % 64 == 0 || d == n))
                m_options.progress(d, n, QStringLiteral("Caching images"));
        },
        m_options.cancelled);
    if (m_options.cancelled && m_options.cancelled())
        return Status::failure(QStringLiteral("cancelled"));
    return Status();
}

qint64 MultimodalDataset::cachedBytes() const
{
    QMutexLocker lock(&m_cache->mutex);
    return m_cache->bytes;
}

Batch MultimodalDataset::collate(
    const std::vector<int> &indices, const ImageAugmenter *augmenter, std::uint64_t augmentSeed) const
{
    const auto B = static_cast<std::int64_t>(indices.size());
    const std::int64_t C = m_spec.imageChannels, S = m_spec.imageSize;
    const std::int64_t F = static_cast<std::int64_t>(m_spec.recordFields.size());
    const std::int64_t E = m_spec.eventWidth();
    int maxT = 1;
    for (int i : indices)
        maxT = std::max(maxT, at(i).eventCount);
    const std::int64_t T = maxT;
    std::int64_t L = 1;
    for (int i : indices)
        L = std::max<std::int64_t>(L, static_cast<std::int64_t>(at(i).textIds.size()));

    Batch b;
    b.image = torch::zeros({ B, C, S, S });
    b.imagePresent = torch::zeros({ B }, torch::kBool);
    b.recordValues = torch::zeros({ B, F });
    b.recordMissing = torch::ones({ B, F });
    b.recordCategory = torch::zeros({ B, F }, torch::kInt64);
    b.recordPresent = torch::zeros({ B }, torch::kBool);
    b.events = torch::zeros({ B, T, E });
    b.eventMask = torch::zeros({ B, T }, torch::kBool);
    b.eventLengths = torch::zeros({ B }, torch::kInt64);
    b.historyPresent = torch::zeros({ B }, torch::kBool);
    b.labels = torch::full({ B }, -1, torch::kInt64);
    if (m_tokenizer) {
        b.textTokens = torch::zeros({ B, L }, torch::kInt64);
        b.textMask = torch::zeros({ B, L }, torch::kBool);
        b.textPresent = torch::zeros({ B }, torch::kBool);
    }

    float *img = b.image.data_ptr<float>();
    bool *imgPresent = b.imagePresent.data_ptr<bool>();
    float *rv = b.recordValues.data_ptr<float>();
    float *rm = b.recordMissing.data_ptr<float>();
    std::int64_t *rc = b.recordCategory.data_ptr<std::int64_t>();
    bool *rp = b.recordPresent.data_ptr<bool>();
    float *ev = b.events.data_ptr<float>();
    bool *em = b.eventMask.data_ptr<bool>();
    std::int64_t *el = b.eventLengths.data_ptr<std::int64_t>();
    bool *hp = b.historyPresent.data_ptr<bool>();
    std::int64_t *lb = b.labels.data_ptr<std::int64_t>();
    const float mean = static_cast<float>(m_spec.imageMean), invStd = static_cast<float>(1.0 / m_spec.imageStd);

    for (std::int64_t k = 0; k < B; ++k) {
        const int index = indices[static_cast<std::size_t>(k)];
        const EncodedCase &c = at(index);
        b.indices.push_back(index);
        b.caseIds.push_back(c.caseId);
        lb[k] = c.label;
        cv::Mat im = image(index);
        if (!im.empty()) {
            if (augmenter)
                augmenter->apply(im, hashString(c.caseKey, augmentSeed));
            // HWC (OpenCV) → CHW (Torch), normalised with the train statistics.
            std::vector<cv::Mat> planes;
            cv::split(im, planes);
            for (std::int64_t ch = 0; ch < C && ch < static_cast<std::int64_t>(planes.size()); ++ch) {
                cv::Mat dst(static_cast<int>(S), static_cast<int>(S), CV_32F, img + ((k * C + ch) * S * S));
                planes[static_cast<std::size_t>(ch)].convertTo(dst, CV_32F, invStd, -mean * invStd);
            }
            imgPresent[k] = true;
        }
        std::copy(c.recordValues.begin(), c.recordValues.end(), rv + k * F);
        std::copy(c.recordMissing.begin(), c.recordMissing.end(), rm + k * F);
        std::copy(c.recordCategory.begin(), c.recordCategory.end(), rc + k * F);
        rp[k] = c.recordPresent;
        std::copy(c.events.begin(), c.events.end(), ev + k * T * E);
        for (int t = 0; t < c.eventCount; ++t)
            em[k * T + t] = true;
        el[k] = c.eventCount;
        hp[k] = c.eventCount > 0;
        if (m_tokenizer && !c.textIds.empty()) {
            std::copy(c.textIds.begin(), c.textIds.end(), b.textTokens.data_ptr<std::int64_t>() + k * L);
            std::fill_n(b.textMask.data_ptr<bool>() + k * L, c.textIds.size(), true);
            b.textPresent.data_ptr<bool>()[k] = true;
        }
    }
    return b;
}

void MultimodalDataset::setNotes(Batch &b, const QStringList &notes) const
{
    if (!m_tokenizer)
        return;
    const auto B = static_cast<std::int64_t>(notes.size());
    const std::vector<std::vector<TextToken>> tokens = m_tokenizer->encode(notes, m_spec.text.maxTokens);
    std::int64_t L = 1;
    for (const auto &t : tokens)
        L = std::max<std::int64_t>(L, static_cast<std::int64_t>(t.size()));
    b.textTokens = torch::zeros({ B, L }, torch::kInt64);
    b.textMask = torch::zeros({ B, L }, torch::kBool);
    b.textPresent = torch::zeros({ B }, torch::kBool);
    for (std::int64_t k = 0; k < B; ++k) {
        const auto &t = tokens[static_cast<std::size_t>(k)];
        for (std::size_t i = 0; i < t.size(); ++i) {
            b.textTokens.data_ptr<std::int64_t>()[k * L + static_cast<std::int64_t>(i)] = t[i].id;
            b.textMask.data_ptr<bool>()[k * L + static_cast<std::int64_t>(i)] = true;
        }
        b.textPresent.data_ptr<bool>()[k] = !t.empty();
    }
}

Batch Batch::to(const torch::Device &device) const
{
    Batch b = *this;
    for (torch::Tensor *t :
        { &b.image, &b.imagePresent, &b.recordValues, &b.recordMissing, &b.recordCategory, &b.recordPresent, &b.events,
            &b.eventMask, &b.eventLengths, &b.historyPresent, &b.labels, &b.textTokens, &b.textMask, &b.textPresent })
        if (t->defined())
            *t = t->to(device, /*non_blocking=*/true);
    return b;
}

} // namespace lepton
