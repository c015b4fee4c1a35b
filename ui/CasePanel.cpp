// SPDX-License-Identifier: GPL-3.0-or-later
#include "CasePanel.h"

#include "CaseImages.h"
#include "DicomControls.h"
#include "ImageView.h"
#include "SeriesPlot.h"

#include "service/CaseView.h"
#include "service/CaseViewLoader.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

CasePanel::CasePanel(QWidget *parent)
    : QWidget(parent),
      m_loader(new lepton::CaseViewLoader(this)),
      m_title(new QLabel(this)),
      m_image(new ImageView(this)),
      m_dicom(new DicomControls(this)),
      m_fields(new QTableWidget(this)),
      m_history(new SeriesPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_title->setFont(bold);
    // One line whose length does not resize the panel from case to case; the tooltip has it in full.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    layout->addWidget(m_title);
    auto *split = new QSplitter(Qt::Vertical, this);
    // The image, with a DICOM file's window and key tags beside it.
    auto *imageBox = new QWidget(this);
    auto *imageLayout = new QHBoxLayout(imageBox);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    imageLayout->addWidget(m_image, 1);
    m_dicom->setMaximumWidth(220);
    imageLayout->addWidget(m_dicom);
    split->addWidget(imageBox);
    m_fields->setColumnCount(2);
    m_fields->setHorizontalHeaderLabels({ tr("Field"), tr("Value") });
    m_fields->horizontalHeader()->setStretchLastSection(true);
    m_fields->verticalHeader()->hide();
    m_fields->setEditTriggers(QAbstractItemView::NoEditTriggers);
    split->addWidget(m_fields);
    // A small plot per event field, scrolling when a dataset has many.
    m_history->setAxisLabels(tr("time"), tr("scaled value"));
    auto *historyScroll = new QScrollArea(this);
    historyScroll->setWidget(m_history);
    historyScroll->setWidgetResizable(true);
    historyScroll->setFrameShape(QFrame::NoFrame);
    historyScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    split->addWidget(historyScroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setStretchFactor(2, 3);
    layout->addWidget(split);
    m_title->setObjectName(QStringLiteral("caseTitle"));
    m_image->setObjectName(QStringLiteral("caseImage"));
    m_fields->setObjectName(QStringLiteral("fieldTable"));
    m_history->setObjectName(QStringLiteral("historyPlot"));
    m_dicom->setObjectName(QStringLiteral("dicomControls"));
    connect(m_image, &ImageView::windowDragged, m_dicom, &DicomControls::drag);
    connect(m_image, &ImageView::resetRequested, m_dicom, &DicomControls::resetWindow);
    connect(m_dicom->resetAction(), &QAction::triggered, m_image, &ImageView::resetView);
    connect(
        m_dicom, &DicomControls::imageChanged, this, [this](const QImage &image) { m_image->setImage(image, true); });
    connect(m_loader, &lepton::CaseViewLoader::loaded, this, [this](quint64, const lepton::CaseView &view) {
        showView(view);
        Q_EMIT caseShown(true);
    });
    connect(m_loader, &lepton::CaseViewLoader::failed, this, [this](quint64, const QString &message) {
        clear();
        m_image->setMessage(message);
        Q_EMIT caseShown(false);
    });
    clear();
}

void CasePanel::clear()
{
    m_loader->cancel();
    m_title->setText(tr("No case selected"));
    m_title->setToolTip(QString());
    m_image->setMessage(tr("Select a case to see its image, fields and history."));
    m_image->setWindowDragEnabled(false);
    m_dicom->setDicom(lepton::CaseDicom());
    m_fields->setRowCount(0);
    m_history->clear();
}

bool CasePanel::isLoading() const
{
    return m_loader->isLoading();
}

void CasePanel::showCase(const std::shared_ptr<lepton::Study> &study, qint64 datasetId, const lepton::StoredCase &c)
{
    Q_UNUSED(datasetId) // the study knows the case's dataset
    lepton::CaseViewRequest request;
    request.caseId = c.id;
    m_loader->request(study, request);
}

void CasePanel::showView(const lepton::CaseView &view)
{
    const lepton::StoredCase &c = view.record;
    m_title->setText(tr("Case %1 — %2, %3")
                         .arg(c.caseKey, c.label.isEmpty() ? tr("unlabelled") : c.label,
                             c.split.isEmpty() ? tr("no split") : c.split));
    m_title->setToolTip(m_title->text());
    const QImage image = CaseImages::toQImage(view.image);
    if (!image.isNull())
        m_image->setImage(image);
    else
        m_image->setMessage(view.imageMessage);
    m_dicom->setDicom(image.isNull() ? lepton::CaseDicom() : view.dicom);
    m_image->setWindowDragEnabled(m_dicom->windowable());

    m_fields->setRowCount(static_cast<int>(view.fields.size()));
    for (int i = 0; i < static_cast<int>(view.fields.size()); ++i) {
        const lepton::CaseFieldValue &f = view.fields[std::size_t(i)];
        QString text = f.missing() ? tr("(missing)") : f.text;
        if (f.type == lepton::FieldType::Boolean && !f.missing())
            text = f.value.toDouble() != 0.0 ? tr("yes") : tr("no");
        m_fields->setItem(i, 0, new QTableWidgetItem(f.name));
        m_fields->setItem(i, 1, new QTableWidgetItem(text));
    }

    m_history->clear();
    for (const lepton::CaseSeries &series : view.history)
        if (!series.times.empty())
            m_history->addSeries(series.name, QVector<double>(series.times.begin(), series.times.end()),
                QVector<double>(series.values.begin(), series.values.end()));
    m_history->finish();
}
