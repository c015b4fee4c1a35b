// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseListService.h"

namespace lepton {

Result<int> CaseListService::count(qint64 datasetId, const CaseFilter &filter) const
{
    return DatasetRepository(m_study).caseCount(datasetId, filter);
}

Result<std::vector<StoredCase>> CaseListService::page(
    qint64 datasetId, const CaseFilter &filter, int offset, int limit) const
{
    return DatasetRepository(m_study).cases(datasetId, filter, offset, limit);
}

Result<QMap<QString, int>> CaseListService::problemCounts(qint64 datasetId) const
{
    return DatasetRepository(m_study).problemCounts(datasetId);
}

} // namespace lepton
