// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/CaseView.h"

#include <QImage>
#include <QPoint>
#include <QWidget>

class QAction;
class QLabel;
class QTableWidget;
class QToolButton;

/// Beside a DICOM case's image: the current window ("W 400 L 40"), a "Reset window" button and the
/// file's key tags. The image view reports right-button drags (drag()): horizontal movement
/// changes the width, vertical the centre, as radiology viewers do; the image is rendered again
/// through the core's CaseViewService and handed back with imageChanged(). Hidden for images that
/// are not DICOM files.
class DicomControls : public QWidget
{
    Q_OBJECT
public:
    explicit DicomControls(QWidget *parent = nullptr);

    /// Shows the tags and window of `dicom`; a null one hides the controls.
    void setDicom(const lepton::CaseDicom &dicom);
    bool hasDicom() const { return !m_dicom.isNull(); }
    /// Whether the image can be windowed (grey DICOM).
    bool windowable() const { return hasDicom() && m_dicom.grey; }

    /// Moves the window by a drag of `delta` pixels: right widens, down raises the centre.
    void drag(QPoint delta);
    void setWindow(double center, double width);
    /// Back to the dataset's window (chosen at import; what training sees).
    void resetWindow();

    double center() const { return m_center; }
    double width() const { return m_width; }
    /// "W 400 L 40"; empty without a windowable image.
    QString windowText() const;

    QTableWidget *tagTable() const { return m_tags; }
    QLabel *windowLabel() const { return m_window; }
    QAction *resetAction() const { return m_reset; }

Q_SIGNALS:
    /// The image rendered with the new window, at the same size.
    void imageChanged(const QImage &image);

private:
    void scheduleRender();
    void updateLabel();

    lepton::CaseDicom m_dicom;
    double m_center = 0.0;
    double m_width = 1.0;
    bool m_datasetWindow = true; ///< the window is the dataset's (rendered as training sees it, VOI LUT included)
    bool m_renderPending = false;
    QLabel *m_window;
    QAction *m_reset;
    QToolButton *m_resetButton;
    QTableWidget *m_tags;
};
