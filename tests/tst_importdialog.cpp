// SPDX-License-Identifier: GPL-3.0-or-later
// Clicks through the import dialog under QT_QPA_PLATFORM=offscreen.
#include "GuiDriver.h"
#include "ImportColumnModel.h"
#include "ImportDialog.h"
#include "ImportFilesGroup.h"
#include "ImportReportModel.h"

#include "data/Importer.h"
#include "store/AuditLog.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace lepton;
using Role = ImportColumnModel::ColumnRole;

class TestImportDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void previewShowsHeaderRowsRolesAndTypes();
    void editedTypesAndRolesReachOptions();
    void importsInBackgroundAndReports();
    void unreadableManifestDisablesImport();
    void missingCaseIdColumnIsExplained();
    void fatalImportWritesNothing_data();
    void fatalImportWritesNothing();
    void cancelWritesNothing();
    void escapeDuringRunCancels();
    void importsWithDeidentification();
    void groupRoleEventsIdAndDicomReachOptions();
    void eventsBesideTheManifestAreOffered();
    void mostRowsExcludedAsksBeforeSaving();

private:
    QString write(const QString &name, const QByteArray &bytes);
    /// A manifest of `rows` cases (two classes), every case with the test image.
    QString manifest(const QString &name, int rows, const QByteArray &extraRows = QByteArray());
    std::shared_ptr<Study> newStudy(const QString &name);
    static int datasetCount(Study &study);
    static QComboBox *editor(ImportDialog &dialog, int row, int column);
    /// Sets the manifest and waits until its preview is shown; false when it never is.
    static bool preview(ImportDialog &dialog, const QString &path);

    QTemporaryDir m_dir;
};

void TestImportDialog::initTestCase()
{
    QVERIFY(m_dir.isValid());
    cv::Mat img(32, 32, CV_8UC1, cv::Scalar(30));
    cv::circle(img, cv::Point(16, 16), 6, cv::Scalar(210), -1);
    QVERIFY(cv::imwrite(m_dir.filePath(QStringLiteral("img.png")).toStdString(), img));
}

QString TestImportDialog::write(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(bytes);
    return path;
}

QString TestImportDialog::manifest(const QString &name, int rows, const QByteArray &extraRows)
{
    QByteArray m = "case_id,label,image,split,age,ward\n";
    for (int i = 0; i < rows; ++i)
        m += QStringLiteral("P%1,%2,img.png,%3,%4,%5\n")
                 .arg(i, 4, 10, QLatin1Char('0'))
                 .arg(i % 2 ? QStringLiteral("normal") : QStringLiteral("abnormal"))
                 .arg(i % 10 == 0 ? QStringLiteral("test") : QString())
                 .arg(20 + i % 60)
                 .arg(i % 3 ? QStringLiteral("north") : QStringLiteral("south"))
                 .toUtf8();
    return write(name, m + extraRows);
}

std::shared_ptr<Study> TestImportDialog::newStudy(const QString &name)
{
    auto study = Study::open(m_dir.filePath(name), Study::Mode::CreateOrOpen);
    if (!study)
        qFatal("cannot create study: %s", qPrintable(study.error()));
    return study.value();
}

int TestImportDialog::datasetCount(Study &study)
{
    DatasetRepository repo(study);
    auto all = repo.datasets();
    return all ? static_cast<int>(all->size()) : -1;
}

bool TestImportDialog::preview(ImportDialog &dialog, const QString &path)
{
    // The manifest is read in the background; the dialog says when it is shown.
    QSignalSpy loaded(&dialog, &ImportDialog::previewLoaded);
    dialog.setManifestPath(path);
    return loaded.count() > 0 || loaded.wait(30000);
}

QComboBox *TestImportDialog::editor(ImportDialog &dialog, int row, int column)
{
    return qobject_cast<QComboBox *>(dialog.columnView()->indexWidget(dialog.columnModel()->index(row, column)));
}

void TestImportDialog::previewShowsHeaderRowsRolesAndTypes()
{
    ImportDialog dialog(newStudy(QStringLiteral("preview.lepton")));
    const QString path = manifest(QStringLiteral("preview.csv"), 30);
    QVERIFY(preview(dialog, path));

    // The first 20 rows, with the header as column titles and file lines as row titles.
    QAbstractItemModel *preview = dialog.previewView()->model();
    QCOMPARE(preview->columnCount(), 6);
    QCOMPARE(preview->rowCount(), 20);
    QCOMPARE(preview->headerData(0, Qt::Horizontal).toString(), QStringLiteral("case_id"));
    QCOMPARE(preview->headerData(5, Qt::Horizontal).toString(), QStringLiteral("ward"));
    QCOMPARE(preview->headerData(0, Qt::Vertical).toString(), QStringLiteral("2"));
    QCOMPARE(preview->index(0, 0).data().toString(), QStringLiteral("P0000"));
    QCOMPARE(preview->index(19, 0).data().toString(), QStringLiteral("P0019"));
    QCOMPARE(preview->index(1, 4).data().toString(), QStringLiteral("21"));
    QVERIFY(dialog.messageLabel()->isHidden());
    QVERIFY(dialog.importButton()->isEnabled());
    QVERIFY(!dialog.cancelButton()->isEnabled());

    // Roles from the default names, types inferred for record fields only.
    ImportColumnModel *columns = dialog.columnModel();
    QCOMPARE(columns->rowCount(), 6);
    QCOMPARE(columns->role(columns->rowOf(QStringLiteral("case_id"))), Role::CaseId);
    QCOMPARE(columns->role(columns->rowOf(QStringLiteral("label"))), Role::Label);
    QCOMPARE(columns->role(columns->rowOf(QStringLiteral("image"))), Role::Image);
    QCOMPARE(columns->role(columns->rowOf(QStringLiteral("split"))), Role::Split);
    const int age = columns->rowOf(QStringLiteral("age"));
    const int ward = columns->rowOf(QStringLiteral("ward"));
    QCOMPARE(columns->role(age), Role::RecordField);
    QCOMPARE(columns->role(ward), Role::RecordField);
    QCOMPARE(columns->type(age), FieldType::Numeric);
    QCOMPARE(columns->type(ward), FieldType::Categorical);
    QCOMPARE(columns->index(age, ImportColumnModel::Type).data().toString(), QStringLiteral("Numeric"));
    QCOMPARE(columns->index(ward, ImportColumnModel::Type).data().toString(), QStringLiteral("Categorical"));
    QCOMPARE(columns->index(0, ImportColumnModel::Role).data().toString(), QStringLiteral("Case id"));

    // The editors are combo boxes showing the same; a non-field's type cannot be chosen.
    QComboBox *roleBox = editor(dialog, 0, ImportColumnModel::Role);
    QVERIFY(roleBox);
    QCOMPARE(roleBox->currentText(), QStringLiteral("Case id"));
    QComboBox *idType = editor(dialog, 0, ImportColumnModel::Type);
    QVERIFY(idType);
    QVERIFY(!idType->isEnabled());
    QComboBox *ageType = editor(dialog, age, ImportColumnModel::Type);
    QVERIFY(ageType);
    QVERIFY(ageType->isEnabled());
    QCOMPARE(ageType->currentText(), QStringLiteral("Numeric"));

    // Defaults: the manifest's defaults, untouched by the dialog.
    const ImportOptions o = dialog.options();
    QCOMPARE(o.manifestPath, path);
    QCOMPARE(o.idColumn, QStringLiteral("case_id"));
    QCOMPARE(o.labelColumn, QStringLiteral("label"));
    QVERIFY(!o.labelColumnGiven && !o.imageColumnGiven && !o.splitColumnGiven);
    QVERIFY(o.fieldTypes.isEmpty());
    QVERIFY(o.imageRoot.isEmpty()); // the importer's default: the manifest's folder
    QVERIFY(o.name.isEmpty()); // the importer's default: the manifest's base name
}

void TestImportDialog::editedTypesAndRolesReachOptions()
{
    ImportDialog dialog(newStudy(QStringLiteral("edit.lepton")));
    QVERIFY(preview(dialog, manifest(QStringLiteral("edit.csv"), 12)));
    ImportColumnModel *columns = dialog.columnModel();
    const int age = columns->rowOf(QStringLiteral("age"));
    const int ward = columns->rowOf(QStringLiteral("ward"));
    const int label = columns->rowOf(QStringLiteral("label"));

    // Numeric → categorical through the type combo box.
    QComboBox *ageType = editor(dialog, age, ImportColumnModel::Type);
    QVERIFY(ageType);
    ageType->setCurrentIndex(ageType->findText(QStringLiteral("Categorical")));
    QCOMPARE(columns->type(age), FieldType::Categorical);
    ImportOptions o = dialog.options();
    QCOMPARE(o.fieldTypes.size(), 1);
    QCOMPARE(o.fieldTypes.value(QStringLiteral("age")), FieldType::Categorical);
    // Back to the inferred type: no override.
    ageType->setCurrentIndex(ageType->findText(QStringLiteral("Numeric")));
    QVERIFY(dialog.options().fieldTypes.isEmpty());

    // Two label columns are refused with a message, and Import is off.
    QComboBox *wardRole = editor(dialog, ward, ImportColumnModel::Role);
    QVERIFY(wardRole);
    wardRole->setCurrentIndex(wardRole->findText(QStringLiteral("Label")));
    QVERIFY(!dialog.importButton()->isEnabled());
    QVERIFY(!dialog.messageLabel()->isHidden());
    QVERIFY2(
        dialog.messageLabel()->text().contains(QStringLiteral("Label")), qPrintable(dialog.messageLabel()->text()));
    QCOMPARE(dialog.lastError(), dialog.messageLabel()->text());

    // The old label column becomes a record field: ward is the label, named explicitly.
    QComboBox *labelRole = editor(dialog, label, ImportColumnModel::Role);
    labelRole->setCurrentIndex(labelRole->findText(QStringLiteral("Record field")));
    QVERIFY(dialog.importButton()->isEnabled());
    QVERIFY(dialog.messageLabel()->isHidden());
    QVERIFY(editor(dialog, label, ImportColumnModel::Type)->isEnabled());
    QVERIFY(!editor(dialog, ward, ImportColumnModel::Type)->isEnabled());
    o = dialog.options();
    QCOMPARE(o.labelColumn, QStringLiteral("ward"));
    QVERIFY(o.labelColumnGiven);
    QVERIFY(!o.imageColumnGiven);

    // No split column: the options name one the manifest does not have.
    QComboBox *splitRole = editor(dialog, columns->rowOf(QStringLiteral("split")), ImportColumnModel::Role);
    splitRole->setCurrentIndex(splitRole->findText(QStringLiteral("Record field")));
    o = dialog.options();
    QVERIFY(o.splitColumn != QStringLiteral("split"));
    QVERIFY(!o.splitColumnGiven);
    QVERIFY(dialog.importButton()->isEnabled());

    // The file fields reach the options too.
    dialog.setEventsPath(m_dir.filePath(QStringLiteral("events.csv")));
    dialog.setImageRoot(m_dir.path());
    dialog.setDatasetName(QStringLiteral("renamed"));
    o = dialog.options();
    QCOMPARE(o.eventsPath, m_dir.filePath(QStringLiteral("events.csv")));
    QCOMPARE(o.imageRoot, m_dir.path());
    QCOMPARE(o.name, QStringLiteral("renamed"));
}

void TestImportDialog::importsInBackgroundAndReports()
{
    auto study = newStudy(QStringLiteral("import.lepton"));
    ImportDialog dialog(study);
    // 30 good rows, then a duplicate id and a missing image: two report rows.
    const QString path = manifest(QStringLiteral("import.csv"), 30,
        "P0003,normal,img.png,,40,north\n"
        "P0100,abnormal,missing.png,,41,south\n");
    QVERIFY(preview(dialog, path));
    dialog.setDatasetName(QStringLiteral("ward study"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.importButton()->isEnabled());

    QSignalSpy imported(&dialog, &ImportDialog::imported);
    QSignalSpy finished(&dialog, &ImportDialog::importFinished);
    // Enter starts the import; the work runs in the background.
    QTest::keyClick(&dialog, Qt::Key_Return);
    QVERIFY(dialog.isRunning());
    QVERIFY(dialog.progressBar()->isVisible());
    QVERIFY(dialog.cancelButton()->isEnabled());
    QVERIFY(!dialog.importButton()->isEnabled());
    QVERIFY(!dialog.columnView()->isEnabled());
    QVERIFY(imported.wait(30000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).toBool(), true);
    QVERIFY(!dialog.isRunning());
    QVERIFY(!dialog.progressBar()->isVisible());
    QVERIFY(!dialog.cancelButton()->isEnabled());
    // Imported once; Import is not offered again for the same inputs.
    QVERIFY(!dialog.importButton()->isEnabled());

    const qint64 id = imported.first().at(0).toLongLong();
    QVERIFY(id > 0);
    QCOMPARE(dialog.importedDatasetId(), id);
    DatasetRepository repo(*study);
    auto ds = repo.dataset(id);
    QVERIFY2(ds, qPrintable(ds.error()));
    QCOMPARE(ds->name, QStringLiteral("ward study"));
    QCOMPARE(ds->caseCount, 30);
    QCOMPARE(ds->imageCount, 30);
    QCOMPARE(datasetCount(*study), 1);

    // The report: the two problem rows, sortable, with a summary line.
    QAbstractItemModel *report = dialog.reportView()->model();
    QCOMPARE(report->rowCount(), 2);
    QStringList kinds;
    for (int r = 0; r < report->rowCount(); ++r)
        kinds << report->index(r, ImportReportModel::Kind).data().toString();
    kinds.sort();
    QCOMPARE(kinds, (QStringList { QStringLiteral("duplicate-id"), QStringLiteral("image-missing") }));
    dialog.reportView()->sortByColumn(ImportReportModel::Line, Qt::DescendingOrder);
    QCOMPARE(report->index(0, ImportReportModel::Line).data().toInt(), 33);
    QCOMPARE(report->index(1, ImportReportModel::Line).data().toInt(), 32);
    QCOMPARE(report->index(1, ImportReportModel::Case).data().toString(), QStringLiteral("P0003"));
    QCOMPARE(report->index(0, ImportReportModel::File).data().toString(), QStringLiteral("import.csv"));
    dialog.reportView()->sortByColumn(ImportReportModel::Line, Qt::AscendingOrder);
    QCOMPARE(report->index(0, ImportReportModel::Kind).data().toString(), QStringLiteral("duplicate-id"));
    const QString summary = dialog.summaryLabel()->text();
    QVERIFY2(summary.contains(QStringLiteral("32 rows read")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("30 cases imported")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("2 excluded")), qPrintable(summary));

    // Export: a header row and the two problems, with the full file path and the line.
    const QString csvPath = m_dir.filePath(QStringLiteral("report.csv"));
    const lepton::Status exported = dialog.exportReport(csvPath);
    QVERIFY2(exported, qPrintable(exported.error()));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.at(0), QStringLiteral("severity,kind,file,line,column,case_id,reason"));
    QVERIFY(
        lines.at(1).startsWith(QStringLiteral("excluded,duplicate-id,") + path + QStringLiteral(",32,case_id,P0003,")));
    QVERIFY(
        lines.at(2).startsWith(QStringLiteral("excluded,image-missing,") + path + QStringLiteral(",33,image,P0100,")));
    const lepton::Status refused = dialog.exportReport(m_dir.filePath(QStringLiteral("no/such/folder/r.csv")));
    QVERIFY(!refused);
    QVERIFY(refused.error().contains(QStringLiteral("r.csv")));
    // The export is in the audit log: who, which file with its hash, which dataset.
    {
        auto entries = lepton::AuditLog(*study).entries();
        QVERIFY(entries);
        int exports = 0;
        for (const auto &e : *entries) {
            if (e.action != QLatin1String("export.import_report.csv"))
                continue;
            ++exports;
            QCOMPARE(e.entity, QStringLiteral("dataset:%1").arg(dialog.importedDatasetId()));
            QCOMPARE(e.details.value(QStringLiteral("file")).toString(), QFileInfo(csvPath).absoluteFilePath());
            QCOMPARE(e.details.value(QStringLiteral("sha256")).toString().size(), 64);
            QCOMPARE(e.actor, lepton::AuditLog::currentUser());
        }
        QCOMPARE(exports, 1); // the failed export left no entry
    }

    // Changing an input offers Import again; a second import on a new worker thread stores a
    // second dataset (each thread gets a study connection of its own, never a finished one's).
    dialog.setDatasetName(QStringLiteral("second"));
    QVERIFY(dialog.importButton()->isEnabled());
    finished.clear();
    dialog.startImport();
    QVERIFY(finished.count() == 1 || finished.wait(30000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(dialog.lastError()));
    QCOMPARE(datasetCount(*study), 2);
}

void TestImportDialog::unreadableManifestDisablesImport()
{
    ImportDialog dialog(newStudy(QStringLiteral("bad.lepton")));
    dialog.show();

    // A quote that is never closed: the message names the file and the line.
    const QString quoted
        = write(QStringLiteral("quote.csv"), "case_id,label,note\nA,x,fine\nB,y,\"never closed\nC,z,w\n");
    QVERIFY(preview(dialog, quoted));
    QVERIFY(dialog.messageLabel()->isVisible());
    const QString message = dialog.messageLabel()->text();
    QVERIFY2(message.contains(quoted + QStringLiteral(":3:")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("never closed")), qPrintable(message));
    QCOMPARE(dialog.lastError(), message);
    QVERIFY(!dialog.importButton()->isEnabled());
    QCOMPARE(dialog.previewView()->model()->rowCount(), 0);
    QCOMPARE(dialog.columnModel()->rowCount(), 0);
    dialog.startImport();
    QVERIFY(!dialog.isRunning());

    // Not CSV at all: binary bytes.
    const QString binary = write(QStringLiteral("picture.csv"), QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    QVERIFY(preview(dialog, binary));
    QVERIFY2(dialog.lastError().contains(binary), qPrintable(dialog.lastError()));
    QVERIFY2(dialog.lastError().contains(QStringLiteral("binary")), qPrintable(dialog.lastError()));
    QVERIFY(!dialog.importButton()->isEnabled());

    // A path that does not exist.
    QVERIFY(preview(dialog, m_dir.filePath(QStringLiteral("absent.csv"))));
    QVERIFY(dialog.lastError().contains(QStringLiteral("absent.csv")));
    QVERIFY(!dialog.importButton()->isEnabled());

    // A good manifest clears the message.
    QVERIFY(preview(dialog, manifest(QStringLiteral("good.csv"), 6)));
    QVERIFY(dialog.messageLabel()->isHidden());
    QVERIFY(dialog.importButton()->isEnabled());
}

void TestImportDialog::missingCaseIdColumnIsExplained()
{
    auto study = newStudy(QStringLiteral("noid.lepton"));
    ImportDialog dialog(study);
    dialog.show();
    QVERIFY(preview(dialog, write(QStringLiteral("noid.csv"), "patient,label,age\nA,x,1\nB,y,2\nC,x,3\n")));
    QCOMPARE(dialog.columnModel()->rowCount(), 3);
    QVERIFY(!dialog.importButton()->isEnabled());
    QVERIFY(dialog.messageLabel()->isVisible());
    QVERIFY2(
        dialog.messageLabel()->text().contains(QStringLiteral("case id")), qPrintable(dialog.messageLabel()->text()));
    QVERIFY(dialog.messageLabel()->text().contains(QStringLiteral("case_id")));
    dialog.startImport();
    QVERIFY(!dialog.isRunning());
    QVERIFY(dialog.lastError().contains(QStringLiteral("case id")));
    QCOMPARE(datasetCount(*study), 0);

    // Naming the id column in the editor fixes it.
    QComboBox *role = editor(dialog, 0, ImportColumnModel::Role);
    QVERIFY(role);
    role->setCurrentIndex(role->findText(QStringLiteral("Case id")));
    QVERIFY(dialog.messageLabel()->isHidden());
    QVERIFY(dialog.importButton()->isEnabled());
    QCOMPARE(dialog.options().idColumn, QStringLiteral("patient"));
}

void TestImportDialog::fatalImportWritesNothing_data()
{
    QTest::addColumn<QByteArray>("manifest");
    QTest::addColumn<QString>("events");
    QTest::addColumn<QString>("kind");
    QTest::newRow("every row broken") << QByteArray("case_id,label,age\nA,x\nB,y\nC\n") << QString()
                                      << QStringLiteral("no-cases");
    QTest::newRow("missing events file") << QByteArray() << QStringLiteral("no-such-events.csv")
                                         << QStringLiteral("events-unreadable");
}

void TestImportDialog::fatalImportWritesNothing()
{
    QFETCH(QByteArray, manifest);
    QFETCH(QString, events);
    QFETCH(QString, kind);
    auto study = newStudy(QStringLiteral("fatal-%1.lepton").arg(kind));
    // One dataset already there: it must stay the only one.
    {
        ImportOptions o;
        o.manifestPath = this->manifest(QStringLiteral("base.csv"), 9);
        ImportOutcome out = Importer::run(o);
        QVERIFY(out.dataset);
        DatasetRepository repo(*study);
        QVERIFY(repo.save(*out.dataset, out.report));
    }
    QCOMPARE(datasetCount(*study), 1);

    ImportDialog dialog(study);
    dialog.show();
    QVERIFY(preview(dialog,
        manifest.isEmpty() ? this->manifest(QStringLiteral("fatal.csv"), 9)
                           : write(QStringLiteral("fatal.csv"), manifest)));
    if (!events.isEmpty())
        dialog.setEventsPath(m_dir.filePath(events));
    QVERIFY2(dialog.importButton()->isEnabled(), qPrintable(dialog.lastError()));
    QSignalSpy imported(&dialog, &ImportDialog::imported);
    QSignalSpy finished(&dialog, &ImportDialog::importFinished);
    dialog.startImport();
    QVERIFY(dialog.isRunning());
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().at(0).toBool(), false); // not ok
    QCOMPARE(finished.first().at(1).toBool(), false); // not cancelled
    QCOMPARE(imported.count(), 0);
    QCOMPARE(dialog.importedDatasetId(), qint64(0));
    QCOMPARE(datasetCount(*study), 1);

    // The report shows the fatal problem; the message and the summary say why.
    QAbstractItemModel *report = dialog.reportView()->model();
    int fatalRow = -1;
    for (int r = 0; r < report->rowCount(); ++r)
        if (report->index(r, ImportReportModel::Kind).data().toString() == kind)
            fatalRow = r;
    QVERIFY2(fatalRow >= 0, qPrintable(kind));
    QCOMPARE(report->index(fatalRow, ImportReportModel::Severity).data().toString(), QStringLiteral("Fatal"));
    QVERIFY(dialog.messageLabel()->isVisible());
    QVERIFY(!dialog.lastError().isEmpty());
    QVERIFY(dialog.summaryLabel()->text().contains(QStringLiteral("nothing was written")));
    if (!events.isEmpty())
        QVERIFY2(dialog.lastError().contains(events), qPrintable(dialog.lastError()));
    // The failed import can be retried after a fix.
    QVERIFY(dialog.importButton()->isEnabled());
    QVERIFY(dialog.exportReport(m_dir.filePath(QStringLiteral("fatal-report.csv"))));
}

void TestImportDialog::cancelWritesNothing()
{
    auto study = newStudy(QStringLiteral("cancel.lepton"));
    ImportDialog dialog(study);
    QVERIFY(preview(dialog, manifest(QStringLiteral("big.csv"), 3000)));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.importButton()->isEnabled());
    QSignalSpy imported(&dialog, &ImportDialog::imported);
    QSignalSpy finished(&dialog, &ImportDialog::importFinished);
    dialog.startImport();
    QVERIFY(dialog.isRunning());
    QTest::mouseClick(dialog.cancelButton(), Qt::LeftButton);
    QVERIFY(!dialog.cancelButton()->isEnabled()); // cancelling: one click is enough
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(finished.first().at(1).toBool(), true);
    QCOMPARE(imported.count(), 0);
    QVERIFY(!dialog.isRunning());
    QCOMPARE(datasetCount(*study), 0);
    QVERIFY(dialog.summaryLabel()->text().contains(QStringLiteral("cancelled")));
    // A cancelled import is no error, and can be started again.
    QVERIFY(dialog.messageLabel()->isHidden());
    QVERIFY(dialog.importButton()->isEnabled());
}

void TestImportDialog::escapeDuringRunCancels()
{
    auto study = newStudy(QStringLiteral("escape.lepton"));
    ImportDialog dialog(study);
    QVERIFY(preview(dialog, manifest(QStringLiteral("escape.csv"), 3000)));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy finished(&dialog, &ImportDialog::importFinished);
    QSignalSpy rejected(&dialog, &QDialog::rejected);
    dialog.startImport();
    // Escape asks whether to cancel; "Yes" cancels, the dialog stays for the outcome.
    auto question = std::make_shared<QString>();
    gui::answerNextQuestion(QMessageBox::Yes, question);
    QTest::keyClick(&dialog, Qt::Key_Escape);
    QVERIFY2(question->contains(QStringLiteral("Cancel it?")), qPrintable(*question));
    QVERIFY(dialog.isVisible()); // not closed under the running import
    // Closing while the cancel is under way asks again; "No" keeps it as it is.
    gui::answerNextQuestion(QMessageBox::No, {}, 2000);
    dialog.close();
    QVERIFY(dialog.isVisible());
    QVERIFY(finished.count() == 1 || finished.wait(30000)); // the questions' event loops may see the end
    QCOMPARE(finished.first().at(1).toBool(), true);
    QCOMPARE(rejected.count(), 0);
    QCOMPARE(datasetCount(*study), 0);
    // Idle, Escape closes.
    QTest::keyClick(&dialog, Qt::Key_Escape);
    QVERIFY(!dialog.isVisible());
    QCOMPARE(rejected.count(), 1);
}

void TestImportDialog::importsWithDeidentification()
{
    auto study = newStudy(QStringLiteral("deid.lepton"));
    ImportDialog dialog(study);
    QByteArray m = "case_id,mrn,full_name,label,image,age,visit\n";
    for (int i = 0; i < 30; ++i)
        m += QStringLiteral("CASE-%1,MRN-%2,Person Name %1,%3,img.png,%4,2022-03-%5\n")
                 .arg(i, 4, 10, QLatin1Char('0'))
                 .arg(900000 + i)
                 .arg(i % 2 ? QStringLiteral("normal") : QStringLiteral("abnormal"))
                 .arg(i == 0 ? 97 : 30 + i)
                 .arg(1 + i % 28, 2, 10, QLatin1Char('0'))
                 .toUtf8();
    QVERIFY(preview(dialog, write(QStringLiteral("deid.csv"), m)));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));

    // The roles Identifier and Drop in the column editor; Identifier needs the box ticked.
    ImportColumnModel *columns = dialog.columnModel();
    const int mrn = columns->rowOf(QStringLiteral("mrn"));
    const int name = columns->rowOf(QStringLiteral("full_name"));
    QComboBox *role = editor(dialog, mrn, ImportColumnModel::Role);
    QVERIFY(role);
    const int identifier = role->findText(ImportColumnModel::roleName(Role::Identifier));
    QVERIFY(identifier >= 0);
    role->setCurrentIndex(identifier);
    QCOMPARE(columns->role(mrn), Role::Identifier);
    editor(dialog, name, ImportColumnModel::Role)->setCurrentIndex(static_cast<int>(Role::Drop));
    QCOMPARE(columns->role(name), Role::Drop);
    QVERIFY(!dialog.importButton()->isEnabled());
    QVERIFY2(dialog.messageLabel()->text().contains(QStringLiteral("De-identify")),
        qPrintable(dialog.messageLabel()->text()));
    QVERIFY(dialog.deidentifyCheck());
    QVERIFY(!dialog.deidentifyCheck()->isChecked());
    dialog.deidentifyCheck()->click();
    QVERIFY(dialog.importButton()->isEnabled());
    const ImportOptions o = dialog.options();
    QVERIFY(o.deidentify.enabled);
    QCOMPARE(o.deidentify.idColumns, QStringList { QStringLiteral("mrn") });
    QCOMPARE(o.dropColumns, QStringList { QStringLiteral("full_name") });

    QSignalSpy imported(&dialog, &ImportDialog::imported);
    dialog.startImport();
    QVERIFY(imported.wait(30000));
    const qint64 id = imported.first().at(0).toLongLong();

    // Pseudonyms, not ids; the dropped column and its values nowhere; age 97 stored as 90.
    QSqlQuery q(study->database());
    QVERIFY(q.exec(QStringLiteral("SELECT case_key FROM cases WHERE dataset_id = %1").arg(id)));
    int cases = 0;
    while (q.next()) {
        QVERIFY2(q.value(0).toString().startsWith(QStringLiteral("p-")), qPrintable(q.value(0).toString()));
        ++cases;
    }
    QCOMPARE(cases, 30);
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM record_values WHERE text LIKE 'MRN-%' OR text LIKE "
                                  "'Person Name%' OR text LIKE 'CASE-%'")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM fields WHERE name = 'full_name'")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    QVERIFY(q.exec(QStringLiteral("SELECT max(v.number) FROM record_values v JOIN fields f ON v.field_id = f.id "
                                  "WHERE f.name = 'age' AND f.dataset_id = %1")
                       .arg(id)));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toDouble(), 90.0);
    QVERIFY(!study->metaValue(QStringLiteral("deidentify_secret")).isEmpty());

    // The report shows what changed.
    QAbstractItemModel *report = dialog.reportView()->model();
    int changed = 0;
    for (int r = 0; r < report->rowCount(); ++r)
        if (report->index(r, ImportReportModel::Kind).data().toString() == QLatin1String("deidentified")) {
            ++changed;
            QCOMPARE(report->index(r, ImportReportModel::Severity).data().toString(), QStringLiteral("Changed"));
        }
    QVERIFY(changed >= 4);
    const QString summary = dialog.summaryLabel()->text();
    QVERIFY2(summary.contains(QStringLiteral("De-identified")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("30 dates shifted")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("full_name")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("No problems were found")), qPrintable(summary));
}

void TestImportDialog::groupRoleEventsIdAndDicomReachOptions()
{
    ImportDialog dialog(newStudy(QStringLiteral("group.lepton")));
    QVERIFY(preview(dialog, manifest(QStringLiteral("group.csv"), 12)));
    ImportColumnModel *columns = dialog.columnModel();
    const int ward = columns->rowOf(QStringLiteral("ward"));
    const int age = columns->rowOf(QStringLiteral("age"));
    QCOMPARE(dialog.options().groupColumn, QString());

    // The group role, chosen in the combo box, with its help as the choice's tooltip.
    QComboBox *wardRole = editor(dialog, ward, ImportColumnModel::Role);
    QVERIFY(wardRole);
    const int group = wardRole->findText(QStringLiteral("Group"));
    QVERIFY(group >= 0);
    QVERIFY(wardRole->itemData(group, Qt::ToolTipRole).toString().contains(QStringLiteral("stay in one split")));
    wardRole->setCurrentIndex(group);
    QCOMPARE(columns->role(ward), Role::Group);
    QVERIFY(columns->index(ward, ImportColumnModel::Role)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("patient")));
    ImportOptions o = dialog.options();
    QCOMPARE(o.groupColumn, QStringLiteral("ward"));
    QVERIFY(dialog.importButton()->isEnabled());
    // Two group columns are refused.
    editor(dialog, age, ImportColumnModel::Role)->setCurrentIndex(group);
    QVERIFY(!dialog.importButton()->isEnabled());
    QVERIFY2(
        dialog.messageLabel()->text().contains(QStringLiteral("Group")), qPrintable(dialog.messageLabel()->text()));
    editor(dialog, age, ImportColumnModel::Role)->setCurrentIndex(wardRole->findText(QStringLiteral("Record field")));
    QVERIFY(dialog.importButton()->isEnabled());
    // Back to a record field: no group.
    wardRole->setCurrentIndex(wardRole->findText(QStringLiteral("Record field")));
    QCOMPARE(dialog.options().groupColumn, QString());

    // The events file's id column: empty (the manifest's) unless typed.
    auto *eventsId = gui::child<QLineEdit>(&dialog, "eventsIdEdit");
    QCOMPARE(dialog.options().eventsIdColumn, QString());
    QTest::keyClicks(eventsId, QStringLiteral("patient_id"));
    QCOMPARE(dialog.options().eventsIdColumn, QStringLiteral("patient_id"));

    // DICOM: the window (auto, full, custom centre,width) and the fields.
    auto *window = gui::child<QComboBox>(&dialog, "dicomWindowBox");
    auto *custom = gui::child<QLineEdit>(&dialog, "dicomWindowEdit");
    QCOMPARE(dialog.options().dicomWindow.mode, DicomWindow::Mode::Auto);
    window->setCurrentIndex(window->findData(QStringLiteral("full")));
    QCOMPARE(dialog.options().dicomWindow.mode, DicomWindow::Mode::Full);
    QVERIFY(!custom->isEnabled());
    window->setCurrentIndex(window->findData(QStringLiteral("custom")));
    QVERIFY(custom->isEnabled());
    QVERIFY(!dialog.importButton()->isEnabled()); // no centre,width yet
    QTest::keyClicks(custom, QStringLiteral("40,0"));
    QVERIFY(!dialog.importButton()->isEnabled());
    QVERIFY(!dialog.messageLabel()->isHidden());
    custom->clear();
    QTest::keyClicks(custom, QStringLiteral("40,400"));
    QVERIFY2(dialog.importButton()->isEnabled(), qPrintable(dialog.messageLabel()->text()));
    o = dialog.options();
    QCOMPARE(o.dicomWindow.mode, DicomWindow::Mode::Fixed);
    QCOMPARE(o.dicomWindow.center, 40.0);
    QCOMPARE(o.dicomWindow.width, 400.0);
    QTest::keyClicks(gui::child<QLineEdit>(&dialog, "dicomFieldsEdit"), QStringLiteral("PatientAge, ViewPosition,"));
    QCOMPARE(
        dialog.options().dicomFields, QStringList({ QStringLiteral("PatientAge"), QStringLiteral("ViewPosition") }));
}

void TestImportDialog::eventsBesideTheManifestAreOffered()
{
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("beside")));
    const QString folder = m_dir.filePath(QStringLiteral("beside"));
    QVERIFY(cv::imwrite(
        QDir(folder).filePath(QStringLiteral("img.png")).toStdString(), cv::Mat(32, 32, CV_8UC1, cv::Scalar(90))));
    const QString path = manifest(QStringLiteral("beside/manifest.csv"), 12);
    const QString events = write(QStringLiteral("beside/events.csv"), "case_id,time,hr\nP0001,0,70\n");
    ImportDialog dialog(newStudy(QStringLiteral("beside.lepton")));
    QVERIFY(preview(dialog, path));
    auto *note = gui::child<QLabel>(&dialog, "eventsNote");
    QCOMPARE(QFileInfo(dialog.options().eventsPath).absoluteFilePath(), QFileInfo(events).absoluteFilePath());
    QVERIFY(!note->isHidden());
    QVERIFY(note->text().contains(QStringLiteral("events.csv")));
    // Cleared: no events, and the note goes.
    gui::child<QLineEdit>(&dialog, "eventsEdit")->clear();
    QVERIFY(note->isHidden());
    QCOMPARE(dialog.options().eventsPath, QString());

    // A manifest without events.csv beside it gets none; a chosen events file is kept.
    ImportDialog other(newStudy(QStringLiteral("beside2.lepton")));
    QVERIFY(preview(other, manifest(QStringLiteral("alone.csv"), 12)));
    QCOMPARE(other.options().eventsPath, QString());
    QVERIFY(gui::child<QLabel>(&other, "eventsNote")->isHidden());
    other.setEventsPath(m_dir.filePath(QStringLiteral("mine.csv")));
    QVERIFY(preview(other, path));
    QCOMPARE(other.options().eventsPath, m_dir.filePath(QStringLiteral("mine.csv")));
}

void TestImportDialog::mostRowsExcludedAsksBeforeSaving()
{
    auto study = newStudy(QStringLiteral("excluded.lepton"));
    ImportDialog dialog(study);
    // 4 good rows and 8 whose image is missing: two thirds excluded.
    QByteArray bad;
    for (int i = 0; i < 8; ++i)
        bad += QStringLiteral("M%1,%2,gone%1.png,,50,north\n")
                   .arg(i)
                   .arg(i % 2 ? QStringLiteral("normal") : QStringLiteral("abnormal"))
                   .toUtf8();
    QVERIFY(preview(dialog, manifest(QStringLiteral("excluded.csv"), 4, bad)));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));

    QSignalSpy asked(&dialog, &ImportDialog::confirmationAsked);
    QSignalSpy finished(&dialog, &ImportDialog::importFinished);
    dialog.startImport();
    QVERIFY(asked.wait(60000));
    QMessageBox *box = dialog.confirmBox();
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral("8 of the 12 rows")), qPrintable(box->text()));
    QVERIFY2(box->text().contains(QStringLiteral("image")), qPrintable(box->text()));
    QCOMPARE(datasetCount(*study), 0); // nothing saved while asking
    box->button(QMessageBox::Cancel)->click();
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(datasetCount(*study), 0);
    QVERIFY(dialog.importButton()->isEnabled());

    // Again, and saved this time.
    dialog.startImport();
    QVERIFY(asked.wait(60000));
    QVERIFY(dialog.confirmBox());
    dialog.confirmBox()->button(QMessageBox::Save)->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
    QCOMPARE(finished.at(1).at(0).toBool(), true);
    QCOMPARE(datasetCount(*study), 1);
    QVERIFY(dialog.importedDatasetId() > 0);
}

QTEST_MAIN(TestImportDialog)
#include "tst_importdialog.moc"
