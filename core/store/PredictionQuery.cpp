// SPDX-License-Identifier: GPL-3.0-or-later
#include "PredictionQuery.h"

#include "store/Study.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

namespace lepton {

namespace {

std::vector<double> numbers(const QVariant &text)
{
    std::vector<double> out;
    if (text.isNull())
        return out;
    const QJsonArray a = QJsonDocument::fromJson(text.toString().toUtf8()).array();
    out.reserve(static_cast<std::size_t>(a.size()));
    for (const QJsonValue &v : a)
        out.push_back(v.toDouble());
    return out;
}

/// The WHERE clause for a filter and its values in order.
QString whereClause(const PredictionFilter &f, QVariantList &values)
{
    QString sql = QStringLiteral(" WHERE p.run_id = ?");
    values.append(f.runId);
    if (f.datasetId > 0) {
        sql += QStringLiteral(" AND c.dataset_id = ?");
        values.append(f.datasetId);
    }
    if (!f.split.isEmpty()) {
        sql += QStringLiteral(" AND c.split = ?");
        values.append(f.split);
    }
    if (!f.label.isEmpty()) {
        sql += QStringLiteral(" AND c.label = ?");
        values.append(f.label);
    }
    if (!f.predicted.isEmpty()) {
        sql += QStringLiteral(" AND p.predicted = ?");
        values.append(f.predicted);
    }
    return sql;
}

} // namespace

Result<std::vector<CasePrediction>> PredictionQuery::list(const PredictionFilter &filter) const
{
    using R = Result<std::vector<CasePrediction>>;
    QVariantList values;
    const QString where = whereClause(filter, values);
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    if (!q.prepare(QStringLiteral("SELECT p.id, p.case_id, c.case_key, c.label, c.split, p.predicted, "
                                  "p.probabilities, p.calibrated, p.decision, p.grade, p.referred "
                                  "FROM predictions p JOIN cases c ON c.id = p.case_id")
            + where + QStringLiteral(" ORDER BY c.case_key")))
        return R::failure(Study::sqlError(q, QStringLiteral("reading predictions")));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return R::failure(Study::sqlError(q, QStringLiteral("reading predictions")));
    std::vector<CasePrediction> out;
    while (q.next()) {
        CasePrediction p;
        p.predictionId = q.value(0).toLongLong();
        p.caseId = q.value(1).toLongLong();
        p.caseKey = q.value(2).toString();
        p.label = q.value(3).toString();
        p.split = q.value(4).toString();
        p.predicted = q.value(5).toString();
        p.probabilities = numbers(q.value(6));
        p.calibrated = numbers(q.value(7));
        p.decision = q.value(8).toString();
        p.grade = q.value(9).toString();
        p.referred = q.value(10).toInt() != 0;
        out.push_back(std::move(p));
    }
    return out;
}

Result<int> PredictionQuery::count(const PredictionFilter &filter) const
{
    using R = Result<int>;
    QVariantList values;
    const QString where = whereClause(filter, values);
    QSqlQuery q(m_study.database());
    if (!q.prepare(QStringLiteral("SELECT count(*) FROM predictions p JOIN cases c ON c.id = p.case_id") + where))
        return R::failure(Study::sqlError(q, QStringLiteral("counting predictions")));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return R::failure(Study::sqlError(q, QStringLiteral("counting predictions")));
    return q.value(0).toInt();
}

} // namespace lepton
