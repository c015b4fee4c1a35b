// SPDX-License-Identifier: GPL-3.0-or-later
// The Training form's image encoder rows: a weights file is read when chosen (a wrong one is
// named and changes nothing), and each fine-tuning choice becomes the settings it names.
#include "TrainingForm.h"

#include "model/SafeTensors.h"

#include <QComboBox>
#include <QFile>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

class TestTrainingForm : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void encoderFileAndFineTuningBecomeSettings();
    void studyEncodersAreOffered();
};

void TestTrainingForm::encoderFileAndFineTuningBecomeSettings()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStandardItemModel datasets; // outlives the form that shows it
    auto *item = new QStandardItem(QStringLiteral("1: tiny"));
    item->setData(1, Qt::UserRole);
    datasets.appendRow(item);
    TrainingForm form;
    form.setDatasetModel(&datasets);
    form.show();
    auto *encoder = form.findChild<QComboBox *>(QStringLiteral("encoderBox"));
    auto *fineTune = form.findChild<QComboBox *>(QStringLiteral("fineTuneBox"));
    QVERIFY(encoder && fineTune);
    QVERIFY(!fineTune->isEnabled());
    auto c = form.config(true);
    QVERIFY2(c, qPrintable(c.error()));
    QVERIFY(c->imageEncoderFrom.isEmpty());

    // A file that is not weights is named and leaves the form as it was.
    QSignalSpy errors(&form, &TrainingForm::errorOccurred);
    const QString bad = dir.filePath(QStringLiteral("notes.txt"));
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not weights at all");
    }
    QVERIFY(!form.setImageEncoderFile(bad));
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.first().first().toString().startsWith(bad), qPrintable(errors.first().first().toString()));
    QCOMPARE(encoder->currentIndex(), 0);

    // Weights in the safetensors layout: chosen, and the fine-tuning choices open up.
    const QString good = dir.filePath(QStringLiteral("encoder.safetensors"));
    {
        QFile f(good);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(*lepton::safetensors::write({ { "stem.0.weight", torch::zeros({ 4, 1, 3, 3 }) } }));
    }
    QVERIFY(form.setImageEncoderFile(good));
    QCOMPARE(encoder->currentText(), QStringLiteral("from encoder.safetensors"));
    QVERIFY(fineTune->isEnabled());
    struct Expect
    {
        const char *choice;
        double lrScale;
        int adapters;
        bool frozen;
    };
    for (const Expect &e : { Expect { "full", 1.0, 0, false }, Expect { "lowlr", 0.1, 0, false },
             Expect { "adapters", 1.0, 8, false }, Expect { "frozen", 1.0, 0, true } }) {
        fineTune->setCurrentIndex(fineTune->findData(QLatin1String(e.choice)));
        c = form.config(true);
        QVERIFY2(c, qPrintable(c.error()));
        QCOMPARE(c->imageEncoderFrom, good);
        QCOMPARE(c->imageEncoderLrScale, e.lrScale);
        QCOMPARE(c->model.imageAdapters, e.adapters);
        QCOMPARE(c->freezeImageEpochs, e.frozen ? c->epochs : 0);
    }
    // Choosing the same file again does not add it twice.
    QVERIFY(form.setImageEncoderFile(good));
    QCOMPARE(encoder->count(), 3);

    // A variant without images cannot start an image encoder.
    auto *variant = form.findChild<QComboBox *>(QStringLiteral("variantBox"));
    variant->setCurrentIndex(variant->findData(QStringLiteral("record")));
    c = form.config(true);
    QVERIFY(!c);
    QVERIFY2(c.error().startsWith(QStringLiteral("Image encoder")), qPrintable(c.error()));
    variant->setCurrentIndex(0);

    // While a run trains, neither can change.
    form.setState(true, false, false, QString());
    QVERIFY(!encoder->isEnabled() && !fineTune->isEnabled());
    form.setState(false, true, false, QString());
    QVERIFY(encoder->isEnabled() && fineTune->isEnabled());
    encoder->setCurrentIndex(0);
    QVERIFY(!fineTune->isEnabled());
    c = form.config(true);
    QVERIFY(c && c->imageEncoderFrom.isEmpty() && c->model.imageAdapters == 0);
}

void TestTrainingForm::studyEncodersAreOffered()
{
    QStandardItemModel datasets;
    auto *item = new QStandardItem(QStringLiteral("1: tiny"));
    item->setData(1, Qt::UserRole);
    datasets.appendRow(item);
    TrainingForm form;
    form.setDatasetModel(&datasets);
    form.show();
    auto *encoder = form.findChild<QComboBox *>(QStringLiteral("encoderBox"));
    auto *fineTune = form.findChild<QComboBox *>(QStringLiteral("fineTuneBox"));
    form.setStudyEncoders({ { QStringLiteral("resnet18"), QStringLiteral("resnet18: 11.2 M parameters") },
        { QStringLiteral("densenet121"), QStringLiteral("densenet121") } });
    QCOMPARE(encoder->count(), 4); // scratch, two study encoders, "From a weights file…"
    QCOMPARE(encoder->itemText(1), QStringLiteral("study encoder resnet18"));
    QCOMPARE(encoder->itemData(1, Qt::ToolTipRole).toString(), QStringLiteral("resnet18: 11.2 M parameters"));
    encoder->setCurrentIndex(1);
    QVERIFY(fineTune->isEnabled());
    fineTune->setCurrentIndex(fineTune->findData(QStringLiteral("frozen")));
    auto c = form.config(true);
    QVERIFY2(c, qPrintable(c.error()));
    QCOMPARE(c->imageEncoder, QStringLiteral("resnet18"));
    QVERIFY(c->imageEncoderFrom.isEmpty());
    QCOMPARE(c->freezeImageEpochs, c->epochs);
    // Adapters need the built-in encoder's stages: said, not started.
    fineTune->setCurrentIndex(fineTune->findData(QStringLiteral("adapters")));
    c = form.config(true);
    QVERIFY(!c);
    QVERIFY2(c.error().contains(QStringLiteral("adapters")), qPrintable(c.error()));
    // Offered again without the chosen one (another study): back to training from scratch.
    form.setStudyEncoders({ { QStringLiteral("densenet121"), QString() } });
    QCOMPARE(encoder->count(), 3);
    QCOMPARE(encoder->currentIndex(), 0);
    c = form.config(true);
    QVERIFY(c && c->imageEncoder.isEmpty());
}

QTEST_MAIN(TestTrainingForm)
#include "tst_trainingform.moc"
