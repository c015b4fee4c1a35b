// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dataset/Batch.h"
#include "dataset/ImageAugmenter.h"

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace lepton {

class MultimodalDataset;

struct LoaderOptions
{
    int batchSize = 32;
    bool shuffle = true;
    bool dropLast = false;
    std::uint64_t seed = 1;
    int workers = 2; ///< loader threads that decode, augment and collate
    int prefetch = 4; ///< batches prepared ahead of the consumer
    std::optional<AugmentOptions> augment; ///< none: no augmentation (validation, prediction)
};

/// Feeds batches of a dataset to the training loop from worker threads, a few batches ahead.
/// The order of an epoch is a seeded shuffle and each case's augmentation is seeded by
/// (seed, epoch, case), so the batches of an epoch are the same whatever the thread timing.
class BatchLoader
{
public:
    BatchLoader(std::shared_ptr<const MultimodalDataset> dataset, std::vector<int> indices, LoaderOptions options);
    ~BatchLoader();
    BatchLoader(const BatchLoader &) = delete;
    BatchLoader &operator=(const BatchLoader &) = delete;

    /// Starts handing out the batches of an epoch (stops the previous one if still running).
    void startEpoch(int epoch);
    /// The next batch of the epoch, in order; nothing when the epoch is over or stop() was called.
    std::optional<Batch> next();
    /// Stops the workers at once (e.g. on cancel).
    void stop();

    int batchesPerEpoch() const;
    int size() const { return static_cast<int>(m_indices.size()); }
    /// The case order of an epoch (exposed for tests).
    std::vector<int> epochOrder(int epoch) const;

private:
    void work();
    void joinWorkers();

    std::shared_ptr<const MultimodalDataset> m_dataset;
    std::vector<int> m_indices;
    LoaderOptions m_options;
    std::unique_ptr<ImageAugmenter> m_augmenter;

    std::mutex m_mutex;
    std::condition_variable m_ready; ///< a batch was finished
    std::condition_variable m_space; ///< the consumer took a batch
    std::vector<std::thread> m_workers;
    std::vector<int> m_order;
    std::map<int, Batch> m_done;
    int m_epoch = 0;
    int m_nextToBuild = 0;
    int m_nextToHand = 0;
    int m_batches = 0;
    bool m_stopping = false;
};

} // namespace lepton
