// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/DatasetRepository.h"
#include "util/Result.h"

#include <QMap>
#include <QString>

#include <vector>

namespace lepton {

class Study;

/// The cases of a dataset as a list that pages: how many match a filter, one page of them in the
/// filter's order (filtering and sorting run in SQL, so a page of a 100 000-case dataset costs
/// what a page costs), and how many import problems name each case. Reads on the calling
/// thread's connection.
class CaseListService
{
public:
    explicit CaseListService(Study &study) : m_study(study) { }

    Result<int> count(qint64 datasetId, const CaseFilter &filter) const;
    /// `limit` cases from `offset` in the filter's order.
    Result<std::vector<StoredCase>> page(qint64 datasetId, const CaseFilter &filter, int offset, int limit) const;
    /// Case key → number of import problems naming it.
    Result<QMap<QString, int>> problemCounts(qint64 datasetId) const;

private:
    Study &m_study;
};

} // namespace lepton
