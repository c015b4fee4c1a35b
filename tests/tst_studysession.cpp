// SPDX-License-Identifier: GPL-3.0-or-later
// The services the workbench's views stand on, without a window: the open study and its shared
// lists (StudySession), a stored run's curves (RunHistory) and importing into a study
// (StudyImport).
#include "TinyStudy.h"

#include "service/DatasetListModel.h"
#include "service/RunHistory.h"
#include "service/RunListModel.h"
#include "service/StudyImport.h"
#include "service/StudySession.h"
#include "store/RunRepository.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QPersistentModelIndex>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lepton;

class TestStudySession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void opensAStudyWithItsLists();
    void refusesWhatCannotBeOpenedAndKeepsTheStudy();
    void opensReadOnly();
    void createsANewStudyButNeverOverwrites();
    void remembersRecentStudies();
    void noticesAnotherWritersChange();
    void ownWorkIsNotAnExternalChange();
    void listModelsKeepTheirRowsAcrossUpdates();
    void runCurvesPlaceStepsWithinTheirEpoch();
    void onlyEndedRunsCanBeResumed();
    void importsIntoAStudyOrWritesNothing();
    void findsTheManifestOfAFolder();

private:
    /// A copy of the tiny study that a test may change.
    QString copyOfTiny(const QString &name);
    /// Another program's dataset: a second import into `path` through its own connection.
    bool importElsewhere(const QString &path, const QString &name);

    QTemporaryDir m_dir;
    QString m_tiny;
};

void TestStudySession::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LeptonTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_studysession"));
    QVERIFY(m_dir.isValid());
    const QString tinyDir = m_dir.filePath(QStringLiteral("tiny"));
    QVERIFY(QDir().mkpath(tinyDir));
    std::shared_ptr<Study> study;
    QVERIFY(tiny::makeStudy(tinyDir, study) > 0);
    m_tiny = study->path();
}

void TestStudySession::init()
{
    QSettings().clear();
}

QString TestStudySession::copyOfTiny(const QString &name)
{
    const QString copy = m_dir.filePath(name);
    QFile::remove(copy);
    // A consistent copy of a study in WAL mode.
    auto study = Study::open(m_tiny, Study::Mode::ReadWrite);
    if (!study)
        return {};
    QSqlQuery q(study.value()->database());
    q.prepare(QStringLiteral("VACUUM INTO ?"));
    q.addBindValue(copy);
    return q.exec() ? copy : QString();
}

bool TestStudySession::importElsewhere(const QString &path, const QString &name)
{
    auto other = Study::open(path, Study::Mode::ReadWrite);
    if (!other)
        return false;
    ImportOptions o;
    o.manifestPath = m_dir.filePath(QStringLiteral("tiny/m.csv"));
    o.name = name;
    return StudyImport::run(*other.value(), o, nullptr).ok();
}

void TestStudySession::opensAStudyWithItsLists()
{
    StudySession session;
    QSignalSpy opened(&session, &StudySession::studyOpened);
    QSignalSpy datasets(&session, &StudySession::datasetsChanged);
    QVERIFY(!session.isOpen());
    const Status s = session.open(m_tiny);
    QVERIFY2(s.ok(), qPrintable(s.error()));
    QVERIFY(session.isOpen());
    QVERIFY(!session.isReadOnly());
    QCOMPARE(session.path(), m_tiny);
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.first().at(0).toString(), m_tiny);
    QCOMPARE(datasets.count(), 1);
    QCOMPARE(session.datasets()->rowCount(), 1);
    const QModelIndex first = session.datasets()->index(0);
    QVERIFY(first.data().toString().endsWith(QStringLiteral(": m")));
    QVERIFY(first.data(DatasetListModel::IdRole).toLongLong() > 0);
    QCOMPARE(session.runs()->rowCount(), 0);
    QCOMPARE(session.runs()->columnCount(), int(RunListModel::ColumnCount));

    QSignalSpy closed(&session, &StudySession::studyClosed);
    session.close();
    QCOMPARE(closed.count(), 1);
    QVERIFY(!session.isOpen());
    QCOMPARE(session.datasets()->rowCount(), 0);
    session.close(); // nothing open: nothing happens
    QCOMPARE(closed.count(), 1);
}

void TestStudySession::refusesWhatCannotBeOpenedAndKeepsTheStudy()
{
    StudySession session;
    QVERIFY(session.open(m_tiny));
    const Status gone = session.open(m_dir.filePath(QStringLiteral("gone.lepton")));
    QVERIFY(!gone);
    QVERIFY2(gone.error().contains(QStringLiteral("does not exist")), qPrintable(gone.error()));
    const Status csv = session.open(m_dir.filePath(QStringLiteral("tiny/m.csv")));
    QVERIFY(!csv);
    QVERIFY(!csv.error().isEmpty());
    QCOMPARE(session.path(), m_tiny); // the study open before stays open
    QCOMPARE(session.datasets()->rowCount(), 1);
}

void TestStudySession::opensReadOnly()
{
    const QString copy = copyOfTiny(QStringLiteral("readonly.lepton"));
    QVERIFY(!copy.isEmpty());
    StudySession session;
    QVERIFY(session.open(copy, true));
    QVERIFY(session.isReadOnly());
    QCOMPARE(session.datasets()->rowCount(), 1);
    QVERIFY(session.refreshRuns()); // nothing is marked in a read-only study
    QVERIFY(!StudySession::cannotBeWritten(copy));
    QVERIFY(!StudySession::cannotBeWritten(m_dir.filePath(QStringLiteral("absent.lepton"))));
}

void TestStudySession::createsANewStudyButNeverOverwrites()
{
    StudySession session;
    const QString path = m_dir.filePath(QStringLiteral("new.lepton"));
    QFile::remove(path);
    QVERIFY(session.create(path));
    QVERIFY(QFileInfo::exists(path));
    QCOMPARE(session.datasets()->rowCount(), 0);
    const Status again = session.create(m_tiny);
    QVERIFY(!again);
    QVERIFY(again.error().contains(QStringLiteral("exists already")));
    QCOMPARE(session.path(), path);
}

void TestStudySession::remembersRecentStudies()
{
    StudySession session;
    QSignalSpy changed(&session, &StudySession::recentChanged);
    QVERIFY(session.recentStudies().isEmpty());
    QVERIFY(session.open(m_tiny));
    QCOMPARE(session.recentStudies(), QStringList { QFileInfo(m_tiny).absoluteFilePath() });
    for (int i = 0; i < StudySession::kMaxRecent + 2; ++i)
        session.addRecent(m_dir.filePath(QStringLiteral("s%1.lepton").arg(i)));
    QStringList recent = session.recentStudies();
    QCOMPARE(recent.size(), StudySession::kMaxRecent);
    QCOMPARE(recent.first(), m_dir.filePath(QStringLiteral("s%1.lepton").arg(StudySession::kMaxRecent + 1)));
    // Opening one again moves it to the top, once.
    session.addRecent(m_dir.filePath(QStringLiteral("s5.lepton")));
    recent = session.recentStudies();
    QCOMPARE(recent.first(), m_dir.filePath(QStringLiteral("s5.lepton")));
    QCOMPARE(recent.count(m_dir.filePath(QStringLiteral("s5.lepton"))), 1);
    // Another session (another window, the next start) sees the same list.
    QCOMPARE(StudySession().recentStudies(), recent);
    session.clearRecent();
    QVERIFY(session.recentStudies().isEmpty());
    QCOMPARE(changed.last().at(0).toStringList(), QStringList());
}

void TestStudySession::noticesAnotherWritersChange()
{
    const QString copy = copyOfTiny(QStringLiteral("shared.lepton"));
    StudySession session;
    session.setPollInterval(0); // the test looks itself
    QVERIFY(session.open(copy));
    QSignalSpy external(&session, &StudySession::externalChange);
    QSignalSpy datasets(&session, &StudySession::datasetsChanged);
    QSignalSpy runs(&session, &StudySession::runsChanged);
    QVERIFY(!session.checkForChanges()); // nobody wrote
    QVERIFY(importElsewhere(copy, QStringLiteral("second")));
    QVERIFY(session.checkForChanges());
    QCOMPARE(external.count(), 1);
    QCOMPARE(datasets.count(), 1);
    QCOMPARE(session.datasets()->rowCount(), 2);
    QCOMPARE(session.datasets()->index(1).data(DatasetListModel::NameRole).toString(), QStringLiteral("second"));
    QCOMPARE(runs.count(), 0); // the runs did not change
    QVERIFY(!session.checkForChanges()); // seen once

    // A run recorded by another program joins the run list.
    {
        auto other = Study::open(copy, Study::Mode::ReadWrite);
        QVERIFY(other);
        RunRecord r;
        r.name = QStringLiteral("elsewhere");
        r.datasetId = session.datasets()->ids().first();
        r.status = RunStatus::Cancelled;
        QVERIFY(RunRepository(*other.value()).create(r));
    }
    QVERIFY(session.checkForChanges());
    QCOMPARE(runs.count(), 1);
    QCOMPARE(session.runs()->rowCount(), 1);
    QCOMPARE(session.runs()->index(0, RunListModel::Name).data().toString(), QStringLiteral("elsewhere"));

    // The timer looks by itself.
    session.setPollInterval(50);
    QVERIFY(importElsewhere(copy, QStringLiteral("third")));
    QTRY_COMPARE(session.datasets()->rowCount(), 3);
    QCOMPARE(external.count(), 3);
}

void TestStudySession::ownWorkIsNotAnExternalChange()
{
    const QString copy = copyOfTiny(QStringLiteral("own.lepton"));
    StudySession session;
    session.setPollInterval(0);
    QVERIFY(session.open(copy));
    bool busy = true;
    session.setOwnWorkCheck([&busy] { return busy; });
    QSignalSpy external(&session, &StudySession::externalChange);
    QVERIFY(importElsewhere(copy, QStringLiteral("mine")));
    QVERIFY(!session.checkForChanges());
    QCOMPARE(external.count(), 0);
    QCOMPARE(session.datasets()->rowCount(), 1); // the window that wrote refreshes itself
    busy = false;
    QVERIFY(!session.checkForChanges()); // that version was seen
    QVERIFY(session.refreshDatasets());
    QCOMPARE(session.datasets()->rowCount(), 2);
}

void TestStudySession::listModelsKeepTheirRowsAcrossUpdates()
{
    DatasetListModel datasets;
    auto dataset = [](qint64 id, const QString &name) {
        DatasetSummary d;
        d.id = id;
        d.name = name;
        return d;
    };
    QVERIFY(datasets.setDatasets({ dataset(2, QStringLiteral("b")), dataset(1, QStringLiteral("a")) }));
    QCOMPARE(datasets.ids(), (QList<qint64> { 1, 2 }));
    QPersistentModelIndex shown(datasets.index(1)); // a combo box's choice: dataset 2
    QSignalSpy reset(&datasets, &QAbstractItemModel::modelReset);
    QVERIFY(datasets.setDatasets(
        { dataset(1, QStringLiteral("a")), dataset(2, QStringLiteral("b")), dataset(3, QStringLiteral("c")) }));
    QVERIFY(!datasets.setDatasets(
        { dataset(1, QStringLiteral("a")), dataset(2, QStringLiteral("b")), dataset(3, QStringLiteral("c")) }));
    QVERIFY(datasets.setDatasets({ dataset(2, QStringLiteral("b")), dataset(3, QStringLiteral("c")) }));
    QCOMPARE(reset.count(), 0);
    QVERIFY(shown.isValid());
    QCOMPARE(shown.data(DatasetListModel::IdRole).toLongLong(), qint64(2));
    QCOMPARE(datasets.rowOf(3), 1);

    RunListModel runs;
    auto run = [](qint64 id, const QString &status) {
        RunRecord r;
        r.id = id;
        r.status = runStatusFromName(status).value();
        r.name = QStringLiteral("r%1").arg(id);
        return r;
    };
    QVERIFY(runs.setRuns({ run(1, QStringLiteral("completed")), run(2, QStringLiteral("running")) }));
    QPersistentModelIndex selected(runs.index(1, 0));
    QSignalSpy changed(&runs, &QAbstractItemModel::dataChanged);
    QVERIFY(runs.setRuns({ run(1, QStringLiteral("completed")), run(2, QStringLiteral("interrupted")) }));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(selected.data(RunListModel::StatusRole).toString(), QStringLiteral("interrupted"));
    QVERIFY(!runs.setRuns({ run(1, QStringLiteral("completed")), run(2, QStringLiteral("interrupted")) }));
    QVERIFY(RunListModel::isResumable(QStringLiteral("interrupted")));
    QVERIFY(!RunListModel::isResumable(QStringLiteral("completed")));
    QVERIFY(!RunListModel::isResumable(QStringLiteral("running")));
}

void TestStudySession::runCurvesPlaceStepsWithinTheirEpoch()
{
    const QString copy = copyOfTiny(QStringLiteral("curves.lepton"));
    auto study = Study::open(copy, Study::Mode::ReadWrite);
    QVERIFY(study);
    RunRepository repo(*study.value());
    RunRecord r;
    r.name = QStringLiteral("curves");
    r.datasetId = 1;
    r.status = RunStatus::Cancelled;
    r.config = QJsonObject { { QStringLiteral("train"), QJsonObject { { QStringLiteral("epochs"), 7 } } } };
    auto id = repo.create(r);
    QVERIFY(id);
    // Epoch 0: four steps and a validation; epoch 1 (cancelled): two steps, no validation.
    std::vector<MetricRow> rows;
    for (int i = 0; i < 4; ++i)
        rows.push_back({ QStringLiteral("train"), 0, i, QStringLiteral("loss"), 1.0 - 0.1 * i });
    rows.push_back({ QStringLiteral("train"), 0, -1, QStringLiteral("loss"), 0.85 });
    rows.push_back({ QStringLiteral("val"), 0, -1, QStringLiteral("loss"), 0.8 });
    rows.push_back({ QStringLiteral("val"), 0, -1, QStringLiteral("auroc"), 0.75 });
    for (int i = 0; i < 2; ++i)
        rows.push_back({ QStringLiteral("train"), 1, i, QStringLiteral("loss"), 0.5 });
    QVERIFY(repo.addMetrics(id.value(), rows));
    QVERIFY(repo.setBestEpoch(id.value(), 0));

    auto all = RunHistory::curves(*study.value(), id.value());
    QVERIFY2(all, qPrintable(all.error()));
    QCOMPARE(all->stepX.size(), 6);
    QCOMPARE(all->stepX.at(0), 0.25); // steps per epoch from the longest epoch: 4
    QCOMPARE(all->stepX.at(3), 1.0);
    QCOMPARE(all->stepX.at(5), 1.5); // the cancelled epoch's steps keep their place
    QCOMPARE(all->stepLoss.at(1), 0.9);
    QCOMPARE(all->epochs.size(), std::size_t(1));
    const EpochSummary &e = all->epochs.front();
    QCOMPARE(e.trainLoss, 0.85);
    QCOMPARE(e.valLoss, 0.8);
    QCOMPARE(e.valAuroc, 0.75);
    QVERIFY(std::isnan(e.valF1)); // not stored
    QVERIFY(e.best);
    QCOMPARE(all->run.name, QStringLiteral("curves"));

    auto completed = RunHistory::curves(*study.value(), id.value(), true);
    QVERIFY(completed);
    QCOMPARE(completed->stepX.size(), 4); // a resumed run repeats the epoch without validation
    QVERIFY(!RunHistory::curves(*study.value(), 999));
    QCOMPARE(RunHistory::configuredEpochs(all->run), 7);
}

void TestStudySession::onlyEndedRunsCanBeResumed()
{
    const QString copy = copyOfTiny(QStringLiteral("resume.lepton"));
    auto study = Study::open(copy, Study::Mode::ReadWrite);
    QVERIFY(study);
    RunRepository repo(*study.value());
    for (const RunStatus status : { RunStatus::Completed, RunStatus::Cancelled }) {
        RunRecord r;
        r.name = runStatusName(status);
        r.datasetId = 1;
        r.status = status;
        auto id = repo.create(r);
        QVERIFY(id);
        QVERIFY(repo.setStatus(id.value(), status));
        auto resumable = RunHistory::resumable(*study.value(), id.value());
        if (status == RunStatus::Completed) {
            QVERIFY(!resumable);
            QVERIFY2(resumable.error().contains(QStringLiteral("only a cancelled")), qPrintable(resumable.error()));
        } else {
            QVERIFY(resumable);
            QCOMPARE(resumable->id, id.value());
        }
    }
}

void TestStudySession::importsIntoAStudyOrWritesNothing()
{
    const QString path = m_dir.filePath(QStringLiteral("imported.lepton"));
    QFile::remove(path);
    auto study = Study::open(path, Study::Mode::CreateOrOpen);
    QVERIFY(study);
    ImportOptions o;
    o.manifestPath = m_dir.filePath(QStringLiteral("tiny/m.csv"));
    o.eventsPath = m_dir.filePath(QStringLiteral("tiny/e.csv"));
    StudyImportResult result;
    const Status ok = StudyImport::run(*study.value(), o, &result);
    QVERIFY2(ok, qPrintable(ok.error()));
    QVERIFY(result.haveReport);
    QVERIFY(result.datasetId > 0);
    QCOMPARE(result.cases, 64);

    // A missing manifest: a fatal problem that names the file, and nothing written.
    StudyImportResult failed;
    o.manifestPath = m_dir.filePath(QStringLiteral("tiny/absent.csv"));
    const Status bad = StudyImport::run(*study.value(), o, &failed);
    QVERIFY(!bad);
    QVERIFY2(bad.error().contains(QStringLiteral("absent.csv")), qPrintable(bad.error()));
    QVERIFY(failed.haveReport);
    QCOMPARE(failed.datasetId, 0);
    QCOMPARE(DatasetRepository(*study.value()).datasets(false)->size(), std::size_t(1));

    // A cancelled import writes nothing either.
    o.manifestPath = m_dir.filePath(QStringLiteral("tiny/m.csv"));
    o.cancelled = [] { return true; };
    QVERIFY(!StudyImport::run(*study.value(), o, nullptr));
    QCOMPARE(DatasetRepository(*study.value()).datasets(false)->size(), std::size_t(1));

    // A read-only study is refused with a message that says so.
    auto readOnly = Study::open(path, Study::Mode::ReadOnly);
    QVERIFY(readOnly);
    o.cancelled = nullptr;
    const Status refused = StudyImport::run(*readOnly.value(), o, nullptr);
    QVERIFY(!refused);
    QVERIFY(refused.error().contains(QStringLiteral("read-only")));
}

void TestStudySession::findsTheManifestOfAFolder()
{
    const QString folder = m_dir.filePath(QStringLiteral("drop"));
    QVERIFY(QDir().mkpath(folder));
    auto touch = [&folder](const char *name) {
        QFile f(folder + QLatin1Char('/') + QLatin1String(name));
        return f.open(QIODevice::WriteOnly);
    };
    QVERIFY(touch("events.csv"));
    QCOMPARE(StudyImport::filesInFolder(folder).first, QString()); // only events: no manifest
    QVERIFY(touch("cases.csv"));
    auto files = StudyImport::filesInFolder(folder);
    QCOMPARE(QFileInfo(files.first).fileName(), QStringLiteral("cases.csv"));
    QCOMPARE(QFileInfo(files.second).fileName(), QStringLiteral("events.csv"));
    QVERIFY(touch("other.csv"));
    QCOMPARE(StudyImport::filesInFolder(folder).first, QString()); // two candidates: none chosen
    QVERIFY(touch("manifest.csv"));
    QCOMPARE(QFileInfo(StudyImport::filesInFolder(folder).first).fileName(), QStringLiteral("manifest.csv"));
}

QTEST_GUILESS_MAIN(TestStudySession)
#include "tst_studysession.moc"
