// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/DicomWindow.h"
#include "dataset/Batch.h"
#include "dataset/FeatureSpec.h"
#include "util/Progress.h"
#include "util/Result.h"

#include <QString>

#include <memory>
#include <vector>

namespace cv {
class Mat;
}

namespace lepton {

class ImageAugmenter;
class TextTokenizer;
class Study;

/// How a dataset is turned into tensors.
struct DatasetOptions
{
    int imageSize = 128;
    int imageChannels = 1; ///< 1 (colour images are turned grey) or 3 (grey images are repeated)
    int maxEvents = 32; ///< the most recent events kept per case
    TextSpec text; ///< the text modality's settings (fields and model are filled by load())
    qint64 cacheBytes = qint64(1) << 30; ///< memory for decoded, resized images; 0: no cache
    int threads = 0; ///< for warming the cache; 0: all cores
    /// Cross-validation: with folds ≥ 2 the labelled train and val cases are dealt into `folds`
    /// folds (groups whole, stratified by label, seeded); fold `fold` becomes val, the rest train.
    int folds = 0;
    int fold = 0;
    quint64 foldSeed = 1;
    ProgressFn progress;
    CancelFn cancelled;
};

/// One case, with its record and history already encoded (images are decoded on demand).
struct EncodedCase
{
    qint64 caseId = 0;
    QString caseKey;
    QString split;
    QString groupKey; ///< empty: no group
    int label = -1; ///< class index, -1 unlabelled
    QString imagePath;
    std::vector<float> recordValues;
    std::vector<float> recordMissing;
    std::vector<std::int64_t> recordCategory;
    bool recordPresent = false;
    int eventCount = 0;
    std::vector<float> events; ///< eventCount × FeatureSpec::eventWidth(), oldest first
    QString text; ///< the note (text columns joined); empty when none
    std::vector<std::int64_t> textIds; ///< its tokens, at most TextSpec::maxTokens; empty: no text
};

/// A dataset of a study, ready for training and prediction: every case with its modalities
/// encoded by a FeatureSpec fitted on the train split only (or given, for prediction with a
/// trained model), and an in-memory cache of decoded, resized images for datasets that fit.
/// Thread-safe for reading: loader threads call image() and collate() concurrently.
class MultimodalDataset
{
public:
    /// Loads the dataset `datasetId` of a study. With `spec` null the encoding is fitted on the
    /// cases whose split is "train"; otherwise `spec` is used as it is.
    static Result<std::shared_ptr<MultimodalDataset>> load(
        Study &study, qint64 datasetId, const DatasetOptions &options, const FeatureSpec *spec = nullptr);
    ~MultimodalDataset();

    int size() const { return static_cast<int>(m_cases.size()); }
    const EncodedCase &at(int index) const { return m_cases[static_cast<std::size_t>(index)]; }
    const FeatureSpec &spec() const { return m_spec; }
    /// The text tokenizer; null when the dataset has no text field.
    std::shared_ptr<const TextTokenizer> tokenizer() const { return m_tokenizer; }
    /// Positions of the cases in a split ("train", "val", "test"; "" for unsplit).
    std::vector<int> indicesOf(const QString &split, bool labelledOnly = true) const;

    /// The case's image as float [0, 1], resized and with the spec's channel count; empty when
    /// the case has none or it cannot be decoded any more (the reason goes to *error).
    cv::Mat image(int index, QString *error = nullptr) const;
    /// Decodes every image once into the cache (on all cores) so epochs do not decode again.
    Status warmCache();
    qint64 cachedBytes() const;

    /// Replaces a batch's notes by `notes` (one per case of the batch), tokenized as the dataset
    /// tokenizes; nothing happens without a tokenizer.
    void setNotes(Batch &batch, const QStringList &notes) const;
    /// Builds a batch of the given cases; augments images with per-case seeds when given one.
    Batch collate(const std::vector<int> &indices, const ImageAugmenter *augmenter = nullptr,
        std::uint64_t augmentSeed = 0) const;

private:
    MultimodalDataset();
    struct Cache;
    std::vector<EncodedCase> m_cases;
    FeatureSpec m_spec;
    DatasetOptions m_options;
    DicomWindow m_dicomWindow; ///< the dataset's, as imported
    std::unique_ptr<Cache> m_cache;
    std::shared_ptr<const TextTokenizer> m_tokenizer;
};

} // namespace lepton
