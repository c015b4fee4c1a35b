// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseExplanationPanel.h"

#include "CaseImages.h"
#include "ClassColours.h"
#include "DicomControls.h"
#include "HeatmapView.h"
#include "NoteView.h"
#include "SignedBarChart.h"
#include "TemporalAttentionPlot.h"

#include "decision/DecisionText.h"
#include "service/CaseView.h"
#include "service/CaseViewLoader.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace {

/// Below this change of p (a probability, here 1 point) masking the image counts as barely moving
/// the decision, and the map says so.
constexpr double kSmallImageEffect = 0.01;

/// A class name in its colour (warm for the worrying class, cool for the others).
QString coloured(const QString &className, const QString &positiveClass)
{
    return QStringLiteral("<span style='color:%1'>%2</span>")
        .arg(classColour(className, positiveClass).name(), className.toHtmlEscaped());
}

} // namespace

CaseExplanationPanel::CaseExplanationPanel(bool compact, QWidget *parent)
    : QWidget(parent),
      m_compact(compact),
      m_loader(new lepton::CaseViewLoader(this)),
      m_title(new QLabel(this)),
      m_decision(new QLabel(this)),
      m_heatmap(new HeatmapView(this)),
      m_dicom(new DicomControls(this)),
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
    // One line that never widens the panel (a long case id would push the pane beside it): the
    // layout ignores its width, the tooltip has it in full.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    m_decision->setWordWrap(true);
    m_decision->setTextFormat(Qt::RichText);
    m_decision->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // Room for the usual decision (decision, probability, rule, most likely) kept from case to case,
    // so the charts below do not move when one case's text is a line shorter.
    m_decision->setMinimumHeight(m_decision->fontMetrics().lineSpacing() * (compact ? 5 : 7));

    // Grad-CAM first: it is the map that points at the evidence (pointing game, docs/BENCHMARKS.md);
    // the attention map of a model trained with map alignment is mostly flat.
    m_overlay->addItem(tr("Grad-CAM"), int(Overlay::GradCam));
    m_overlay->addItem(tr("Attention map"), int(Overlay::Attention));
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

    // Two rows, so that the slider keeps a usable width when two runs are compared side by side at
    // the default window size (in one row it was squeezed to nothing).
    m_opacity->setMinimumWidth(80);
    auto *imageControls = new QGridLayout;
    imageControls->setContentsMargins(0, 0, 0, 0);
    imageControls->addWidget(m_overlay, 0, 0, 1, 2);
    imageControls->addWidget(m_colourMap, 0, 2);
    imageControls->addWidget(new QLabel(tr("Opacity"), this), 1, 0);
    imageControls->addWidget(m_opacity, 1, 1);
    imageControls->addWidget(m_lesion, 1, 2);
    imageControls->setColumnStretch(1, 1);

    auto *imageBox = new QWidget(this);
    auto *imageLayout = new QVBoxLayout(imageBox);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    imageLayout->addWidget(m_heatmap, 1);
    imageLayout->addLayout(imageControls);
    // A DICOM image's window and key tags, kept short under the image.
    m_dicom->tagTable()->setMaximumHeight(m_dicom->tagTable()->fontMetrics().height() * 7);
    imageLayout->addWidget(m_dicom);
    connect(m_heatmap, &HeatmapView::windowDragged, m_dicom, &DicomControls::drag);
    connect(m_heatmap, &HeatmapView::resetRequested, m_dicom, &DicomControls::resetWindow);
    connect(m_dicom->resetAction(), &QAction::triggered, m_heatmap, &HeatmapView::resetView);
    connect(m_dicom, &DicomControls::imageChanged, m_heatmap,
        [this](const QImage &image) { m_heatmap->setImage(image, true); });
    // The image keeps its area whether the case has an image, a map or only a message.
    m_heatmap->setMinimumHeight(compact ? 160 : 200);
    imageBox->setMinimumWidth(240);

    m_modalities->setTitle(tr("Modality weights"));
    m_modalities->setColours(QColor(0x4e, 0x79, 0xa7), QColor(0x4e, 0x79, 0xa7));
    m_modalities->setValueFormat('f', 2);
    m_fieldSource->addItem(tr("Attributions vs. an average case"), QStringLiteral("ig"));
    m_fieldSource->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_fieldSource->setMinimumContentsLength(24);
    m_fieldSource->addItem(tr("Field attention"), QStringLiteral("attention"));
    m_fields->setTitle(tr("Record fields"));
    m_fields->setMaximumBars(compact ? 6 : 12);
    // The charts keep their height from case to case (image, record, history; the most fields shown).
    m_modalities->setReservedBars(3);
    m_fields->setReservedBars(compact ? 6 : 12);
    m_fields->setValueFormat('f', 3);

    m_counterfactualText->setWordWrap(true);
    m_counterfactualText->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_counterfactualText->setMinimumHeight(m_counterfactualText->fontMetrics().lineSpacing() * 3);
    m_counterfactual->setColumnCount(4);
    m_counterfactual->setHorizontalHeaderLabels({ tr("Field"), tr("Now"), tr("Would need"), tr("Unit") });
    m_counterfactual->verticalHeader()->hide();
    m_counterfactual->horizontalHeader()->setStretchLastSection(true);
    m_counterfactual->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // A fixed height, shown also when empty: a case without a counterfactual keeps the same layout.
    m_counterfactual->setFixedHeight(compact ? 90 : 130);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_decision);
    rightLayout->addWidget(m_modalities);
    // The note (a text model's) right under the modalities: it is read before the record.
    m_noteTitle = new QLabel(this);
    m_note = new NoteView(this);
    m_note->setObjectName(QStringLiteral("noteView"));
    m_noteTitle->setObjectName(QStringLiteral("noteTitle"));
    rightLayout->addWidget(m_noteTitle);
    rightLayout->addWidget(m_note);
    m_noteTitle->hide();
    m_note->hide();
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
    scroll->setMinimumWidth(240);

    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(imageBox);
    top->addWidget(scroll);
    top->setStretchFactor(0, 1);
    top->setStretchFactor(1, 1);
    top->setChildrenCollapsible(false);

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
        vertical->setChildrenCollapsible(false);
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
    connect(m_loader, &lepton::CaseViewLoader::loaded, this,
        [this](quint64, const lepton::CaseView &view) { Q_EMIT caseShown(showView(view)); });
    connect(m_loader, &lepton::CaseViewLoader::failed, this, [this](quint64, const QString &message) {
        m_error = message;
        resetContent(message);
        Q_EMIT caseShown(false);
    });
    m_title->setObjectName(QStringLiteral("caseTitle"));
    m_decision->setObjectName(QStringLiteral("decisionLabel"));
    m_heatmap->setObjectName(QStringLiteral("heatmap"));
    m_overlay->setObjectName(QStringLiteral("overlayBox"));
    m_colourMap->setObjectName(QStringLiteral("colourMapBox"));
    m_opacity->setObjectName(QStringLiteral("opacitySlider"));
    m_lesion->setObjectName(QStringLiteral("lesionBox"));
    m_modalities->setObjectName(QStringLiteral("modalityChart"));
    m_fields->setObjectName(QStringLiteral("fieldChart"));
    m_fieldSource->setObjectName(QStringLiteral("fieldSourceBox"));
    m_counterfactualText->setObjectName(QStringLiteral("counterfactualLabel"));
    m_counterfactual->setObjectName(QStringLiteral("counterfactualTable"));
    if (m_temporal)
        m_temporal->setObjectName(QStringLiteral("temporalPlot"));
    clear();
}

void CaseExplanationPanel::clear(const QString &message)
{
    m_loader->cancel();
    resetContent(message);
}

void CaseExplanationPanel::resetContent(const QString &message)
{
    m_shownCase = m_shownRun = 0;
    m_title->setText(tr("No case"));
    m_title->setToolTip(QString());
    m_decision->setText(message.isEmpty() ? tr("Pick a case to see why the model decided as it did.") : message);
    m_heatmap->setMessage(message);
    m_heatmap->setWindowDragEnabled(false);
    m_dicom->setDicom(lepton::CaseDicom());
    m_heatmap->setMap({}, 0, 0);
    m_heatmap->setCaption(QString());
    m_heatmap->setBox(std::nullopt);
    m_modalities->clear();
    m_fields->clear();
    m_counterfactualText->clear();
    m_counterfactual->setRowCount(0);
    m_note->clear();
    m_note->hide();
    m_noteTitle->hide();
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

void CaseExplanationPanel::cycleOverlay()
{
    m_overlay->setCurrentIndex((m_overlay->currentIndex() + 1) % std::max(1, m_overlay->count()));
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
        notes.append(m_fieldText.value(n.section(QStringLiteral(" ("), 0, 0)));
    m_fields->setBars(names, values, notes);
}

QString CaseExplanationPanel::decisionText(const lepton::CaseView &view)
{
    if (!view.prediction)
        return QString();
    const lepton::StoredPrediction &p = *view.prediction;
    // The decision is the answer: first, large, in its class's colour; what is done when the
    // template names it ("decline") with the class it stands for.
    const QString decided = view.decidedClass.isEmpty() ? view.decision() : view.decidedClass;
    QString answer = coloured(decided, view.positiveClass);
    if (!view.decision().isEmpty() && view.decision() != decided)
        answer = tr("%1 (%2)").arg(view.decision().toHtmlEscaped(), answer);
    QString text
        = tr("<p style='font-size:large'>Decision: <b>%1</b>%2%3</p>")
              .arg(answer, p.grade.isEmpty() ? QString() : tr(" · grade <b>%1</b>").arg(p.grade.toHtmlEscaped()),
                  p.referred ? tr(" · <i>referred to review</i>") : QString());
    // Every probability names its class.
    const QString probability = std::isfinite(view.positiveProbability)
        ? lepton::probabilityText(view.positiveClass, view.positiveProbability).toHtmlEscaped()
        : tr("p(%1) unknown").arg(view.positiveClass.toHtmlEscaped());
    text += tr("<p>%1 (%2) · true label <b>%3</b></p>")
                .arg(probability, p.calibrated.empty() ? tr("model, not calibrated") : tr("calibrated"),
                    view.record.label.isEmpty() ? tr("unknown") : view.record.label.toHtmlEscaped());
    if (!view.ruleText.isEmpty())
        text += tr("<p>Rule: %1</p>").arg(view.ruleText.toHtmlEscaped());
    else if (!view.ruleMessage.isEmpty())
        text += tr("<p>The rule cannot be shown: %1</p>").arg(view.ruleMessage.toHtmlEscaped());
    // The most likely class only where it differs from the decision, with why.
    if (!view.mostLikelyClass.isEmpty() && view.mostLikelyClass != decided) {
        text += tr("<p>Most likely: <b>%1</b>").arg(coloured(view.mostLikelyClass, view.positiveClass));
        if (!view.differsText.isEmpty())
            text += tr(" — %1").arg(view.differsText.toHtmlEscaped());
        text += QStringLiteral("</p>");
    }
    return text;
}

QString CaseExplanationPanel::counterfactualSentence(const lepton::CaseView &view)
{
    const lepton::ExplanationView &e = view.explanation;
    if (!view.prediction)
        return QString();
    if (!e.stored)
        return tr("This prediction is not explained yet: use Predict and explain (Experiments) or `lepton explain`.");
    if (!e.hasCounterfactual)
        return QString();
    QString text = e.counterfactualText;
    if (e.counterfactualFound)
        text += e.counterfactualVerified ? tr(" (verified by the model)") : tr(" (not verified)");
    // The attributions and the counterfactual should agree in sign; where not, say why.
    QStringList against;
    for (const lepton::CounterfactualChangeView &ch : e.counterfactualChanges)
        if (ch.agreesWithAttribution < 0)
            against.append(ch.field);
    if (!against.isEmpty())
        text += tr(". The change of %1 goes against its attribution: the attribution compares this case with an "
                   "average case, the counterfactual moves from this case, and the model is not linear between them.")
                    .arg(against.join(QStringLiteral(", ")));
    for (const QString &alt : e.counterfactualAlternatives)
        text += QStringLiteral("\n") + tr("Or: %1").arg(alt);
    return text;
}

bool CaseExplanationPanel::isLoading() const
{
    return m_loader->isLoading();
}

void CaseExplanationPanel::showCase(const std::shared_ptr<lepton::Study> &study, qint64 runId, qint64 caseId)
{
    lepton::CaseViewRequest request;
    request.runId = runId;
    request.caseId = caseId;
    m_loader->request(study, request);
}

bool CaseExplanationPanel::showView(const lepton::CaseView &view)
{
    resetContent();
    m_error.clear();
    m_caseKey = view.record.caseKey;
    const QString title = tr("Case %1 — run %2").arg(view.record.caseKey).arg(view.runId);
    if (!view.prediction) {
        m_error = view.predictionMessage.isEmpty()
            ? tr("Run %1 has no prediction for case %2.").arg(view.runId).arg(view.record.caseKey)
            : view.predictionMessage;
        resetContent(m_error);
        m_title->setText(title);
        m_title->setToolTip(title);
        return false;
    }
    m_title->setText(title);
    m_title->setToolTip(title);
    m_shownCase = view.record.id;
    m_shownRun = view.runId;
    m_decision->setText(decisionText(view));

    // The case's record values, to show beside the attributions.
    for (const lepton::CaseFieldValue &f : view.fields) {
        QString text = f.missing() ? tr("missing") : f.text;
        if (f.type == lepton::FieldType::Boolean && !f.missing())
            text = f.value.toDouble() != 0.0 ? tr("yes") : tr("no");
        else if (f.type == lepton::FieldType::Numeric && !f.missing())
            text = QString::number(f.value.toDouble(), 'g', 5);
        m_fieldText.insert(f.name, text);
    }

    // The image, with the lesion box when the dataset's ground truth knows it.
    const QImage image = CaseImages::toQImage(view.image);
    if (!image.isNull())
        m_heatmap->setImage(image);
    else
        m_heatmap->setMessage(view.imageMessage);
    m_dicom->setDicom(image.isNull() ? lepton::CaseDicom() : view.dicom);
    m_heatmap->setWindowDragEnabled(m_dicom->windowable());
    m_heatmap->setBox(view.lesionBox);
    m_lesion->setEnabled(view.lesionBox.has_value());
    // A greyed option says why: there is no known region for this case.
    m_lesion->setToolTip(view.lesionBox
            ? tr("Outline the region the ground truth gives for this case (the demo's lesion)")
            : tr("No known region for this case: a lesion box is shown only for data with a ground-truth file "
                 "(ground_truth.json beside the manifest) that gives the case a region"));

    const lepton::ExplanationView &e = view.explanation;
    m_counterfactualText->setText(counterfactualSentence(view));
    if (!e.stored) {
        m_modalities->clear();
        return true;
    }
    if (!e.attention.isEmpty()) {
        m_attentionMap = CaseImages::mapValues(e.attention);
        m_attentionW = e.attention.width;
        m_attentionH = e.attention.height;
    }
    if (!e.gradcam.isEmpty()) {
        m_camMap = CaseImages::mapValues(e.gradcam);
        m_camW = e.gradcam.width;
        m_camH = e.gradcam.height;
    }
    const auto modalityName = [](const QString &name) {
        return name == QLatin1String("image") ? tr("image")
            : name == QLatin1String("record") ? tr("record")
            : name == QLatin1String("text")   ? tr("text")
                                              : tr("history");
    };
    // A map explains an image's part in the decision; when masking the image barely moves p, the
    // map says little about this decision, whatever it shows.
    QString caption;
    for (const auto &[name, change] : e.modalityAblation)
        if (name == QLatin1String("image") && std::isfinite(change) && std::abs(change) < kSmallImageEffect)
            caption = tr("Without the image p(%1) changes by %2 points: this map explains little of the decision")
                          .arg(view.positiveClass)
                          .arg(100.0 * std::abs(change), 0, 'f', 1);
    m_heatmap->setCaption(caption);
    if (!e.modalityAblation.empty()) {
        // What drove the decision: the change of p when each modality is masked, with the
        // fusion's attention weight beside it (docs/EXPLANATIONS.md, "Which to read first").
        QStringList names, notes;
        QVector<double> changes;
        for (const auto &[name, change] : e.modalityAblation) {
            names.append(modalityName(name));
            changes.append(change);
            double weight = std::nan("");
            for (const auto &[n, w] : e.modalityWeights)
                if (n == name)
                    weight = w;
            notes.append(std::isfinite(weight) ? tr("attention %1").arg(weight, 0, 'f', 2) : QString());
        }
        m_modalities->setTitle(tr("Modality contribution: p(%1) minus p without it").arg(view.positiveClass));
        m_modalities->setBars(names, changes, notes, true);
    } else if (!e.modalityWeights.empty()) {
        QStringList names;
        QVector<double> weights;
        for (const auto &[name, weight] : e.modalityWeights) {
            names.append(modalityName(name));
            weights.append(weight);
        }
        m_modalities->setTitle(tr("Modality attention weights (explain again for each modality's contribution)"));
        m_modalities->setBars(names, weights, {}, true);
    }
    for (const lepton::AttributionView &a : e.fieldAttention) {
        m_attentionFields.append(a.field);
        m_attentionValues.append(a.value);
    }
    for (const lepton::AttributionView &a : e.integratedGradients) {
        // Missing fields are marked, categories say they were attributed by occlusion.
        m_igFields.append(a.method == QLatin1String("missing") ? tr("%1 (missing)").arg(a.field)
                : a.method == QLatin1String("occlusion")       ? tr("%1 (category)").arg(a.field)
                                                               : a.field);
        m_igValues.append(a.value);
    }
    // Short in the box (it must not widen the pane); the baseline in full in its tooltip.
    m_fieldSource->setItemText(0,
        e.attributionBaseline.isEmpty() ? tr("Attributions to p(%1)").arg(view.positiveClass)
                                        : tr("Attributions to p(%1) vs. an average case").arg(view.positiveClass));
    m_fieldSource->setToolTip(e.attributionBaseline.isEmpty()
            ? tr("Integrated Gradients of p(%1) from the training means").arg(view.positiveClass)
            : tr("Each field's share of p(%1), %2. Categories: p minus p with the most common training value; "
                 "missing fields are marked.")
                  .arg(view.positiveClass, e.attributionBaseline));
    if (m_temporal && !e.modalityWeights.empty()) {
        for (const lepton::CaseSeries &series : view.history)
            m_temporal->addSeries(series.name, QVector<double>(series.times.begin(), series.times.end()),
                QVector<double>(series.values.begin(), series.values.end()));
        m_temporal->setAttention(QVector<double>(e.temporalTimes.begin(), e.temporalTimes.end()),
            QVector<double>(e.temporalWeights.begin(), e.temporalWeights.end()));
        m_temporal->finish();
    }
    if (e.hasNote) {
        // The note with each word coloured by its Integrated Gradients towards p(positive).
        m_noteTitle->setText(tr("<b>Note</b>: how much p(%1) falls when each word is taken out")
                                 .arg(view.positiveClass.toHtmlEscaped()));
        m_noteTitle->setWordWrap(true);
        std::vector<NoteView::Span> spans;
        for (const lepton::ExplanationView::Word &w : e.noteWords)
            spans.push_back({ w.begin, w.end, w.occlusion });
        if (e.note.isEmpty())
            m_note->clear(tr("This case has no note: the model decided without text."));
        else
            m_note->setNote(e.note, spans, tr("towards %1").arg(view.positiveClass), tr("away"));
        if (!e.noteCounterfactual.isEmpty())
            m_note->setFootnote(tr("Counterfactual: %1").arg(e.noteCounterfactual));
        m_noteTitle->show();
        m_note->show();
    }
    if (e.hasCounterfactual) {
        m_counterfactual->setRowCount(int(e.counterfactualChanges.size()));
        for (int i = 0; i < int(e.counterfactualChanges.size()); ++i) {
            const lepton::CounterfactualChangeView &ch = e.counterfactualChanges[std::size_t(i)];
            const QStringList cells { ch.field, ch.from, ch.to, ch.unit };
            for (int col = 0; col < 4; ++col)
                m_counterfactual->setItem(i, col, new QTableWidgetItem(cells[col]));
        }
    }
    // Integrated Gradients cover numeric fields; without them, field attention is what there is.
    if (m_igFields.isEmpty() && !m_attentionFields.isEmpty())
        m_fieldSource->setCurrentIndex(1);
    showFields();
    applyOverlay();
    return true;
}
