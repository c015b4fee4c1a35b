// SPDX-License-Identifier: GPL-3.0-or-later
#include "DemoGenerator.h"

#include "data/CsvReader.h"
#include "data/Dicom.h"
#include "util/ParallelFor.h"

#include <QByteArray>
#include <QDate>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStringList>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <vector>

namespace lepton {
namespace {

constexpr double kPi = 3.14159265358979323846;

// ---------------------------------------------------------------------------------------------
// Random numbers. Our own generator and distributions, so that the bytes written do not depend on
// the standard library's implementation; every case gets its own streams so that the order in
// which threads handle cases cannot change anything.

std::uint64_t splitmix64(std::uint64_t &state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t mixKey(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t s = a;
    const std::uint64_t h = splitmix64(s);
    s = h ^ b;
    return splitmix64(s);
}

enum Stream : std::uint64_t {
    StreamRecord = 1,
    StreamEvents = 2,
    StreamImagePlan = 3,
    StreamPixels = 4,
    StreamMissing = 5,
    StreamLatent = 6,
    StreamText = 7,
};

class Rng
{
public:
    Rng(std::uint64_t seed, std::uint64_t domain, std::uint64_t index, std::uint64_t stream)
    {
        std::uint64_t key = mixKey(mixKey(mixKey(seed, domain), index), stream);
        for (auto &w : m_s)
            w = splitmix64(key);
    }

    // xoshiro256**
    std::uint64_t next()
    {
        const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    /// [0, 1)
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// lo..hi inclusive; the modulo bias is far below anything the demo could show.
    int integer(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
    bool chance(double p) { return uniform() < p; }
    /// Box-Muller, one value per call so that a stream never carries hidden state.
    double normal()
    {
        const double u1 = (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; // (0, 1]
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
    }
    /// Index into cumulative weights.
    int pick(const std::vector<double> &weights)
    {
        double total = 0.0;
        for (double w : weights)
            total += w;
        double u = uniform() * total;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            if (u < weights[i])
                return static_cast<int>(i);
            u -= weights[i];
        }
        return static_cast<int>(weights.size()) - 1;
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t m_s[4];
};

double clampd(double v, double lo, double hi)
{
    return std::min(hi, std::max(lo, v));
}
/// Rounds to k decimals the way the value is written, so that risk terms use what the file says.
double roundTo(double v, int k)
{
    const double f = std::pow(10.0, k);
    return std::floor(v * f + 0.5) / f;
}
QString num(double v, int k)
{
    return QString::number(v, 'f', k);
}
/// Weight of the note's text term (both domains), when notes are written.
constexpr double kWeightText = 0.8;

double sigmoid(double x)
{
    return 1.0 / (1.0 + std::exp(-x));
}

// ---------------------------------------------------------------------------------------------
// The planted rule. Every constant of the label lives here, and ground_truth.json states it.

namespace med {
// Record fields in manifest order (after case_id, label, image).
const QStringList kFields = { QStringLiteral("age"), QStringLiteral("sex"), QStringLiteral("height_cm"),
    QStringLiteral("ward"), QStringLiteral("blood_group"), QStringLiteral("referral"), QStringLiteral("smoker"),
    QStringLiteral("admission_date"), QStringLiteral("systolic_bp"), QStringLiteral("crp_mg_l"),
    QStringLiteral("wbc_10e9_l"), QStringLiteral("lactate_mmol_l") };
const QStringList kEventFields
    = { QStringLiteral("heart_rate"), QStringLiteral("temperature_c"), QStringLiteral("spo2") };
constexpr double kWeightImage = 0.8;
constexpr double kWeightRecord = 1.0;
constexpr double kWeightHistory = 1.0;
constexpr double kNoise = 0.25;
constexpr double kThreshold = 0.40;
// Record term: weights on standardised values (log CRP; the others linear).
constexpr double kWCrp = 0.75, kWLactate = 0.55, kWWbc = 0.30, kWSbp = -0.35, kWAge = 0.20, kWSmoker = 0.20;
constexpr double kCrpLogMean = 2.4849066497880004; // log(12 mg/L)
constexpr double kCrpLogSd = 1.1;
constexpr double kLactateMean = 1.6, kLactateSd = 0.8;
constexpr double kWbcMean = 8.2, kWbcSd = 2.6;
constexpr double kSbpMean = 128.0, kSbpSd = 18.0;
constexpr double kAgeMean = 62.0, kAgeSd = 16.0;
constexpr double kSmokerRate = 0.27;
// History: change over the stay, per standard unit of the latent trend.
constexpr double kTempRise = 1.2; // degC
constexpr double kHrRise = 18.0; // bpm
constexpr double kSpo2Drift = 2.0; // percentage points, not causal
// Image term: lesion present -> 1 + 0.3 z(radius) + 0.3 z(contrast), absent -> 0, then standardised.
constexpr double kRadiusMin = 4.0, kRadiusMax = 14.0;
constexpr double kContrastMin = 30.0, kContrastMax = 70.0;
// Contrast weighs more than size: a blob's contrast is what a detector's response (and a
// reader's eye) scales with; presence still dominates.
constexpr double kImageRadiusWeight = 0.20, kImageContrastWeight = 0.45;
// Mean and spread of the term over the population (half the cases have a lesion).
constexpr double kImageMean = 0.5;
const double kImageSd = std::sqrt(
    0.5 * (1.0 + kImageRadiusWeight * kImageRadiusWeight + kImageContrastWeight * kImageContrastWeight) - 0.25);
constexpr double kMissingImage = 0.02;
constexpr double kMissingEvents = 0.02;
/// Makes the record term's spread 1.
double recordNorm()
{
    return std::sqrt(
        kWCrp * kWCrp + kWLactate * kWLactate + kWWbc * kWWbc + kWSbp * kWSbp + kWAge * kWAge + kWSmoker * kWSmoker);
}
} // namespace med

namespace fin {
const QStringList kFields = { QStringLiteral("age"), QStringLiteral("income"), QStringLiteral("loan_amount"),
    QStringLiteral("duration_months"), QStringLiteral("purpose"), QStringLiteral("debt_ratio"),
    QStringLiteral("employment_years"), QStringLiteral("housing"), QStringLiteral("marital_status"),
    QStringLiteral("region"), QStringLiteral("phone_type") };
const QStringList kEventFields
    = { QStringLiteral("balance"), QStringLiteral("payment_ratio"), QStringLiteral("missed_payment") };
const QStringList kPurposes = { QStringLiteral("car"), QStringLiteral("home_improvement"), QStringLiteral("education"),
    QStringLiteral("debt_consolidation"), QStringLiteral("business"), QStringLiteral("vacation") };
const QStringList kHousing
    = { QStringLiteral("own"), QStringLiteral("mortgage"), QStringLiteral("rent"), QStringLiteral("with_family") };
constexpr double kWeightRecord = 1.0;
constexpr double kWeightHistory = 1.0;
constexpr double kWeightAfford = 1.0;
constexpr double kNoise = 0.25;
constexpr double kThreshold = 0.45;
// Record term weights on standardised values.
constexpr double kWDebt = 0.70, kWDuration = 0.35, kWEmployment = -0.40, kWAge = -0.20, kWRent = 0.35,
                 kWRiskyPurpose = 0.30;
constexpr double kDebtMean = 0.30, kDebtSd = 0.13;
constexpr double kAgeMean = 40.0, kAgeSd = 11.0;
constexpr double kEmpLogMean = 1.6, kEmpLogSd = 0.75; // log1p(employment years)
constexpr double kDurationMean = 30.78, kDurationSd = 17.51; // of the duration mix drawn below
constexpr double kRentRate = 0.35, kRiskyPurposeRate = 0.20;
constexpr double kWealthSd = 1.5; // shared scale of loan size and account balance
constexpr double kLoanLogMean = 9.1, kBalanceLogMean = 7.8, kScaleLog = 0.45;
constexpr double kRatioFall = 0.25; // fall of the payment ratio over the history per unit trend
constexpr double kMissedBelow = 0.45;
constexpr double kRandomMiss = 0.015; // a missed month now and then, whatever the trend
constexpr double kMissingEvents = 0.03;
/// Makes the record term's spread 1 (the two indicators are centred, not scaled).
double recordNorm()
{
    return std::sqrt(kWDebt * kWDebt + kWDuration * kWDuration + kWEmployment * kWEmployment + kWAge * kWAge
        + kWRent * kWRent * kRentRate * (1 - kRentRate)
        + kWRiskyPurpose * kWRiskyPurpose * kRiskyPurposeRate * (1 - kRiskyPurposeRate));
}
} // namespace fin

constexpr double kMissingValue = 0.04;
constexpr double kMissingEventValue = 0.01;

const QStringList kMissingMarkers = { QString(), QStringLiteral("NA"), QStringLiteral("NaN"), QStringLiteral("null") };

// ---------------------------------------------------------------------------------------------
// One generated case.

struct Anatomy
{
    double cx = 0, cy = 0, a = 0, b = 0, theta = 0;
};

struct Lesion
{
    bool present = false;
    double cx = 0, cy = 0, radius = 0, contrast = 0, elongation = 1, angle = 0, lump = 0, phase = 0, softness = 1;
    int bx = 0, by = 0, bw = 0, bh = 0;
};

struct CaseOut
{
    QString id;
    bool positive = false;
    QStringList cells; // record values as written, in field order
    std::vector<QStringList> events; // time then event fields
    bool hasImage = false;
    Anatomy anatomy;
    Lesion lesion;
    double riskImage = 0, riskRecord = 0, riskHistory = 0, riskCross = 0, riskNoise = 0, risk = 0;
    QStringList causalFields; // the record fields that moved this case's risk most (caseCausalFields)
    QString note; // the free-text column (DemoOptions::notes)
    double riskText = 0;
    QStringList causalWords, negatedWords; // the note's affirmed and negated signal words
};

std::uint64_t domainTag(bool medical)
{
    return medical ? 0x6D65646963616CULL : 0x66696E616E6365ULL;
}

QString caseId(QChar prefix, int index, int width)
{
    return QString(prefix) + QStringLiteral("%1").arg(index + 1, width, 10, QLatin1Char('0'));
}

/// Replaces a few percent of the record values (kMissingValue) with one of the missing markers.
void blankSome(QStringList &cells, Rng &rng)
{
    for (QString &c : cells) {
        if (rng.chance(kMissingValue))
            c = kMissingMarkers.at(rng.integer(0, 3));
    }
}

/// A record field is one of a case's causal fields when its own term moved the case's risk by at
/// least 0.2 away from an average case (the label noise's spread is 0.25 in both domains, the
/// threshold's distance 0.4 or 0.45); a field that barely differs from average did not drive
/// this case, however causal it is in general. A renter's housing term (0.246) just counts.
constexpr double kCausalFieldRisk = 0.2;
/// At most this many, the largest first: the faithfulness report's k, so a perfect ranking can
/// find all of them.
constexpr int kMaxCausalFieldsPerCase = 3;

/// The case's causal fields from each causal field's share of the risk (field name, term), among
/// the fields the case shows (a blanked value cannot explain anything).
QStringList caseCausalFields(
    std::vector<std::pair<QString, double>> terms, const QStringList &fields, const QStringList &cells)
{
    std::stable_sort(terms.begin(), terms.end(),
        [](const auto &a, const auto &b) { return std::abs(a.second) > std::abs(b.second); });
    QStringList out;
    for (const auto &[field, term] : terms) {
        const int column = static_cast<int>(fields.indexOf(field));
        if (std::abs(term) < kCausalFieldRisk || column < 0 || kMissingMarkers.contains(cells.at(column)))
            continue;
        out.append(field);
        if (out.size() == kMaxCausalFieldsPerCase)
            break;
    }
    return out;
}

/// Point inside an ellipse at normalised radius <= rhoMax, uniform over the area.
void pointInEllipse(const Anatomy &e, double rhoMax, Rng &rng, double &x, double &y)
{
    const double rho = rhoMax * std::sqrt(rng.uniform());
    const double phi = 2.0 * kPi * rng.uniform();
    const double u = rho * e.a * std::cos(phi);
    const double v = rho * e.b * std::sin(phi);
    x = e.cx + u * std::cos(e.theta) - v * std::sin(e.theta);
    y = e.cy + u * std::sin(e.theta) + v * std::cos(e.theta);
}

// ---------------------------------------------------------------------------------------------
// Notes.

/// How a note speaks of its topics: one sentence form that affirms a topic and one that denies it
/// (%1 is the topic's word), shared by every topic, so that the sentence's form says only whether
/// a topic is there and the topic's word says which; the signal topics carry the text term, the
/// distractors (as frequent, as often affirmed) carry nothing; synonyms share a topic.
struct NoteStyle
{
    QStringList affirm, deny;
    std::vector<QStringList> signals; ///< per topic its synonyms
    std::vector<QStringList> distractors;
    QStringList filler; ///< sentences that carry nothing
};

const NoteStyle &noteStyle(bool medical)
{
    static const NoteStyle med {
        { QStringLiteral("Pt reports %1 for 3 days."), QStringLiteral("Complains of %1 since yesterday."),
            QStringLiteral("Ongoing %1 overnight."), QStringLiteral("New %1 this morning.") },
        { QStringLiteral("Denies %1."), QStringLiteral("No %1 reported."), QStringLiteral("No %1 today.") },
        { { QStringLiteral("fever"), QStringLiteral("pyrexia"), QStringLiteral("febrile episodes") },
            { QStringLiteral("cough"), QStringLiteral("sputum") },
            { QStringLiteral("breathlessness"), QStringLiteral("dyspnoea") },
            { QStringLiteral("chest pain"), QStringLiteral("pleuritic pain") } },
        { { QStringLiteral("headache") }, { QStringLiteral("back pain") }, { QStringLiteral("itching") },
            { QStringLiteral("fatigue"), QStringLiteral("tiredness") } },
        { QStringLiteral("Patient seen on the ward round."), QStringLiteral("Observations recorded."),
            QStringLiteral("Plan discussed with the patient and family."),
            QStringLiteral("Patient comfortable, eating and drinking."), QStringLiteral("Reviewed by the registrar."),
            QStringLiteral("Bloods taken, results pending."), QStringLiteral("Mobilising with the physiotherapist.") }
    };
    static const NoteStyle fin { { QStringLiteral("I have had %1 this year."), QStringLiteral("There was %1 recently."),
                                     QStringLiteral("We went through %1 last year.") },
        { QStringLiteral("I have never had %1."), QStringLiteral("There was no %1.") },
        { { QStringLiteral("arrears"), QStringLiteral("missed payments") },
            { QStringLiteral("redundancy"), QStringLiteral("job loss") },
            { QStringLiteral("payday loans"), QStringLiteral("debt collectors") },
            { QStringLiteral("gambling"), QStringLiteral("betting losses") } },
        { { QStringLiteral("a holiday") }, { QStringLiteral("a new car") }, { QStringLiteral("a wedding") },
            { QStringLiteral("home repairs"), QStringLiteral("renovations") } },
        { QStringLiteral("I would like to apply for this loan."),
            QStringLiteral("I have lived at my address for some years."), QStringLiteral("Please contact me by email."),
            QStringLiteral("I can provide payslips if needed."),
            QStringLiteral("Thank you for considering my application."),
            QStringLiteral("My employer can confirm my position.") } };
    return medical ? med : fin;
}

/// The case's note and its planted text term: each signal topic is affirmed with a chance that
/// grows with a latent text factor, or denied, or not mentioned; each distractor is affirmed or
/// denied at random; the term is the standardised count of affirmed signals (denials carry
/// nothing but share the words). A tenth of the notes are empty and then the term is 0.
void makeNote(CaseOut &c, const DemoOptions &o, bool medical, int index)
{
    Rng r(o.seed, domainTag(medical), static_cast<std::uint64_t>(index), StreamText);
    if (r.chance(0.1))
        return; // empty note: the text modality is missing for this case
    const NoteStyle &style = noteStyle(medical);
    auto pick = [&r](const QStringList &list) { return list.at(r.integer(0, static_cast<int>(list.size()) - 1)); };
    const double latent = r.normal();
    const double pAffirm = sigmoid(1.6 * latent - 1.0);
    QStringList sentences;
    auto place = [&](const QString &sentence) {
        sentences.insert(r.integer(0, static_cast<int>(sentences.size())), sentence);
    };
    int affirmed = 0;
    for (const QStringList &topic : style.signals) {
        const QString word = pick(topic);
        if (r.chance(pAffirm)) {
            place(pick(style.affirm).arg(word));
            c.causalWords.append(word);
            ++affirmed;
        } else if (r.chance(0.45)) {
            place(pick(style.deny).arg(word));
            c.negatedWords.append(word);
        }
    }
    for (const QStringList &topic : style.distractors) {
        const QString word = pick(topic);
        if (r.chance(0.3))
            place(pick(style.affirm).arg(word));
        else if (r.chance(0.3))
            place(pick(style.deny).arg(word));
    }
    const int fill = r.integer(1, 3);
    for (int k = 0; k < fill; ++k)
        place(pick(style.filler));
    c.note = sentences.join(QLatin1Char(' '));
    // Four signals affirmed with chance p: mean and spread of the count over the latent factor
    // (by simulation over 400 000 draws: mean 1.34, sd 1.30 for the chance above).
    c.riskText = kWeightText * (affirmed - 1.34) / 1.30;
}

CaseOut makeMedicalCase(const DemoOptions &o, int index, int idWidth)
{
    const std::uint64_t dom = domainTag(true);
    CaseOut c;
    c.id = caseId(QLatin1Char('P'), index, idWidth);

    // Record.
    Rng r(o.seed, dom, static_cast<std::uint64_t>(index), StreamRecord);
    const double age = clampd(std::floor(med::kAgeMean + med::kAgeSd * r.normal() + 0.5), 18, 95);
    const bool male = r.chance(0.5);
    const double height = roundTo(male ? 176.0 + 7.0 * r.normal() : 163.0 + 6.5 * r.normal(), 1);
    const QChar ward = QLatin1Char(static_cast<char>('A' + r.integer(0, 5)));
    static const QStringList groups
        = { QStringLiteral("O+"), QStringLiteral("A+"), QStringLiteral("B+"), QStringLiteral("AB+"),
              QStringLiteral("O-"), QStringLiteral("A-"), QStringLiteral("B-"), QStringLiteral("AB-") };
    const QString group = groups.at(r.pick({ 0.37, 0.33, 0.09, 0.03, 0.07, 0.07, 0.02, 0.02 }));
    static const QStringList referrals = { QStringLiteral("GP"), QStringLiteral("emergency department"),
        QStringLiteral("transfer, other hospital"), QStringLiteral("outpatient clinic") };
    const QString referral = referrals.at(r.pick({ 0.40, 0.35, 0.15, 0.10 }));
    const bool smoker = r.chance(med::kSmokerRate);
    const QDate admitted = QDate(2023, 1, 1).addDays(r.integer(0, 729));
    const double sbp = clampd(std::floor(med::kSbpMean + med::kSbpSd * r.normal() + 0.5), 75, 210);
    const double crp = clampd(roundTo(std::exp(med::kCrpLogMean + med::kCrpLogSd * r.normal()), 1), 0.3, 400.0);
    const double wbc = clampd(roundTo(med::kWbcMean + med::kWbcSd * r.normal(), 1), 1.5, 30.0);
    const double lactate = clampd(roundTo(med::kLactateMean + med::kLactateSd * r.normal(), 1), 0.4, 8.0);

    c.cells = { num(age, 0), male ? QStringLiteral("M") : QStringLiteral("F"), num(height, 1), QString(ward), group,
        referral, smoker ? QStringLiteral("yes") : QStringLiteral("no"), admitted.toString(Qt::ISODate), num(sbp, 0),
        num(crp, 1), num(wbc, 1), num(lactate, 1) };
    Rng miss(o.seed, dom, static_cast<std::uint64_t>(index), StreamMissing);
    blankSome(c.cells, miss);

    const double zCrp = (std::log(crp) - med::kCrpLogMean) / med::kCrpLogSd;
    const double zLac = (lactate - med::kLactateMean) / med::kLactateSd;
    const double zWbc = (wbc - med::kWbcMean) / med::kWbcSd;
    const double zSbp = (sbp - med::kSbpMean) / med::kSbpSd;
    const double zAge = (age - med::kAgeMean) / med::kAgeSd;
    const double zSmk
        = ((smoker ? 1.0 : 0.0) - med::kSmokerRate) / std::sqrt(med::kSmokerRate * (1 - med::kSmokerRate));
    const double norm = med::recordNorm();
    const double record = (med::kWCrp * zCrp + med::kWLactate * zLac + med::kWWbc * zWbc + med::kWSbp * zSbp
                              + med::kWAge * zAge + med::kWSmoker * zSmk)
        / norm;
    const double k = med::kWeightRecord / norm;
    c.causalFields = caseCausalFields(
        { { QStringLiteral("crp_mg_l"), k * med::kWCrp * zCrp },
            { QStringLiteral("lactate_mmol_l"), k * med::kWLactate * zLac },
            { QStringLiteral("wbc_10e9_l"), k * med::kWWbc * zWbc },
            { QStringLiteral("systolic_bp"), k * med::kWSbp * zSbp }, { QStringLiteral("age"), k * med::kWAge * zAge },
            { QStringLiteral("smoker"), k * med::kWSmoker * zSmk } },
        med::kFields, c.cells);

    // History: vitals drift linearly over the observed stay; the drift of temperature and heart
    // rate is the history term, that of SpO2 is noise.
    Rng e(o.seed, dom, static_cast<std::uint64_t>(index), StreamEvents);
    const double zTemp = e.normal();
    const double zHr = e.normal();
    const double zSpo2 = e.normal();
    const double history = (zTemp + zHr) / std::sqrt(2.0);
    if (!e.chance(med::kMissingEvents)) {
        const int n = e.integer(3, 24);
        std::vector<double> times(static_cast<std::size_t>(n));
        double t = e.uniform(0.5, 3.0);
        for (int k = 0; k < n; ++k) {
            times[static_cast<std::size_t>(k)] = roundTo(t, 1);
            t += e.uniform(1.5, 6.5);
        }
        const double span = std::max(1.0, times.back() - times.front());
        const double baseTemp = 36.9 + 0.3 * e.normal();
        const double baseHr = 78.0 + 10.0 * e.normal();
        const double baseSpo2 = 97.0 + 1.0 * e.normal();
        const double circadianPhase = e.uniform(0.0, 2.0 * kPi);
        for (int k = 0; k < n; ++k) {
            const double tk = times[static_cast<std::size_t>(k)];
            const double f = (tk - times.front()) / span;
            // A small daily rhythm in temperature, so that the level at one time says less than the trend.
            const double temp = baseTemp + med::kTempRise * zTemp * f
                + 0.10 * std::sin(2.0 * kPi * tk / 24.0 + circadianPhase) + 0.12 * e.normal();
            const double hr = baseHr + med::kHrRise * zHr * f + 3.0 * e.normal();
            const double spo2 = std::min(100.0, baseSpo2 + med::kSpo2Drift * zSpo2 * f + 0.8 * e.normal());
            QStringList row = { num(tk, 1), num(clampd(hr, 30, 220), 0), num(clampd(temp, 34.0, 42.5), 1),
                num(clampd(spo2, 70, 100), 0) };
            for (int j = 1; j < row.size(); ++j) {
                if (e.chance(kMissingEventValue))
                    row[j].clear();
            }
            c.events.push_back(row);
        }
    }

    // Image plan: anatomy and lesion. The pixels are drawn later, in parallel, from their own stream.
    const double s = o.imageSize / 128.0;
    const double size = o.imageSize;
    Rng p(o.seed, dom, static_cast<std::uint64_t>(index), StreamImagePlan);
    c.hasImage = !p.chance(med::kMissingImage);
    Anatomy &an = c.anatomy;
    an.cx = size / 2.0 + 2.5 * s * p.normal();
    an.cy = size / 2.0 + 2.5 * s * p.normal();
    an.a = size * p.uniform(0.34, 0.41);
    an.b = size * p.uniform(0.29, 0.36);
    an.theta = 0.08 * p.normal();
    Lesion &l = c.lesion;
    l.present = p.chance(0.5);
    const double radius = p.uniform(med::kRadiusMin, med::kRadiusMax);
    l.contrast = p.uniform(med::kContrastMin, med::kContrastMax);
    l.radius = radius * s;
    l.elongation = p.uniform(0.75, 1.0);
    l.angle = p.uniform(0.0, kPi);
    l.lump = p.uniform(0.0, 0.10);
    l.phase = p.uniform(0.0, 2.0 * kPi);
    l.softness = p.uniform(0.8, 1.6) * s;
    const double rhoMax = std::max(0.3, 1.0 - 1.4 * l.radius / std::min(an.a, an.b));
    pointInEllipse(an, rhoMax, p, l.cx, l.cy);
    if (l.present) {
        // Bounding box of the rotated ellipse, grown by the soft edge.
        const double r1 = l.radius * (1.0 + l.lump) + l.softness;
        const double r2 = l.radius * l.elongation * (1.0 + l.lump) + l.softness;
        const double hx = std::sqrt(std::pow(r1 * std::cos(l.angle), 2) + std::pow(r2 * std::sin(l.angle), 2));
        const double hy = std::sqrt(std::pow(r1 * std::sin(l.angle), 2) + std::pow(r2 * std::cos(l.angle), 2));
        const int x0 = std::max(0, static_cast<int>(std::floor(l.cx - hx)));
        const int y0 = std::max(0, static_cast<int>(std::floor(l.cy - hy)));
        const int x1 = std::min(o.imageSize, static_cast<int>(std::ceil(l.cx + hx)) + 1);
        const int y1 = std::min(o.imageSize, static_cast<int>(std::ceil(l.cy + hy)) + 1);
        l.bx = x0;
        l.by = y0;
        l.bw = x1 - x0;
        l.bh = y1 - y0;
    }
    double image = 0.0;
    if (l.present) {
        const double zR = (radius - (med::kRadiusMin + med::kRadiusMax) / 2)
            / ((med::kRadiusMax - med::kRadiusMin) / std::sqrt(12.0));
        const double zC = (l.contrast - (med::kContrastMin + med::kContrastMax) / 2)
            / ((med::kContrastMax - med::kContrastMin) / std::sqrt(12.0));
        image = 1.0 + med::kImageRadiusWeight * zR + med::kImageContrastWeight * zC;
    }
    image = (image - med::kImageMean) / med::kImageSd;

    Rng lat(o.seed, dom, static_cast<std::uint64_t>(index), StreamLatent);
    c.riskImage = med::kWeightImage * image;
    c.riskRecord = med::kWeightRecord * record;
    c.riskHistory = med::kWeightHistory * history;
    c.riskNoise = med::kNoise * lat.normal();
    c.risk = c.riskImage + c.riskRecord + c.riskHistory + c.riskNoise;
    if (o.notes) {
        makeNote(c, o, true, index);
        c.risk += c.riskText;
    }
    c.positive = c.risk > med::kThreshold;
    return c;
}

CaseOut makeFinanceCase(const DemoOptions &o, int index, int idWidth)
{
    const std::uint64_t dom = domainTag(false);
    CaseOut c;
    c.id = caseId(QLatin1Char('A'), index, idWidth);

    Rng r(o.seed, dom, static_cast<std::uint64_t>(index), StreamRecord);
    // Wealth scales both the loan asked for and the account balance; their ratio (affordability)
    // is planted, so neither the record nor the history alone can tell it.
    const double wealth = fin::kWealthSd * r.normal();
    const double uLoan = r.normal();
    const double vBalance = r.normal();
    const double age = clampd(std::floor(fin::kAgeMean + fin::kAgeSd * r.normal() + 0.5), 19, 79);
    const double income = clampd(
        std::floor(
            std::exp(std::log(42000.0) + 0.35 * (0.5 * wealth / fin::kWealthSd + 0.87 * r.normal())) / 100.0 + 0.5)
            * 100.0,
        6000.0, 500000.0);
    const double loan
        = clampd(std::floor(std::exp(fin::kLoanLogMean + fin::kScaleLog * (wealth + uLoan)) / 50.0 + 0.5) * 50.0, 500.0,
            250000.0);
    static const int durations[] = { 6, 12, 18, 24, 36, 48, 60, 72 };
    const double duration = durations[r.pick({ 0.05, 0.18, 0.10, 0.22, 0.20, 0.12, 0.09, 0.04 })];
    const QString purpose = fin::kPurposes.at(r.pick({ 0.28, 0.20, 0.10, 0.22, 0.12, 0.08 }));
    const double debt = clampd(roundTo(fin::kDebtMean + fin::kDebtSd * r.normal(), 2), 0.0, 0.95);
    const double employment = roundTo(std::max(0.0, std::exp(fin::kEmpLogMean + fin::kEmpLogSd * r.normal()) - 1.0), 1);
    const QString housing = fin::kHousing.at(r.pick({ 0.25, 0.30, 0.35, 0.10 }));
    static const QStringList marital = { QStringLiteral("single"), QStringLiteral("married"),
        QStringLiteral("divorced"), QStringLiteral("widowed") };
    const QString status = marital.at(r.pick({ 0.38, 0.45, 0.13, 0.04 }));
    static const QStringList regions = { QStringLiteral("north"), QStringLiteral("south"), QStringLiteral("east"),
        QStringLiteral("west"), QStringLiteral("central") };
    const QString region = regions.at(r.integer(0, 4));
    static const QStringList phones
        = { QStringLiteral("android"), QStringLiteral("ios"), QStringLiteral("landline"), QStringLiteral("none") };
    const QString phone = phones.at(r.pick({ 0.55, 0.30, 0.10, 0.05 }));

    c.cells = { num(age, 0), num(income, 0), num(loan, 0), num(duration, 0), purpose, num(debt, 2), num(employment, 1),
        housing, status, region, phone };
    Rng miss(o.seed, dom, static_cast<std::uint64_t>(index), StreamMissing);
    blankSome(c.cells, miss);

    const double zDebt = (debt - fin::kDebtMean) / fin::kDebtSd;
    const double zDur = (duration - fin::kDurationMean) / fin::kDurationSd;
    const double zEmp = (std::log1p(employment) - fin::kEmpLogMean) / fin::kEmpLogSd;
    const double zAge = (age - fin::kAgeMean) / fin::kAgeSd;
    const double rent = (housing == QLatin1String("rent") ? 1.0 : 0.0) - fin::kRentRate;
    const double risky = (purpose == QLatin1String("business") || purpose == QLatin1String("vacation") ? 1.0 : 0.0)
        - fin::kRiskyPurposeRate;
    const double norm = fin::recordNorm();
    const double record = (fin::kWDebt * zDebt + fin::kWDuration * zDur + fin::kWEmployment * zEmp + fin::kWAge * zAge
                              + fin::kWRent * rent + fin::kWRiskyPurpose * risky)
        / norm;
    // Affordability from the loan as written (rounded, clamped) against the typical balance: the
    // shared wealth cancels, so it is a plain function of ln loan_amount - ln balance level.
    const double uWritten = (std::log(loan) - fin::kLoanLogMean) / fin::kScaleLog - wealth;
    const double affordability = (uWritten - vBalance) / std::sqrt(2.0);
    // The loan's share of the affordability term is its own (the balance belongs to the history).
    const double k = fin::kWeightRecord / norm;
    c.causalFields = caseCausalFields(
        { { QStringLiteral("debt_ratio"), k * fin::kWDebt * zDebt },
            { QStringLiteral("duration_months"), k * fin::kWDuration * zDur },
            { QStringLiteral("employment_years"), k * fin::kWEmployment * zEmp },
            { QStringLiteral("age"), k * fin::kWAge * zAge }, { QStringLiteral("housing"), k * fin::kWRent * rent },
            { QStringLiteral("purpose"), k * fin::kWRiskyPurpose * risky },
            { QStringLiteral("loan_amount"), fin::kWeightAfford * (uWritten + wealth) / std::sqrt(2.0) } },
        fin::kFields, c.cells);

    // History: monthly statements before the application; a falling payment ratio is the trend.
    Rng e(o.seed, dom, static_cast<std::uint64_t>(index), StreamEvents);
    const double zTrend = e.normal();
    const double history = zTrend;
    if (!e.chance(fin::kMissingEvents)) {
        const int n = e.integer(3, 24);
        const QDate application(2022 + e.integer(0, 2), e.integer(1, 12), e.integer(1, 28));
        const double balanceLevel = std::exp(fin::kBalanceLogMean + fin::kScaleLog * (wealth + vBalance));
        const double balanceDrift = 0.15 * e.normal(); // not causal
        const double ratio0 = clampd(0.97 + 0.04 * e.normal(), 0.80, 1.10);
        for (int k = 0; k < n; ++k) {
            const double f = n > 1 ? static_cast<double>(k) / (n - 1) : 1.0;
            const QDate date = application.addMonths(k - n);
            const double balance = balanceLevel * std::exp(balanceDrift * (f - 0.5) + 0.12 * e.normal());
            double ratio = ratio0 - fin::kRatioFall * zTrend * f + 0.06 * e.normal();
            bool missed = ratio < fin::kMissedBelow;
            if (e.chance(fin::kRandomMiss))
                missed = true;
            ratio = missed ? 0.0 : clampd(ratio, 0.0, 1.25);
            QStringList row = { date.toString(Qt::ISODate), num(balance, 2), num(ratio, 2),
                missed ? QStringLiteral("1") : QStringLiteral("0") };
            for (int j = 1; j < row.size(); ++j) {
                if (e.chance(kMissingEventValue))
                    row[j].clear();
            }
            c.events.push_back(row);
        }
    }

    Rng lat(o.seed, dom, static_cast<std::uint64_t>(index), StreamLatent);
    c.riskRecord = fin::kWeightRecord * record;
    c.riskHistory = fin::kWeightHistory * history;
    c.riskCross = fin::kWeightAfford * affordability;
    c.riskNoise = fin::kNoise * lat.normal();
    c.risk = c.riskRecord + c.riskHistory + c.riskCross + c.riskNoise;
    if (o.notes) {
        makeNote(c, o, false, index);
        c.risk += c.riskText;
    }
    c.positive = c.risk > fin::kThreshold;
    return c;
}

// ---------------------------------------------------------------------------------------------
// Images.

/// Smooth random field in about [-1, 1]: Catmull-Rom interpolation of a coarse grid of normals.
std::vector<float> smoothField(int size, int grid, Rng &rng)
{
    const int g = grid + 3;
    std::vector<double> knots(static_cast<std::size_t>(g * g));
    for (double &k : knots)
        k = 0.5 * rng.normal();
    auto cr = [](double p0, double p1, double p2, double p3, double t) {
        return 0.5
            * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t * t
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t * t * t);
    };
    // Along x for each knot row, then along y.
    std::vector<double> rows(static_cast<std::size_t>(g * size));
    std::vector<int> idx(static_cast<std::size_t>(size));
    std::vector<double> frac(static_cast<std::size_t>(size));
    for (int x = 0; x < size; ++x) {
        const double u = static_cast<double>(x) / std::max(1, size - 1) * (grid - 1) + 1.0;
        idx[static_cast<std::size_t>(x)] = std::min(static_cast<int>(u), g - 3);
        frac[static_cast<std::size_t>(x)] = u - idx[static_cast<std::size_t>(x)];
    }
    for (int j = 0; j < g; ++j) {
        for (int x = 0; x < size; ++x) {
            const int i = idx[static_cast<std::size_t>(x)];
            const double *k = &knots[static_cast<std::size_t>(j * g)];
            rows[static_cast<std::size_t>(j * size + x)]
                = cr(k[i - 1], k[i], k[i + 1], k[i + 2], frac[static_cast<std::size_t>(x)]);
        }
    }
    std::vector<float> out(static_cast<std::size_t>(size * size));
    for (int y = 0; y < size; ++y) {
        const int i = idx[static_cast<std::size_t>(y)];
        const double t = frac[static_cast<std::size_t>(y)];
        for (int x = 0; x < size; ++x) {
            out[static_cast<std::size_t>(y * size + x)]
                = static_cast<float>(cr(rows[static_cast<std::size_t>((i - 1) * size + x)],
                    rows[static_cast<std::size_t>(i * size + x)], rows[static_cast<std::size_t>((i + 1) * size + x)],
                    rows[static_cast<std::size_t>((i + 2) * size + x)], t));
        }
    }
    return out;
}

/// Soft inside-ness of a rotated ellipse: 1 inside, 0 outside, with an edge `edge` pixels wide.
class SoftEllipse
{
public:
    SoftEllipse(double cx, double cy, double a, double b, double theta, double edge)
        : m_cx(cx),
          m_cy(cy),
          m_ia(1.0 / a),
          m_ib(1.0 / b),
          m_c(std::cos(theta)),
          m_s(std::sin(theta)),
          m_k(std::min(a, b) / edge)
    { }
    double operator()(double x, double y) const
    {
        const double dx = x - m_cx, dy = y - m_cy;
        const double u = (dx * m_c + dy * m_s) * m_ia;
        const double v = (-dx * m_s + dy * m_c) * m_ib;
        const double t = (1.0 - std::sqrt(u * u + v * v)) * m_k;
        // Far from the edge the sigmoid is 0 or 1 to double precision; skip the exp there.
        if (t > 40.0)
            return 1.0;
        if (t < -40.0)
            return 0.0;
        return sigmoid(t);
    }

private:
    double m_cx, m_cy, m_ia, m_ib, m_c, m_s, m_k;
};

QString imageSuffix(const DemoOptions &o)
{
    return o.imageFormat == QLatin1String("dicom") ? QStringLiteral(".dcm") : QStringLiteral(".png");
}

QString demoAccession(const QString &caseId)
{
    return QStringLiteral("ACC-") + caseId;
}

/// The demo image as a DICOM file: 12 bits stored (the 8-bit picture × 16) with a window that
/// shows it as the PNG would, one of five transfer syntaxes and every seventh file MONOCHROME1,
/// so an import meets the variety a hospital export has. The identifying attributes belong to
/// made-up patients of two visits each; de-identification must keep every one of them out of a
/// study (tests/tst_dicomimport).
DicomWriteSpec demoDicom(const CaseOut &c, const cv::Mat &grey, int index)
{
    static const char *const syntaxes[] = { "explicit-le", "jpeg-ls", "jpeg2000", "rle", "jpeg-lossless" };
    DicomWriteSpec spec;
    cv::Mat values;
    grey.convertTo(values, CV_16U, 16.0);
    spec.monochrome1 = index % 7 == 3;
    if (spec.monochrome1)
        cv::subtract(cv::Scalar(4095), values, values);
    spec.pixels = values;
    spec.bitsStored = 12;
    spec.transferSyntax = QString::fromLatin1(syntaxes[index % 5]);
    spec.window = true;
    spec.windowCenter = 2048;
    spec.windowWidth = 4096;
    const int patient = index / 2;
    const QDate visit = QDate(2022, 1, 3).addDays(patient % 500 + (index % 2) * 90);
    spec.attributes = { { QStringLiteral("PatientID"), QStringLiteral("PAT%1").arg(patient, 6, 10, QLatin1Char('0')) },
        { QStringLiteral("PatientName"), QStringLiteral("Demo^Patient%1").arg(patient) },
        { QStringLiteral("PatientBirthDate"), QStringLiteral("19%1").arg(40 + patient % 50) + QStringLiteral("0704") },
        { QStringLiteral("AccessionNumber"), demoAccession(c.id) },
        { QStringLiteral("PatientAge"), QStringLiteral("%1Y").arg(c.cells.value(0).toInt(), 3, 10, QLatin1Char('0')) },
        { QStringLiteral("PatientSex"), c.cells.value(1) }, { QStringLiteral("Modality"), QStringLiteral("CR") },
        { QStringLiteral("ViewPosition"), index % 3 == 0 ? QStringLiteral("AP") : QStringLiteral("PA") },
        { QStringLiteral("StudyDate"), visit.toString(QStringLiteral("yyyyMMdd")) },
        { QStringLiteral("InstitutionName"), QStringLiteral("Lepton Demo Hospital") },
        { QStringLiteral("BurnedInAnnotation"), QStringLiteral("NO") } };
    return spec;
}

cv::Mat renderMedicalImage(const CaseOut &c, const DemoOptions &o, int index)
{
    const int n = o.imageSize;
    const double s = n / 128.0;
    Rng rng(o.seed, domainTag(true), static_cast<std::uint64_t>(index), StreamPixels);
    const Anatomy &an = c.anatomy;

    const std::vector<float> texBg = smoothField(n, 4, rng);
    const std::vector<float> texBody = smoothField(n, 7, rng);
    const std::vector<float> texLung = smoothField(n, 9, rng);
    const double bgLevel = rng.uniform(22.0, 38.0);
    const double bodyLevel = rng.uniform(95.0, 112.0);
    const double lungDepth = rng.uniform(14.0, 22.0);
    // Two darker lung fields, mirrored about the body's axis.
    const double lungA = an.a * rng.uniform(0.30, 0.36), lungB = an.b * rng.uniform(0.58, 0.68);
    const double lungOff = an.a * rng.uniform(0.42, 0.50);
    const double lungDy = -an.b * rng.uniform(0.0, 0.10);
    double lungCx[2], lungCy[2];
    for (int side = 0; side < 2; ++side) {
        const double u = (side == 0 ? -1.0 : 1.0) * lungOff;
        lungCx[side] = an.cx + u * std::cos(an.theta) - lungDy * std::sin(an.theta);
        lungCy[side] = an.cy + u * std::sin(an.theta) + lungDy * std::cos(an.theta);
    }

    const SoftEllipse bodyMask(an.cx, an.cy, an.a, an.b, an.theta, 1.2 * s);
    const SoftEllipse leftLung(lungCx[0], lungCy[0], lungA, lungB, an.theta + 0.1, 2.0 * s);
    const SoftEllipse rightLung(lungCx[1], lungCy[1], lungA, lungB, an.theta - 0.1, 2.0 * s);
    std::vector<float> img(static_cast<std::size_t>(n * n));
    std::vector<float> body(static_cast<std::size_t>(n * n));
    for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
            const std::size_t k = static_cast<std::size_t>(y * n + x);
            const double m = bodyMask(x, y);
            const double lung = std::max(leftLung(x, y), rightLung(x, y));
            const double inside = bodyLevel + 8.0 * texBody[k] - lung * (lungDepth + 4.0 * texLung[k]);
            img[k] = static_cast<float>((bgLevel + 10.0 * texBg[k]) * (1.0 - m) + inside * m);
            body[k] = static_cast<float>(m);
        }
    }

    // Vessels: thin tapering curves from the hila into the lungs (bright, but lines, not blobs).
    std::vector<float> vessels(static_cast<std::size_t>(n * n), 0.0f);
    const int nVessels = rng.integer(3, 7);
    for (int v = 0; v < nVessels; ++v) {
        const int side = rng.integer(0, 1);
        const double sx = side == 0 ? -1.0 : 1.0;
        const double x0 = an.cx + sx * an.a * 0.16, y0 = an.cy + an.b * 0.1 * rng.normal();
        const double x2 = an.cx + sx * an.a * rng.uniform(0.45, 0.80), y2 = an.cy + an.b * rng.uniform(-0.65, 0.65);
        const double len = std::hypot(x2 - x0, y2 - y0);
        const double x1 = (x0 + x2) / 2 + 0.2 * len * rng.normal(), y1 = (y0 + y2) / 2 + 0.2 * len * rng.normal();
        const double amp = rng.uniform(12.0, 26.0);
        const double sigma = rng.uniform(0.6, 1.0) * s;
        const int steps = static_cast<int>(std::ceil(len / 0.5)) + 1;
        for (int k = 0; k <= steps; ++k) {
            const double t = static_cast<double>(k) / steps;
            const double px = (1 - t) * (1 - t) * x0 + 2 * (1 - t) * t * x1 + t * t * x2;
            const double py = (1 - t) * (1 - t) * y0 + 2 * (1 - t) * t * y1 + t * t * y2;
            const double a = amp * (1.0 - 0.6 * t);
            const double sg = sigma * (1.0 - 0.4 * t);
            const int r = static_cast<int>(std::ceil(3 * sg));
            for (int yy = std::max(0, static_cast<int>(py) - r); yy <= std::min(n - 1, static_cast<int>(py) + r);
                 ++yy) {
                for (int xx = std::max(0, static_cast<int>(px) - r); xx <= std::min(n - 1, static_cast<int>(px) + r);
                     ++xx) {
                    const double d2 = (xx - px) * (xx - px) + (yy - py) * (yy - py);
                    const float val = static_cast<float>(a * std::exp(-d2 / (2 * sg * sg)));
                    float &dst = vessels[static_cast<std::size_t>(yy * n + xx)];
                    dst = std::max(dst, val);
                }
            }
        }
    }
    for (std::size_t k = 0; k < img.size(); ++k)
        img[k] += vessels[k] * body[k];

    // Rings (calcified-looking outlines): round like a lesion but hollow; apart from each other so
    // that two never merge into something filled.
    const double u = rng.uniform();
    const int nRings = u < 0.40 ? 0 : (u < 0.75 ? 1 : 2);
    double placed[2][3] = {};
    for (int q = 0; q < nRings; ++q) {
        double rx = 0, ry = 0;
        const double radius = rng.uniform(4.0, 9.0) * s;
        for (int attempt = 0; attempt < 8; ++attempt) {
            pointInEllipse(an, 0.75, rng, rx, ry);
            if (q == 0 || std::hypot(rx - placed[0][0], ry - placed[0][1]) > radius + placed[0][2] + 4 * s)
                break;
        }
        placed[q][0] = rx;
        placed[q][1] = ry;
        placed[q][2] = radius;
        const double sg = rng.uniform(0.6, 0.9) * s;
        const double amp = rng.uniform(15.0, 28.0);
        const int r = static_cast<int>(std::ceil(radius + 3 * sg));
        for (int yy = std::max(0, static_cast<int>(ry) - r); yy <= std::min(n - 1, static_cast<int>(ry) + r); ++yy) {
            for (int xx = std::max(0, static_cast<int>(rx) - r); xx <= std::min(n - 1, static_cast<int>(rx) + r);
                 ++xx) {
                const double d = std::hypot(xx - rx, yy - ry) - radius;
                img[static_cast<std::size_t>(yy * n + xx)]
                    += static_cast<float>(amp * std::exp(-d * d / (2 * sg * sg)));
            }
        }
    }

    // The lesion: a filled, slightly lumpy, soft-edged blob.
    const Lesion &l = c.lesion;
    if (l.present) {
        const int r = static_cast<int>(std::ceil(l.radius * (1 + l.lump) + 4 * l.softness));
        const double ca = std::cos(l.angle), sa = std::sin(l.angle);
        for (int yy = std::max(0, static_cast<int>(l.cy) - r); yy <= std::min(n - 1, static_cast<int>(l.cy) + r);
             ++yy) {
            for (int xx = std::max(0, static_cast<int>(l.cx) - r); xx <= std::min(n - 1, static_cast<int>(l.cx) + r);
                 ++xx) {
                const double dx = xx - l.cx, dy = yy - l.cy;
                const double pu = dx * ca + dy * sa;
                const double pv = (-dx * sa + dy * ca) / l.elongation;
                const double d = std::hypot(pu, pv);
                const double rb = l.radius * (1.0 + l.lump * std::sin(3.0 * std::atan2(pv, pu) + l.phase));
                const double inside = sigmoid((rb - d) / l.softness);
                const double dome = 0.85 + 0.15 * std::max(0.0, 1.0 - d * d / (rb * rb));
                img[static_cast<std::size_t>(yy * n + xx)] += static_cast<float>(l.contrast * inside * dome);
            }
        }
    }

    // Scanner: gain, offset and Gaussian noise; then 8 bits.
    const double gain = rng.uniform(0.9, 1.1);
    const double offset = 4.0 * rng.normal();
    const double noise = rng.uniform(4.0, 7.0);
    cv::Mat out(n, n, CV_8UC1);
    for (int y = 0; y < n; ++y) {
        auto *row = out.ptr<unsigned char>(y);
        for (int x = 0; x < n; ++x) {
            const double v = gain * img[static_cast<std::size_t>(y * n + x)] + offset + noise * rng.normal();
            row[x] = static_cast<unsigned char>(clampd(std::floor(v + 0.5), 0.0, 255.0));
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Writing.

QString jsonString(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (const QChar ch : s) {
        switch (ch.unicode()) {
        case '"':
            out += QStringLiteral("\\\"");
            break;
        case '\\':
            out += QStringLiteral("\\\\");
            break;
        case '\n':
            out += QStringLiteral("\\n");
            break;
        case '\r':
            out += QStringLiteral("\\r");
            break;
        case '\t':
            out += QStringLiteral("\\t");
            break;
        default:
            if (ch.unicode() < 0x20)
                out += QStringLiteral("\\u%1").arg(ch.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += ch;
        }
    }
    out += QLatin1Char('"');
    return out;
}

QString jsonList(const QStringList &items)
{
    QStringList q;
    for (const QString &i : items)
        q.append(jsonString(i));
    return QLatin1Char('[') + q.join(QStringLiteral(", ")) + QLatin1Char(']');
}

Status writeFile(const QString &path, const QByteArray &data)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Status::failure(
            QStringLiteral("cannot write %1 (%2); choose a writable output folder").arg(path, f.errorString()));
    if (f.write(data) != data.size() || !f.commit())
        return Status::failure(
            QStringLiteral("cannot write %1 (%2); check the free disk space").arg(path, f.errorString()));
    return Status();
}

struct FieldInfo
{
    QString name;
    QString unit;
};

/// One summand of a record term: weight * (transform(field) - mean) / sd.
struct RecordTerm
{
    QString field;
    QString transform; ///< "x", "ln(x)", "ln(1+x)", or "x == value" (1 or 0)
    double mean;
    double sd;
    double weight;
};

QString recordTermsJson(const std::vector<RecordTerm> &terms)
{
    QStringList items;
    for (const RecordTerm &t : terms) {
        items << QStringLiteral("    {\"field\": %1, \"transform\": %2, \"mean\": %3, \"sd\": %4, \"weight\": %5}")
                     .arg(jsonString(t.field), jsonString(t.transform), num(t.mean, 4), num(t.sd, 4), num(t.weight, 4));
    }
    return QStringLiteral("  \"record_terms\": [\n") + items.join(QStringLiteral(",\n")) + QStringLiteral("\n  ],");
}

QString groundTruth(const DemoOptions &o, bool medical, const std::vector<CaseOut> &cases)
{
    QStringList lines;
    lines << QStringLiteral("{");
    lines << QStringLiteral("  \"generator\": \"lepton-demo 1\",");
    lines << QStringLiteral("  \"domain\": %1,")
                 .arg(jsonString(medical ? QStringLiteral("medical") : QStringLiteral("finance")));
    lines << QStringLiteral("  \"seed\": %1,").arg(o.seed);
    lines << QStringLiteral("  \"cases\": %1,").arg(cases.size());
    QString rule;
    QStringList causal, causalEvents, noise, noiseEvents, actionable, immutable;
    std::vector<FieldInfo> units;
    if (medical) {
        lines << QStringLiteral("  \"image_size\": %1,").arg(o.imageSize);
        lines << QStringLiteral("  \"positive_label\": \"abnormal\",");
        lines << QStringLiteral("  \"negative_label\": \"normal\",");
        rule = QStringLiteral(
            "risk = %1*image + %2*record + %3*history + %4*N(0,1); label = abnormal when risk > %5, else normal. "
            "image = ((lesion present ? 1 + %6*z(radius) + %7*z(contrast) : 0) - %8) / %9, z over the uniform "
            "ranges radius %10-%11 px (at 128 px) and contrast %12-%13 grey levels above the tissue; the vessels and "
            "rings in the images are distractors and do not count. "
            "record = sum of weight * (transform(field) - mean) / sd over record_terms (ln crp_mg_l, "
            "lactate_mmol_l, wbc_10e9_l, systolic_bp, age, smoker). "
            "history = (z_temp + z_hr)/sqrt(2), where temperature_c rises by %14 degC * z_temp and heart_rate by "
            "%15 bpm * z_hr linearly from the first to the last event of the case, so the trend, not the level, "
            "matters; the spo2 drift (%16 percentage points * z) is noise. "
            "A missing value, image or history still had its latent value.")
                   .arg(med::kWeightImage)
                   .arg(med::kWeightRecord)
                   .arg(med::kWeightHistory)
                   .arg(med::kNoise)
                   .arg(med::kThreshold)
                   .arg(med::kImageRadiusWeight)
                   .arg(med::kImageContrastWeight)
                   .arg(med::kImageMean)
                   .arg(med::kImageSd, 0, 'f', 4)
                   .arg(med::kRadiusMin)
                   .arg(med::kRadiusMax)
                   .arg(med::kContrastMin)
                   .arg(med::kContrastMax)
                   .arg(med::kTempRise)
                   .arg(med::kHrRise)
                   .arg(med::kSpo2Drift);
        causal = { QStringLiteral("crp_mg_l"), QStringLiteral("lactate_mmol_l"), QStringLiteral("wbc_10e9_l"),
            QStringLiteral("systolic_bp"), QStringLiteral("age"), QStringLiteral("smoker") };
        causalEvents = { QStringLiteral("temperature_c"), QStringLiteral("heart_rate") };
        noise = { QStringLiteral("sex"), QStringLiteral("height_cm"), QStringLiteral("ward"),
            QStringLiteral("blood_group"), QStringLiteral("referral"), QStringLiteral("admission_date") };
        noiseEvents = { QStringLiteral("spo2") };
        actionable = { QStringLiteral("crp_mg_l"), QStringLiteral("lactate_mmol_l"), QStringLiteral("wbc_10e9_l"),
            QStringLiteral("systolic_bp"), QStringLiteral("smoker") };
        immutable = { QStringLiteral("age"), QStringLiteral("sex") };
        units = { { QStringLiteral("age"), QStringLiteral("years") }, { QStringLiteral("sex"), QStringLiteral("M/F") },
            { QStringLiteral("height_cm"), QStringLiteral("cm") },
            { QStringLiteral("ward"), QStringLiteral("category A-F") },
            { QStringLiteral("blood_group"), QStringLiteral("category") },
            { QStringLiteral("referral"), QStringLiteral("category") },
            { QStringLiteral("smoker"), QStringLiteral("yes/no") },
            { QStringLiteral("admission_date"), QStringLiteral("ISO date") },
            { QStringLiteral("systolic_bp"), QStringLiteral("mmHg") },
            { QStringLiteral("crp_mg_l"), QStringLiteral("mg/L") },
            { QStringLiteral("wbc_10e9_l"), QStringLiteral("10^9/L") },
            { QStringLiteral("lactate_mmol_l"), QStringLiteral("mmol/L") },
            { QStringLiteral("time"), QStringLiteral("hours since admission") },
            { QStringLiteral("heart_rate"), QStringLiteral("bpm") },
            { QStringLiteral("temperature_c"), QStringLiteral("degC") },
            { QStringLiteral("spo2"), QStringLiteral("%") } };
    } else {
        lines << QStringLiteral("  \"positive_label\": \"bad\",");
        lines << QStringLiteral("  \"negative_label\": \"good\",");
        rule = QStringLiteral(
            "risk = %1*record + %2*history + %3*affordability + %4*N(0,1); label = bad when risk > %5, else good. "
            "record = sum of weight * (transform(field) - mean) / sd over record_terms (debt_ratio, duration_months, "
            "ln(1 + employment_years), age, housing = rent, purpose = business or vacation). "
            "history = z_trend, where payment_ratio falls by %6 * z_trend from the first to the last monthly "
            "statement (a month whose ratio would be below %7, and 1.5 % of months at random, are missed "
            "payments: payment_ratio 0, missed_payment 1). "
            "affordability = ((ln loan_amount - %8) - (ln balance_level - %9)) / (%10 * sqrt(2)), where "
            "balance_level is the level the monthly balances scatter around (12 % noise and a small drift, "
            "neither causal). loan_amount and balance both scale with an unobserved wealth, so neither the record "
            "nor the history alone tells affordability; together they do. income is correlated with wealth but "
            "not causal. A missing value or history still had its latent value.")
                   .arg(fin::kWeightRecord)
                   .arg(fin::kWeightHistory)
                   .arg(fin::kWeightAfford)
                   .arg(fin::kNoise)
                   .arg(fin::kThreshold)
                   .arg(fin::kRatioFall)
                   .arg(fin::kMissedBelow)
                   .arg(fin::kLoanLogMean)
                   .arg(fin::kBalanceLogMean)
                   .arg(fin::kScaleLog);
        causal = { QStringLiteral("debt_ratio"), QStringLiteral("loan_amount"), QStringLiteral("duration_months"),
            QStringLiteral("employment_years"), QStringLiteral("age"), QStringLiteral("housing"),
            QStringLiteral("purpose") };
        causalEvents = { QStringLiteral("payment_ratio"), QStringLiteral("missed_payment"), QStringLiteral("balance") };
        noise = { QStringLiteral("income"), QStringLiteral("marital_status"), QStringLiteral("region"),
            QStringLiteral("phone_type") };
        noiseEvents = {};
        actionable = { QStringLiteral("loan_amount"), QStringLiteral("duration_months"), QStringLiteral("debt_ratio") };
        immutable = { QStringLiteral("age") };
        units = { { QStringLiteral("age"), QStringLiteral("years") },
            { QStringLiteral("income"), QStringLiteral("EUR/year") },
            { QStringLiteral("loan_amount"), QStringLiteral("EUR") },
            { QStringLiteral("duration_months"), QStringLiteral("months") },
            { QStringLiteral("purpose"), QStringLiteral("category") },
            { QStringLiteral("debt_ratio"), QStringLiteral("fraction of income") },
            { QStringLiteral("employment_years"), QStringLiteral("years") },
            { QStringLiteral("housing"), QStringLiteral("category") },
            { QStringLiteral("marital_status"), QStringLiteral("category") },
            { QStringLiteral("region"), QStringLiteral("category") },
            { QStringLiteral("phone_type"), QStringLiteral("category") },
            { QStringLiteral("time"), QStringLiteral("ISO date of the monthly statement") },
            { QStringLiteral("balance"), QStringLiteral("EUR") },
            { QStringLiteral("payment_ratio"), QStringLiteral("fraction of the due instalment paid") },
            { QStringLiteral("missed_payment"), QStringLiteral("0/1") } };
    }
    lines << QStringLiteral("  \"rule\": %1,").arg(jsonString(rule));
    if (medical) {
        const double k = 1.0 / med::recordNorm();
        lines << QStringLiteral("  \"weights\": {\"image\": %1, \"record\": %2, \"history\": %3, \"noise\": %4},")
                     .arg(num(med::kWeightImage, 4), num(med::kWeightRecord, 4), num(med::kWeightHistory, 4),
                         num(med::kNoise, 4));
        lines << QStringLiteral("  \"threshold\": %1,").arg(num(med::kThreshold, 4));
        lines << recordTermsJson(
            { { QStringLiteral("crp_mg_l"), QStringLiteral("ln(x)"), med::kCrpLogMean, med::kCrpLogSd, med::kWCrp * k },
                { QStringLiteral("lactate_mmol_l"), QStringLiteral("x"), med::kLactateMean, med::kLactateSd,
                    med::kWLactate * k },
                { QStringLiteral("wbc_10e9_l"), QStringLiteral("x"), med::kWbcMean, med::kWbcSd, med::kWWbc * k },
                { QStringLiteral("systolic_bp"), QStringLiteral("x"), med::kSbpMean, med::kSbpSd, med::kWSbp * k },
                { QStringLiteral("age"), QStringLiteral("x"), med::kAgeMean, med::kAgeSd, med::kWAge * k },
                { QStringLiteral("smoker"), QStringLiteral("x == yes"), med::kSmokerRate,
                    std::sqrt(med::kSmokerRate * (1 - med::kSmokerRate)), med::kWSmoker * k } });
        lines << QStringLiteral("  \"history_terms\": [\n"
                                "    {\"field\": \"temperature_c\", \"rise_per_unit\": %1, \"weight\": %3},\n"
                                "    {\"field\": \"heart_rate\", \"rise_per_unit\": %2, \"weight\": %3}\n  ],")
                     .arg(num(med::kTempRise, 2), num(med::kHrRise, 2), num(1.0 / std::sqrt(2.0), 4));
    } else {
        const double k = 1.0 / fin::recordNorm();
        lines << QStringLiteral(
            "  \"weights\": {\"record\": %1, \"history\": %2, \"affordability\": %3, \"noise\": %4},")
                     .arg(num(fin::kWeightRecord, 4), num(fin::kWeightHistory, 4), num(fin::kWeightAfford, 4),
                         num(fin::kNoise, 4));
        lines << QStringLiteral("  \"threshold\": %1,").arg(num(fin::kThreshold, 4));
        lines << recordTermsJson(
            { { QStringLiteral("debt_ratio"), QStringLiteral("x"), fin::kDebtMean, fin::kDebtSd, fin::kWDebt * k },
                { QStringLiteral("duration_months"), QStringLiteral("x"), fin::kDurationMean, fin::kDurationSd,
                    fin::kWDuration * k },
                { QStringLiteral("employment_years"), QStringLiteral("ln(1+x)"), fin::kEmpLogMean, fin::kEmpLogSd,
                    fin::kWEmployment * k },
                { QStringLiteral("age"), QStringLiteral("x"), fin::kAgeMean, fin::kAgeSd, fin::kWAge * k },
                { QStringLiteral("housing"), QStringLiteral("x == rent"), fin::kRentRate, 1.0, fin::kWRent * k },
                { QStringLiteral("purpose"), QStringLiteral("x == business or x == vacation"), fin::kRiskyPurposeRate,
                    1.0, fin::kWRiskyPurpose * k } });
        lines << QStringLiteral("  \"history_terms\": [\n"
                                "    {\"field\": \"payment_ratio\", \"fall_per_unit\": %1, \"weight\": 1.0000}\n  ],")
                     .arg(num(fin::kRatioFall, 2));
        lines << QStringLiteral(
            "  \"affordability\": {\"loan_amount_ln_mean\": %1, \"balance_ln_mean\": %2, \"ln_scale\": %3},")
                     .arg(num(fin::kLoanLogMean, 4), num(fin::kBalanceLogMean, 4), num(fin::kScaleLog, 4));
    }
    lines << QStringLiteral("  \"causal_fields\": %1,").arg(jsonList(causal));
    lines << QStringLiteral("  \"case_causal_fields\": %1,")
                 .arg(jsonString(QStringLiteral(
                     "each case's causal_fields are those of the causal fields whose own term moved the case's risk "
                     "by at least %1 away from an average case, observed in the case, at most "
                     "the %2 largest; they replace the list above for that case")
                                     .arg(kCausalFieldRisk)
                                     .arg(kMaxCausalFieldsPerCase)));
    lines << QStringLiteral("  \"causal_event_fields\": %1,").arg(jsonList(causalEvents));
    lines << QStringLiteral("  \"noise_fields\": %1,").arg(jsonList(noise));
    lines << QStringLiteral("  \"noise_event_fields\": %1,").arg(jsonList(noiseEvents));
    lines << QStringLiteral("  \"actionable_fields\": %1,").arg(jsonList(actionable));
    lines << QStringLiteral("  \"immutable_fields\": %1,").arg(jsonList(immutable));
    lines << QStringLiteral("  \"units\": {");
    for (std::size_t i = 0; i < units.size(); ++i) {
        lines << QStringLiteral("    %1: %2%3")
                     .arg(jsonString(units[i].name), jsonString(units[i].unit),
                         i + 1 < units.size() ? QStringLiteral(",") : QString());
    }
    lines << QStringLiteral("  },");
    lines << QStringLiteral("  \"case_list\": [");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const CaseOut &c = cases[i];
        QString entry
            = QStringLiteral("    {\"case_id\": %1, \"label\": %2, \"causal_fields\": %3")
                  .arg(jsonString(c.id),
                      jsonString(medical ? (c.positive ? QStringLiteral("abnormal") : QStringLiteral("normal"))
                                         : (c.positive ? QStringLiteral("bad") : QStringLiteral("good"))),
                      jsonList(c.causalFields));
        if (medical) {
            entry += QStringLiteral(", \"image\": %1")
                         .arg(c.hasImage ? jsonString(QStringLiteral("images/") + c.id + imageSuffix(o))
                                         : QStringLiteral("null"));
            if (c.hasImage && c.lesion.present) {
                entry += QStringLiteral(
                    ", \"lesion\": {\"x\": %1, \"y\": %2, \"w\": %3, \"h\": %4, \"cx\": %5, \"cy\": %6, "
                    "\"radius\": %7, \"contrast\": %8}")
                             .arg(c.lesion.bx)
                             .arg(c.lesion.by)
                             .arg(c.lesion.bw)
                             .arg(c.lesion.bh)
                             .arg(num(c.lesion.cx, 2), num(c.lesion.cy, 2), num(c.lesion.radius, 2),
                                 num(c.lesion.contrast, 1));
            } else {
                entry += QStringLiteral(", \"lesion\": null");
            }
            entry += QStringLiteral(", \"lesion_planted\": %1")
                         .arg(c.lesion.present ? QStringLiteral("true") : QStringLiteral("false"));
            entry += QStringLiteral(", \"has_events\": %1")
                         .arg(c.events.empty() ? QStringLiteral("false") : QStringLiteral("true"));
            entry += QStringLiteral(
                ", \"risk\": {\"image\": %1, \"record\": %2, \"history\": %3, \"noise\": %4, \"total\": %5}}")
                         .arg(num(c.riskImage, 4), num(c.riskRecord, 4), num(c.riskHistory, 4), num(c.riskNoise, 4),
                             num(c.risk, 4));
        } else {
            entry += QStringLiteral(", \"has_events\": %1")
                         .arg(c.events.empty() ? QStringLiteral("false") : QStringLiteral("true"));
            entry += QStringLiteral(
                ", \"risk\": {\"record\": %1, \"history\": %2, \"affordability\": %3, \"noise\": %4, \"total\": %5}}")
                         .arg(num(c.riskRecord, 4), num(c.riskHistory, 4), num(c.riskCross, 4), num(c.riskNoise, 4),
                             num(c.risk, 4));
        }
        if (o.notes) {
            entry.chop(1); // the closing brace
            entry += QStringLiteral(", \"causal_words\": %1, \"negated_words\": %2, \"text_risk\": %3}")
                         .arg(jsonList(c.causalWords), jsonList(c.negatedWords), num(c.riskText, 4));
        }
        if (i + 1 < cases.size())
            entry += QLatin1Char(',');
        lines << entry;
    }
    lines << QStringLiteral("  ]");
    lines << QStringLiteral("}");
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace

Result<DemoSummary> DemoGenerator::generate(const DemoOptions &options)
{
    const QString domain = options.domain.trimmed().toLower();
    const bool medical = domain == QLatin1String("medical");
    if (!medical && domain != QLatin1String("finance"))
        return Result<DemoSummary>::failure(
            QStringLiteral("unknown demo domain \"%1\"; use \"medical\" or \"finance\"").arg(options.domain));
    if (options.cases < 10 || options.cases > 1000000)
        return Result<DemoSummary>::failure(
            QStringLiteral("%1 demo cases asked for; ask for between 10 and 1000000").arg(options.cases));
    if (medical && (options.imageSize < 32 || options.imageSize > 2048))
        return Result<DemoSummary>::failure(
            QStringLiteral("image size %1 px is out of range; use 32 to 2048 (default 128)").arg(options.imageSize));
    if (options.outDir.trimmed().isEmpty())
        return Result<DemoSummary>::failure(
            QStringLiteral("no output folder given; choose a folder for the demo data"));

    const QString outDir = QDir::cleanPath(options.outDir);
    const QFileInfo outInfo(outDir);
    if (outInfo.exists() && !outInfo.isDir())
        return Result<DemoSummary>::failure(
            QStringLiteral("cannot create output folder %1: a file of that name exists; choose another folder")
                .arg(outDir));
    if (!QDir().mkpath(outDir))
        return Result<DemoSummary>::failure(
            QStringLiteral("cannot create output folder %1; check that its parent exists and is writable").arg(outDir));
    const QDir dir(outDir);
    if (medical && !dir.mkpath(QStringLiteral("images")))
        return Result<DemoSummary>::failure(QStringLiteral("cannot create folder %1; check that %2 is writable")
                                                .arg(dir.filePath(QStringLiteral("images")), outDir));

    auto isCancelled = [&] { return options.cancelled && options.cancelled(); };
    const int n = options.cases;
    const int idWidth = std::max(5, static_cast<int>(QString::number(n).size()));
    const qint64 total = static_cast<qint64>(n) * (medical ? 2 : 1) + 1;
    std::atomic<qint64> done { 0 };
    std::mutex progressMutex; // the callback need not be thread-safe
    qint64 reported = 0;
    auto report = [&](const QString &stage) {
        const qint64 d = ++done;
        if (!options.progress || (d % 64 != 0 && d != total))
            return;
        std::lock_guard<std::mutex> lock(progressMutex);
        if (d > reported) { // threads may arrive out of order; never report going backwards
            reported = d;
            options.progress(d, total, stage);
        }
    };

    // Cases are cheap; draw them in order (each from its own streams anyway).
    std::vector<CaseOut> cases(static_cast<std::size_t>(n));
    const QString stageCases = QStringLiteral("generating cases");
    for (int i = 0; i < n; ++i) {
        if ((i & 255) == 0 && isCancelled())
            return Result<DemoSummary>::failure(QStringLiteral("cancelled"));
        cases[static_cast<std::size_t>(i)]
            = medical ? makeMedicalCase(options, i, idWidth) : makeFinanceCase(options, i, idWidth);
        report(stageCases);
    }

    int images = 0;
    if (medical) {
        std::mutex errorMutex;
        QString firstError;
        std::atomic<bool> failed { false };
        const std::vector<int> pngParams = { cv::IMWRITE_PNG_COMPRESSION, 3 };
        const QString stageImages = QStringLiteral("writing images");
        parallelFor(
            static_cast<std::size_t>(n), 0,
            [&](std::size_t i) {
                const CaseOut &c = cases[i];
                if (c.hasImage) {
                    const cv::Mat img = renderMedicalImage(c, options, static_cast<int>(i));
                    const QString path = dir.filePath(QStringLiteral("images/") + c.id + imageSuffix(options));
                    bool ok = false;
                    if (options.imageFormat == QLatin1String("dicom")) {
                        const QString error = writeDicom(path, demoDicom(c, img, static_cast<int>(i)));
                        ok = error.isEmpty();
                    } else {
                        try {
                            ok = cv::imwrite(QFile::encodeName(path).toStdString(), img, pngParams);
                        } catch (const cv::Exception &) {
                            ok = false;
                        }
                    }
                    if (!ok) {
                        std::lock_guard<std::mutex> lock(errorMutex);
                        if (firstError.isEmpty())
                            firstError = QStringLiteral(
                                "cannot write image %1; check that the folder is writable and the disk not full")
                                             .arg(path);
                        failed = true;
                    }
                }
                report(stageImages);
            },
            [&] { return failed.load() || isCancelled(); });
        if (failed)
            return Result<DemoSummary>::failure(firstError);
        if (isCancelled())
            return Result<DemoSummary>::failure(QStringLiteral("cancelled"));
        for (const CaseOut &c : cases)
            images += c.hasImage ? 1 : 0;
    }

    // Tables.
    QStringList header = { QStringLiteral("case_id"), QStringLiteral("label") };
    if (medical)
        header << QStringLiteral("image");
    header << (medical ? med::kFields : fin::kFields);
    if (options.notes)
        header << QStringLiteral("note");
    QString manifest = csvLine(header) + QLatin1Char('\n');
    QStringList eventHeader = { QStringLiteral("case_id"), QStringLiteral("time") };
    eventHeader << (medical ? med::kEventFields : fin::kEventFields);
    QString events = csvLine(eventHeader) + QLatin1Char('\n');
    int positives = 0, eventRows = 0;
    for (const CaseOut &c : cases) {
        QStringList row = { c.id,
            medical ? (c.positive ? QStringLiteral("abnormal") : QStringLiteral("normal"))
                    : (c.positive ? QStringLiteral("bad") : QStringLiteral("good")) };
        if (medical)
            row << (c.hasImage ? QStringLiteral("images/") + c.id + imageSuffix(options) : QString());
        row << c.cells;
        if (options.notes)
            row << c.note;
        manifest += csvLine(row) + QLatin1Char('\n');
        for (const QStringList &e : c.events) {
            events += csvLine(QStringList { c.id } + e) + QLatin1Char('\n');
            ++eventRows;
        }
        positives += c.positive ? 1 : 0;
    }
    if (isCancelled())
        return Result<DemoSummary>::failure(QStringLiteral("cancelled"));

    DemoSummary summary;
    summary.manifestPath = dir.filePath(QStringLiteral("manifest.csv"));
    summary.eventsPath = dir.filePath(QStringLiteral("events.csv"));
    summary.groundTruthPath = dir.filePath(QStringLiteral("ground_truth.json"));
    summary.cases = n;
    summary.positives = positives;
    summary.images = images;
    summary.events = eventRows;
    Status st = writeFile(summary.manifestPath, manifest.toUtf8());
    if (st.ok() && medical && options.imageFormat == QLatin1String("dicom")) {
        // For `lepton import --dicom-dir images --labels labels.csv --join-on AccessionNumber`.
        QString labels = QStringLiteral("AccessionNumber,label\n");
        for (const CaseOut &c : cases)
            if (c.hasImage)
                labels += csvLine({ demoAccession(c.id),
                              c.positive ? QStringLiteral("abnormal") : QStringLiteral("normal") })
                    + QLatin1Char('\n');
        st = writeFile(dir.filePath(QStringLiteral("labels.csv")), labels.toUtf8());
    }
    if (st.ok())
        st = writeFile(summary.eventsPath, events.toUtf8());
    if (st.ok())
        st = writeFile(summary.groundTruthPath, groundTruth(options, medical, cases).toUtf8());
    if (!st.ok())
        return Result<DemoSummary>::failure(st.error());
    report(QStringLiteral("writing tables"));
    return summary;
}

} // namespace lepton
