// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/DicomWindow.h"
#include "util/Result.h"

#include <QGroupBox>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

/// The import dialog's Files group: the manifest, the events file, the image folder, the
/// dataset's name (each with Browse… where it is a path) and "De-identify"; the events file's id
/// column, how DICOM images are windowed and which DICOM attributes become record fields. Object
/// names: manifestEdit, eventsEdit, eventsIdEdit, eventsNote, imageRootEdit, dicomWindowBox,
/// dicomWindowEdit, dicomFieldsEdit, nameEdit, deidentifyCheck.
class ImportFilesGroup : public QGroupBox
{
    Q_OBJECT
public:
    explicit ImportFilesGroup(QWidget *parent = nullptr);

    QLineEdit *manifestEdit() const { return m_manifest; }
    QLineEdit *eventsEdit() const { return m_events; }
    QLineEdit *imageRootEdit() const { return m_imageRoot; }
    QLineEdit *nameEdit() const { return m_name; }
    QCheckBox *deidentifyCheck() const { return m_deidentify; }
    QLineEdit *eventsIdEdit() const { return m_eventsId; }
    /// A note under the events file (e.g. that events.csv beside the manifest was filled in).
    QLabel *eventsNote() const { return m_eventsNote; }
    void setEventsNote(const QString &note);
    QComboBox *dicomWindowBox() const { return m_dicomWindow; }
    QLineEdit *dicomWindowEdit() const { return m_dicomCustom; }
    QLineEdit *dicomFieldsEdit() const { return m_dicomFields; }

    /// The DICOM window chosen ("auto", "full" or the custom "centre,width"); failure says what
    /// is wrong with a custom one.
    lepton::Result<lepton::DicomWindow> dicomWindow() const;
    /// The DICOM keywords typed, comma- or space-separated, without duplicates.
    QStringList dicomFields() const;

Q_SIGNALS:
    /// A manifest was chosen with Browse… (the edit holds it already).
    void manifestChosen(const QString &path);
    /// The id column, the DICOM window or the DICOM fields changed.
    void optionsChanged();

private:
    void browseManifest();
    void browseEvents();
    void browseImageRoot();

    QLineEdit *m_manifest;
    QLineEdit *m_events;
    QLineEdit *m_imageRoot;
    QLineEdit *m_name;
    QCheckBox *m_deidentify;
    QLineEdit *m_eventsId;
    QLabel *m_eventsNote;
    QComboBox *m_dicomWindow;
    QLineEdit *m_dicomCustom;
    QLineEdit *m_dicomFields;
};
