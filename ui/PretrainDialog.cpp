// SPDX-License-Identifier: GPL-3.0-or-later
#include "PretrainDialog.h"

#include "BackgroundTask.h"

#include "train/Pretrainer.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace {

template <typename W> W *named(W *widget, const char *name)
{
    widget->setObjectName(QString::fromLatin1(name));
    return widget;
}

QString epochText(const lepton::PretrainEpoch &e)
{
    QString line = QObject::tr("Epoch %1 of %2: loss %3 (chance %4)")
                       .arg(e.epoch + 1)
                       .arg(e.epochs)
                       .arg(e.loss, 0, 'f', 3)
                       .arg(e.chanceLoss, 0, 'f', 3);
    if (e.accuracy >= 0.0)
        line += QObject::tr(", pair found %1 % (chance %2 %)")
                    .arg(100.0 * e.accuracy, 0, 'f', 1)
                    .arg(100.0 * e.chanceAccuracy, 0, 'f', 1);
    return line;
}

} // namespace

PretrainDialog::PretrainDialog(
    std::shared_ptr<lepton::Study> study, const std::vector<lepton::DatasetSummary> &datasets, QWidget *parent)
    : QDialog(parent),
      m_study(std::move(study)),
      m_dataset(named(new QComboBox(this), "datasetBox")),
      m_name(named(new QLineEdit(this), "nameEdit")),
      m_method(named(new QComboBox(this), "methodBox")),
      m_epochs(named(new QSpinBox(this), "epochsBox")),
      m_batch(named(new QSpinBox(this), "batchBox")),
      m_imageSize(named(new QSpinBox(this), "imageSizeBox")),
      m_progress(named(new QProgressBar(this), "progress")),
      m_status(named(new QLabel(this), "status")),
      m_start(named(new QPushButton(tr("&Start"), this), "startButton")),
      m_cancel(named(new QPushButton(tr("Close"), this), "cancelButton")),
      m_task(new BackgroundTask(this))
{
    setWindowTitle(tr("Pretrain Image Encoder"));
    auto *intro = new QLabel(tr("Learns the image encoder from a dataset's own images, labelled or not, without "
                                "using any label. Test images are left out. The result is stored in the study "
                                "and offered under Image encoder in the Training form."),
        this);
    intro->setWordWrap(true);
    for (const auto &d : datasets)
        m_dataset->addItem(tr("%1: %2 (%3 images)").arg(d.id).arg(d.name).arg(d.imageCount), d.id);
    m_dataset->setCurrentIndex(m_dataset->count() - 1);
    auto suggestName = [this] {
        m_name->setText(QStringLiteral("pretrained-dataset-%1").arg(m_dataset->currentData().toLongLong()));
    };
    suggestName();
    connect(m_dataset, &QComboBox::currentIndexChanged, this, suggestName);
    m_method->addItem(tr("contrastive: two views of each image find each other"), QStringLiteral("contrastive"));
    m_method->addItem(tr("masked: hidden patches reconstructed from the rest"), QStringLiteral("masked"));
    const lepton::PretrainOptions defaults;
    m_epochs->setRange(1, 1000);
    m_epochs->setValue(defaults.epochs);
    m_batch->setRange(4, 1024);
    m_batch->setValue(defaults.batchSize);
    m_imageSize->setRange(16, 512);
    m_imageSize->setSingleStep(16);
    m_imageSize->setSuffix(tr(" px"));
    m_imageSize->setValue(defaults.imageSize);
    auto *form = new QFormLayout;
    form->addRow(tr("&Dataset"), m_dataset);
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("&Method"), m_method);
    form->addRow(tr("&Epochs"), m_epochs);
    form->addRow(tr("&Batch size"), m_batch);
    form->addRow(tr("&Image size"), m_imageSize);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setText(tr("Ready."));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_start, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);
    m_start->setDefault(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    connect(m_start, &QPushButton::clicked, this, &PretrainDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, &PretrainDialog::reject);
    connect(m_task, &BackgroundTask::progress, this, [this](qint64 done, qint64 total, const QString &) {
        m_progress->setRange(0, static_cast<int>(std::max<qint64>(1, total)));
        m_progress->setValue(static_cast<int>(done));
        const QMutexLocker lock(&m_mutex);
        if (!m_lastEpoch.isEmpty())
            m_status->setText(m_lastEpoch);
    });
    connect(m_task, &BackgroundTask::finished, this, &PretrainDialog::onFinished);
    m_start->setEnabled(m_study && m_dataset->count() > 0);
    if (m_dataset->count() == 0)
        m_status->setText(tr("The study has no dataset: import one first."));
    resize(560, sizeHint().height());
}

PretrainDialog::~PretrainDialog() = default;

bool PretrainDialog::isRunning() const
{
    return m_task->isRunning();
}

void PretrainDialog::setRunning(bool running)
{
    for (QWidget *w : std::initializer_list<QWidget *> { m_dataset, m_name, m_method, m_epochs, m_batch, m_imageSize })
        w->setEnabled(!running);
    m_start->setEnabled(!running);
    m_cancel->setText(running ? tr("&Cancel") : tr("Close"));
}

void PretrainDialog::start()
{
    if (m_task->isRunning() || !m_study)
        return;
    lepton::PretrainOptions o;
    o.datasetId = m_dataset->currentData().toLongLong();
    o.name = m_name->text().trimmed();
    o.method = m_method->currentData().toString();
    o.epochs = m_epochs->value();
    o.batchSize = m_batch->value();
    o.imageSize = m_imageSize->value();
    if (o.name.isEmpty()) {
        m_status->setText(tr("Name: the encoder needs a name; runs refer to it by it."));
        m_name->setFocus();
        return;
    }
    {
        const QMutexLocker lock(&m_mutex);
        m_lastEpoch.clear();
        m_storedName.clear();
    }
    setRunning(true);
    m_status->setText(tr("Loading the images…"));
    const std::shared_ptr<lepton::Study> study = m_study;
    m_task->start(tr("Pretraining the image encoder"),
        [this, study, o](const lepton::ProgressFn &progress, const lepton::CancelFn &cancelled) {
            lepton::PretrainCallbacks cb;
            cb.progress = progress;
            cb.cancelled = cancelled;
            cb.epoch = [this](const lepton::PretrainEpoch &e) {
                const QMutexLocker lock(&m_mutex);
                m_lastEpoch = epochText(e);
            };
            auto out = lepton::pretrainImageEncoder(*study, o, cb);
            if (!out)
                return lepton::Status::failure(out.error());
            const QMutexLocker lock(&m_mutex);
            m_storedName = out->name;
            return lepton::Status();
        });
}

void PretrainDialog::onFinished(bool ok, bool cancelled, const QString &message)
{
    setRunning(false);
    QString stored, last;
    {
        const QMutexLocker lock(&m_mutex);
        stored = m_storedName;
        last = m_lastEpoch;
    }
    if (ok) {
        m_progress->setValue(m_progress->maximum());
        m_status->setText(tr("Stored the encoder '%1' in the study. %2. Choose it under Image encoder in the Training "
                             "form.")
                              .arg(stored, last));
        Q_EMIT encoderStored(stored);
    } else if (cancelled) {
        m_status->setText(tr("Cancelled; nothing was stored."));
    } else {
        m_status->setText(message);
    }
}

void PretrainDialog::reject()
{
    if (m_task->isRunning()) {
        m_task->cancel();
        m_status->setText(tr("Cancelling at the next batch…"));
        return; // the dialog stays until the work has stopped; Close then closes it
    }
    QDialog::reject();
}
