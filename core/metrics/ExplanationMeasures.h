// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <array>
#include <optional>
#include <vector>

namespace lepton {

/// The arithmetic of the faithfulness report (explain/Faithfulness), kept apart from the model so
/// that every measure and its chance level can be checked against answers worked out by hand.
/// Pure functions: no tensors, no images, no study.
namespace measures {

// ---------------------------------------------------------------------------------------------
// Ranked fields against a known causal set

/// How many of the first k entries of `ranking` (best first) are in `causal`. k ≤ 0 gives 0; a k
/// beyond the ranking's length counts the whole ranking.
int hitsAtK(const QStringList &ranking, const QStringList &causal, int k);

/// How many entries of `ranking` (the candidate fields) are in `causal`: the c of the chance
/// levels, and the denominator of recallAtK. Causal fields the ranking does not hold (a field the
/// model does not see) cannot be found and are not counted.
int causalCandidates(const QStringList &ranking, const QStringList &causal);

/// precision@k: the share of the first min(k, n) entries of `ranking` that are causal. 0 when
/// k ≤ 0 or the ranking is empty.
double precisionAtK(const QStringList &ranking, const QStringList &causal, int k);

/// recall@k: the share of the causal candidates (causalCandidates) found among the first k
/// entries. 0 when no candidate is causal (the caller should not count such a case). When the
/// causal candidates outnumber k, recall@k cannot exceed k / c.
double recallAtK(const QStringList &ranking, const QStringList &causal, int k);

/// The expected precision@k of k fields chosen at random among n candidates of which c are causal:
/// E[hits] = min(k, n)·c/n, so the expected precision is c/n whatever k (0 when n ≤ 0 or k ≤ 0).
double precisionAtKChance(int n, int c, int k);

/// The expected recall@k of a random choice (as precisionAtKChance): E[hits]/c = min(k, n)/n, so
/// at most 1; 0 when c ≤ 0, n ≤ 0 or k ≤ 0.
double recallAtKChance(int n, int c, int k);

/// The chance that k of n items chosen at random hold at least one of c marked ones:
/// 1 − C(n−c, k) / C(n, k) (1 when k ≥ n and c > 0; 0 when c ≤ 0, n ≤ 0 or k ≤ 0).
double anyInTopKChance(int n, int c, int k);

// ---------------------------------------------------------------------------------------------
// Pointing game

/// Where a known cause lies in an image, in the image's pixels: a rectangle (x, y, w, h) or a
/// disc (cx, cy, radius).
struct ImageRegion
{
    enum class Shape { Rectangle, Circle };
    Shape shape = Shape::Rectangle;
    double x = 0, y = 0, w = 0, h = 0; ///< Rectangle
    double cx = 0, cy = 0, radius = 0; ///< Circle

    static ImageRegion rectangle(double x, double y, double w, double h);
    static ImageRegion circle(double cx, double cy, double radius);
};

/// Whether cell (row, col) of a rows × cols map laid over an imageWidth × imageHeight image
/// overlaps the region with positive area: a rectangle that meets the cell's interior, a disc
/// whose centre is closer to the cell than its radius. A cell that merely touches an edge does
/// not count. False for an empty map or image.
bool cellOnRegion(
    const ImageRegion &region, int row, int col, int rows, int cols, double imageWidth, double imageHeight);

/// The pointing game for one case: whether the map's peak cell (the first maximum in row-major
/// order, as given by the caller) lies on the region (cellOnRegion).
bool pointingHit(
    const ImageRegion &region, int peakRow, int peakCol, int rows, int cols, double imageWidth, double imageHeight);

/// The chance level of the pointing game for one case: the share of the map's cells that lie on
/// the region (cellOnRegion), which is the probability that a peak placed on a cell chosen
/// uniformly at random hits. The report averages it over the cases it scores.
double pointingChance(const ImageRegion &region, int rows, int cols, double imageWidth, double imageHeight);

/// The index (row-major) of the first largest value of a map given as rows × cols values in
/// row-major order; -1 for an empty map.
int peakCell(const std::vector<float> &values);

// ---------------------------------------------------------------------------------------------
// Rank correlation (explanation stability)

/// The ranks of `values`, 1 for the smallest; tied values share the mean of the ranks they span
/// ([10, 20, 20, 30] → [1, 2.5, 2.5, 4]).
std::vector<double> averageRanks(const std::vector<double> &values);

/// Spearman's rank correlation of two attribution vectors of the same fields: the Pearson
/// correlation of their average ranks (ties handled by averageRanks). Its chance level, for
/// attributions unrelated to each other, is 0. No value when the vectors differ in length, hold
/// fewer than two values, or either is constant (the correlation is undefined).
std::optional<double> spearman(const std::vector<double> &a, const std::vector<double> &b);

// ---------------------------------------------------------------------------------------------
// Summaries

/// Mean, sample standard deviation and count of a list of per-case values (for deletion drops
/// and rank correlations). The mean of an empty list is 0, the spread of fewer than two values 0.
struct MeanSpread
{
    double mean = 0.0;
    double sd = 0.0;
    int count = 0;
};
MeanSpread meanAndSpread(const std::vector<double> &values);

/// The deletion test over a set of cases: the mean change of the explained probability when the
/// explanation's top evidence is removed against the mean change when as much random evidence is
/// removed (the chance level). ratio = top / random, 0 when the random mean is 0.
struct DeletionMeans
{
    double top = 0.0;
    double random = 0.0;
    double ratio = 0.0;
};
DeletionMeans deletionMeans(const std::vector<double> &topDrops, const std::vector<double> &randomDrops);

// ---------------------------------------------------------------------------------------------
// Modality ablation

/// The modality (0 image, 1 record, 2 history) whose masking changes the probability most, by
/// |change|, among those marked present; -1 when none is present. Ties go to the lower index.
int strongestModality(const std::array<double, 3> &ablationChange, const std::array<bool, 3> &present);

/// The chance level of modality-ablation agreement for one case: 1 / (number of present
/// modalities), the probability that a modality picked at random among those present is the
/// planted one; 0 when none is present.
double modalityAgreementChance(const std::array<bool, 3> &present);

} // namespace measures
} // namespace lepton
