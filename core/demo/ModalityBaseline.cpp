// SPDX-License-Identifier: GPL-3.0-or-later
#include "ModalityBaseline.h"

#include "data/CsvReader.h"
#include "data/FieldType.h"
#include "metrics/Metrics.h"
#include "util/ParallelFor.h"

#include <QDate>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lepton {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
constexpr int kImageFeatures = 8;

/// A block of feature columns of one modality, one value per case, NaN where unknown.
struct Block
{
    QStringList names;
    std::vector<std::vector<double>> cols;
};

bool isMissing(const QString &value)
{
    const QString t = value.trimmed();
    return t.isEmpty() || t.compare(QLatin1String("NA"), Qt::CaseInsensitive) == 0
        || t.compare(QLatin1String("NaN"), Qt::CaseInsensitive) == 0
        || t.compare(QLatin1String("null"), Qt::CaseInsensitive) == 0;
}

bool parseNumber(const QString &value, double &out)
{
    bool ok = false;
    out = value.trimmed().toDouble(&ok);
    return ok && std::isfinite(out);
}

bool parseDate(const QString &value, double &out)
{
    const QString t = value.trimmed();
    if (t.size() != 10)
        return false;
    const QDate d = QDate::fromString(t, Qt::ISODate);
    if (!d.isValid())
        return false;
    out = static_cast<double>(d.toJulianDay());
    return true;
}

/// Positive, right-skewed columns (amounts, concentrations) are closer to linear in the label on a
/// log scale; a logistic regression on the raw values would waste what they say.
void logIfSkewed(std::vector<double> &col)
{
    double n = 0, mean = 0, minV = std::numeric_limits<double>::infinity();
    for (double v : col) {
        if (std::isnan(v))
            continue;
        n += 1;
        mean += v;
        minV = std::min(minV, v);
    }
    if (n < 3 || minV < 0)
        return;
    mean /= n;
    double m2 = 0, m3 = 0;
    for (double v : col) {
        if (std::isnan(v))
            continue;
        m2 += (v - mean) * (v - mean);
        m3 += (v - mean) * (v - mean) * (v - mean);
    }
    m2 /= n;
    m3 /= n;
    if (m2 <= 0 || m3 / std::pow(m2, 1.5) <= 1.0)
        return;
    const bool positive = minV > 0;
    for (double &v : col) {
        if (!std::isnan(v))
            v = positive ? std::log(v) : std::log1p(v);
    }
}

/// Text features: the presence of each word and each pair of adjacent words (so that "denies
/// fever" differs from "fever"), the 300 most frequent in the training cases' notes (at least 3).
void textFeatures(const CsvReader &csv, int column, int nCases, const std::vector<bool> &train, Block &block)
{
    std::vector<QSet<QString>> grams(static_cast<std::size_t>(nCases));
    QHash<QString, int> df;
    for (int i = 0; i < nCases; ++i) {
        const QStringList &f = csv.rows()[static_cast<std::size_t>(i)].fields;
        const QString note = column < f.size() ? f.at(column).toLower() : QString();
        QStringList words;
        QString word;
        const QString padded = note + QLatin1Char(' ');
        for (const QChar c : padded) {
            if (c.isLetterOrNumber()) {
                word += c;
            } else if (!word.isEmpty()) {
                words.append(word);
                word.clear();
            }
        }
        QSet<QString> &g = grams[static_cast<std::size_t>(i)];
        for (int k = 0; k < words.size(); ++k) {
            g.insert(words[k]);
            if (k + 1 < words.size())
                g.insert(words[k] + QLatin1Char(' ') + words[k + 1]);
        }
        if (train[static_cast<std::size_t>(i)])
            for (const QString &x : g)
                ++df[x];
    }
    std::vector<std::pair<int, QString>> ranked;
    for (auto it = df.cbegin(); it != df.cend(); ++it)
        if (it.value() >= 3)
            ranked.emplace_back(-it.value(), it.key());
    std::sort(ranked.begin(), ranked.end());
    if (ranked.size() > 300)
        ranked.resize(300);
    for (const auto &[count, gram] : ranked) {
        block.names.append(QStringLiteral("text:") + gram);
        std::vector<double> col(static_cast<std::size_t>(nCases), 0.0);
        for (int i = 0; i < nCases; ++i)
            col[static_cast<std::size_t>(i)] = grams[static_cast<std::size_t>(i)].contains(gram) ? 1.0 : 0.0;
        block.cols.push_back(std::move(col));
    }
}

/// Record features: numeric, date (as a day number), boolean and one-hot categorical columns.
void recordFeatures(const CsvReader &csv, const QSet<int> &skip, int nCases, Block &block)
{
    const auto &rows = csv.rows();
    for (int j = 0; j < csv.header().size(); ++j) {
        if (skip.contains(j))
            continue;
        const QString &name = csv.header().at(j);
        bool numeric = true, date = true, boolean = true;
        QStringList levels;
        QSet<QString> seen;
        for (int i = 0; i < nCases; ++i) {
            const QStringList &f = rows[static_cast<std::size_t>(i)].fields;
            const QString v = j < f.size() ? f.at(j).trimmed() : QString();
            if (isMissing(v))
                continue;
            double x;
            numeric = numeric && parseNumber(v, x);
            date = date && parseDate(v, x);
            const QString low = v.toLower();
            boolean = boolean
                && (low == QLatin1String("yes") || low == QLatin1String("no") || low == QLatin1String("true")
                    || low == QLatin1String("false"));
            if (!seen.contains(v)) {
                seen.insert(v);
                levels.append(v);
            }
        }
        if (levels.isEmpty())
            continue;
        auto valueAt = [&](int i) {
            const QStringList &f = rows[static_cast<std::size_t>(i)].fields;
            return j < f.size() ? f.at(j).trimmed() : QString();
        };
        if (numeric || date || boolean) {
            std::vector<double> col(static_cast<std::size_t>(nCases), kNaN);
            for (int i = 0; i < nCases; ++i) {
                const QString v = valueAt(i);
                if (isMissing(v))
                    continue;
                double x = kNaN;
                if (numeric)
                    parseNumber(v, x);
                else if (date)
                    parseDate(v, x);
                else
                    x = (v.compare(QLatin1String("yes"), Qt::CaseInsensitive) == 0
                            || v.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0)
                        ? 1.0
                        : 0.0;
                col[static_cast<std::size_t>(i)] = x;
            }
            if (numeric)
                logIfSkewed(col);
            block.names.append(name);
            block.cols.push_back(std::move(col));
            continue;
        }
        if (levels.size() > 30)
            continue; // free text or identifiers, not a category
        std::sort(levels.begin(), levels.end());
        for (const QString &level : levels) {
            std::vector<double> col(static_cast<std::size_t>(nCases), kNaN);
            for (int i = 0; i < nCases; ++i) {
                const QString v = valueAt(i);
                if (!isMissing(v))
                    col[static_cast<std::size_t>(i)] = v == level ? 1.0 : 0.0;
            }
            block.names.append(name + QLatin1Char('=') + level);
            block.cols.push_back(std::move(col));
        }
    }
}

/// History features per numeric event field: last value, mean, least-squares slope over time and
/// the rise that slope makes over the case's observed span.
Result<Block> historyFeatures(const QString &path, const QHash<QString, int> &index, int nCases)
{
    CsvReader csv;
    if (!csv.readFile(path))
        return Result<Block>::failure(csv.errorString());
    const int idCol = csv.column(QStringLiteral("case_id"));
    const int timeCol = csv.column(QStringLiteral("time"));
    if (idCol < 0 || timeCol < 0)
        return Result<Block>::failure(QStringLiteral("%1: needs the columns case_id and time").arg(path));

    struct Point
    {
        double t;
        int order;
        const QStringList *fields;
    };
    std::vector<std::vector<Point>> perCase(static_cast<std::size_t>(nCases));
    int order = 0;
    for (const CsvRow &row : csv.rows()) {
        if (row.fields.size() <= std::max(idCol, timeCol))
            continue;
        const auto it = index.constFind(row.fields.at(idCol).trimmed());
        if (it == index.constEnd())
            continue;
        double t;
        if (!parseNumber(row.fields.at(timeCol), t)) {
            if (!parseDate(row.fields.at(timeCol), t))
                continue;
            t /= 30.4375; // months, so slopes read per month
        }
        perCase[static_cast<std::size_t>(*it)].push_back({ t, order++, &row.fields });
    }
    for (auto &pts : perCase)
        std::sort(pts.begin(), pts.end(),
            [](const Point &a, const Point &b) { return a.t < b.t || (a.t == b.t && a.order < b.order); });

    Block block;
    for (int j = 0; j < csv.header().size(); ++j) {
        if (j == idCol || j == timeCol)
            continue;
        std::vector<double> last(static_cast<std::size_t>(nCases), kNaN), mean = last, slope = last, rise = last;
        bool numeric = true, any = false;
        for (int i = 0; i < nCases && numeric; ++i) {
            std::vector<double> ts, vs;
            for (const Point &p : perCase[static_cast<std::size_t>(i)]) {
                const QString v = j < p.fields->size() ? p.fields->at(j) : QString();
                if (isMissing(v))
                    continue;
                double x;
                if (!parseNumber(v, x)) {
                    numeric = false;
                    break;
                }
                ts.push_back(p.t);
                vs.push_back(x);
            }
            if (vs.empty())
                continue;
            any = true;
            const double n = static_cast<double>(vs.size());
            const double mt = std::accumulate(ts.begin(), ts.end(), 0.0) / n;
            const double mv = std::accumulate(vs.begin(), vs.end(), 0.0) / n;
            double stt = 0, stv = 0;
            for (std::size_t k = 0; k < vs.size(); ++k) {
                stt += (ts[k] - mt) * (ts[k] - mt);
                stv += (ts[k] - mt) * (vs[k] - mv);
            }
            last[static_cast<std::size_t>(i)] = vs.back();
            mean[static_cast<std::size_t>(i)] = mv;
            if (vs.size() >= 2 && stt > 0) {
                slope[static_cast<std::size_t>(i)] = stv / stt;
                rise[static_cast<std::size_t>(i)] = stv / stt * (ts.back() - ts.front());
            }
        }
        if (!numeric || !any)
            continue;
        logIfSkewed(last);
        logIfSkewed(mean);
        const QString &name = csv.header().at(j);
        block.names << name + QStringLiteral(".last") << name + QStringLiteral(".mean")
                    << name + QStringLiteral(".slope") << name + QStringLiteral(".rise");
        block.cols.push_back(std::move(last));
        block.cols.push_back(std::move(mean));
        block.cols.push_back(std::move(slope));
        block.cols.push_back(std::move(rise));
    }
    return block;
}

/// Image features: strongest bright blob by difference of Gaussians and by the determinant of
/// the Hessian (which ignores edges and thin lines), the scale it was found at, and grey stats.
std::vector<double> imageFeatures(const QString &path)
{
    std::vector<double> f(kImageFeatures, kNaN);
    cv::Mat img;
    try {
        img = cv::imread(QFile::encodeName(path).toStdString(), cv::IMREAD_GRAYSCALE);
    } catch (const cv::Exception &) {
        return f;
    }
    if (img.empty())
        return f;
    if (img.rows != 128 || img.cols != 128)
        cv::resize(img, img, cv::Size(128, 128), 0, 0, cv::INTER_AREA);
    cv::Mat g, smooth, background, bg;
    img.convertTo(g, CV_32F);
    // White top-hat: an opening by a disc of radius ~16 px (eight 3x3 crosses, then eight 3x3
    // squares, an octagon) removes every bright object narrower than about 32 px and keeps the
    // body, the lungs and their edges; what is left are lesions, vessels and rings.
    cv::GaussianBlur(img, smooth, cv::Size(), 1.0);
    const cv::Mat cross = cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3));
    cv::erode(smooth, background, cross, cv::Point(-1, -1), 8);
    cv::erode(background, background, cv::Mat(), cv::Point(-1, -1), 8);
    cv::dilate(background, background, cross, cv::Point(-1, -1), 8);
    cv::dilate(background, background, cv::Mat(), cv::Point(-1, -1), 8);
    background.convertTo(bg, CV_32F);
    const cv::Mat residual = g - bg;
    cv::Scalar mean, sd;
    cv::meanStdDev(g, mean, sd);

    const int margin = 6;
    const cv::Rect inner(margin, margin, g.cols - 2 * margin, g.rows - 2 * margin);
    double bestDog = -1e30, bestDogScale = 0, bestDoh = 0, bestDohScale = 0, bestSigma = 1.5;
    cv::Point bestAt(g.cols / 2, g.rows / 2);
    // Scales 1.5 px to 8.2 px, a factor 1.35 apart; each difference of Gaussians reuses the next
    // scale's blur.
    constexpr int kScales = 7;
    std::vector<cv::Mat> blurred(kScales + 1);
    for (int k = 0; k <= kScales; ++k) {
        const double sigma = 1.5 * std::pow(1.35, k);
        cv::GaussianBlur(residual, blurred[static_cast<std::size_t>(k)], cv::Size(), sigma, sigma, cv::BORDER_REFLECT);
    }
    for (int k = 0; k < kScales; ++k) {
        const double sigma = 1.5 * std::pow(1.35, k);
        const cv::Mat &a = blurred[static_cast<std::size_t>(k)];
        const cv::Mat dog = a - blurred[static_cast<std::size_t>(k + 1)];
        double maxDog;
        cv::minMaxLoc(dog(inner), nullptr, &maxDog);
        if (maxDog > bestDog) {
            bestDog = maxDog;
            bestDogScale = std::log(sigma);
        }
        // Scale-normalised Hessian of the smoothed residual; bright blobs have both curvatures negative.
        cv::Mat lxx, lyy, lxy;
        cv::Sobel(a, lxx, CV_32F, 2, 0, 3, 0.25);
        cv::Sobel(a, lyy, CV_32F, 0, 2, 3, 0.25);
        cv::Sobel(a, lxy, CV_32F, 1, 1, 3, 0.25);
        const double s4 = std::pow(sigma, 4);
        for (int y = inner.y; y < inner.y + inner.height; ++y) {
            const float *pxx = lxx.ptr<float>(y), *pyy = lyy.ptr<float>(y), *pxy = lxy.ptr<float>(y);
            for (int x = inner.x; x < inner.x + inner.width; ++x) {
                if (pxx[x] >= 0 || pyy[x] >= 0)
                    continue;
                const double det = s4 * (static_cast<double>(pxx[x]) * pyy[x] - static_cast<double>(pxy[x]) * pxy[x]);
                if (det > bestDoh) {
                    bestDoh = det;
                    bestDohScale = std::log(sigma);
                    bestSigma = sigma;
                    bestAt = cv::Point(x, y);
                }
            }
        }
    }
    // Contrast and size of the strongest blob, measured on the residual around it: the mean of a
    // small central disc, and the radius of a disc of that height holding the blob's mass.
    double centre = 0, centreN = 0, mass = 0;
    const double rc = std::max(1.5, 0.7 * bestSigma), rm = 2.5 * bestSigma;
    for (int y = std::max(0, bestAt.y - static_cast<int>(rm));
         y <= std::min(g.rows - 1, bestAt.y + static_cast<int>(rm)); ++y) {
        const float *pr = residual.ptr<float>(y);
        for (int x = std::max(0, bestAt.x - static_cast<int>(rm));
             x <= std::min(g.cols - 1, bestAt.x + static_cast<int>(rm)); ++x) {
            const double d = std::hypot(x - bestAt.x, y - bestAt.y);
            if (d <= rc) {
                centre += pr[x];
                centreN += 1;
            }
            if (d <= rm)
                mass += pr[x];
        }
    }
    const double peak = centreN > 0 ? centre / centreN : 0.0;
    f[0] = bestDog;
    f[1] = bestDogScale;
    f[2] = std::sqrt(bestDoh);
    f[3] = bestDohScale;
    f[4] = peak;
    f[5] = std::sqrt(std::max(0.0, mass) / (kPi * std::max(peak, 1.0)));
    f[6] = mean[0];
    f[7] = sd[0];
    return f;
}

bool isTrainCase(const QString &caseId)
{
    // FNV-1a, then a finaliser, so that neighbouring ids spread evenly.
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : caseId.toUtf8()) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h % 100 < 70;
}

/// Solves A x = b for symmetric positive definite A (n x n, row-major) by Cholesky.
bool solveSpd(std::vector<double> a, std::vector<double> b, int n, std::vector<double> &x)
{
    for (int j = 0; j < n; ++j) {
        double d = a[static_cast<std::size_t>(j * n + j)];
        for (int k = 0; k < j; ++k)
            d -= a[static_cast<std::size_t>(j * n + k)] * a[static_cast<std::size_t>(j * n + k)];
        if (d <= 0)
            return false;
        d = std::sqrt(d);
        a[static_cast<std::size_t>(j * n + j)] = d;
        for (int i = j + 1; i < n; ++i) {
            double s = a[static_cast<std::size_t>(i * n + j)];
            for (int k = 0; k < j; ++k)
                s -= a[static_cast<std::size_t>(i * n + k)] * a[static_cast<std::size_t>(j * n + k)];
            a[static_cast<std::size_t>(i * n + j)] = s / d;
        }
    }
    for (int i = 0; i < n; ++i) {
        double s = b[static_cast<std::size_t>(i)];
        for (int k = 0; k < i; ++k)
            s -= a[static_cast<std::size_t>(i * n + k)] * b[static_cast<std::size_t>(k)];
        b[static_cast<std::size_t>(i)] = s / a[static_cast<std::size_t>(i * n + i)];
    }
    for (int i = n - 1; i >= 0; --i) {
        double s = b[static_cast<std::size_t>(i)];
        for (int k = i + 1; k < n; ++k)
            s -= a[static_cast<std::size_t>(k * n + i)] * b[static_cast<std::size_t>(k)];
        b[static_cast<std::size_t>(i)] = s / a[static_cast<std::size_t>(i * n + i)];
    }
    x = std::move(b);
    return true;
}

/// L2-regularised logistic regression by Newton's method on standardised features; returns the
/// test AUROC and the number of features used.
double fitAndScore(const std::vector<const std::vector<double> *> &cols, const std::vector<int> &labels,
    const std::vector<bool> &train, int &used)
{
    const std::size_t n = labels.size();
    // Standardise with train statistics; unknown values become the train mean (0).
    std::vector<std::vector<double>> x;
    for (const auto *col : cols) {
        double s = 0, s2 = 0, m = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double v = (*col)[i];
            if (train[i] && !std::isnan(v)) {
                s += v;
                s2 += v * v;
                m += 1;
            }
        }
        if (m < 2)
            continue;
        const double mean = s / m;
        const double var = s2 / m - mean * mean;
        if (var <= 1e-12)
            continue;
        const double sd = std::sqrt(var);
        std::vector<double> z(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double v = (*col)[i];
            z[i] = std::isnan(v) ? 0.0 : (v - mean) / sd;
        }
        x.push_back(std::move(z));
    }
    used = static_cast<int>(x.size());
    const int p = used + 1; // + intercept, the last weight
    const double lambda = 1.0;
    std::vector<double> w(static_cast<std::size_t>(p), 0.0);
    std::vector<double> row(static_cast<std::size_t>(p));
    for (int iter = 0; iter < 50; ++iter) {
        std::vector<double> grad(static_cast<std::size_t>(p), 0.0);
        std::vector<double> hess(static_cast<std::size_t>(p * p), 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            if (!train[i])
                continue;
            for (int j = 0; j < used; ++j)
                row[static_cast<std::size_t>(j)] = x[static_cast<std::size_t>(j)][i];
            row[static_cast<std::size_t>(used)] = 1.0;
            double eta = 0;
            for (int j = 0; j < p; ++j)
                eta += w[static_cast<std::size_t>(j)] * row[static_cast<std::size_t>(j)];
            const double prob = 1.0 / (1.0 + std::exp(-eta));
            const double r = prob - labels[i];
            const double s = std::max(prob * (1 - prob), 1e-10);
            for (int j = 0; j < p; ++j) {
                grad[static_cast<std::size_t>(j)] += r * row[static_cast<std::size_t>(j)];
                for (int k = 0; k <= j; ++k)
                    hess[static_cast<std::size_t>(j * p + k)]
                        += s * row[static_cast<std::size_t>(j)] * row[static_cast<std::size_t>(k)];
            }
        }
        for (int j = 0; j < p; ++j) {
            for (int k = 0; k < j; ++k)
                hess[static_cast<std::size_t>(k * p + j)] = hess[static_cast<std::size_t>(j * p + k)];
        }
        for (int j = 0; j < used; ++j) {
            grad[static_cast<std::size_t>(j)] += lambda * w[static_cast<std::size_t>(j)];
            hess[static_cast<std::size_t>(j * p + j)] += lambda;
        }
        hess[static_cast<std::size_t>(used * p + used)] += 1e-8;
        std::vector<double> step;
        if (!solveSpd(hess, grad, p, step))
            break;
        double norm = 0;
        for (int j = 0; j < p; ++j) {
            w[static_cast<std::size_t>(j)] -= step[static_cast<std::size_t>(j)];
            norm += step[static_cast<std::size_t>(j)] * step[static_cast<std::size_t>(j)];
        }
        if (norm < 1e-16)
            break;
    }
    std::vector<double> scores;
    std::vector<int> testLabels;
    for (std::size_t i = 0; i < n; ++i) {
        if (train[i])
            continue;
        double eta = w[static_cast<std::size_t>(used)];
        for (int j = 0; j < used; ++j)
            eta += w[static_cast<std::size_t>(j)] * x[static_cast<std::size_t>(j)][i];
        scores.push_back(eta);
        testLabels.push_back(labels[i]);
    }
    return auroc(scores, testLabels);
}

} // namespace

Result<std::vector<BaselineRow>> ModalityBaseline::measure(const QString &demoDir)
{
    using R = Result<std::vector<BaselineRow>>;
    const QDir dir(demoDir);
    const QString manifestPath = dir.filePath(QStringLiteral("manifest.csv"));
    CsvReader manifest;
    if (!manifest.readFile(manifestPath))
        return R::failure(manifest.errorString());
    const int idCol = manifest.column(QStringLiteral("case_id"));
    const int labelCol = manifest.column(QStringLiteral("label"));
    const int imageCol = manifest.column(QStringLiteral("image"));
    const int splitCol = manifest.column(QStringLiteral("split"));
    if (idCol < 0 || labelCol < 0)
        return R::failure(QStringLiteral("%1: needs the columns case_id and label").arg(manifestPath));

    // Labelled cases only; the positive class is the usual name of one, else the later in order.
    std::vector<int> rowsUsed;
    QStringList labelNames;
    for (int i = 0; i < static_cast<int>(manifest.rows().size()); ++i) {
        const QStringList &f = manifest.rows()[static_cast<std::size_t>(i)].fields;
        if (f.size() <= std::max(idCol, labelCol) || isMissing(f.at(labelCol)) || f.at(idCol).trimmed().isEmpty())
            continue;
        rowsUsed.push_back(i);
        const QString label = f.at(labelCol).trimmed();
        if (!labelNames.contains(label))
            labelNames.append(label);
    }
    if (labelNames.size() != 2)
        return R::failure(QStringLiteral("%1: the baseline needs exactly two label values, found %2")
                              .arg(manifestPath)
                              .arg(labelNames.size()));
    std::sort(labelNames.begin(), labelNames.end());
    static const QStringList positiveNames = { QStringLiteral("abnormal"), QStringLiteral("bad"),
        QStringLiteral("positive"), QStringLiteral("1"), QStringLiteral("yes"), QStringLiteral("true") };
    QString positive = labelNames.at(1);
    for (const QString &l : labelNames) {
        if (positiveNames.contains(l.toLower()))
            positive = l;
    }

    // A view of the manifest restricted to labelled rows.
    CsvReader used;
    {
        QStringList lines = { csvLine(manifest.header()) };
        for (int i : rowsUsed)
            lines.append(csvLine(manifest.rows()[static_cast<std::size_t>(i)].fields));
        used.parse(lines.join(QLatin1Char('\n')).toUtf8(), manifestPath);
    }
    const int n = static_cast<int>(used.rows().size());
    std::vector<int> labels(static_cast<std::size_t>(n));
    std::vector<bool> train(static_cast<std::size_t>(n));
    QHash<QString, int> index;
    for (int i = 0; i < n; ++i) {
        const QStringList &f = used.rows()[static_cast<std::size_t>(i)].fields;
        const QString id = f.at(idCol).trimmed();
        labels[static_cast<std::size_t>(i)] = f.at(labelCol).trimmed() == positive ? 1 : 0;
        train[static_cast<std::size_t>(i)] = isTrainCase(id);
        index.insert(id, i);
    }

    Block record;
    QSet<int> skip = { idCol, labelCol };
    if (imageCol >= 0)
        skip.insert(imageCol);
    if (splitCol >= 0)
        skip.insert(splitCol);
    // Free-text columns (a demo's notes) are a modality of their own, not categories.
    Block text;
    for (int j = 0; j < used.header().size(); ++j) {
        if (skip.contains(j))
            continue;
        QStringList values;
        for (const CsvRow &row : used.rows())
            if (j < row.fields.size() && !isMissing(row.fields.at(j)))
                values.append(row.fields.at(j).trimmed());
        if (looksLikeFreeText(values)) {
            skip.insert(j);
            textFeatures(used, j, n, train, text);
        }
    }
    recordFeatures(used, skip, n, record);

    Block image;
    bool hasImages = false;
    if (imageCol >= 0) {
        std::vector<std::vector<double>> perCase(static_cast<std::size_t>(n));
        const QString root = QFileInfo(manifestPath).absolutePath();
        parallelFor(static_cast<std::size_t>(n), 0, [&](std::size_t i) {
            const QStringList &f = used.rows()[i].fields;
            const QString rel = imageCol < f.size() ? f.at(imageCol).trimmed() : QString();
            perCase[i]
                = rel.isEmpty() ? std::vector<double>(kImageFeatures, kNaN) : imageFeatures(QDir(root).filePath(rel));
        });
        image.names = { QStringLiteral("dog_max"), QStringLiteral("dog_scale"), QStringLiteral("doh_max"),
            QStringLiteral("doh_scale"), QStringLiteral("blob_peak"), QStringLiteral("blob_radius"),
            QStringLiteral("grey_mean"), QStringLiteral("grey_sd") };
        image.cols.assign(kImageFeatures, std::vector<double>(static_cast<std::size_t>(n), kNaN));
        for (int i = 0; i < n; ++i) {
            for (int k = 0; k < kImageFeatures; ++k) {
                image.cols[static_cast<std::size_t>(k)][static_cast<std::size_t>(i)]
                    = perCase[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)];
                hasImages = hasImages || !std::isnan(perCase[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)]);
            }
        }
    }

    Block history;
    bool hasHistory = false;
    const QString eventsPath = dir.filePath(QStringLiteral("events.csv"));
    if (QFileInfo::exists(eventsPath)) {
        Result<Block> h = historyFeatures(eventsPath, index, n);
        if (!h.ok())
            return R::failure(h.error());
        history = h.take();
        hasHistory = !history.cols.empty();
    }

    struct Modality
    {
        QString name;
        const Block *block;
    };
    std::vector<Modality> present;
    if (hasImages)
        present.push_back({ QStringLiteral("image"), &image });
    if (!record.cols.empty())
        present.push_back({ QStringLiteral("record"), &record });
    if (hasHistory)
        present.push_back({ QStringLiteral("history"), &history });
    if (!text.cols.empty())
        present.push_back({ QStringLiteral("text"), &text });
    if (present.empty())
        return R::failure(QStringLiteral("%1: no image, record or event features found").arg(demoDir));

    // Singles first, then pairs, then all: the order a reader compares them in.
    const int m = static_cast<int>(present.size());
    std::vector<int> masks;
    for (int size = 1; size <= m; ++size) {
        for (int mask = 1; mask < (1 << m); ++mask) {
            int bits = 0;
            for (int k = 0; k < m; ++k)
                bits += (mask >> k) & 1;
            if (bits == size)
                masks.push_back(mask);
        }
    }
    std::vector<BaselineRow> rows;
    for (int mask : masks) {
        QStringList names;
        std::vector<const std::vector<double> *> cols;
        for (int k = 0; k < m; ++k) {
            if (!((mask >> k) & 1))
                continue;
            names.append(present[static_cast<std::size_t>(k)].name);
            for (const auto &c : present[static_cast<std::size_t>(k)].block->cols)
                cols.push_back(&c);
        }
        BaselineRow row;
        row.modalities = names.join(QLatin1Char('+'));
        row.testAuroc = fitAndScore(cols, labels, train, row.features);
        rows.push_back(row);
    }
    return rows;
}

} // namespace lepton
