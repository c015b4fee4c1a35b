// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExplanationMeasures.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lepton::measures {

int hitsAtK(const QStringList &ranking, const QStringList &causal, int k)
{
    const int n = std::min(k, static_cast<int>(ranking.size()));
    int hits = 0;
    for (int i = 0; i < n; ++i)
        hits += causal.contains(ranking.at(i)) ? 1 : 0;
    return hits;
}

int causalCandidates(const QStringList &ranking, const QStringList &causal)
{
    int c = 0;
    for (const QString &field : ranking)
        c += causal.contains(field) ? 1 : 0;
    return c;
}

double precisionAtK(const QStringList &ranking, const QStringList &causal, int k)
{
    const int n = std::min(k, static_cast<int>(ranking.size()));
    return n > 0 ? static_cast<double>(hitsAtK(ranking, causal, k)) / n : 0.0;
}

double recallAtK(const QStringList &ranking, const QStringList &causal, int k)
{
    const int c = causalCandidates(ranking, causal);
    return c > 0 ? static_cast<double>(hitsAtK(ranking, causal, k)) / c : 0.0;
}

double precisionAtKChance(int n, int c, int k)
{
    if (n <= 0 || k <= 0)
        return 0.0;
    return static_cast<double>(std::clamp(c, 0, n)) / n;
}

double recallAtKChance(int n, int c, int k)
{
    if (n <= 0 || k <= 0 || c <= 0)
        return 0.0;
    return static_cast<double>(std::min(k, n)) / n;
}

double anyInTopKChance(int n, int c, int k)
{
    if (n <= 0 || k <= 0 || c <= 0)
        return 0.0;
    c = std::min(c, n);
    if (k > n - c)
        return 1.0;
    // C(n−c, k) / C(n, k) = Π_{i<k} (n−c−i) / (n−i)
    double none = 1.0;
    for (int i = 0; i < k; ++i)
        none *= static_cast<double>(n - c - i) / static_cast<double>(n - i);
    return 1.0 - none;
}

ImageRegion ImageRegion::rectangle(double x, double y, double w, double h)
{
    ImageRegion r;
    r.shape = Shape::Rectangle;
    r.x = x;
    r.y = y;
    r.w = w;
    r.h = h;
    return r;
}

ImageRegion ImageRegion::circle(double cx, double cy, double radius)
{
    ImageRegion r;
    r.shape = Shape::Circle;
    r.cx = cx;
    r.cy = cy;
    r.radius = radius;
    return r;
}

bool cellOnRegion(
    const ImageRegion &region, int row, int col, int rows, int cols, double imageWidth, double imageHeight)
{
    if (rows <= 0 || cols <= 0 || imageWidth <= 0 || imageHeight <= 0)
        return false;
    const double cw = imageWidth / cols, ch = imageHeight / rows;
    const double x0 = col * cw, x1 = x0 + cw, y0 = row * ch, y1 = y0 + ch;
    if (region.shape == ImageRegion::Shape::Rectangle) {
        const double overlapX = std::min(x1, region.x + region.w) - std::max(x0, region.x);
        const double overlapY = std::min(y1, region.y + region.h) - std::max(y0, region.y);
        return overlapX > 0 && overlapY > 0;
    }
    // The cell's point nearest to the disc's centre.
    const double nx = std::clamp(region.cx, x0, x1), ny = std::clamp(region.cy, y0, y1);
    return std::hypot(nx - region.cx, ny - region.cy) < region.radius;
}

bool pointingHit(
    const ImageRegion &region, int peakRow, int peakCol, int rows, int cols, double imageWidth, double imageHeight)
{
    if (peakRow < 0 || peakRow >= rows || peakCol < 0 || peakCol >= cols)
        return false;
    return cellOnRegion(region, peakRow, peakCol, rows, cols, imageWidth, imageHeight);
}

double pointingChance(const ImageRegion &region, int rows, int cols, double imageWidth, double imageHeight)
{
    if (rows <= 0 || cols <= 0)
        return 0.0;
    int on = 0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            on += cellOnRegion(region, r, c, rows, cols, imageWidth, imageHeight) ? 1 : 0;
    return static_cast<double>(on) / (static_cast<double>(rows) * cols);
}

int peakCell(const std::vector<float> &values)
{
    if (values.empty())
        return -1;
    return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

std::vector<double> averageRanks(const std::vector<double> &values)
{
    const std::size_t n = values.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t { 0 });
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(n, 0.0);
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;
        while (j < n && values[order[j]] == values[order[i]])
            ++j;
        // Positions i..j-1 (0-based) hold ranks i+1..j; their mean is (i + 1 + j) / 2.
        const double rank = (static_cast<double>(i) + 1.0 + static_cast<double>(j)) / 2.0;
        for (std::size_t t = i; t < j; ++t)
            ranks[order[t]] = rank;
        i = j;
    }
    return ranks;
}

std::optional<double> spearman(const std::vector<double> &a, const std::vector<double> &b)
{
    if (a.size() != b.size() || a.size() < 2)
        return std::nullopt;
    const std::vector<double> ra = averageRanks(a), rb = averageRanks(b);
    const double n = static_cast<double>(a.size());
    const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
    const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (std::size_t i = 0; i < ra.size(); ++i) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    if (saa <= 0.0 || sbb <= 0.0)
        return std::nullopt;
    return sab / std::sqrt(saa * sbb);
}

MeanSpread meanAndSpread(const std::vector<double> &values)
{
    MeanSpread m;
    m.count = static_cast<int>(values.size());
    if (values.empty())
        return m;
    m.mean = std::accumulate(values.begin(), values.end(), 0.0) / m.count;
    if (m.count > 1) {
        double ss = 0.0;
        for (double v : values)
            ss += (v - m.mean) * (v - m.mean);
        m.sd = std::sqrt(ss / (m.count - 1));
    }
    return m;
}

DeletionMeans deletionMeans(const std::vector<double> &topDrops, const std::vector<double> &randomDrops)
{
    DeletionMeans d;
    d.top = meanAndSpread(topDrops).mean;
    d.random = meanAndSpread(randomDrops).mean;
    d.ratio = d.random != 0.0 ? d.top / d.random : 0.0;
    return d;
}

int strongestModality(const std::array<double, 3> &ablationChange, const std::array<bool, 3> &present)
{
    int best = -1;
    for (int m = 0; m < 3; ++m) {
        if (!present[static_cast<std::size_t>(m)])
            continue;
        if (best < 0
            || std::abs(ablationChange[static_cast<std::size_t>(m)])
                > std::abs(ablationChange[static_cast<std::size_t>(best)]))
            best = m;
    }
    return best;
}

double modalityAgreementChance(const std::array<bool, 3> &present)
{
    const int n = static_cast<int>(std::count(present.begin(), present.end(), true));
    return n > 0 ? 1.0 / n : 0.0;
}

} // namespace lepton::measures
