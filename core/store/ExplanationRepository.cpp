// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExplanationRepository.h"

#include "store/Study.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

namespace lepton {

Result<qint64> ExplanationRepository::predictionId(qint64 runId, qint64 caseId) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT id FROM predictions WHERE run_id = ? AND case_id = ?"));
    q.addBindValue(runId);
    q.addBindValue(caseId);
    if (!q.exec())
        return Result<qint64>::failure(Study::sqlError(q, QStringLiteral("reading predictions")));
    if (!q.next())
        return Result<qint64>::failure(
            QStringLiteral("run %1 has no prediction for case %2; run `lepton predict` first").arg(runId).arg(caseId));
    return q.value(0).toLongLong();
}

namespace {
std::vector<double> numbers(const QString &json)
{
    std::vector<double> out;
    for (const QJsonValue &v : QJsonDocument::fromJson(json.toUtf8()).array())
        out.push_back(v.toDouble());
    return out;
}
} // namespace

Result<StoredPrediction> ExplanationRepository::prediction(qint64 runId, qint64 caseId) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT id, created_at, probabilities, calibrated, predicted, decision, grade, "
                             "expected_cost, referred FROM predictions WHERE run_id = ? AND case_id = ?"));
    q.addBindValue(runId);
    q.addBindValue(caseId);
    if (!q.exec())
        return Result<StoredPrediction>::failure(Study::sqlError(q, QStringLiteral("reading predictions")));
    if (!q.next())
        return Result<StoredPrediction>::failure(
            QStringLiteral("run %1 has no prediction for this case; predict it first (Experiments ▸ Predict and "
                           "explain, or `lepton predict`)")
                .arg(runId));
    StoredPrediction p;
    p.id = q.value(0).toLongLong();
    p.runId = runId;
    p.caseId = caseId;
    p.createdAt = q.value(1).toString();
    p.probabilities = numbers(q.value(2).toString());
    p.calibrated = numbers(q.value(3).toString());
    p.predicted = q.value(4).toString();
    p.decision = q.value(5).toString();
    p.grade = q.value(6).toString();
    p.expectedCost = q.value(7).toDouble();
    p.referred = q.value(8).toInt() != 0;
    return p;
}

Result<std::vector<qint64>> ExplanationRepository::runsWithPrediction(qint64 caseId) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT run_id FROM predictions WHERE case_id = ? ORDER BY run_id DESC"));
    q.addBindValue(caseId);
    if (!q.exec())
        return Result<std::vector<qint64>>::failure(Study::sqlError(q, QStringLiteral("reading predictions")));
    std::vector<qint64> out;
    while (q.next())
        out.push_back(q.value(0).toLongLong());
    return out;
}

Status ExplanationRepository::save(qint64 predictionId, const std::vector<StoredExplanation> &explanations)
{
    return m_study.transaction([&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "INSERT OR REPLACE INTO explanations(prediction_id, kind, summary, data) VALUES (?, ?, ?, ?)"));
        for (const StoredExplanation &e : explanations) {
            q.addBindValue(predictionId);
            q.addBindValue(e.kind);
            q.addBindValue(QString::fromUtf8(QJsonDocument(e.summary).toJson(QJsonDocument::Compact)));
            q.addBindValue(e.data.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(e.data));
            if (!q.exec())
                return Status::failure(Study::sqlError(q, QStringLiteral("saving explanations")));
        }
        return Status();
    });
}

Result<std::vector<StoredExplanation>> ExplanationRepository::load(qint64 predictionId) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT kind, summary, data FROM explanations WHERE prediction_id = ? ORDER BY kind"));
    q.addBindValue(predictionId);
    if (!q.exec())
        return Result<std::vector<StoredExplanation>>::failure(
            Study::sqlError(q, QStringLiteral("reading explanations")));
    std::vector<StoredExplanation> out;
    while (q.next())
        out.push_back({ q.value(0).toString(), QJsonDocument::fromJson(q.value(1).toString().toUtf8()).object(),
            q.value(2).toByteArray() });
    return out;
}

} // namespace lepton
