// SPDX-License-Identifier: GPL-3.0-or-later
#include "BatchLoader.h"

#include "dataset/MultimodalDataset.h"
#include "util/Rng.h"

#include <algorithm>

namespace lepton {

BatchLoader::BatchLoader(
    std::shared_ptr<const MultimodalDataset> dataset, std::vector<int> indices, LoaderOptions options)
    : m_dataset(std::move(dataset)), m_indices(std::move(indices)), m_options(options)
{
    m_options.batchSize = std::max(1, m_options.batchSize);
    m_options.workers = std::max(1, m_options.workers);
    m_options.prefetch = std::max(1, m_options.prefetch);
    if (m_options.augment && m_options.augment->enabled)
        m_augmenter = std::make_unique<ImageAugmenter>(*m_options.augment);
}

BatchLoader::~BatchLoader()
{
    stop();
}

int BatchLoader::batchesPerEpoch() const
{
    const int n = static_cast<int>(m_indices.size());
    const int b = m_options.batchSize;
    return m_options.dropLast ? n / b : (n + b - 1) / b;
}

std::vector<int> BatchLoader::epochOrder(int epoch) const
{
    std::vector<int> order = m_indices;
    if (m_options.shuffle) {
        // Fisher-Yates with our own generator: the same order on every platform.
        Rng rng = Rng::forItem(m_options.seed, static_cast<std::uint64_t>(epoch), 0x5348554646ULL);
        for (std::size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[static_cast<std::size_t>(rng.below(i))]);
    }
    return order;
}

void BatchLoader::startEpoch(int epoch)
{
    stop();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stopping = false;
    m_epoch = epoch;
    m_order = epochOrder(epoch);
    m_done.clear();
    m_nextToBuild = 0;
    m_nextToHand = 0;
    m_batches = batchesPerEpoch();
    const int workers = std::min(m_options.workers, std::max(1, m_batches));
    for (int w = 0; w < workers; ++w)
        m_workers.emplace_back([this] { work(); });
}

void BatchLoader::work()
{
    for (;;) {
        int batch;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            // Stay at most `prefetch` batches ahead of the consumer.
            m_space.wait(lock, [&] { return m_stopping || m_nextToBuild - m_nextToHand < m_options.prefetch; });
            if (m_stopping || m_nextToBuild >= m_batches)
                return;
            batch = m_nextToBuild++;
        }
        const std::size_t begin = static_cast<std::size_t>(batch) * static_cast<std::size_t>(m_options.batchSize);
        const std::size_t end = std::min(m_order.size(), begin + static_cast<std::size_t>(m_options.batchSize));
        const std::vector<int> members(
            m_order.begin() + static_cast<std::ptrdiff_t>(begin), m_order.begin() + static_cast<std::ptrdiff_t>(end));
        std::uint64_t state = m_options.seed ^ (static_cast<std::uint64_t>(m_epoch) * 0x9E3779B97F4A7C15ULL);
        const std::uint64_t augmentSeed = splitMix64(state);
        Batch b = m_dataset->collate(members, m_augmenter.get(), augmentSeed);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_done.emplace(batch, std::move(b));
        }
        m_ready.notify_all();
    }
}

std::optional<Batch> BatchLoader::next()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_nextToHand >= m_batches || m_workers.empty())
        return std::nullopt;
    m_ready.wait(lock, [&] { return m_stopping || m_done.count(m_nextToHand) > 0; });
    if (m_stopping)
        return std::nullopt;
    auto it = m_done.find(m_nextToHand);
    Batch b = std::move(it->second);
    m_done.erase(it);
    ++m_nextToHand;
    const bool finished = m_nextToHand >= m_batches;
    lock.unlock();
    m_space.notify_all();
    if (finished)
        joinWorkers();
    return b;
}

void BatchLoader::stop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_space.notify_all();
    m_ready.notify_all();
    joinWorkers();
}

void BatchLoader::joinWorkers()
{
    std::vector<std::thread> workers;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        workers.swap(m_workers);
    }
    for (auto &t : workers)
        t.join();
}

} // namespace lepton
