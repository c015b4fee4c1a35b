// SPDX-License-Identifier: GPL-3.0-or-later
#include "CasePanel.h"

#include "ImageView.h"
#include "SeriesPlot.h"

#include "data/ImageDecoder.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"

#include <QDate>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <opencv2/core.hpp>

namespace {

/// An 8-bit QImage for display from a decoded image of any supported depth and channel count.
QImage toDisplayImage(const cv::Mat &image)
{
    cv::Mat eight;
    if (image.depth() == CV_16U)
        image.convertTo(eight, CV_8U, 1.0 / 257.0);
    else
        eight = image;
    if (eight.channels() == 1)
        return QImage(eight.data, eight.cols, eight.rows, static_cast<int>(eight.step), QImage::Format_Grayscale8)
            .copy();
    if (eight.channels() == 3)
        return QImage(eight.data, eight.cols, eight.rows, static_cast<int>(eight.step), QImage::Format_BGR888).copy();
    return QImage(eight.data, eight.cols, eight.rows, static_cast<int>(eight.step), QImage::Format_ARGB32).copy();
}

} // namespace

CasePanel::CasePanel(QWidget *parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_image(new ImageView(this)),
      m_fields(new QTableWidget(this)),
      m_history(new SeriesPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_image);
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
    clear();
}

void CasePanel::clear()
{
    m_title->setText(tr("No case selected"));
    m_image->setMessage(tr("Select a case to see its image, fields and history."));
    m_fields->setRowCount(0);
    m_history->clear();
}

void CasePanel::showCase(const std::shared_ptr<lepton::Study> &study, qint64 datasetId, const lepton::StoredCase &c)
{
    m_title->setText(tr("Case %1 — %2, %3")
                         .arg(c.caseKey, c.label.isEmpty() ? tr("unlabelled") : c.label,
                             c.split.isEmpty() ? tr("no split") : c.split));
    if (c.imagePath.isEmpty()) {
        m_image->setMessage(tr("No image for this case (the modality is missing)."));
    } else {
        auto decoded = lepton::ImageDecoder::decode(c.imagePath);
        if (decoded)
            m_image->setImage(toDisplayImage(decoded.value()));
        else
            m_image->setMessage(decoded.error());
    }

    lepton::DatasetRepository repo(*study);
    m_fields->setRowCount(0);
    auto fields = repo.fields(datasetId, QStringLiteral("record"));
    auto values = repo.caseValues(datasetId, c.id);
    if (fields && values) {
        m_fields->setRowCount(static_cast<int>(fields->size()));
        for (std::size_t i = 0; i < fields->size(); ++i) {
            const auto &f = (*fields)[i];
            const QVariant v = values->value(static_cast<int>(i));
            QString text = v.isValid() ? v.toString() : tr("(missing)");
            if (v.isValid() && f.type == lepton::FieldType::Boolean)
                text = v.toDouble() != 0.0 ? tr("yes") : tr("no");
            else if (v.isValid() && f.type == lepton::FieldType::Date)
                text = QDate(1970, 1, 1).addDays(static_cast<qint64>(v.toDouble())).toString(Qt::ISODate);
            m_fields->setItem(static_cast<int>(i), 0, new QTableWidgetItem(f.name));
            m_fields->setItem(static_cast<int>(i), 1, new QTableWidgetItem(text));
        }
    }

    m_history->clear();
    auto eventFields = repo.fields(datasetId, QStringLiteral("event"));
    auto events = repo.caseEvents(c.id);
    if (eventFields && events) {
        for (std::size_t f = 0; f < eventFields->size(); ++f) {
            if ((*eventFields)[f].type == lepton::FieldType::Categorical)
                continue;
            QVector<double> x, y;
            for (const auto &e : events.value()) {
                const QVariant v = e.values.value(static_cast<int>(f));
                if (!v.isValid())
                    continue;
                x.append(e.time);
                y.append(v.toDouble());
            }
            if (!x.isEmpty())
                m_history->addSeries((*eventFields)[f].name, x, y);
        }
    }
    m_history->finish();
}
