// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "train/TrainConfig.h"
#include "util/Result.h"

#include <QWidget>

class QAbstractItemModel;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

/// The Training view's form: the dataset, a preset, the run's settings (variant, epochs, batch,
/// learning rate, image size, augmentation, seed, template, the image encoder to start from and how
/// to fine-tune it, device, threads), the plotted metric,
/// a line that says what is wrong, and Start / Cancel / Resume. It validates; the view acts.
///
/// Child widgets carry object names (datasetBox, presetBox, epochsBox, startButton, …) so tests
/// and scripts find them without getters.
class TrainingForm : public QWidget
{
    Q_OBJECT
public:
    explicit TrainingForm(QWidget *parent = nullptr);

    /// The datasets to choose from (the session's list model; its IdRole is the dataset's id).
    void setDatasetModel(QAbstractItemModel *model);
    /// The chosen dataset's id, 0 when none.
    qint64 datasetId() const;
    /// Chooses a dataset by id (nothing when it is not listed).
    void selectDataset(qint64 datasetId);
    /// The settings as a run's config, or what is wrong and with which field. `haveStudy`: a study
    /// is open to train in.
    lepton::Result<lepton::TrainConfig> config(bool haveStudy) const;
    QString runName() const;
    /// The fusion variant chosen ("attention", …).
    QString variant() const;
    /// The metric plotted beside the loss: its key ("auroc", "accuracy", "f1") and label.
    QString metricKey() const;
    QString metricLabel() const;
    void applyPreset(int index);
    void setEpochs(int epochs);
    /// Starts the image encoder from a weights file (safetensors or our checkpoint; what "From a
    /// file…" asks for). A file that cannot be read is refused with errorOccurred and changes nothing.
    bool setImageEncoderFile(const QString &path);
    /// The study's imported or pretrained encoders offered under "Image encoder": each name with
    /// a one-line description. Replaces the ones offered before; a chosen one that is gone falls
    /// back to training from scratch.
    void setStudyEncoders(const QList<QPair<QString, QString>> &encoders);

    /// Enables the fields and buttons for the state of the view.
    void setState(bool running, bool canStart, bool canResume, const QString &startTip);
    /// While a cancel is pending: Cancel is not offered twice.
    void setCancelEnabled(bool enabled);
    /// Shows (or, empty, hides) what is wrong.
    void showProblem(const QString &message);

Q_SIGNALS:
    void startRequested();
    void cancelRequested();
    void resumeRequested();
    void metricChanged();
    /// A template file chosen in the form could not be read.
    void errorOccurred(const QString &message);

private:
    void chooseTemplateFile(int index);
    void chooseEncoderFile(int index);
    void markCustom();

    bool m_applyingPreset = false;
    QComboBox *m_dataset;
    QComboBox *m_preset;
    QLineEdit *m_name;
    QComboBox *m_variant;
    QSpinBox *m_epochs;
    QSpinBox *m_batch;
    QDoubleSpinBox *m_lr;
    QSpinBox *m_imageSize;
    QCheckBox *m_augment;
    QSpinBox *m_seed;
    QComboBox *m_template;
    QComboBox
        *m_encoder; ///< data: "" (from scratch), "encoder:NAME" (the study's), "<file>" (ask), or a weights file's path
    QComboBox *m_fineTune; ///< data: full, lowlr, adapters, frozen
    QComboBox *m_device;
    QLabel *m_deviceInfo;
    QSpinBox *m_threads;
    QComboBox *m_metric;
    QLabel *m_problem;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QPushButton *m_resume;
};
