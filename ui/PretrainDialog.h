// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/DatasetRepository.h"

#include <QDialog>
#include <QMutex>

#include <memory>
#include <vector>

class BackgroundTask;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace lepton {
class Study;
}

/// Training ▸ Pretrain Encoder…: pretrains the image encoder on a dataset's own images, labelled
/// or not (train/Pretrainer.h), on a background thread with progress, each epoch's figures beside
/// their chance levels, and Cancel (nothing is stored then). The result is one of the study's
/// encoders, offered in the Training form.
class PretrainDialog : public QDialog
{
    Q_OBJECT
public:
    PretrainDialog(std::shared_ptr<lepton::Study> study, const std::vector<lepton::DatasetSummary> &datasets,
        QWidget *parent = nullptr);
    ~PretrainDialog() override;
    bool isRunning() const;

Q_SIGNALS:
    /// A pretraining finished and stored the encoder `name`.
    void encoderStored(const QString &name);

protected:
    /// Closing while it runs asks first, then cancels.
    void reject() override;

private:
    void start();
    void onFinished(bool ok, bool cancelled, const QString &message);
    void setRunning(bool running);

    std::shared_ptr<lepton::Study> m_study;
    QComboBox *m_dataset;
    QLineEdit *m_name;
    QComboBox *m_method;
    QSpinBox *m_epochs, *m_batch, *m_imageSize;
    QProgressBar *m_progress;
    QLabel *m_status;
    QPushButton *m_start, *m_cancel;
    BackgroundTask *m_task;
    mutable QMutex m_mutex; // guards what the work thread reports below
    QString m_lastEpoch, m_storedName;
};
