// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

#include <memory>

class ImageView;
class SeriesPlot;
class QLabel;
class QTableWidget;

namespace lepton {
class Study;
struct StoredCase;
} // namespace lepton

/// One case: its image, its record fields and its event history (one curve per event field).
class CasePanel : public QWidget
{
    Q_OBJECT
public:
    explicit CasePanel(QWidget *parent = nullptr);

    void showCase(const std::shared_ptr<lepton::Study> &study, qint64 datasetId, const lepton::StoredCase &c);
    void clear();

    ImageView *imageView() const { return m_image; }
    QTableWidget *fieldTable() const { return m_fields; }
    SeriesPlot *historyPlot() const { return m_history; }

private:
    QLabel *m_title;
    ImageView *m_image;
    QTableWidget *m_fields;
    SeriesPlot *m_history;
};
