// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QGroupBox>

class QCheckBox;
class QLineEdit;

/// The import dialog's Files group: the manifest, the events file, the image folder, the
/// dataset's name (each with Browse… where it is a path) and "De-identify". Object names:
/// manifestEdit, eventsEdit, imageRootEdit, nameEdit, deidentifyCheck.
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

Q_SIGNALS:
    /// A manifest was chosen with Browse… (the edit holds it already).
    void manifestChosen(const QString &path);

private:
    void browseManifest();
    void browseEvents();
    void browseImageRoot();

    QLineEdit *m_manifest;
    QLineEdit *m_events;
    QLineEdit *m_imageRoot;
    QLineEdit *m_name;
    QCheckBox *m_deidentify;
};
