// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/Importer.h"
#include "util/Result.h"

#include <QDialog>

#include <memory>

class BackgroundTask;
class QCheckBox;
class ImportColumnModel;
class ImportFilesGroup;
class ImportReportPane;
class QLabel;
class QLineEdit;
class QMessageBox;
class QProgressBar;
class QPushButton;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class QTimer;

namespace lepton {
class Study;
struct ManifestPreview;
} // namespace lepton

/// Imports a manifest (with optional events and images) into a study as a new dataset.
///
/// The dialog previews the manifest's first rows, lets the user give each column a role and each
/// record field a type, checks the choices, then runs StudyImport::run (import and store)
/// on a BackgroundTask with progress and cancel. Nothing is written when the import is cancelled
/// or its report has a fatal problem. The report is shown afterwards (also for a fatal one) and
/// can be exported as CSV.
///
/// With "De-identify" ticked, the case id and the columns whose role is Identifier are replaced by
/// pseudonyms keyed by the study's secret (made and stored with the first such import), dates are
/// shifted per patient and ages over 89 stored as 90; columns whose role is Drop are stored
/// nowhere (also without de-identification). See docs/PRIVACY.md.
///
/// Closing the dialog or pressing Escape during a run asks to cancel instead. Destroying the
/// dialog cancels a run and waits for it.
class ImportDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ImportDialog(std::shared_ptr<lepton::Study> study, QWidget *parent = nullptr);
    ~ImportDialog() override;

    /// Sets the manifest and reads its preview in the background (previewLoaded() follows); also
    /// used to prefill from a drop.
    void setManifestPath(const QString &path);
    void setEventsPath(const QString &path);
    /// The folder image paths are relative to; empty: the manifest's folder.
    void setImageRoot(const QString &path);
    void setDatasetName(const QString &name);
    /// Ticks or clears "De-identify (HIPAA Safe Harbor)".
    void setDeidentify(bool on);

    /// The options the import would run with, from the fields and the column editor.
    lepton::ImportOptions options() const;

    /// The last problem shown: unreadable manifest, invalid column roles or a failed import.
    QString lastError() const { return m_lastError; }

    bool isRunning() const { return m_running; }
    /// The dataset stored by the last successful import, or 0.
    qint64 importedDatasetId() const { return m_importedId; }

    /// Writes the shown report as CSV (header row, one row per problem), with its audit entry in
    /// the study; a failure says why (nothing written then).
    lepton::Status exportReport(const QString &path) const;

    QTableView *previewView() const { return m_previewView; }
    QTableView *columnView() const { return m_columnView; }
    ImportColumnModel *columnModel() const { return m_columnModel; }
    QTableView *reportView() const;
    QLabel *messageLabel() const { return m_message; }
    QLabel *summaryLabel() const;
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *importButton() const { return m_importButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QCheckBox *deidentifyCheck() const { return m_deidentify; }
    ImportFilesGroup *filesGroup() const { return m_filesGroup; }
    /// The question asked before saving an import that excluded most rows; null when none is open.
    QMessageBox *confirmBox() const { return m_confirmBox; }

public Q_SLOTS:
    /// Checks the choices and starts the import in the background; does nothing while running
    /// or when the choices are invalid (the message says why). While the manifest is being read,
    /// the import starts when it has been.
    void startImport();
    /// Asks a running import to stop; importFinished(false, true) follows and nothing is written
    /// (once the dataset is being saved, the save completes: it is one transaction).
    void cancelImport();
    void reject() override;

Q_SIGNALS:
    /// The manifest's preview and columns are shown (or why it cannot be read).
    void previewLoaded();
    /// An import that excluded more than half of the rows waits for the user's answer
    /// (confirmBox()) before it is saved.
    void confirmationAsked();
    /// A dataset was stored in the study.
    void imported(qint64 datasetId);
    /// A run ended: stored (ok), cancelled, or failed (fatal problem or a failed save).
    void importFinished(bool ok, bool cancelled);

private:
    struct RunResult;

    void loadPreview();
    void showPreview(const lepton::Result<lepton::ManifestPreview> &preview);
    /// Something changed that the last import did not see: Import is offered again.
    void inputsChanged();
    /// What keeps the import from starting, or an empty string.
    QString problem() const;
    void updateState();
    void showMessage(const QString &message);
    void onProgress(qint64 done, qint64 total, const QString &stage);
    void onFinished(bool ok, bool cancelled, const QString &message);
    void showReport(const lepton::ImportReport &report, const QString &summary);
    void chooseExportFile();
    void openColumnEditors();
    /// Asks whether to cancel the running import; true when it was cancelled.
    bool confirmCancel();
    /// An import excluded most rows: asks whether to save it anyway (window-modal).
    void askToSave();
    /// Saves the imported dataset kept by the last run (after the user agreed).
    void startSave();
    /// Fills in events.csv beside the manifest when no events file is chosen, with a note.
    void offerEventsBeside(const QString &manifest);
    /// A warning that does not block (a window-modal message box).
    void warn(const QString &title, const QString &message);

    std::shared_ptr<lepton::Study> m_study;
    std::shared_ptr<RunResult> m_result;
    BackgroundTask *m_task;
    bool m_running = false;
    int m_previewGeneration = 0; ///< which loadPreview() a preview read belongs to
    bool m_previewLoading = false;
    bool m_startWhenPreviewed = false; ///< startImport() came while the preview was read
    bool m_done = false; // imported and nothing changed since: Import stays off against duplicates
    qint64 m_importedId = 0;
    QString m_lastError;
    QString m_previewError;
    QString m_previewPath;
    QString m_runError; // why the last import failed; cleared when the inputs change

    ImportFilesGroup *m_filesGroup;
    QLineEdit *m_manifest;
    QLineEdit *m_events;
    QLineEdit *m_imageRoot;
    QLineEdit *m_name;
    QCheckBox *m_deidentify;
    QTimer *m_previewTimer;
    QLabel *m_message;
    QTabWidget *m_tabs;
    QStandardItemModel *m_previewModel;
    QTableView *m_previewView;
    QLabel *m_previewInfo;
    ImportColumnModel *m_columnModel;
    QTableView *m_columnView;
    ImportReportPane *m_report;
    QLabel *m_stage;
    QProgressBar *m_progress;
    QPushButton *m_importButton;
    QPushButton *m_cancelButton;
    QPushButton *m_closeButton;
    QMessageBox *m_confirmBox = nullptr;
    QString m_offeredEvents; ///< the events file filled in from beside the manifest, while it stands
};
