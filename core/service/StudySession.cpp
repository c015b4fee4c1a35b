// SPDX-License-Identifier: GPL-3.0-or-later
#include "StudySession.h"

#include "DatasetListModel.h"
#include "RunListModel.h"

#include "store/DatasetRepository.h"
#include "store/ExplanationRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QFileInfo>
#include <QSettings>
#include <QTimer>

namespace lepton {

namespace {
const QString kRecentKey = QStringLiteral("studies/recent");
}

StudySession::StudySession(QObject *parent)
    : QObject(parent), m_datasets(new DatasetListModel(this)), m_runs(new RunListModel(this)), m_poll(new QTimer(this))
{
    m_poll->setInterval(m_pollMs);
    connect(m_poll, &QTimer::timeout, this, &StudySession::checkForChanges);
}

StudySession::~StudySession() = default;

Status StudySession::open(const QString &path, bool readOnly)
{
    if (!QFileInfo::exists(path))
        return Status::failure(
            tr("%1 does not exist (moved or deleted?). Choose it again with File ▸ Open.").arg(path));
    auto study = Study::open(path, readOnly ? Study::Mode::ReadOnly : Study::Mode::ReadWrite);
    if (!study)
        return Status::failure(study.error());
    setStudy(study.value());
    addRecent(m_study->path());
    Q_EMIT studyOpened(m_study->path());
    return {};
}

Status StudySession::create(const QString &path)
{
    if (QFileInfo::exists(path))
        return Status::failure(tr("%1 exists already; open it with File ▸ Open, or choose another name.").arg(path));
    auto study = Study::open(path, Study::Mode::CreateOrOpen);
    if (!study)
        return Status::failure(study.error());
    setStudy(study.value());
    addRecent(m_study->path());
    Q_EMIT studyOpened(m_study->path());
    return {};
}

void StudySession::close()
{
    if (m_study)
        setStudy(nullptr);
}

void StudySession::setStudy(std::shared_ptr<Study> study)
{
    // The study before goes first, with its lists: the views see "no study" in between.
    if (m_study) {
        m_study.reset();
        m_dataVersion = -1;
        m_poll->stop();
        if (m_datasets->setDatasets({}))
            Q_EMIT datasetsChanged();
        if (m_runs->setRuns({}))
            Q_EMIT runsChanged();
        Q_EMIT studyClosed();
    }
    m_study = std::move(study);
    if (!m_study)
        return;
    m_dataVersion = m_study->dataVersion();
    // The lists of the new study; a failed read leaves them empty and is reported.
    refreshLists();
    if (m_pollMs > 0)
        m_poll->start();
}

QString StudySession::path() const
{
    return m_study ? m_study->path() : QString();
}

bool StudySession::isReadOnly() const
{
    return m_study && m_study->isReadOnly();
}

bool StudySession::cannotBeWritten(const QString &path)
{
    const QFileInfo file(path);
    return file.exists() && (!file.isWritable() || !QFileInfo(file.absolutePath()).isWritable());
}

QStringList StudySession::recentStudies() const
{
    return QSettings().value(kRecentKey).toStringList();
}

void StudySession::addRecent(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentStudies();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    QSettings().setValue(kRecentKey, recent);
    Q_EMIT recentChanged(recent);
}

void StudySession::clearRecent()
{
    QSettings().remove(kRecentKey);
    Q_EMIT recentChanged({});
}

Status StudySession::refreshDatasets()
{
    if (!m_study)
        return {};
    auto datasets = DatasetRepository(*m_study).datasets(false);
    if (!datasets)
        return Status::failure(datasets.error());
    if (m_datasets->setDatasets(datasets.take()))
        Q_EMIT datasetsChanged();
    return {};
}

Status StudySession::refreshRuns()
{
    if (!m_study)
        return {};
    RunRepository repo(*m_study);
    Status marked;
    // Runs whose process has ended (killed, or let go after a failed write) show as interrupted.
    if (!m_study->isReadOnly())
        marked = repo.markInterrupted();
    auto runs = repo.runs();
    if (!runs)
        return Status::failure(runs.error());
    if (m_runs->setRuns(runs.take()))
        Q_EMIT runsChanged();
    // The list is shown either way; a failed marking is said, the runs stay as stored.
    if (!marked)
        return Status::failure(tr("Runs whose process has ended could not be marked interrupted in %1: %2")
                                   .arg(m_study->path(), marked.error()));
    return {};
}

void StudySession::refreshLists()
{
    for (const Status &s : { refreshDatasets(), refreshRuns() })
        if (!s)
            Q_EMIT errorOccurred(s.error());
}

Result<DatasetSummary> StudySession::readDataset(Study &study, qint64 datasetId)
{
    return DatasetRepository(study).dataset(datasetId);
}

Result<std::vector<qint64>> StudySession::runsWithPrediction(qint64 caseId) const
{
    if (!m_study)
        return Result<std::vector<qint64>>::failure(tr("No study is open."));
    return ExplanationRepository(*m_study).runsWithPrediction(caseId);
}

Result<AuditVerification> StudySession::verifyAuditLog() const
{
    if (!m_study)
        return Result<AuditVerification>::failure(tr("No study is open."));
    return AuditLog(*m_study).verify();
}

void StudySession::setPollInterval(int milliseconds)
{
    m_pollMs = milliseconds;
    if (milliseconds > 0) {
        m_poll->setInterval(milliseconds);
        if (m_study)
            m_poll->start();
    } else {
        m_poll->stop();
    }
}

bool StudySession::checkForChanges()
{
    if (!m_study)
        return false;
    const qint64 version = m_study->dataVersion();
    const bool changed = version != m_dataVersion;
    m_dataVersion = version;
    if (!changed || version < 0 || (m_ownWork && m_ownWork()))
        return false;
    refreshLists();
    Q_EMIT externalChange();
    return true;
}

} // namespace lepton
