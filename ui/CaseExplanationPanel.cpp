// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseExplanationPanel.h"

#include "HeatmapView.h"
#include "SignedBarChart.h"
#include "TemporalAttentionPlot.h"

#include "data/GroundTruth.h"
#include "data/ImageDecoder.h"
#include "store/DatasetRepository.h"
#include "store/ExplanationRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDate>
#include <QFormLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <opencv2/core.hpp>

namespace {

/// A stored map (8-bit grey PNG scaled to its maximum) as values relative to that maximum.
QVector<float> mapValues(const QByteArray &png, int *width, int *height)
{
    const QImage img = QImage::fromData(png, "PNG").convertToFormat(QImage::Format_Grayscale8);
    *width = img.width();
    *height = img.height();
    QVector<float> out;
    out.reserve(img.width() * img.height());
    for (int y = 0; y < img.height(); ++y) {
        const uchar *row = img.constScanLine(y);
        for (int x = 0; x < img.width(); ++x)
            out.append(row[x] / 255.0f);
    }
    return out;
}

QImage greyImage(const cv::Mat &decoded)
{
    cv::Mat eight;
    if (decoded.depth() == CV_16U)
        decoded.convertTo(eight, CV_8U, 1.0 / 257.0);
    else
        eight = decoded;
    if (eight.channels() == 3)
        return QImage(eight.data, eight.cols, eight.rows, static_cast<int>(eight.step), QImage::Format_BGR888).copy();
    if (eight.channels() == 1)
        return QImage(eight.data, eight.cols, eight.rows, static_cast<int>(eight.step), QImage::Format_Grayscale8)
            .copy();
    return QImage(eight.data, eight.cols, eight.rows, static_cast<int>(eight.step), QImage::Format_ARGB32).copy();
}

QString percent(double p)
{
    return QStringLiteral("%1 %").arg(100.0 * p, 0, 'f', 1);
}

} // namespace

CaseExplanationPanel::CaseExplanationPanel(bool compact, QWidget *parent)
    : QWidget(parent),
      m_compact(compact),
      m_title(new QLabel(this)),
      m_decision(new QLabel(this)),
      m_heatmap(new HeatmapView(this)),
      m_overlay(new QComboBox(this)),
      m_colourMap(new QComboBox(this)),
      m_opacity(new QSlider(Qt::Horizontal, this)),
      m_lesion(new QCheckBox(tr("Lesion box"), this)),
      m_modalities(new SignedBarChart(this)),
      m_fields(new SignedBarChart(this)),
      m_fieldSource(new QComboBox(this)),
      m_counterfactualText(new QLabel(this)),
      m_counterfactual(new QTableWidget(this))
{
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_decision->setWordWrap(true);
    m_decision->setTextFormat(Qt::RichText);

    m_overlay->addItem(tr("Attention map"), int(Overlay::Attention));
    m_overlay->addItem(tr("Grad-CAM"), int(Overlay::GradCam));
    m_overlay->addItem(tr("No overlay"), int(Overlay::None));
    m_overlay->setToolTip(tr("What is laid over the image (T toggles it)"));
    m_colourMap->addItem(tr("Jet"), int(HeatmapView::ColourMap::Jet));
    m_colourMap->addItem(tr("Viridis"), int(HeatmapView::ColourMap::Viridis));
    m_colourMap->addItem(tr("Hot"), int(HeatmapView::ColourMap::Hot));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(50);
    m_opacity->setToolTip(tr("Opacity of the overlay"));
    m_lesion->setChecked(true);
    m_lesion->setToolTip(tr("The lesion's box from the demo data's ground truth, when it is known"));
    m_lesion->setEnabled(false);

    auto *imageControls = new QHBoxLayout;
    imageControls->addWidget(m_overlay);
    imageControls->addWidget(m_colourMap);
    imageControls->addWidget(new QLabel(tr("Opacity"), this));
    imageControls->addWidget(m_opacity, 1);
    imageControls->addWidget(m_lesion);

    auto *imageBox = new QWidget(this);
    auto *imageLayout = new QVBoxLayout(imageBox);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    imageLayout->addWidget(m_heatmap, 1);
    imageLayout->addLayout(imageControls);

    m_modalities->setTitle(tr("Modality weights"));
    m_modalities->setColours(QColor(0x4e, 0x79, 0xa7), QColor(0x4e, 0x79, 0xa7));
    m_modalities->setValueFormat('f', 2);
    m_fieldSource->addItem(tr("Integrated Gradients (signed, on p(positive))"), QStringLiteral("ig"));
    m_fieldSource->addItem(tr("Field attention"), QStringLiteral("attention"));
    m_fields->setTitle(tr("Record fields"));
    m_fields->setMaximumBars(compact ? 6 : 12);
    m_fields->setValueFormat('f', 3);

    m_counterfactualText->setWordWrap(true);
    m_counterfactual->setColumnCount(4);
    m_counterfactual->setHorizontalHeaderLabels({ tr("Field"), tr("Now"), tr("Would need"), tr("Unit") });
    m_counterfactual->verticalHeader()->hide();
    m_counterfactual->horizontalHeader()->setStretchLastSection(true);
    m_counterfactual->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_counterfactual->setMaximumHeight(compact ? 90 : 130);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_decision);
    rightLayout->addWidget(m_modalities);
    rightLayout->addWidget(m_fieldSource);
    rightLayout->addWidget(m_fields);
    auto *cfTitle = new QLabel(tr("<b>Counterfactual</b>"), this);
    rightLayout->addWidget(cfTitle);
    rightLayout->addWidget(m_counterfactualText);
    rightLayout->addWidget(m_counterfactual);
    rightLayout->addStretch();
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(right);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(imageBox);
    top->addWidget(scroll);
    top->setStretchFactor(0, 1);
    top->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    if (compact) {
        layout->addWidget(top, 1);
    } else {
        m_temporal = new TemporalAttentionPlot(this);
        m_temporal->setTimeLabel(tr("time"));
        auto *vertical = new QSplitter(Qt::Vertical, this);
        vertical->addWidget(top);
        vertical->addWidget(m_temporal);
        vertical->setStretchFactor(0, 3);
        vertical->setStretchFactor(1, 1);
        layout->addWidget(vertical, 1);
    }

    connect(m_overlay, &QComboBox::currentIndexChanged, this, [this] {
        applyOverlay();
        Q_EMIT viewOptionsChanged();
    });
    connect(m_colourMap, &QComboBox::currentIndexChanged, this, [this] {
        m_heatmap->setColourMap(HeatmapView::ColourMap(m_colourMap->currentData().toInt()));
        Q_EMIT viewOptionsChanged();
    });
    connect(m_opacity, &QSlider::valueChanged, this, [this](int v) {
        m_heatmap->setOpacity(v / 100.0);
        Q_EMIT viewOptionsChanged();
    });
    connect(m_lesion, &QCheckBox::toggled, m_heatmap, &HeatmapView::setBoxVisible);
    connect(m_fieldSource, &QComboBox::currentIndexChanged, this, &CaseExplanationPanel::showFields);
    clear();
}

void CaseExplanationPanel::clear(const QString &message)
{
    m_title->setText(tr("No case"));
    m_decision->setText(message.isEmpty() ? tr("Pick a case to see why the model decided as it did.") : message);
    m_heatmap->setMessage(message);
    m_heatmap->setMap({}, 0, 0);
    m_heatmap->setBox(std::nullopt);
    m_modalities->clear();
    m_fields->clear();
    m_counterfactualText->clear();
    m_counterfactual->setRowCount(0);
    if (m_temporal)
        m_temporal->clear();
    m_attentionMap.clear();
    m_camMap.clear();
    m_igValues.clear();
    m_attentionValues.clear();
    m_igFields.clear();
    m_attentionFields.clear();
    m_fieldText.clear();
}

void CaseExplanationPanel::setOverlay(Overlay overlay)
{
    m_overlay->setCurrentIndex(m_overlay->findData(int(overlay)));
}

CaseExplanationPanel::Overlay CaseExplanationPanel::overlay() const
{
    return Overlay(m_overlay->currentData().toInt());
}

void CaseExplanationPanel::applyOverlay()
{
    switch (overlay()) {
    case Overlay::Attention:
        m_heatmap->setMap(m_attentionMap, m_attentionW, m_attentionH);
        m_heatmap->setOverlayVisible(true);
        break;
    case Overlay::GradCam:
        m_heatmap->setMap(m_camMap, m_camW, m_camH);
        m_heatmap->setOverlayVisible(true);
        break;
    case Overlay::None:
        m_heatmap->setOverlayVisible(false);
        break;
    }
}

void CaseExplanationPanel::showFields()
{
    const bool ig = m_fieldSource->currentData().toString() == QLatin1String("ig");
    const QStringList &names = ig ? m_igFields : m_attentionFields;
    const QVector<double> &values = ig ? m_igValues : m_attentionValues;
    QStringList notes;
    for (const QString &n : names)
        notes.append(m_fieldText.value(n));
    m_fields->setBars(names, values, notes);
}

bool CaseExplanationPanel::showCase(const std::shared_ptr<lepton::Study> &study, qint64 runId, qint64 caseId)
{
    clear();
    m_error.clear();
    lepton::DatasetRepository data(*study);
    qint64 datasetId = 0;
    auto c = data.caseRecord(caseId, &datasetId);
    if (!c) {
        m_error = c.error();
        clear(m_error);
        return false;
    }
    lepton::ExplanationRepository explanations(*study);
    auto prediction = explanations.prediction(runId, caseId);
    m_title->setText(tr("Case %1 — run %2").arg(c->caseKey).arg(runId));
    if (!prediction) {
        m_error = prediction.error();
        clear(m_error);
        m_title->setText(tr("Case %1 — run %2").arg(c->caseKey).arg(runId));
        return false;
    }
    auto run = lepton::RunRepository(*study).run(runId);
    QStringList classes;
    QString positive;
    if (run) {
        for (const QJsonValue &v :
            run->config.value(QStringLiteral("feature_spec")).toObject().value(QStringLiteral("classes")).toArray())
            classes.append(v.toString());
        positive = run->config.value(QStringLiteral("positive_class")).toString();
    }
    const lepton::StoredPrediction &p = prediction.value();
    const std::vector<double> &probs = p.calibrated.empty() ? p.probabilities : p.calibrated;
    const int posIndex = static_cast<int>(classes.indexOf(positive));
    const double pPositive = posIndex >= 0 && posIndex < int(probs.size()) ? probs[std::size_t(posIndex)] : NAN;
    QString decision = p.decision.isEmpty() ? p.predicted : p.decision;
    m_decision->setText(
        tr("<p style='font-size:large'><b>%1</b>%2</p><p>%3 p(%4) = <b>%5</b> · predicted <b>%6</b>%7 · true label "
           "<b>%8</b></p>")
            .arg(decision.toHtmlEscaped(),
                p.grade.isEmpty() ? QString() : tr(" · grade <b>%1</b>").arg(p.grade.toHtmlEscaped()),
                p.calibrated.empty() ? tr("model") : tr("calibrated"), positive.toHtmlEscaped(),
                std::isfinite(pPositive) ? percent(pPositive) : tr("–"), p.predicted.toHtmlEscaped(),
                p.referred ? tr(" · <span style='color:#b00020'>referred to review</span>") : QString(),
                c->label.isEmpty() ? tr("unknown") : c->label.toHtmlEscaped()));

    // The case's record values, to show beside the attributions.
    auto fields = data.fields(datasetId, QStringLiteral("record"));
    auto values = data.caseValues(datasetId, caseId);
    if (fields && values)
        for (std::size_t i = 0; i < fields->size(); ++i) {
            const auto &f = (*fields)[i];
            const QVariant v = values->value(static_cast<int>(i));
            QString text = v.isValid() ? v.toString() : tr("missing");
            if (v.isValid() && f.type == lepton::FieldType::Boolean)
                text = v.toDouble() != 0.0 ? tr("yes") : tr("no");
            else if (v.isValid() && f.type == lepton::FieldType::Date)
                text = QDate(1970, 1, 1).addDays(static_cast<qint64>(v.toDouble())).toString(Qt::ISODate);
            else if (v.isValid() && f.type == lepton::FieldType::Numeric)
                text = QString::number(v.toDouble(), 'g', 5);
            m_fieldText.insert(f.name, text);
        }

    // The image, with the lesion box when the demo's ground truth is beside the manifest.
    if (c->imagePath.isEmpty()) {
        m_heatmap->setMessage(tr("No image for this case (the modality is missing)."));
    } else {
        auto decoded = lepton::ImageDecoder::decode(c->imagePath);
        if (decoded)
            m_heatmap->setImage(greyImage(decoded.value()));
        else
            m_heatmap->setMessage(decoded.error());
    }
    std::optional<QRectF> box;
    auto summary = data.dataset(datasetId);
    if (summary)
        if (auto truth = lepton::GroundTruth::besideManifest(summary->manifestPath))
            box = truth->lesionBox(c->caseKey);
    m_heatmap->setBox(box);
    m_lesion->setEnabled(box.has_value());

    auto stored = explanations.load(p.id);
    if (!stored || stored->empty()) {
        m_modalities->clear();
        m_counterfactualText->setText(
            tr("This prediction is not explained yet: use Predict and explain (Experiments) or `lepton explain`."));
        return true;
    }
    for (const lepton::StoredExplanation &e : stored.value()) {
        if (e.kind == QLatin1String("attention")) {
            m_attentionMap = mapValues(e.data, &m_attentionW, &m_attentionH);
            const QJsonObject w = e.summary.value(QStringLiteral("modality_weights")).toObject();
            m_modalities->setBars({ tr("image"), tr("record"), tr("history") },
                { w.value(QStringLiteral("image")).toDouble(), w.value(QStringLiteral("record")).toDouble(),
                    w.value(QStringLiteral("history")).toDouble() },
                {}, true);
            for (const QJsonValue &v : e.summary.value(QStringLiteral("field_attention")).toArray()) {
                m_attentionFields.append(v.toObject().value(QStringLiteral("field")).toString());
                m_attentionValues.append(v.toObject().value(QStringLiteral("value")).toDouble());
            }
            if (m_temporal) {
                QVector<double> weights;
                for (const QJsonValue &v : e.summary.value(QStringLiteral("temporal_attention")).toArray())
                    weights.append(v.toDouble());
                auto eventFields = data.fields(datasetId, QStringLiteral("event"));
                auto events = data.caseEvents(caseId);
                if (eventFields && events) {
                    for (std::size_t f = 0; f < eventFields->size(); ++f) {
                        if ((*eventFields)[f].type == lepton::FieldType::Categorical)
                            continue;
                        QVector<double> x, y;
                        for (const auto &ev : events.value()) {
                            const QVariant v = ev.values.value(static_cast<int>(f));
                            if (v.isValid()) {
                                x.append(ev.time);
                                y.append(v.toDouble());
                            }
                        }
                        m_temporal->addSeries((*eventFields)[f].name, x, y);
                    }
                    // The weights belong to the most recent events the model saw, oldest first.
                    const int n = static_cast<int>(events->size());
                    const int k = std::min<int>(n, weights.size());
                    QVector<double> times;
                    for (int i = n - k; i < n; ++i)
                        times.append((*events)[std::size_t(i)].time);
                    m_temporal->setAttention(times, weights.mid(weights.size() - k));
                }
                m_temporal->finish();
            }
        } else if (e.kind == QLatin1String("gradcam")) {
            m_camMap = mapValues(e.data, &m_camW, &m_camH);
        } else if (e.kind == QLatin1String("integrated_gradients")) {
            for (const QJsonValue &v : e.summary.value(QStringLiteral("fields")).toArray()) {
                m_igFields.append(v.toObject().value(QStringLiteral("field")).toString());
                m_igValues.append(v.toObject().value(QStringLiteral("value")).toDouble());
            }
        } else if (e.kind == QLatin1String("counterfactual")) {
            const QJsonObject cf = e.summary;
            QString text = cf.value(QStringLiteral("text")).toString();
            if (cf.value(QStringLiteral("found")).toBool())
                text += cf.value(QStringLiteral("verified")).toBool() ? tr(" (verified by the model)")
                                                                      : tr(" (not verified)");
            m_counterfactualText->setText(text);
            const QJsonArray changes = cf.value(QStringLiteral("changes")).toArray();
            m_counterfactual->setRowCount(changes.size());
            for (int i = 0; i < changes.size(); ++i) {
                const QJsonObject ch = changes[i].toObject();
                const QStringList cells { ch.value(QStringLiteral("field")).toString(),
                    ch.value(QStringLiteral("from")).toString(), ch.value(QStringLiteral("to")).toString(),
                    ch.value(QStringLiteral("unit")).toString() };
                for (int col = 0; col < 4; ++col)
                    m_counterfactual->setItem(i, col, new QTableWidgetItem(cells[col]));
            }
            m_counterfactual->setVisible(!changes.isEmpty());
        }
    }
    // Integrated Gradients cover numeric fields; without them, field attention is what there is.
    if (m_igFields.isEmpty() && !m_attentionFields.isEmpty())
        m_fieldSource->setCurrentIndex(1);
    showFields();
    applyOverlay();
    return true;
}
