// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportDialog.h"

#include "BackgroundTask.h"
#include "ImportColumnModel.h"
#include "ImportComboDelegate.h"
#include "ImportFilesGroup.h"
#include "ImportReportModel.h"
#include "ImportReportPane.h"

#include "data/Deidentifier.h"
#include "service/BackgroundRead.h"
#include "service/ManifestPreview.h"
#include "service/StudyImport.h"
#include "store/Study.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>
#include <utility>

namespace {

constexpr int PreviewRows = 20;
constexpr int PreviewColumnWidth = 220;
enum Tab { PreviewTab, ColumnsTab, ReportTab };
} // namespace

/// What the background work hands back; shared so that the work never refers to the dialog.
struct ImportDialog::RunResult : lepton::StudyImportResult
{
    /// The options the import ran with (and the de-identification key), for a save asked about.
    lepton::ImportOptions options;
};

ImportDialog::ImportDialog(std::shared_ptr<lepton::Study> study, QWidget *parent)
    : QDialog(parent),
      m_study(std::move(study)),
      m_task(new BackgroundTask(this)),
      m_filesGroup(new ImportFilesGroup(this)),
      m_manifest(m_filesGroup->manifestEdit()),
      m_events(m_filesGroup->eventsEdit()),
      m_imageRoot(m_filesGroup->imageRootEdit()),
      m_name(m_filesGroup->nameEdit()),
      m_deidentify(m_filesGroup->deidentifyCheck()),
      m_previewTimer(new QTimer(this)),
      m_message(new QLabel(this)),
      m_tabs(new QTabWidget(this)),
      m_previewModel(new QStandardItemModel(this)),
      m_previewView(new QTableView(this)),
      m_previewInfo(new QLabel(this)),
      m_columnModel(new ImportColumnModel(this)),
      m_columnView(new QTableView(this)),
      m_report(new ImportReportPane(this)),
      m_stage(new QLabel(this)),
      m_progress(new QProgressBar(this))
{
    setWindowTitle(tr("Import Dataset"));
    setObjectName(QStringLiteral("importDialog"));

    // A problem that keeps the import from starting, in plain sight above the tables.
    m_message->setObjectName(QStringLiteral("messageLabel"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setStyleSheet(QStringLiteral("QLabel { color: #8a1f11; background: #fdecea; border: 1px solid #f1b8b0;"
                                            " border-radius: 4px; padding: 6px 8px; }"));
    m_message->hide();

    // Preview: the first rows as they are in the file.
    auto *previewPage = new QWidget(this);
    auto *previewLayout = new QVBoxLayout(previewPage);
    m_previewInfo->setObjectName(QStringLiteral("previewInfo"));
    m_previewInfo->setWordWrap(true);
    m_previewView->setObjectName(QStringLiteral("previewView"));
    m_previewView->setModel(m_previewModel);
    m_previewView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_previewView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_previewView->setAlternatingRowColors(true);
    m_previewView->setWordWrap(false);
    m_previewView->verticalHeader()->setDefaultSectionSize(m_previewView->fontMetrics().height() + 6);
    m_previewView->verticalHeader()->setToolTip(tr("Line in the file"));
    previewLayout->addWidget(m_previewInfo);
    previewLayout->addWidget(m_previewView, 1);

    // Columns: a role for every column and a type for every record field.
    auto *columnsPage = new QWidget(this);
    auto *columnsLayout = new QVBoxLayout(columnsPage);
    auto *columnsHint = new QLabel(tr("Give each column its role. Every column that is not the case id, label, image "
                                      "or split is a record field; its type is inferred from the values and can be "
                                      "changed here. “Drop” leaves a column out of the study entirely; "
                                      "“Identifier” (with De-identify) stores pseudonyms instead of its values."),
        this);
    columnsHint->setWordWrap(true);
    m_columnView->setObjectName(QStringLiteral("columnView"));
    m_columnView->setModel(m_columnModel);
    m_columnView->setItemDelegateForColumn(
        ImportColumnModel::Role, new ImportComboDelegate(ImportColumnModel::ChoicesRole, this));
    m_columnView->setItemDelegateForColumn(
        ImportColumnModel::Type, new ImportComboDelegate(ImportColumnModel::ChoicesRole, this));
    m_columnView->setSelectionMode(QAbstractItemView::NoSelection);
    m_columnView->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_columnView->verticalHeader()->hide();
    m_columnView->verticalHeader()->setDefaultSectionSize(
        std::max(QComboBox().sizeHint().height(), m_columnView->fontMetrics().height()) + 6);
    m_columnView->horizontalHeader()->setStretchLastSection(true);
    m_columnView->setColumnWidth(ImportColumnModel::Name, 200);
    m_columnView->setColumnWidth(ImportColumnModel::Role, 160);
    m_columnView->setColumnWidth(ImportColumnModel::Type, 150);
    columnsLayout->addWidget(columnsHint);
    columnsLayout->addWidget(m_columnView, 1);

    m_tabs->addTab(previewPage, tr("Preview"));
    m_tabs->addTab(columnsPage, tr("Columns"));
    m_tabs->addTab(m_report, tr("Report"));
    m_tabs->setTabEnabled(ReportTab, false);

    // The bottom row: what is happening, progress while running, and the buttons.
    m_stage->setObjectName(QStringLiteral("stageLabel"));
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setFixedWidth(220);
    m_progress->setTextVisible(true);
    m_progress->hide();
    auto *buttons = new QDialogButtonBox(this);
    m_importButton = buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    m_cancelButton = buttons->addButton(tr("&Cancel Import"), QDialogButtonBox::ActionRole);
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    m_importButton->setObjectName(QStringLiteral("importButton"));
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_importButton->setDefault(true);
    m_cancelButton->setAutoDefault(false);
    m_closeButton->setAutoDefault(false);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_stage, 1);
    bottom->addWidget(m_progress);
    bottom->addSpacing(12);
    bottom->addWidget(buttons);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filesGroup);
    connect(m_filesGroup, &ImportFilesGroup::manifestChosen, this, &ImportDialog::setManifestPath);
    layout->addWidget(m_message);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(bottom);

    // Typing a path previews it after a short pause, not per key.
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(400);
    connect(m_previewTimer, &QTimer::timeout, this, &ImportDialog::loadPreview);
    connect(m_manifest, &QLineEdit::textEdited, m_previewTimer, qOverload<>(&QTimer::start));
    connect(m_manifest, &QLineEdit::editingFinished, this, [this] {
        if (m_manifest->text().trimmed() != m_previewPath)
            loadPreview();
    });
    for (QLineEdit *edit : { m_events, m_imageRoot, m_name })
        connect(edit, &QLineEdit::textChanged, this, &ImportDialog::inputsChanged);
    connect(m_deidentify, &QCheckBox::toggled, this, &ImportDialog::inputsChanged);
    connect(m_filesGroup, &ImportFilesGroup::optionsChanged, this, &ImportDialog::inputsChanged);
    connect(m_events, &QLineEdit::textChanged, this, [this](const QString &text) {
        // The note speaks of the file it filled in; another choice makes it moot.
        if (!m_offeredEvents.isEmpty() && text.trimmed() != m_offeredEvents) {
            m_offeredEvents.clear();
            m_filesGroup->setEventsNote(QString());
        }
    });
    connect(m_columnModel, &QAbstractItemModel::modelReset, this, &ImportDialog::openColumnEditors);
    connect(m_columnModel, &QAbstractItemModel::dataChanged, this, &ImportDialog::inputsChanged);

    connect(m_importButton, &QPushButton::clicked, this, &ImportDialog::startImport);
    connect(m_cancelButton, &QPushButton::clicked, this, &ImportDialog::cancelImport);
    connect(m_closeButton, &QPushButton::clicked, this, &ImportDialog::reject);
    connect(m_report, &ImportReportPane::exportRequested, this, &ImportDialog::chooseExportFile);
    connect(m_task, &BackgroundTask::progress, this, &ImportDialog::onProgress);
    connect(m_task, &BackgroundTask::finished, this, &ImportDialog::onFinished);

    resize(980, 720);
    setMinimumSize(720, 520);
    loadPreview();
    m_manifest->setFocus();
}

ImportDialog::~ImportDialog()
{
    // Stop a running import before the members it reports to go away.
    delete m_task;
}

void ImportDialog::setManifestPath(const QString &path)
{
    m_previewTimer->stop();
    m_manifest->setText(path);
    loadPreview();
}

void ImportDialog::setEventsPath(const QString &path)
{
    m_events->setText(path);
}

void ImportDialog::setImageRoot(const QString &path)
{
    m_imageRoot->setText(path);
}

void ImportDialog::setDatasetName(const QString &name)
{
    m_name->setText(name);
}

void ImportDialog::setDeidentify(bool on)
{
    m_deidentify->setChecked(on);
}

lepton::ImportOptions ImportDialog::options() const
{
    lepton::ImportOptions o;
    o.manifestPath = m_manifest->text().trimmed();
    o.eventsPath = m_events->text().trimmed();
    o.imageRoot = m_imageRoot->text().trimmed();
    o.name = m_name->text().trimmed();
    o.eventsIdColumn = m_filesGroup->eventsIdEdit()->text().trimmed();
    m_columnModel->applyTo(o);
    o.deidentify.enabled = m_deidentify->isChecked();
    if (auto window = m_filesGroup->dicomWindow())
        o.dicomWindow = window.value();
    o.dicomFields = m_filesGroup->dicomFields();
    return o;
}

void ImportDialog::loadPreview()
{
    const QString path = m_manifest->text().trimmed();
    m_previewPath = path;
    m_previewError.clear();
    m_previewModel->clear();
    m_columnModel->clear();
    const int generation = ++m_previewGeneration; // a preview still being read is dropped
    const QFileInfo info(path);
    m_imageRoot->setPlaceholderText(path.isEmpty() ? tr("The manifest's folder") : info.absolutePath());
    m_name->setPlaceholderText(path.isEmpty() ? tr("The manifest's file name") : info.completeBaseName());
    offerEventsBeside(path);
    if (path.isEmpty()) {
        m_previewLoading = false;
        m_previewInfo->setText(tr("Choose a manifest CSV to see its first rows."));
        inputsChanged();
        Q_EMIT previewLoaded();
        return;
    }
    // The whole file is read (the types need every value): in the background.
    m_previewLoading = true;
    m_previewInfo->setText(tr("Reading %1…").arg(info.fileName()));
    inputsChanged();
    lepton::runInBackground<lepton::ManifestPreview>(
        this, [path] { return lepton::ManifestPreview::read(path, PreviewRows); },
        [this, generation](const lepton::Result<lepton::ManifestPreview> &preview) {
            if (generation != m_previewGeneration)
                return;
            m_previewLoading = false;
            showPreview(preview);
            Q_EMIT previewLoaded();
            if (std::exchange(m_startWhenPreviewed, false))
                startImport();
        });
}

void ImportDialog::offerEventsBeside(const QString &manifest)
{
    // An events file filled in for an earlier manifest goes with it.
    if (!m_offeredEvents.isEmpty() && m_events->text().trimmed() == m_offeredEvents) {
        m_events->clear();
        m_offeredEvents.clear();
        m_filesGroup->setEventsNote(QString());
    }
    if (manifest.isEmpty() || !m_events->text().trimmed().isEmpty())
        return;
    const QFileInfo info(manifest);
    const QFileInfo beside(info.absoluteDir().filePath(QStringLiteral("events.csv")));
    if (!info.isFile() || !beside.isFile() || beside.absoluteFilePath() == info.absoluteFilePath())
        return;
    m_events->setText(beside.absoluteFilePath());
    m_offeredEvents = beside.absoluteFilePath();
    m_filesGroup->setEventsNote(tr("events.csv beside the manifest is filled in; clear the field to import "
                                   "without events."));
}

void ImportDialog::showPreview(const lepton::Result<lepton::ManifestPreview> &preview)
{
    if (!preview) {
        m_previewError = preview.error();
        m_previewInfo->setText(tr("The manifest cannot be previewed."));
        inputsChanged();
        return;
    }
    const lepton::ManifestPreview &p = preview.value();
    m_previewModel->setColumnCount(static_cast<int>(p.header.size()));
    m_previewModel->setHorizontalHeaderLabels(p.header);
    QStringList lines;
    for (const lepton::CsvRow &row : p.firstRows) {
        QList<QStandardItem *> items;
        for (qsizetype c = 0; c < std::max(p.header.size(), row.fields.size()); ++c) {
            auto *item = new QStandardItem(c < row.fields.size() ? row.fields.at(c) : QString());
            item->setToolTip(item->text());
            items.append(item);
        }
        m_previewModel->appendRow(items);
        lines.append(QString::number(row.line));
    }
    m_previewModel->setVerticalHeaderLabels(lines);
    m_previewView->resizeColumnsToContents();
    for (int c = 0; c < m_previewModel->columnCount(); ++c)
        m_previewView->setColumnWidth(c, std::min(m_previewView->columnWidth(c), PreviewColumnWidth));
    const QLocale locale;
    m_previewInfo->setText(tr("%1 — the first %2 of %3 rows, %4 columns.")
                               .arg(QFileInfo(p.path).fileName(), locale.toString(qint64(p.firstRows.size())),
                                   locale.toString(p.rowCount), locale.toString(qint64(p.header.size()))));
    m_columnModel->setColumns(p.columns);
    inputsChanged();
}

void ImportDialog::openColumnEditors()
{
    for (int row = 0; row < m_columnModel->rowCount(); ++row) {
        m_columnView->openPersistentEditor(m_columnModel->index(row, ImportColumnModel::Role));
        m_columnView->openPersistentEditor(m_columnModel->index(row, ImportColumnModel::Type));
    }
}

void ImportDialog::inputsChanged()
{
    m_done = false;
    m_runError.clear();
    updateState();
    if (m_importButton->isEnabled())
        m_stage->setText(tr("Ready to import."));
    else
        m_stage->clear();
}

QString ImportDialog::problem() const
{
    if (!m_study)
        return tr("No study is open; open or create a study first.");
    if (m_study->isReadOnly())
        return tr("The study %1 is open read-only; reopen it for writing to import.").arg(m_study->path());
    if (m_manifest->text().trimmed().isEmpty())
        return tr("Choose a manifest CSV file.");
    if (m_previewLoading)
        return tr("Reading the manifest…");
    if (!m_previewError.isEmpty())
        return m_previewError;
    const QString columns = m_columnModel->validate();
    if (!columns.isEmpty())
        return columns;
    const lepton::ImportOptions chosen = options();
    if (!chosen.deidentify.enabled && !chosen.deidentify.idColumns.isEmpty())
        return tr("The column %1 has the role “%2”, which applies only when de-identifying; tick “De-identify” "
                  "or give the column another role.")
            .arg(chosen.deidentify.idColumns.first(),
                ImportColumnModel::roleName(ImportColumnModel::ColumnRole::Identifier));
    if (auto window = m_filesGroup->dicomWindow(); !window)
        return window.error();
    const QString root = m_imageRoot->text().trimmed();
    if (!root.isEmpty() && !QFileInfo(root).isDir())
        return tr("The image folder %1 does not exist; choose the folder the image paths are relative to.").arg(root);
    return QString();
}

void ImportDialog::updateState()
{
    const QString blocker = problem();
    // A fresh dialog without a manifest is not an error; the preview says what to do.
    const bool waitingForManifest = m_manifest->text().trimmed().isEmpty();
    showMessage(!waitingForManifest && !blocker.isEmpty() ? blocker : m_runError);

    const bool idle = !m_running;
    m_importButton->setEnabled(idle && !m_done && blocker.isEmpty());
    m_cancelButton->setEnabled(m_running);
    m_filesGroup->setEnabled(idle);
    m_columnView->setEnabled(idle);
    m_report->setExportEnabled(idle && m_report->hasReport());
    m_tabs->setTabEnabled(ReportTab, m_report->hasReport());
    m_tabs->setTabText(
        ColumnsTab, m_columnModel->rowCount() > 0 ? tr("Columns (%1)").arg(m_columnModel->rowCount()) : tr("Columns"));
    m_tabs->setTabText(ReportTab, m_report->hasReport() ? tr("Report (%1)").arg(m_report->rowCount()) : tr("Report"));
    // After an import, Enter closes instead of importing the same files again.
    (m_done ? m_closeButton : m_importButton)->setDefault(true);
}

void ImportDialog::showMessage(const QString &message)
{
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
    if (!message.isEmpty())
        m_lastError = message;
}

void ImportDialog::startImport()
{
    if (m_running)
        return;
    if (m_manifest->text().trimmed() != m_previewPath)
        loadPreview();
    if (m_previewLoading) {
        // Started as soon as the manifest is read (its columns decide the import's options).
        m_startWhenPreviewed = true;
        return;
    }
    const QString blocker = problem();
    if (!blocker.isEmpty()) {
        showMessage(blocker);
        return;
    }

    auto result = std::make_shared<RunResult>();
    m_result = result;
    lepton::ImportOptions o = options();
    std::shared_ptr<lepton::Study> study = m_study;
    BackgroundTask::Work work
        = [o, study, result](const lepton::ProgressFn &progress, const lepton::CancelFn &cancelled) mutable {
              o.progress = progress;
              o.cancelled = cancelled;
              if (lepton::Status prepared = lepton::StudyImport::prepare(*study, o, *result); !prepared)
                  return prepared;
              if (lepton::StudyImport::mostRowsExcluded(result->report)) {
                  // Kept unsaved: the dialog asks first (onFinished).
                  result->options = o;
                  return lepton::Status();
              }
              return lepton::StudyImport::save(*study, o, *result);
          };
    if (!m_task->start(tr("Import"), std::move(work)))
        return;
    m_running = true;
    m_runError.clear();
    m_report->clear();
    m_progress->setRange(0, 0);
    m_progress->show();
    m_stage->setText(tr("Starting the import…"));
    updateState();
}

void ImportDialog::cancelImport()
{
    if (!m_running)
        return;
    m_task->cancel();
    m_cancelButton->setEnabled(false);
    m_stage->setText(tr("Cancelling…"));
}

void ImportDialog::reject()
{
    if (m_running) {
        confirmCancel();
        return;
    }
    QDialog::reject();
}

bool ImportDialog::confirmCancel()
{
    const auto answer = QMessageBox::question(this, tr("Import Running"),
        tr("An import is running. Cancel it? Nothing will be written to the study."),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes)
        return false;
    cancelImport();
    return true;
}

void ImportDialog::onProgress(qint64 done, qint64 total, const QString &stage)
{
    if (!m_running)
        return;
    if (m_task->isCancelled())
        return; // "Cancelling…" stays until the work stops
    if (total > 0) {
        m_progress->setRange(0, static_cast<int>(std::min<qint64>(total, std::numeric_limits<int>::max())));
        m_progress->setValue(static_cast<int>(std::min(done, total)));
        const QLocale locale;
        m_stage->setText(tr("%1: %2 of %3…").arg(stage, locale.toString(done), locale.toString(total)));
    } else {
        m_progress->setRange(0, 0);
        m_stage->setText(stage + QStringLiteral("…"));
    }
}

void ImportDialog::onFinished(bool ok, bool cancelled, const QString &message)
{
    m_running = false;
    m_progress->hide();
    const RunResult result = m_result ? *m_result : RunResult();
    const lepton::ImportReport &report = result.report;
    const QLocale locale;
    QString summary;
    if (ok && result.pending) {
        // Most rows were excluded: nothing is saved before the user says so.
        summary = tr("<b>Not saved yet:</b> %1 of %2 rows were excluded.")
                      .arg(locale.toString(report.casesExcluded), locale.toString(report.rowsRead));
        m_stage->setText(tr("Most rows were excluded; waiting for your answer."));
        if (result.haveReport)
            showReport(report, summary);
        updateState();
        askToSave();
        return;
    }
    if (ok) {
        m_importedId = result.datasetId;
        m_done = true;
        QString counts = tr("%1 rows read: %2 cases imported, %3 excluded; %4 images")
                             .arg(locale.toString(report.rowsRead), locale.toString(report.casesImported),
                                 locale.toString(report.casesExcluded), locale.toString(report.imagesDecoded));
        if (report.eventsRead > 0)
            counts += tr("; %1 of %2 events")
                          .arg(locale.toString(report.eventsImported), locale.toString(report.eventsRead));
        counts += tr("; %1 s.").arg(locale.toString(report.seconds, 'f', report.seconds < 10 ? 2 : 1));
        summary
            = tr("<b>Imported dataset “%1”.</b> %2").arg(result.datasetName.toHtmlEscaped(), counts.toHtmlEscaped());
        m_stage->setText(tr("Imported “%1” with %2 cases.").arg(result.datasetName, locale.toString(result.cases)));
    } else if (cancelled) {
        summary = tr("<b>The import was cancelled.</b> Nothing was written to the study.");
        m_stage->setText(tr("Import cancelled; nothing was written."));
    } else {
        m_runError = message.isEmpty() ? tr("The import failed; nothing was written.") : message;
        summary = tr("<b>The import failed; nothing was written.</b> %1").arg(m_runError.toHtmlEscaped());
        m_stage->setText(tr("Import failed; nothing was written."));
    }
    if (result.haveReport)
        showReport(report, summary);
    updateState();
    // A fatal report speaks for itself in the Report tab; a failed save needs attention.
    if (!ok && !cancelled && !report.hasFatal())
        warn(tr("Import Failed"), m_runError);
    if (ok)
        Q_EMIT imported(m_importedId);
    Q_EMIT importFinished(ok, cancelled);
}

void ImportDialog::askToSave()
{
    const lepton::ImportReport &report = m_result->report;
    const QLocale locale;
    QString text = tr("%1 of the %2 rows were excluded; only %3 cases would be imported.")
                       .arg(locale.toString(report.casesExcluded), locale.toString(report.rowsRead),
                           locale.toString(report.casesImported));
    const QStringList reasons = ImportReportModel::topExclusionReasons(report);
    if (!reasons.isEmpty())
        text += QStringLiteral("\n\n") + tr("The most frequent reasons:") + QStringLiteral("\n• ")
            + reasons.join(QStringLiteral("\n• "));
    text += QStringLiteral("\n\n") + tr("Save the dataset anyway? The Report tab lists every excluded row.");
    m_confirmBox = new QMessageBox(
        QMessageBox::Question, tr("Most Rows Excluded"), text, QMessageBox::Save | QMessageBox::Cancel, this);
    m_confirmBox->setObjectName(QStringLiteral("confirmSaveBox"));
    m_confirmBox->setDefaultButton(QMessageBox::Cancel);
    m_confirmBox->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_confirmBox, &QMessageBox::finished, this, [this](int answer) {
        m_confirmBox = nullptr;
        if (answer == QMessageBox::Save) {
            startSave();
            return;
        }
        if (m_result)
            m_result->pending.reset();
        m_stage->setText(tr("Not saved; nothing was written."));
        m_report->setReport(m_result->report, tr("<b>Not saved.</b> Nothing was written to the study."));
        updateState();
        Q_EMIT importFinished(false, true);
    });
    m_confirmBox->open();
    Q_EMIT confirmationAsked();
}

void ImportDialog::startSave()
{
    if (m_running || !m_result || !m_result->pending)
        return;
    std::shared_ptr<RunResult> result = m_result;
    std::shared_ptr<lepton::Study> study = m_study;
    BackgroundTask::Work work = [study, result](const lepton::ProgressFn &progress, const lepton::CancelFn &) {
        lepton::ImportOptions o = result->options;
        o.progress = progress;
        o.cancelled = nullptr;
        return lepton::StudyImport::save(*study, o, *result);
    };
    if (!m_task->start(tr("Import"), std::move(work)))
        return;
    m_running = true;
    m_runError.clear();
    m_progress->setRange(0, 0);
    m_progress->show();
    m_stage->setText(tr("Saving the dataset…"));
    updateState();
}

void ImportDialog::showReport(const lepton::ImportReport &report, const QString &summary)
{
    m_report->setReport(report, summary);
    m_tabs->setTabEnabled(ReportTab, true);
    m_tabs->setCurrentIndex(ReportTab);
}

QTableView *ImportDialog::reportView() const
{
    return m_report->view();
}

QLabel *ImportDialog::summaryLabel() const
{
    return m_report->summaryLabel();
}

lepton::Status ImportDialog::exportReport(const QString &path) const
{
    if (!m_report->hasReport())
        return lepton::Status::failure(tr("There is no import report to export yet."));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return lepton::Status::failure(tr("%1 cannot be written: %2").arg(path, file.errorString()));
    file.write(m_report->toCsv().toUtf8());
    // The report names cases and quotes values: the export is recorded in the study's audit log,
    // and without that record nothing is written (docs/AUDIT.md).
    return lepton::StudyImport::commitReportExport(
        m_study.get(), file, m_importedId, m_previewPath, m_report->rowCount());
}

void ImportDialog::warn(const QString &title, const QString &message)
{
    // Not blocking: the dialog stays usable, the message stays until it is read.
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void ImportDialog::chooseExportFile()
{
    const QFileInfo manifest(m_previewPath);
    const QString name = m_name->text().trimmed().isEmpty() ? manifest.completeBaseName() : m_name->text().trimmed();
    const QString suggested = manifest.absoluteDir().filePath(name + QStringLiteral("-import-report.csv"));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Import Report"), suggested, tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty())
        return;
    const lepton::Status exported = exportReport(path);
    if (exported) {
        m_stage->setText(tr("Report saved to %1.").arg(QFileInfo(path).fileName()));
        return;
    }
    m_lastError = exported.error();
    m_stage->setText(exported.error());
    warn(tr("Export Import Report"), exported.error());
}
