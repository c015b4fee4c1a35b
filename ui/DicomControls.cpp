// SPDX-License-Identifier: GPL-3.0-or-later
#include "DicomControls.h"

#include "CaseImages.h"

#include "service/CaseViewService.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

DicomControls::DicomControls(QWidget *parent)
    : QWidget(parent),
      m_window(new QLabel(this)),
      m_reset(new QAction(tr("Reset window"), this)),
      m_resetButton(new QToolButton(this)),
      m_tags(new QTableWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    QFont bold = m_window->font();
    bold.setBold(true);
    m_window->setFont(bold);
    m_window->setToolTip(tr("Window width (W) and level (L, the centre) in the image's values. "
                            "Drag with the right mouse button on the image: left/right changes the "
                            "width, up/down the level. The wheel zooms, the left button pans a "
                            "zoomed image, a double-click resets both."));
    m_reset->setToolTip(tr("The dataset's window (as training sees the image), and the whole image in view"));
    m_resetButton->setDefaultAction(m_reset);
    m_resetButton->setAutoRaise(true);
    // The window on a line of its own (it must never be cut), the button under it.
    layout->addWidget(m_window);
    layout->addWidget(m_resetButton);
    m_tags->setColumnCount(2);
    m_tags->setHorizontalHeaderLabels({ tr("Tag"), tr("Value") });
    m_tags->horizontalHeader()->hide();
    m_tags->horizontalHeader()->setStretchLastSection(true);
    m_tags->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_tags->verticalHeader()->hide();
    QFont small = m_tags->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_tags->setFont(small);
    m_tags->verticalHeader()->setDefaultSectionSize(QFontMetrics(small).height() + 4);
    m_tags->setWordWrap(false);
    m_tags->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tags->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(m_tags, 1);
    m_window->setObjectName(QStringLiteral("dicomWindow"));
    m_tags->setObjectName(QStringLiteral("dicomTags"));
    m_resetButton->setObjectName(QStringLiteral("resetWindow"));
    connect(m_reset, &QAction::triggered, this, &DicomControls::resetWindow);
    setMinimumWidth(170);
    setDicom(lepton::CaseDicom());
}

void DicomControls::setDicom(const lepton::CaseDicom &dicom)
{
    m_dicom = dicom;
    m_center = dicom.center;
    m_width = std::max(1.0, dicom.width);
    m_datasetWindow = true;
    m_tags->setRowCount(int(dicom.keyTags.size()));
    for (int i = 0; i < int(dicom.keyTags.size()); ++i) {
        const auto &[key, value] = dicom.keyTags[std::size_t(i)];
        auto *k = new QTableWidgetItem(key);
        k->setToolTip(key);
        m_tags->setItem(i, 0, k);
        auto *v = new QTableWidgetItem(value);
        v->setToolTip(value);
        m_tags->setItem(i, 1, v);
    }
    // Long keywords (PhotometricInterpretation) are elided; the tooltips have them in full.
    m_tags->resizeColumnToContents(0);
    m_tags->setColumnWidth(0, std::min(m_tags->columnWidth(0), 120));
    m_reset->setEnabled(windowable());
    updateLabel();
    setVisible(hasDicom());
}

QString DicomControls::windowText() const
{
    if (!windowable())
        return QString();
    // Whole numbers for CT-like ranges, a decimal where the values span little.
    const int decimals = (m_dicom.maxValue - m_dicom.minValue) >= 100.0 ? 0 : 1;
    return QStringLiteral("W %1 L %2")
        .arg(QString::number(m_width, 'f', decimals), QString::number(m_center, 'f', decimals));
}

void DicomControls::updateLabel()
{
    if (!hasDicom())
        m_window->clear();
    else if (!m_dicom.grey)
        m_window->setText(tr("Colour image (no window)"));
    else if (m_datasetWindow)
        m_window->setText(tr("%1 (dataset)").arg(windowText()));
    else
        m_window->setText(windowText());
    if (hasDicom() && m_dicom.grey)
        m_window->setToolTip(tr("Window width (W) and level (L, the centre) in the image's values. The "
                                "dataset's window is %1: training sees the image that way. Drag with the "
                                "right mouse button on the image: left/right changes the width, up/down "
                                "the level (for looking only). The wheel zooms, the left button pans a "
                                "zoomed image, a double-click resets both.")
                                 .arg(m_dicom.windowName));
}

void DicomControls::drag(QPoint delta)
{
    if (!windowable())
        return;
    // About 500 pixels of movement span the image's range of values.
    const double step = std::max(m_dicom.maxValue - m_dicom.minValue, 1.0) / 500.0;
    setWindow(m_center + delta.y() * step, m_width + delta.x() * step);
}

void DicomControls::setWindow(double center, double width)
{
    if (!windowable())
        return;
    m_center = center;
    m_width = std::max(1.0, width);
    m_datasetWindow = false;
    updateLabel();
    scheduleRender();
}

void DicomControls::resetWindow()
{
    if (!windowable())
        return;
    m_center = m_dicom.center;
    m_width = std::max(1.0, m_dicom.width);
    m_datasetWindow = true;
    updateLabel();
    scheduleRender();
}

void DicomControls::scheduleRender()
{
    // Mouse moves come faster than a large image renders: one render per turn of the event loop.
    if (m_renderPending)
        return;
    m_renderPending = true;
    QTimer::singleShot(0, this, [this] {
        m_renderPending = false;
        if (!windowable())
            return;
        const lepton::CaseImage image = m_datasetWindow
            ? lepton::CaseViewService::renderDicom(m_dicom)
            : lepton::CaseViewService::renderDicom(m_dicom, m_center, m_width);
        const QImage shown = CaseImages::toQImage(image);
        if (!shown.isNull())
            Q_EMIT imageChanged(shown);
    });
}
