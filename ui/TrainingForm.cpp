// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrainingForm.h"

#include "decision/DomainTemplate.h"
#include "model/SafeTensors.h"
#include "train/Checkpoint.h"
#include "util/DeviceInfo.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <QVBoxLayout>

namespace {

/// Presets: what a user picks before touching single values.
struct Preset
{
    const char *name;
    int epochs;
    int imageSize;
    int batchSize;
    double learningRate;
};
constexpr Preset kPresets[] = {
    { QT_TRANSLATE_NOOP("TrainingForm", "Quick look (5 epochs, 64 px)"), 5, 64, 32, 3e-3 },
    { QT_TRANSLATE_NOOP("TrainingForm", "Default (30 epochs, 128 px)"), 30, 128, 32, 3e-3 },
    { QT_TRANSLATE_NOOP("TrainingForm", "Thorough (60 epochs, 128 px)"), 60, 128, 32, 2e-3 },
};
constexpr int kDefaultPreset = 1;
constexpr int kDatasetIdRole = Qt::UserRole; // DatasetListModel::IdRole

template <typename W> W *named(W *widget, const char *name)
{
    widget->setObjectName(QLatin1String(name));
    return widget;
}

} // namespace

TrainingForm::TrainingForm(QWidget *parent)
    : QWidget(parent),
      m_dataset(named(new QComboBox(this), "datasetBox")),
      m_preset(named(new QComboBox(this), "presetBox")),
      m_name(named(new QLineEdit(this), "nameEdit")),
      m_variant(named(new QComboBox(this), "variantBox")),
      m_epochs(named(new QSpinBox(this), "epochsBox")),
      m_batch(named(new QSpinBox(this), "batchBox")),
      m_lr(named(new QDoubleSpinBox(this), "learningRateBox")),
      m_imageSize(named(new QSpinBox(this), "imageSizeBox")),
      m_augment(named(
          new QCheckBox(tr("flips, small rotations and shifts, brightness/contrast, noise"), this), "augmentBox")),
      m_seed(named(new QSpinBox(this), "seedBox")),
      m_template(named(new QComboBox(this), "templateBox")),
      m_encoder(named(new QComboBox(this), "encoderBox")),
      m_fineTune(named(new QComboBox(this), "fineTuneBox")),
      m_device(named(new QComboBox(this), "deviceBox")),
      m_deviceInfo(named(new QLabel(this), "deviceLabel")),
      m_threads(named(new QSpinBox(this), "threadsBox")),
      m_metric(named(new QComboBox(this), "metricBox")),
      m_problem(named(new QLabel(this), "problemLabel")),
      m_start(named(new QPushButton(tr("Start"), this), "startButton")),
      m_cancel(named(new QPushButton(tr("Cancel"), this), "cancelButton")),
      m_resume(named(new QPushButton(tr("Resume"), this), "resumeButton"))
{
    auto *outer = new QVBoxLayout(this);
    auto *runBox = new QGroupBox(tr("Run"), this);
    auto *form = new QFormLayout(runBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_dataset->setToolTip(tr("The dataset to train on (its train and val splits; test is kept for the end)"));
    form->addRow(tr("&Dataset"), m_dataset);
    for (const Preset &p : kPresets)
        m_preset->addItem(tr(p.name));
    m_preset->addItem(tr("Custom"));
    m_preset->setToolTip(tr("Fills the form with tried settings; changing a value makes it Custom"));
    form->addRow(tr("&Preset"), m_preset);
    m_name->setPlaceholderText(tr("e.g. attention seed 1 (default)"));
    form->addRow(tr("&Name"), m_name);
    m_variant->addItem(tr("attention fusion (all modalities)"), QStringLiteral("attention"));
    m_variant->addItem(tr("concatenation fusion"), QStringLiteral("concat"));
    m_variant->addItem(tr("image only"), QStringLiteral("image"));
    m_variant->addItem(tr("record only"), QStringLiteral("record"));
    m_variant->addItem(tr("history only"), QStringLiteral("history"));
    m_variant->addItem(tr("text only (notes)"), QStringLiteral("text"));
    m_variant->setToolTip(tr("How the modalities are fused; the single-modality variants are for ablations"));
    form->addRow(tr("&Variant"), m_variant);
    m_epochs->setRange(1, 1000);
    form->addRow(tr("&Epochs"), m_epochs);
    m_batch->setRange(1, 4096);
    form->addRow(tr("&Batch size"), m_batch);
    m_lr->setDecimals(5);
    m_lr->setRange(0.00001, 1.0);
    m_lr->setSingleStep(0.0005);
    form->addRow(tr("&Learning rate"), m_lr);
    m_imageSize->setRange(16, 1024);
    m_imageSize->setSingleStep(16);
    m_imageSize->setSuffix(tr(" px"));
    form->addRow(tr("&Image size"), m_imageSize);
    m_augment->setChecked(true);
    form->addRow(tr("&Augmentation"), m_augment);
    m_seed->setRange(0, 2'000'000'000);
    m_seed->setValue(1);
    form->addRow(tr("&Seed"), m_seed);
    m_template->addItem(tr("auto (matches the classes)"), QStringLiteral("auto"));
    for (const QString &name : lepton::DomainTemplate::builtinNames())
        m_template->addItem(name, name);
    m_template->addItem(tr("From a file…"), QStringLiteral("<file>"));
    m_template->setToolTip(tr("The decision template kept with the run (classes, costs, grades)"));
    form->addRow(tr("&Template"), m_template);
    m_encoder->addItem(tr("train from scratch"), QString());
    m_encoder->addItem(tr("From a weights file…"), QStringLiteral("<file>"));
    m_encoder->setToolTip(tr("Start the image encoder from one of the study's encoders (`lepton encoder import`), "
                             "or from weights trained elsewhere: a .safetensors file or a checkpoint from `lepton "
                             "export` (docs/TRANSFER.md)"));
    form->addRow(tr("Image &encoder"), m_encoder);
    m_fineTune->addItem(tr("fine-tune all layers"), QStringLiteral("full"));
    m_fineTune->addItem(tr("fine-tune, encoder at 0.1× the learning rate"), QStringLiteral("lowlr"));
    m_fineTune->addItem(tr("adapters only (encoder frozen)"), QStringLiteral("adapters"));
    m_fineTune->addItem(tr("encoder frozen"), QStringLiteral("frozen"));
    m_fineTune->setToolTip(tr("How the loaded encoder trains; adapters train about a tenth of the parameters"));
    m_fineTune->setEnabled(false);
    form->addRow(tr("Fine-t&uning"), m_fineTune);

    // Device: CUDA only when this build and machine have it; otherwise greyed, with the reason.
    m_device->addItem(tr("auto"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
    const lepton::CudaAvailability cuda = lepton::cudaAvailability();
    auto *cudaItem = qobject_cast<QStandardItemModel *>(m_device->model())->item(2);
    if (cuda.available) {
        m_deviceInfo->setText(tr("GPU: %1").arg(cuda.name));
        m_device->setItemText(2, tr("CUDA: %1").arg(cuda.name));
    } else {
        cudaItem->setEnabled(false);
        cudaItem->setToolTip(cuda.reason);
        m_deviceInfo->setText(tr("No GPU: %1").arg(cuda.reason));
    }
    m_deviceInfo->setWordWrap(true);
    m_deviceInfo->setStyleSheet(QStringLiteral("color: palette(mid);"));
    form->addRow(tr("De&vice"), m_device);
    form->addRow(QString(), m_deviceInfo);
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    m_threads->setToolTip(tr("LibTorch threads for the computation"));
    form->addRow(tr("T&hreads"), m_threads);
    m_metric->addItem(tr("val AUROC"), QStringLiteral("auroc"));
    m_metric->addItem(tr("val accuracy"), QStringLiteral("accuracy"));
    m_metric->addItem(tr("val F1"), QStringLiteral("f1"));
    m_metric->setToolTip(tr("The metric plotted on the right axis (early stopping always uses val AUROC)"));
    form->addRow(tr("Plotted &metric"), m_metric);
    outer->addWidget(runBox);

    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_problem->hide();
    outer->addWidget(m_problem);

    auto *buttons = new QHBoxLayout;
    m_start->setDefault(true);
    m_start->setToolTip(tr("Start a run with these settings (Ctrl+Enter)"));
    m_cancel->setToolTip(tr("Stop the run; it is kept as cancelled with its last checkpoint (Ctrl+.)"));
    m_resume->setToolTip(tr("Continue the run selected under Runs from its last checkpoint"));
    buttons->addWidget(m_start);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_resume);
    outer->addLayout(buttons);
    outer->addStretch();

    connect(m_start, &QPushButton::clicked, this, &TrainingForm::startRequested);
    connect(m_cancel, &QPushButton::clicked, this, &TrainingForm::cancelRequested);
    connect(m_resume, &QPushButton::clicked, this, &TrainingForm::resumeRequested);
    connect(m_preset, &QComboBox::activated, this, &TrainingForm::applyPreset);
    for (QSpinBox *b : { m_epochs, m_batch, m_imageSize })
        connect(b, &QSpinBox::valueChanged, this, &TrainingForm::markCustom);
    connect(m_lr, &QDoubleSpinBox::valueChanged, this, &TrainingForm::markCustom);
    connect(m_template, &QComboBox::activated, this, &TrainingForm::chooseTemplateFile);
    connect(m_encoder, &QComboBox::activated, this, &TrainingForm::chooseEncoderFile);
    connect(m_encoder, &QComboBox::currentIndexChanged, this,
        [this] { m_fineTune->setEnabled(m_encoder->isEnabled() && !m_encoder->currentData().toString().isEmpty()); });
    connect(m_metric, &QComboBox::currentIndexChanged, this, &TrainingForm::metricChanged);
    applyPreset(kDefaultPreset);
}

void TrainingForm::setDatasetModel(QAbstractItemModel *model)
{
    m_dataset->setModel(model);
    // The newest dataset is the one a user has just imported.
    m_dataset->setCurrentIndex(m_dataset->count() - 1);
    // A dataset added while none was chosen (a first import) is chosen.
    connect(model, &QAbstractItemModel::rowsInserted, m_dataset, [this] {
        if (m_dataset->currentIndex() < 0)
            m_dataset->setCurrentIndex(m_dataset->count() - 1);
    });
}

qint64 TrainingForm::datasetId() const
{
    return m_dataset->currentIndex() >= 0 ? m_dataset->currentData(kDatasetIdRole).toLongLong() : 0;
}

void TrainingForm::selectDataset(qint64 datasetId)
{
    const int index = m_dataset->findData(datasetId, kDatasetIdRole);
    if (index >= 0)
        m_dataset->setCurrentIndex(index);
}

lepton::Result<lepton::TrainConfig> TrainingForm::config(bool haveStudy) const
{
    lepton::TrainConfig c;
    c.model.fusion
        = lepton::fusionVariantFromName(m_variant->currentData().toString()).value_or(lepton::FusionVariant::Attention);
    c.epochs = m_epochs->value();
    c.batchSize = m_batch->value();
    c.learningRate = m_lr->value();
    c.model.imageSize = m_imageSize->value();
    c.augment.enabled = m_augment->isChecked();
    c.seed = static_cast<std::uint64_t>(m_seed->value());
    c.templateName = m_template->currentData().toString();
    c.device = m_device->currentData().toString();
    c.threads = m_threads->value();
    const QString encoder = m_encoder->currentData().toString();
    if (!encoder.isEmpty() && encoder != QLatin1String("<file>")) {
        if (encoder.startsWith(QLatin1String("encoder:")))
            c.imageEncoder = encoder.mid(8);
        else
            c.imageEncoderFrom = encoder;
        const QString how = m_fineTune->currentData().toString();
        if (how == QLatin1String("lowlr"))
            c.imageEncoderLrScale = 0.1;
        else if (how == QLatin1String("adapters"))
            c.model.imageAdapters = 8;
        else if (how == QLatin1String("frozen"))
            c.freezeImageEpochs = c.epochs;
    }
    QString p;
    if (!haveStudy)
        p = tr("Open or create a study first (File ▸ Open, or the start page).");
    else if (m_dataset->currentIndex() < 0)
        p = tr("The study has no dataset: import one first (File ▸ Import Data, Ctrl+I).");
    else if (c.templateName == QLatin1String("<file>"))
        p = tr("Template: choose a template file.");
    else if (encoder == QLatin1String("<file>"))
        p = tr("Image encoder: choose a weights file, or train from scratch.");
    else if (!c.imageEncoder.isEmpty() && c.model.imageAdapters > 0)
        p = tr("Fine-tuning: adapters sit between the built-in encoder's stages; with the imported encoder %1 "
               "choose the lower learning rate or a frozen encoder.")
                .arg(c.imageEncoder);
    else if ((!c.imageEncoderFrom.isEmpty() || !c.imageEncoder.isEmpty()) && !c.model.usesImage())
        p = tr("Image encoder: the %1 variant has no image encoder to start from a file; choose train from "
               "scratch or a variant with images.")
                .arg(m_variant->currentText());
    else if (c.device == QLatin1String("cuda") && !lepton::cudaAvailability().available)
        p = tr("Device: %1 Choose auto or CPU.").arg(lepton::cudaAvailability().reason);
    else if (c.model.imageSize % 8 != 0)
        p = tr("Image size: %1 px is not a multiple of 8; the image encoder halves it per stage. Use e.g. %2 px.")
                .arg(c.model.imageSize)
                .arg(std::max(16, c.model.imageSize / 8 * 8));
    if (p.isEmpty())
        p = c.validate();
    if (p.isEmpty())
        p = c.model.validate();
    if (!p.isEmpty())
        return lepton::Result<lepton::TrainConfig>::failure(p);
    return c;
}

QString TrainingForm::runName() const
{
    return m_name->text().trimmed();
}

QString TrainingForm::variant() const
{
    return m_variant->currentData().toString();
}

QString TrainingForm::metricKey() const
{
    return m_metric->currentData().toString();
}

QString TrainingForm::metricLabel() const
{
    return m_metric->currentText();
}

void TrainingForm::applyPreset(int index)
{
    if (index < 0 || index >= int(std::size(kPresets)))
        return;
    const Preset &p = kPresets[index];
    m_applyingPreset = true;
    m_epochs->setValue(p.epochs);
    m_imageSize->setValue(p.imageSize);
    m_batch->setValue(p.batchSize);
    m_lr->setValue(p.learningRate);
    m_preset->setCurrentIndex(index);
    m_applyingPreset = false;
}

void TrainingForm::setEpochs(int epochs)
{
    m_epochs->setValue(epochs);
}

void TrainingForm::markCustom()
{
    if (!m_applyingPreset)
        m_preset->setCurrentIndex(m_preset->count() - 1);
}

void TrainingForm::chooseTemplateFile(int index)
{
    if (m_template->itemData(index).toString() != QLatin1String("<file>"))
        return;
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Decision template"), QString(), tr("Templates (*.json);;All files (*)"));
    if (file.isEmpty()) {
        m_template->setCurrentIndex(0);
        return;
    }
    auto t = lepton::DomainTemplate::load(file);
    if (!t) {
        m_template->setCurrentIndex(0);
        Q_EMIT errorOccurred(t.error());
        return;
    }
    m_template->insertItem(index, QFileInfo(file).fileName(), file);
    m_template->setCurrentIndex(index);
}

void TrainingForm::chooseEncoderFile(int index)
{
    if (m_encoder->itemData(index).toString() != QLatin1String("<file>"))
        return;
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Image encoder weights"), QString(), tr("Weights (*.safetensors *.ckpt);;All files (*)"));
    if (file.isEmpty() || !setImageEncoderFile(file))
        m_encoder->setCurrentIndex(0);
}

bool TrainingForm::setImageEncoderFile(const QString &path)
{
    // Read now, so that a wrong file is named here rather than when the run starts.
    QFile f(path);
    QString problem;
    if (!f.open(QIODevice::ReadOnly)) {
        problem = tr("%1: cannot be read (%2)").arg(path, f.errorString());
    } else {
        const QByteArray bytes = f.readAll();
        if (lepton::safetensors::looksLike(bytes) && !bytes.startsWith(lepton::CheckpointIO::signature())) {
            auto weights = lepton::safetensors::read(bytes);
            if (!weights)
                problem = tr("%1: %2").arg(path, weights.error());
        } else if (lepton::Status st = lepton::CheckpointIO::verify(bytes); !st) {
            problem = tr("%1: neither safetensors weights nor a checkpoint from `lepton export --checkpoint` (%2)")
                          .arg(path, st.error());
        }
    }
    if (!problem.isEmpty()) {
        Q_EMIT errorOccurred(problem);
        return false;
    }
    int index = m_encoder->findData(path);
    if (index < 0) {
        index = m_encoder->count() - 1; // before "From a weights file…"
        m_encoder->insertItem(index, tr("from %1").arg(QFileInfo(path).fileName()), path);
        m_encoder->setItemData(index, path, Qt::ToolTipRole);
    }
    m_encoder->setCurrentIndex(index);
    return true;
}

void TrainingForm::setStudyEncoders(const QList<QPair<QString, QString>> &encoders)
{
    const QString chosen = m_encoder->currentData().toString();
    for (int i = m_encoder->count() - 1; i >= 0; --i)
        if (m_encoder->itemData(i).toString().startsWith(QLatin1String("encoder:")))
            m_encoder->removeItem(i);
    int at = 1; // after "train from scratch"
    for (const auto &[name, description] : encoders) {
        const QString data = QStringLiteral("encoder:") + name;
        m_encoder->insertItem(at, tr("study encoder %1").arg(name), data);
        m_encoder->setItemData(at, description, Qt::ToolTipRole);
        ++at;
    }
    const int index = m_encoder->findData(chosen);
    m_encoder->setCurrentIndex(index >= 0 ? index : 0);
}

void TrainingForm::setState(bool running, bool canStart, bool canResume, const QString &startTip)
{
    for (QWidget *w : std::initializer_list<QWidget *> { m_dataset, m_preset, m_name, m_variant, m_epochs, m_batch,
             m_lr, m_imageSize, m_augment, m_seed, m_template, m_encoder, m_device, m_threads })
        w->setEnabled(!running);
    m_fineTune->setEnabled(!running && !m_encoder->currentData().toString().isEmpty());
    m_start->setEnabled(!running && canStart);
    m_start->setToolTip(startTip.isEmpty() ? tr("Start a run with these settings (Ctrl+Enter)") : startTip);
    m_cancel->setEnabled(running);
    m_resume->setEnabled(!running && canResume);
    m_resume->setToolTip(canResume ? tr("Continue the selected run from its last checkpoint")
                                   : tr("Select a cancelled, interrupted or failed run under \"Runs in this study\""));
}

void TrainingForm::setCancelEnabled(bool enabled)
{
    m_cancel->setEnabled(enabled);
}

void TrainingForm::showProblem(const QString &message)
{
    m_problem->setText(message);
    m_problem->setVisible(!message.isEmpty());
}
