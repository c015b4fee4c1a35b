// SPDX-License-Identifier: GPL-3.0-or-later
#include "CalibrationPane.h"

#include "CurvePlot.h"

#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

CalibrationPane::CalibrationPane(QWidget *parent)
    : QWidget(parent), m_plot(new CurvePlot(this)), m_caption(new QLabel(this))
{
    m_plot->setObjectName(QStringLiteral("calibrationPlot"));
    m_plot->setKind(CurvePlot::Kind::Reliability);
    m_plot->setAxisLabels(tr("Confidence (probability of the predicted class)"), tr("Accuracy"));
    m_caption->setObjectName(QStringLiteral("calibrationCaption"));
    m_caption->setWordWrap(true);
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_caption);
}

QString CalibrationPane::formatEce(double ece)
{
    return std::isfinite(ece) ? QString::number(ece, 'f', 4) : QStringLiteral("–");
}

void CalibrationPane::clear(const QString &placeholder)
{
    m_plot->clear();
    m_plot->setTitle(QString());
    m_plot->setPlaceholderText(placeholder);
    m_caption->clear();
    m_eceText.clear();
}

void CalibrationPane::showResults(const lepton::SplitResults &results, const QString &label, const QColor &colour)
{
    using Source = lepton::SplitResults::Source;
    const lepton::Reliability &reliability = results.reliability;
    if (results.reliabilitySource == Source::None || reliability.isEmpty()) {
        clear(tr("Run %1 has no evaluation or stored predictions with labels on the %2 split. Predict the split "
                 "first (Predict and explain…).")
                  .arg(results.runId)
                  .arg(results.split));
        return;
    }
    m_plot->clear();
    QVector<double> x, y, w;
    for (const lepton::ReliabilityBin &bin : reliability.bins()) {
        if (bin.count == 0)
            continue;
        x.append(bin.meanConfidence);
        y.append(bin.accuracy);
        w.append(bin.count);
    }
    m_eceText = formatEce(reliability.ece());
    m_plot->setTitle(tr("Reliability · %1 split · ECE %2").arg(results.split, m_eceText));
    m_plot->addCurve(tr("%1 · ECE %2").arg(label, m_eceText), x, y, colour, w);
    const QString source = results.reliabilitySource == Source::Evaluation
        ? tr("the final evaluation of the best epoch (the Metrics table's and lepton evaluate's ECE)")
        : tr("the run's stored predictions");
    QString text = tr("ECE %1 over %n labelled case(s) in %2 equal-width bins of the model's probability of the "
                      "predicted class, from %3. A disc's area grows with its cases; on the diagonal, cases "
                      "predicted with confidence p are right p of the time.",
        nullptr, reliability.count())
                       .arg(m_eceText)
                       .arg(reliability.bins().size())
                       .arg(source);
    if (std::isfinite(results.temperature))
        text += QLatin1Char(' ')
            + tr("Decisions use probabilities calibrated on the val split (temperature %1: validation ECE %2 → %3).")
                  .arg(results.temperature, 0, 'f', 3)
                  .arg(formatEce(results.valEceBefore), formatEce(results.valEceAfter));
    m_caption->setText(text);
}
