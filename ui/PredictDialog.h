// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/DatasetRepository.h"

#include <QDialog>

#include <vector>

class QCheckBox;
class QComboBox;

/// Asks how to predict with a run's best model: which dataset (the run's first), which split, on
/// which device, and whether to explain each case too.
class PredictDialog : public QDialog
{
    Q_OBJECT
public:
    PredictDialog(qint64 runId, const QString &runName, qint64 runDatasetId,
        const std::vector<lepton::DatasetSummary> &datasets, const QString &split, QWidget *parent = nullptr);

    qint64 datasetId() const;
    /// "test", "val", "train", or empty for every case.
    QString split() const;
    QString device() const;
    bool explain() const;

private:
    QComboBox *m_dataset;
    QComboBox *m_split;
    QComboBox *m_device;
    QCheckBox *m_explain;
};
