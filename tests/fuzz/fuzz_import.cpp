// SPDX-License-Identifier: GPL-3.0-or-later
// The import path: the bytes become manifest.csv (and, after a line "#events", events.csv) next
// to three small images; Importer::run reads them on one thread, and a dataset that comes out is
// stored in a fresh scratch study and read back. Inputs of odd length are imported with
// de-identification (pseudonyms, date shifts, age groups; a "patient" column as identifier and a
// "note" column dropped when the header has them).
#include "FuzzSupport.h"
#include "data/Deidentifier.h"
#include "data/Importer.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace {

/// Images the seed manifests name (a.png, b.png, c.jpg), written once.
void writeImages(const QString &dir)
{
    cv::Mat grey(16, 16, CV_8UC1);
    cv::randu(grey, 0, 255);
    cv::imwrite(QString(dir + QStringLiteral("/a.png")).toStdString(), grey);
    cv::Mat colour(12, 20, CV_8UC3, cv::Scalar(10, 200, 30));
    cv::imwrite(QString(dir + QStringLiteral("/b.png")).toStdString(), colour);
    cv::imwrite(QString(dir + QStringLiteral("/c.jpg")).toStdString(), colour);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lepton::fuzz::initialiseQt(argc, argv);
    writeImages(lepton::fuzz::scratchDir());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QByteArray separator("\n#events\n");
    const QByteArray input = lepton::fuzz::bytes(data, size);
    const qsizetype split = input.indexOf(separator);
    const QByteArray manifestBytes = split < 0 ? input : input.left(split + 1);
    const QString manifest = lepton::fuzz::writeScratch(QStringLiteral("manifest.csv"),
        reinterpret_cast<const uint8_t *>(manifestBytes.constData()), size_t(manifestBytes.size()));
    if (manifest.isEmpty())
        return 0;
    lepton::ImportOptions options;
    options.manifestPath = manifest;
    if (split >= 0) {
        const QByteArray events = input.mid(split + separator.size());
        options.eventsPath = lepton::fuzz::writeScratch(
            QStringLiteral("events.csv"), reinterpret_cast<const uint8_t *>(events.constData()), size_t(events.size()));
        if (options.eventsPath.isEmpty())
            return 0;
    }
    options.imageRoot = lepton::fuzz::scratchDir();
    options.threads = 1;
    options.maxImagePixels = 1 << 16;
    options.minImageSide = 1;
    options.minClassCases = 1;
    if (size % 2 == 1) {
        options.deidentify.enabled = true;
        options.deidentify.secret = QByteArray(lepton::Deidentifier::SecretBytes, 'k');
        const QByteArray header = manifestBytes.left(manifestBytes.indexOf('\n'));
        if (header.contains("patient"))
            options.deidentify.idColumns = QStringList { QStringLiteral("patient") };
        if (header.contains("note"))
            options.dropColumns = QStringList { QStringLiteral("note") };
    }
    lepton::ImportOutcome outcome = lepton::Importer::run(options);
    lepton::fuzz::trace("import", outcome.dataset ? QStringLiteral("dataset") : QStringLiteral("fatal"));
    if (!outcome.dataset)
        return 0;

    // A fresh study per stored dataset: names and keys from the input must not collide with an
    // earlier input's.
    const QString studyPath = lepton::fuzz::scratchDir() + QStringLiteral("/import.lepton");
    QFile::remove(studyPath);
    QFile::remove(studyPath + QStringLiteral("-wal"));
    QFile::remove(studyPath + QStringLiteral("-shm"));
    {
        auto study = lepton::Study::open(studyPath, lepton::Study::Mode::CreateOrOpen);
        if (!study)
            __builtin_trap(); // the scratch folder is writable: creating must work
        lepton::DatasetRepository repo(**study);
        auto id = repo.save(*outcome.dataset, outcome.report);
        lepton::fuzz::trace("save", id ? QString::number(*id) : id.error());
        if (id) {
            (void)repo.datasets(true);
            (void)repo.cases(*id);
            (void)repo.recordValues(*id);
            (void)repo.report(*id);
        }
    }
    lepton::Study::closeThreadConnections();
    return 0;
}
