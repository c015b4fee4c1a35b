// SPDX-License-Identifier: GPL-3.0-or-later
#include "DecisionText.h"

#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lepton {
namespace {

/// Class names that by convention mean "the thing looked for"; compared case-insensitively.
const QStringList &knownPositiveNames()
{
    static const QStringList names { QStringLiteral("positive"), QStringLiteral("pos"), QStringLiteral("yes"),
        QStringLiteral("y"), QStringLiteral("true"), QStringLiteral("t"), QStringLiteral("1"),
        QStringLiteral("abnormal"), QStringLiteral("malignant"), QStringLiteral("disease"), QStringLiteral("diseased"),
        QStringLiteral("sick"), QStringLiteral("present"), QStringLiteral("detected"), QStringLiteral("default"),
        QStringLiteral("defaulted"), QStringLiteral("fraud"), QStringLiteral("fraudulent"), QStringLiteral("bad"),
        QStringLiteral("churn"), QStringLiteral("churned"), QStringLiteral("failure"), QStringLiteral("fail"),
        QStringLiteral("event"), QStringLiteral("case"), QStringLiteral("anomaly"), QStringLiteral("high_risk"),
        QStringLiteral("high risk"), QStringLiteral("pneumonia"), QStringLiteral("covid"), QStringLiteral("cancer"),
        QStringLiteral("tumor"), QStringLiteral("tumour"), QStringLiteral("lesion"), QStringLiteral("died"),
        QStringLiteral("death"), QStringLiteral("dead") };
    return names;
}

int knownPositive(const QStringList &classes)
{
    int found = -1;
    for (int i = 0; i < classes.size(); ++i)
        if (knownPositiveNames().contains(classes[i].trimmed().toLower())) {
            if (found >= 0)
                return -1; // two "positive" names: the name says nothing
            found = i;
        }
    return found;
}

QString percent(double p)
{
    const double v = 100.0 * p;
    // Small thresholds keep a decimal ("4.8 %"); the rest are whole percents.
    // Near an even split too, so that two classes never both read "50 %".
    const bool fraction = std::abs(v - std::round(v)) > 0.05;
    const int decimals = fraction && ((v > 0.0 && v < 10.0) || (v > 45.0 && v < 55.0)) ? 1 : 0;
    return QStringLiteral("%1 %").arg(v, 0, 'f', decimals);
}

QString times(double r)
{
    return std::abs(r - std::round(r)) < 0.05 ? QString::number(std::lround(r)) : QString::number(r, 'f', 1);
}

} // namespace

int choosePositiveClass(const QStringList &classes, const std::vector<int> &counts)
{
    if (classes.isEmpty())
        return -1;
    if (classes.size() == 2) {
        if (const int k = knownPositive(classes); k >= 0)
            return k;
    }
    if (counts.size() == static_cast<std::size_t>(classes.size())) {
        const auto rarest = std::min_element(counts.begin(), counts.end());
        // Equal counts say nothing either: fall through to the last class.
        if (std::count(counts.begin(), counts.end(), *rarest) == 1)
            return static_cast<int>(rarest - counts.begin());
    }
    return static_cast<int>(classes.size()) - 1;
}

QString positiveClassReason(const QStringList &classes, const std::vector<int> &counts)
{
    const int k = choosePositiveClass(classes, counts);
    if (k < 0)
        return {};
    if (classes.size() == 2 && knownPositive(classes) == k)
        return QStringLiteral("'%1' names the class looked for").arg(classes[k]);
    if (counts.size() == static_cast<std::size_t>(classes.size())
        && std::count(counts.begin(), counts.end(), counts[static_cast<std::size_t>(k)]) == 1
        && *std::min_element(counts.begin(), counts.end()) == counts[static_cast<std::size_t>(k)])
        return QStringLiteral("'%1' is the rarer class in training (%2 of %3 cases)")
            .arg(classes[k])
            .arg(counts[static_cast<std::size_t>(k)])
            .arg(std::accumulate(counts.begin(), counts.end(), 0));
    return QStringLiteral("'%1' is the last class (no known name, classes equally frequent)").arg(classes[k]);
}

QString probabilityText(const QString &className, double probability)
{
    return QStringLiteral("p(%1) = %2").arg(className, percent(probability));
}

double decisionThreshold(const DomainTemplate &t)
{
    if (t.classes.size() != 2)
        return std::numeric_limits<double>::quiet_NaN();
    const int pos = std::max(0, t.positiveIndex());
    const int neg = 1 - pos;
    if (t.rule == DomainTemplate::Rule::Threshold)
        return t.threshold;
    if (t.cost.size() != 2)
        return 0.5;
    const auto c = [&](int truth, int decided) {
        return t.cost[static_cast<std::size_t>(truth)][static_cast<std::size_t>(decided)];
    };
    const double falseAlarm = c(neg, pos) - c(neg, neg);
    const double miss = c(pos, neg) - c(pos, pos);
    if (falseAlarm + miss <= 0.0)
        return 0.5;
    return std::clamp(falseAlarm / (falseAlarm + miss), 0.0, 1.0);
}

QString ruleText(const DomainTemplate &t)
{
    if (t.classes.size() != 2)
        return t.rule == DomainTemplate::Rule::MinimiseExpectedCost
            ? QStringLiteral("the class with the lowest expected cost under the template's costs")
            : QStringLiteral("the most likely class");
    const QString pos = t.positiveClass.isEmpty() ? t.classes.last() : t.positiveClass;
    const QString neg = t.classes.value(1 - std::max(0, t.positiveIndex()));
    QString text = QStringLiteral("%1 when p(%1) ≥ %2").arg(pos, percent(decisionThreshold(t)));
    if (t.rule == DomainTemplate::Rule::MinimiseExpectedCost && t.cost.size() == 2) {
        const int p = std::max(0, t.positiveIndex()), n = 1 - p;
        const double falseAlarm = t.cost[static_cast<std::size_t>(n)][static_cast<std::size_t>(p)]
            - t.cost[static_cast<std::size_t>(n)][static_cast<std::size_t>(n)];
        const double miss = t.cost[static_cast<std::size_t>(p)][static_cast<std::size_t>(n)]
            - t.cost[static_cast<std::size_t>(p)][static_cast<std::size_t>(p)];
        if (falseAlarm > 0.0 && miss > 0.0 && std::abs(miss - falseAlarm) > 1e-9)
            text += miss > falseAlarm
                ? QStringLiteral(": a missed %1 costs %2× a false alarm").arg(pos, times(miss / falseAlarm))
                : QStringLiteral(": a false alarm costs %1× a missed %2").arg(times(falseAlarm / miss), pos);
        else if (falseAlarm > 0.0 && miss > 0.0)
            text += QStringLiteral(": a missed %1 and a false alarm cost the same").arg(pos);
    }
    text += QStringLiteral(", else %1").arg(neg);
    return text;
}

int mostLikelyClass(const std::vector<double> &p)
{
    if (p.empty())
        return -1;
    return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

QString differsText(const DomainTemplate &t, const std::vector<double> &p, int decided)
{
    const int likely = mostLikelyClass(p);
    if (likely < 0 || decided < 0 || likely == decided || decided >= static_cast<int>(p.size()))
        return {};
    const QString likelyName = t.classes.value(likely), decidedName = t.classes.value(decided);
    QString text = QStringLiteral("%1 is more likely (%2), but %3 is decided")
                       .arg(likelyName, probabilityText(likelyName, p[static_cast<std::size_t>(likely)]), decidedName);
    if (t.classes.size() == 2) {
        const int pos = std::max(0, t.positiveIndex());
        const double th = decisionThreshold(t);
        const double pp = p[static_cast<std::size_t>(pos)];
        text += QStringLiteral(": %1 %2 %3")
                    .arg(probabilityText(t.classes[pos], pp), pp >= th ? QStringLiteral("≥") : QStringLiteral("<"),
                        percent(th));
        const QString rule = ruleText(t);
        const int colon = rule.indexOf(QLatin1Char(':'));
        if (colon > 0) {
            const int comma = rule.lastIndexOf(QStringLiteral(", else"));
            text += QStringLiteral(", and") + rule.mid(colon + 1, comma > colon ? comma - colon - 1 : -1);
        }
    } else {
        text += QStringLiteral(": it has the lowest expected cost");
    }
    return text;
}

QStringList overrideChoices(const QStringList &classes, const QString &decided)
{
    QStringList out;
    for (const QString &c : classes)
        if (c != decided)
            out.append(c);
    return out;
}

} // namespace lepton
