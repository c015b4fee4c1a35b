// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportFilesGroup.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

ImportFilesGroup::ImportFilesGroup(QWidget *parent)
    : QGroupBox(tr("Files"), parent),
      m_manifest(new QLineEdit(this)),
      m_events(new QLineEdit(this)),
      m_imageRoot(new QLineEdit(this)),
      m_name(new QLineEdit(this)),
      m_deidentify(new QCheckBox(tr("&De-identify (HIPAA Safe Harbor)"), this))
{
    setObjectName(QStringLiteral("filesGroup"));
    auto *grid = new QGridLayout(this);
    grid->setColumnStretch(1, 1);
    auto addRow = [&](int row, const QString &label, QLineEdit *edit, const QString &placeholder,
                      void (ImportFilesGroup::*browse)()) {
        auto *caption = new QLabel(label, this);
        caption->setBuddy(edit);
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(true);
        grid->addWidget(caption, row, 0);
        grid->addWidget(edit, row, 1);
        if (browse) {
            auto *button = new QPushButton(tr("Browse…"), this);
            button->setAutoDefault(false);
            connect(button, &QPushButton::clicked, this, browse);
            grid->addWidget(button, row, 2);
        }
    };
    addRow(0, tr("&Manifest CSV:"), m_manifest, tr("One row per case: case_id, label, image, split, fields"),
        &ImportFilesGroup::browseManifest);
    addRow(
        1, tr("&Events CSV:"), m_events, tr("Optional: case_id, time, event fields"), &ImportFilesGroup::browseEvents);
    addRow(2, tr("Image &folder:"), m_imageRoot, tr("The manifest's folder"), &ImportFilesGroup::browseImageRoot);
    addRow(3, tr("Dataset &name:"), m_name, tr("The manifest's file name"), nullptr);
    m_manifest->setObjectName(QStringLiteral("manifestEdit"));
    m_events->setObjectName(QStringLiteral("eventsEdit"));
    m_imageRoot->setObjectName(QStringLiteral("imageRootEdit"));
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_deidentify->setObjectName(QStringLiteral("deidentifyCheck"));
    m_deidentify->setToolTip(
        tr("Replace the case id and the columns whose role is Identifier by keyed pseudonyms, shift dates by a "
           "secret offset per patient and store ages over 89 as 90. The files are not changed. Free text, image "
           "file names and pixels are not de-identified; see PRIVACY.md."));
    grid->addWidget(m_deidentify, 4, 1, 1, 2);
}

void ImportFilesGroup::browseManifest()
{
    const QString start = m_manifest->text().isEmpty() ? QString() : QFileInfo(m_manifest->text()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose Manifest"), start, tr("CSV files (*.csv *.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    m_manifest->setText(path);
    Q_EMIT manifestChosen(path);
}

void ImportFilesGroup::browseEvents()
{
    const QString start = QFileInfo(m_events->text().isEmpty() ? m_manifest->text() : m_events->text()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose Events File"), start, tr("CSV files (*.csv *.txt);;All files (*)"));
    if (!path.isEmpty())
        m_events->setText(path);
}

void ImportFilesGroup::browseImageRoot()
{
    const QString start
        = m_imageRoot->text().isEmpty() ? QFileInfo(m_manifest->text()).absolutePath() : m_imageRoot->text();
    const QString path = QFileDialog::getExistingDirectory(this, tr("Choose Image Folder"), start);
    if (!path.isEmpty())
        m_imageRoot->setText(path);
}
