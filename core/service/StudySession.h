// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/AuditLog.h"
#include "store/DatasetRepository.h"
#include "util/Result.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

class QTimer;

namespace lepton {

class DatasetListModel;
class RunListModel;
class Study;

/// The study a workbench window has open, and what every view shares about it: whether it is
/// read-only, the recent-studies list (QSettings "studies/recent"), the dataset and run lists as
/// models (read once here instead of by each view), and whether another window or program has
/// written to it.
///
/// Following other writers: every pollInterval() ms the session compares SQLite's data_version
/// with the last one seen. A change while setOwnWorkCheck()'s predicate says this window is
/// writing itself (training, importing) is its own; any other change refreshes the lists
/// (datasetsChanged / runsChanged when they differ) and emits externalChange().
///
/// Lives on the GUI thread. Opening, closing and the list reads are quick (names and run rows,
/// never cases); anything that reads cases belongs to a background read (readInBackground).
class StudySession : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxRecent = 8;

    explicit StudySession(QObject *parent = nullptr);
    ~StudySession() override;

    /// Opens an existing study, read-write (migrating it when older) or read-only. On failure the
    /// study open before stays open. Emits studyClosed() for the previous one (the lists are
    /// empty then), then fills the lists and emits studyOpened().
    Status open(const QString &path, bool readOnly = false);
    /// Creates an empty study at `path` (refused when the file exists) and opens it.
    Status create(const QString &path);
    /// Closes the study (nothing open afterwards); emits studyClosed() when one was open.
    void close();

    bool isOpen() const { return m_study != nullptr; }
    std::shared_ptr<Study> study() const { return m_study; }
    QString path() const;
    bool isReadOnly() const;
    /// Whether `path` exists but its file or folder cannot be written (offer a read-only open).
    static bool cannotBeWritten(const QString &path);

    /// Recently opened studies, newest first (absolute paths, at most kMaxRecent).
    QStringList recentStudies() const;
    void addRecent(const QString &path);
    void clearRecent();

    /// The open study's datasets (empty without a study).
    DatasetListModel *datasets() const { return m_datasets; }
    /// The open study's runs (empty without a study).
    RunListModel *runs() const { return m_runs; }
    /// Reads the dataset list again (after an import); emits datasetsChanged() when it differs.
    Status refreshDatasets();
    /// Reads the runs again; on a writable study first marks runs whose process has ended as
    /// interrupted. Emits runsChanged() when the list differs.
    Status refreshRuns();

    /// A dataset with its counts per split and class. Reads every case of it: call it from a
    /// background read (readInBackground), not on the GUI thread.
    static Result<DatasetSummary> readDataset(Study &study, qint64 datasetId);
    /// The runs that have stored a prediction for a case, newest first.
    Result<std::vector<qint64>> runsWithPrediction(qint64 caseId) const;
    /// Checks the audit log's chain (docs/AUDIT.md).
    Result<AuditVerification> verifyAuditLog() const;

    /// How often other writers are looked for (ms; 0 stops looking). Default 2000.
    void setPollInterval(int milliseconds);
    int pollInterval() const { return m_pollMs; }
    /// While `ownWork` returns true, changes to the study are this window's own (its training or
    /// import writes through other connections) and not reported as external.
    void setOwnWorkCheck(std::function<bool()> ownWork) { m_ownWork = std::move(ownWork); }
    /// Looks for another writer's change now (the timer calls it); true when one was found.
    bool checkForChanges();

Q_SIGNALS:
    void studyOpened(const QString &path);
    void studyClosed();
    void recentChanged(const QStringList &recent);
    void datasetsChanged();
    void runsChanged();
    /// Another window or program wrote to the study (the lists are refreshed already).
    void externalChange();
    /// A list could not be read when the study was opened or changed elsewhere (what and why).
    void errorOccurred(const QString &message);

private:
    void setStudy(std::shared_ptr<Study> study);
    /// Both lists, each failure reported by errorOccurred().
    void refreshLists();

    std::shared_ptr<Study> m_study;
    DatasetListModel *m_datasets;
    RunListModel *m_runs;
    QTimer *m_poll;
    int m_pollMs = 2000;
    qint64 m_dataVersion = -1;
    std::function<bool()> m_ownWork;
};

} // namespace lepton
