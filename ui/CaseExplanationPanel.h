// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

#include <memory>

class DicomControls;
class HeatmapView;
class NoteView;
class SignedBarChart;
class TemporalAttentionPlot;
class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTableWidget;

namespace lepton {
class CaseViewLoader;
class Study;
struct CaseView;
} // namespace lepton

/// One run's explanation of one case, as stored in the study: the decision with its grade and
/// calibrated probability, the image with the attention map or Grad-CAM laid over it (opacity,
/// colour map, the lesion box when the ground truth is known), the modality weights, the record
/// fields' attributions (Integrated Gradients or field attention, with the case's values), the
/// temporal attention over the event history, and the counterfactual as a sentence and a
/// before/after table. `compact` drops the history plot and shrinks the rest (the review view).
///
/// The panel reads nothing itself: showCase() asks the core's CaseViewLoader, off the GUI thread,
/// and the newest request wins; showView() shows a case view read already.
class CaseExplanationPanel : public QWidget
{
    Q_OBJECT
public:
    enum class Overlay { Attention, GradCam, None };

    explicit CaseExplanationPanel(bool compact = false, QWidget *parent = nullptr);

    /// Shows the next overlay (Grad-CAM, attention map, none, then again): the views' T key.
    void cycleOverlay();

    /// Loads the case as `runId` predicted and explained it, off the GUI thread; a later call
    /// supersedes this one. caseShown() follows; when the run has no prediction for the case the
    /// panel says what to do and error() holds it.
    void showCase(const std::shared_ptr<lepton::Study> &study, qint64 runId, qint64 caseId);
    /// Shows a case view read already (the run's prediction and explanation when it has them).
    /// False, with error(), when the view has no prediction.
    bool showView(const lepton::CaseView &view);
    /// Shows no case (and drops a case still being read).
    void clear(const QString &message = QString());
    QString error() const { return m_error; }
    /// True while a case asked for by showCase() is being read.
    bool isLoading() const;
    /// The case and run shown now (0 when none, or while the panel says why not).
    qint64 shownCase() const { return m_shownCase; }
    qint64 shownRun() const { return m_shownRun; }
    /// The key of the case last read (also when the run has no prediction for it).
    QString caseKey() const { return m_caseKey; }

    /// The decision as the panel states it (rich text): the decision first, in its class's colour,
    /// with its grade; p of the positive class named ("p(abnormal) = 35 %"); the rule in words;
    /// and, only where it differs, the most likely class with why the decision differs.
    static QString decisionText(const lepton::CaseView &view);
    /// The counterfactual as the panel states it (with whether the model verified it), or why
    /// there is none.
    static QString counterfactualSentence(const lepton::CaseView &view);

    void setOverlay(Overlay overlay);
    Overlay overlay() const;

    QLabel *titleLabel() const { return m_title; }
    QLabel *decisionLabel() const { return m_decision; }
    HeatmapView *heatmap() const { return m_heatmap; }
    /// The window and key tags of a DICOM case's image (hidden for other images).
    DicomControls *dicomControls() const { return m_dicom; }
    QComboBox *overlayBox() const { return m_overlay; }
    QComboBox *colourMapBox() const { return m_colourMap; }
    QSlider *opacitySlider() const { return m_opacity; }
    QCheckBox *lesionBox() const { return m_lesion; }
    SignedBarChart *modalityChart() const { return m_modalities; }
    SignedBarChart *fieldChart() const { return m_fields; }
    QComboBox *fieldSourceBox() const { return m_fieldSource; }
    TemporalAttentionPlot *temporalPlot() const { return m_temporal; }
    QLabel *counterfactualLabel() const { return m_counterfactualText; }
    QTableWidget *counterfactualTable() const { return m_counterfactual; }
    NoteView *noteView() const { return m_note; }

Q_SIGNALS:
    /// Options changed by the user (the review view keeps them between cases).
    void viewOptionsChanged();
    /// A case asked for by showCase() is shown (ok) or the panel says why not (error()).
    void caseShown(bool ok);

private:
    void resetContent(const QString &message = QString());
    void showFields();
    void applyOverlay();

    bool m_compact;
    QString m_error;
    lepton::CaseViewLoader *m_loader;
    qint64 m_shownCase = 0, m_shownRun = 0;
    QString m_caseKey;
    QLabel *m_title;
    QLabel *m_decision;
    HeatmapView *m_heatmap;
    DicomControls *m_dicom;
    QComboBox *m_overlay;
    QComboBox *m_colourMap;
    QSlider *m_opacity;
    QCheckBox *m_lesion;
    SignedBarChart *m_modalities;
    SignedBarChart *m_fields;
    QComboBox *m_fieldSource;
    TemporalAttentionPlot *m_temporal = nullptr;
    QLabel *m_counterfactualText;
    QTableWidget *m_counterfactual;
    QLabel *m_noteTitle;
    NoteView *m_note;

    // What the current case's explanations hold, kept for the toggles.
    QVector<float> m_attentionMap, m_camMap;
    int m_attentionW = 0, m_attentionH = 0, m_camW = 0, m_camH = 0;
    QStringList m_fieldNames;
    QVector<double> m_igValues, m_attentionValues;
    QStringList m_igFields, m_attentionFields;
    QHash<QString, QString> m_fieldText; ///< field → the case's value as text
};
