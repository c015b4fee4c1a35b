// SPDX-License-Identifier: GPL-3.0-or-later
// Training ▸ Pretrain Encoder…: the dialog pretrains on the study's images in the background and
// stores the encoder, which the Training form then offers; Cancel stores nothing.
#include "MainWindow.h"
#include "PretrainDialog.h"
#include "TinyStudy.h"
#include "TrainingView.h"

#include "store/EncoderRepository.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

class TestPretrainDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void pretrainsAndTheFormOffersIt();
    void cancelStoresNothing();

private:
    QTemporaryDir m_dir;
    std::shared_ptr<lepton::Study> m_study;
};

void TestPretrainDialog::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(tiny::makeStudy(m_dir.path(), m_study) > 0);
}

void TestPretrainDialog::pretrainsAndTheFormOffersIt()
{
    MainWindow window;
    QVERIFY(window.openStudy(m_study->path()));
    PretrainDialog *dialog = window.showPretrainDialog();
    QVERIFY(dialog);
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
    QCOMPARE(name->text(), QStringLiteral("pretrained-dataset-1"));
    name->setText(QStringLiteral("from-dialog"));
    dialog->findChild<QSpinBox *>(QStringLiteral("epochsBox"))->setValue(2);
    dialog->findChild<QSpinBox *>(QStringLiteral("batchBox"))->setValue(16);
    dialog->findChild<QSpinBox *>(QStringLiteral("imageSizeBox"))->setValue(32);
    QSignalSpy stored(dialog, &PretrainDialog::encoderStored);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("startButton")), Qt::LeftButton);
    QVERIFY(dialog->isRunning());
    QVERIFY(!dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning(), 120000);
    auto *status = dialog->findChild<QLabel *>(QStringLiteral("status"));
    QVERIFY2(stored.count() == 1, qPrintable(status->text()));
    QCOMPARE(stored.first().first().toString(), QStringLiteral("from-dialog"));
    QVERIFY2(status->text().contains(QStringLiteral("Stored the encoder 'from-dialog'"))
            && status->text().contains(QStringLiteral("chance")),
        qPrintable(status->text()));
    auto list = lepton::EncoderRepository(*m_study).list();
    QVERIFY(list && list->size() == 1);
    // The Training form offers it.
    auto *encoder = window.trainingView()->findChild<QComboBox *>(QStringLiteral("encoderBox"));
    QVERIFY(encoder->findData(QStringLiteral("encoder:from-dialog")) > 0);
    dialog->close();
}

void TestPretrainDialog::cancelStoresNothing()
{
    MainWindow window;
    QVERIFY(window.openStudy(m_study->path()));
    PretrainDialog *dialog = window.showPretrainDialog();
    QVERIFY(dialog);
    dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->setText(QStringLiteral("cancelled"));
    dialog->findChild<QSpinBox *>(QStringLiteral("epochsBox"))->setValue(1000);
    dialog->findChild<QSpinBox *>(QStringLiteral("batchBox"))->setValue(8);
    dialog->findChild<QSpinBox *>(QStringLiteral("imageSizeBox"))->setValue(32);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("startButton")), Qt::LeftButton);
    QVERIFY(dialog->isRunning());
    auto *cancel = dialog->findChild<QPushButton *>(QStringLiteral("cancelButton"));
    QCOMPARE(cancel->text(), QStringLiteral("&Cancel"));
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning(), 60000);
    QCOMPARE(dialog->findChild<QLabel *>(QStringLiteral("status"))->text(),
        QStringLiteral("Cancelled; nothing was stored."));
    QVERIFY(dialog->isVisible()); // Cancel stopped the work; it did not close the dialog
    auto list = lepton::EncoderRepository(*m_study).list();
    QVERIFY(list);
    for (const auto &e : list.value())
        QVERIFY(e.name != QLatin1String("cancelled"));
    dialog->close();
}

QTEST_MAIN(TestPretrainDialog)
#include "tst_pretraindialog.moc"
