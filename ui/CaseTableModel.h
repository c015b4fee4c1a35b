// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/CaseListService.h"
#include "util/Result.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QImage>
#include <QMap>

#include <memory>
#include <vector>

namespace lepton {
class Study;
}

/// The cases of one dataset as a table, fetched from the study in pages as the view scrolls,
/// so that a dataset of 100 000 cases opens at once. Filtering and sorting run in SQL. With
/// thumbnails on, the case column carries a small picture of the case's image, decoded when a
/// view first asks for it and kept in a bounded cache. The cases come from the core's
/// CaseListService, the thumbnails from CaseViewService.
class CaseTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { CaseId, Label, Split, Image, Problems, SourceLine, ColumnCount };
    static constexpr int PageSize = 256;

    explicit CaseTableModel(QObject *parent = nullptr);

    /// Shows the cases of a dataset (or nothing with a null study).
    void setDataset(std::shared_ptr<lepton::Study> study, qint64 datasetId);
    void setFilter(const lepton::CaseFilter &filter);
    const lepton::CaseFilter &filter() const { return m_filter; }
    /// Thumbnails of `side` pixels as the case column's decoration (0: none).
    void setThumbnailSize(int side);
    int thumbnailSize() const { return m_thumbSide; }
    /// Cases matching the filter, loaded or not.
    int totalCount() const { return m_total; }
    const lepton::StoredCase *caseAt(int row) const;
    /// How the last read went: a failure says what could not be read.
    lepton::Status status() const { return m_error.isEmpty() ? lepton::Status() : lepton::Status::failure(m_error); }
    /// status().error(), for callers that show only the message.
    QString lastError() const { return m_error; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    void reload();
    QImage thumbnail(const lepton::StoredCase &c) const;

    std::shared_ptr<lepton::Study> m_study;
    qint64 m_datasetId = 0;
    lepton::CaseFilter m_filter;
    std::vector<lepton::StoredCase> m_rows;
    int m_total = 0;
    QString m_error;
    QMap<QString, int> m_problems; ///< case key → import problems
    int m_thumbSide = 0;
    mutable QCache<qint64, QImage> m_thumbs { 2000 };
};
