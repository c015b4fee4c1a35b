// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

#include <memory>

class DicomControls;
class ImageView;
class SeriesPlot;
class QLabel;
class QTableWidget;

namespace lepton {
class CaseViewLoader;
class Study;
struct CaseView;
struct StoredCase;
} // namespace lepton

/// One case: its image, its record fields and its event history (one curve per event field).
/// The case is read by the core's CaseViewLoader off the GUI thread; the newest request wins, and
/// the panel keeps the case it shows until the next one is read (caseShown() then).
class CasePanel : public QWidget
{
    Q_OBJECT
public:
    explicit CasePanel(QWidget *parent = nullptr);

    /// Loads the case (of dataset `datasetId`) off the GUI thread; a later call supersedes this one.
    void showCase(const std::shared_ptr<lepton::Study> &study, qint64 datasetId, const lepton::StoredCase &c);
    /// Shows a case view read already.
    void showView(const lepton::CaseView &view);
    void clear();
    bool isLoading() const;

    ImageView *imageView() const { return m_image; }
    /// The window and key tags of a DICOM case's image (hidden for other images).
    DicomControls *dicomControls() const { return m_dicom; }
    QTableWidget *fieldTable() const { return m_fields; }
    SeriesPlot *historyPlot() const { return m_history; }

Q_SIGNALS:
    /// A case asked for by showCase() is shown (ok), or the panel says why it could not be read.
    void caseShown(bool ok);

private:
    lepton::CaseViewLoader *m_loader;
    QLabel *m_title;
    ImageView *m_image;
    DicomControls *m_dicom;
    QTableWidget *m_fields;
    SeriesPlot *m_history;
};
