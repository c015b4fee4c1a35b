// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportFilesGroup.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>

ImportFilesGroup::ImportFilesGroup(QWidget *parent)
    : QGroupBox(tr("Files"), parent),
      m_manifest(new QLineEdit(this)),
      m_events(new QLineEdit(this)),
      m_imageRoot(new QLineEdit(this)),
      m_name(new QLineEdit(this)),
      m_deidentify(new QCheckBox(tr("&De-identify (HIPAA Safe Harbor)"), this)),
      m_eventsId(new QLineEdit(this)),
      m_eventsNote(new QLabel(this)),
      m_dicomWindow(new QComboBox(this)),
      m_dicomCustom(new QLineEdit(this)),
      m_dicomFields(new QLineEdit(this))
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
    // The events file's id column beside it: empty, the manifest's case id column.
    auto *eventsRow = new QHBoxLayout;
    grid->removeWidget(m_events);
    eventsRow->addWidget(m_events, 1);
    auto *idCaption = new QLabel(tr("I&d column:"), this);
    idCaption->setBuddy(m_eventsId);
    eventsRow->addWidget(idCaption);
    m_eventsId->setPlaceholderText(tr("as the manifest's"));
    m_eventsId->setClearButtonEnabled(true);
    m_eventsId->setToolTip(tr("The events file's column that holds the case id; empty: the same name as the "
                              "manifest's case id column"));
    m_eventsId->setMaximumWidth(160);
    eventsRow->addWidget(m_eventsId);
    grid->addLayout(eventsRow, 1, 1);
    m_eventsNote->setWordWrap(true);
    m_eventsNote->setStyleSheet(QStringLiteral("QLabel { color: palette(placeholder-text); }"));
    m_eventsNote->hide();
    grid->addWidget(m_eventsNote, 2, 1, 1, 2);
    addRow(3, tr("Image &folder:"), m_imageRoot, tr("The manifest's folder"), &ImportFilesGroup::browseImageRoot);

    // DICOM images: how their values become grey levels, and attributes stored as record fields.
    auto *dicomCaption = new QLabel(tr("DICOM &window:"), this);
    dicomCaption->setBuddy(m_dicomWindow);
    m_dicomWindow->addItem(tr("Auto (the file's window)"), QStringLiteral("auto"));
    m_dicomWindow->addItem(tr("Full range"), QStringLiteral("full"));
    m_dicomWindow->addItem(tr("Custom centre, width"), QStringLiteral("custom"));
    m_dicomWindow->setToolTip(tr("How a DICOM image's values become grey levels for training and display: the "
                                 "window the file gives (else its full range), the full range of each image, or "
                                 "one centre and width for all (e.g. 40,400 for soft tissue in CT)"));
    m_dicomCustom->setPlaceholderText(tr("centre,width"));
    m_dicomCustom->setMaximumWidth(130);
    m_dicomCustom->setEnabled(false);
    auto *fieldsCaption = new QLabel(tr("DICOM fie&lds:"), this);
    fieldsCaption->setBuddy(m_dicomFields);
    m_dicomFields->setPlaceholderText(tr("e.g. PatientAge, PatientSex, ViewPosition"));
    m_dicomFields->setClearButtonEnabled(true);
    m_dicomFields->setToolTip(tr("DICOM attributes, by keyword and separated by commas, read from each DICOM "
                                 "image and stored as record fields"));
    auto *dicomRow = new QHBoxLayout;
    dicomRow->addWidget(m_dicomWindow);
    dicomRow->addWidget(m_dicomCustom);
    dicomRow->addSpacing(12);
    dicomRow->addWidget(fieldsCaption);
    dicomRow->addWidget(m_dicomFields, 1);
    grid->addWidget(dicomCaption, 4, 0);
    grid->addLayout(dicomRow, 4, 1, 1, 2);
    connect(m_dicomWindow, &QComboBox::currentIndexChanged, this, [this] {
        const bool custom = m_dicomWindow->currentData().toString() == QLatin1String("custom");
        m_dicomCustom->setEnabled(custom);
        if (custom)
            m_dicomCustom->setFocus();
        Q_EMIT optionsChanged();
    });
    for (QLineEdit *edit : { m_eventsId, m_dicomCustom, m_dicomFields })
        connect(edit, &QLineEdit::textChanged, this, &ImportFilesGroup::optionsChanged);

    addRow(5, tr("Dataset &name:"), m_name, tr("The manifest's file name"), nullptr);
    m_manifest->setObjectName(QStringLiteral("manifestEdit"));
    m_events->setObjectName(QStringLiteral("eventsEdit"));
    m_eventsId->setObjectName(QStringLiteral("eventsIdEdit"));
    m_eventsNote->setObjectName(QStringLiteral("eventsNote"));
    m_imageRoot->setObjectName(QStringLiteral("imageRootEdit"));
    m_dicomWindow->setObjectName(QStringLiteral("dicomWindowBox"));
    m_dicomCustom->setObjectName(QStringLiteral("dicomWindowEdit"));
    m_dicomFields->setObjectName(QStringLiteral("dicomFieldsEdit"));
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_deidentify->setObjectName(QStringLiteral("deidentifyCheck"));
    m_deidentify->setToolTip(
        tr("Replace the case id and the columns whose role is Identifier by keyed pseudonyms, shift dates by a "
           "secret offset per patient and store ages over 89 as 90. The files are not changed. Free text, image "
           "file names and pixels are not de-identified; see PRIVACY.md."));
    grid->addWidget(m_deidentify, 6, 1, 1, 2);
}

void ImportFilesGroup::setEventsNote(const QString &note)
{
    m_eventsNote->setText(note);
    m_eventsNote->setVisible(!note.isEmpty());
}

lepton::Result<lepton::DicomWindow> ImportFilesGroup::dicomWindow() const
{
    const QString choice = m_dicomWindow->currentData().toString();
    if (choice != QLatin1String("custom"))
        return lepton::DicomWindow::parse(choice);
    const QString text = m_dicomCustom->text().trimmed();
    if (text.isEmpty())
        return lepton::Result<lepton::DicomWindow>::failure(
            tr("Give the DICOM window as centre,width (e.g. 40,400), or choose Auto."));
    auto window = lepton::DicomWindow::parse(text);
    if (!window)
        return lepton::Result<lepton::DicomWindow>::failure(
            tr("The DICOM window “%1” is not centre,width with a width above 0 (e.g. 40,400): %2")
                .arg(text, window.error()));
    return window;
}

QStringList ImportFilesGroup::dicomFields() const
{
    QStringList out;
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    for (const QString &k : m_dicomFields->text().split(separators, Qt::SkipEmptyParts))
        if (!out.contains(k))
            out.append(k);
    return out;
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
