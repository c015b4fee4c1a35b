// SPDX-License-Identifier: GPL-3.0-or-later
#include "PredictDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

PredictDialog::PredictDialog(qint64 runId, const QString &runName, qint64 runDatasetId,
    const std::vector<lepton::DatasetSummary> &datasets, const QString &split, QWidget *parent)
    : QDialog(parent),
      m_dataset(new QComboBox(this)),
      m_split(new QComboBox(this)),
      m_device(new QComboBox(this)),
      m_explain(
          new QCheckBox(tr("Also explain each case (attention, Grad-CAM, attributions, counterfactual; slower)"), this))
{
    setWindowTitle(tr("Predict and explain"));
    m_split->setObjectName(QStringLiteral("predictSplit"));
    m_split->addItem(tr("test"), QStringLiteral("test"));
    m_split->addItem(tr("val"), QStringLiteral("val"));
    m_split->addItem(tr("train"), QStringLiteral("train"));
    m_split->addItem(tr("every case"), QString());
    m_split->setCurrentIndex(std::max(0, m_split->findData(split)));
    m_dataset->setObjectName(QStringLiteral("predictDataset"));
    for (const lepton::DatasetSummary &d : datasets)
        m_dataset->addItem(d.id == runDatasetId ? tr("%1 (the run's, %n case(s))", nullptr, d.caseCount).arg(d.name)
                                                : tr("%1 (%n case(s))", nullptr, d.caseCount).arg(d.name),
            d.id);
    m_dataset->setCurrentIndex(std::max(0, m_dataset->findData(runDatasetId)));
    m_dataset->setToolTip(tr("A new manifest is imported first (File ▸ Import Data), then predicted here"));
    m_device->setObjectName(QStringLiteral("predictDevice"));
    m_device->addItem(tr("auto"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA"), QStringLiteral("cuda"));
    m_explain->setObjectName(QStringLiteral("predictExplain"));
    m_explain->setChecked(true);
    auto *runLabel = new QLabel(tr("#%1 “%2”").arg(runId).arg(runName), this);
    runLabel->setTextFormat(Qt::PlainText);

    auto *form = new QFormLayout;
    form->addRow(tr("Run"), runLabel);
    form->addRow(tr("&Dataset"), m_dataset);
    form->addRow(tr("&Split"), m_split);
    form->addRow(tr("De&vice"), m_device);
    form->addRow(QString(), m_explain);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

qint64 PredictDialog::datasetId() const
{
    return m_dataset->currentData().toLongLong();
}

QString PredictDialog::split() const
{
    return m_split->currentData().toString();
}

QString PredictDialog::device() const
{
    return m_device->currentData().toString();
}

bool PredictDialog::explain() const
{
    return m_explain->isChecked();
}
