// SPDX-License-Identifier: GPL-3.0-or-later
#include "DatasetRepository.h"

#include "store/Study.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QVariant>

namespace lepton {
namespace {

QVariant text(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(s);
}

QString joinList(const QStringList &list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

QStringList splitList(const QString &json)
{
    QStringList out;
    const QJsonArray a = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const auto &v : a)
        out.append(v.toString());
    return out;
}

QVariant storedValue(const FieldSpec &field, const FieldValue &value)
{
    if (value.missing)
        return QVariant();
    if (isTextValued(field.type))
        return value.text;
    return value.number;
}

QVariantList decodeEventValues(const QString &json)
{
    QVariantList out;
    const QJsonArray a = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const auto &v : a)
        out.append(v.isNull() ? QVariant() : v.toVariant());
    return out;
}

template <typename T> Result<T> queryFailed(const QSqlQuery &q, const QString &what);

/// Runs a prepared query of (case_id, time, time_text, vals) rows into events.
Result<std::vector<StoredEvent>> readEvents(QSqlQuery &q)
{
    if (!q.exec())
        return queryFailed<std::vector<StoredEvent>>(q, QStringLiteral("reading events"));
    std::vector<StoredEvent> out;
    while (q.next())
        out.push_back({ q.value(0).toLongLong(), q.value(1).toDouble(), q.value(2).toString(),
            decodeEventValues(q.value(3).toString()) });
    return out;
}

template <typename T> Result<T> queryFailed(const QSqlQuery &q, const QString &what)
{
    return Result<T>::failure(Study::sqlError(q, what));
}

QString filterSql(const CaseFilter &f)
{
    QString sql;
    if (!f.text.isEmpty())
        sql += QStringLiteral(" AND case_key LIKE ? ESCAPE '\\'");
    if (!f.label.isEmpty())
        sql += QStringLiteral(" AND label = ?");
    if (!f.split.isEmpty())
        sql += QStringLiteral(" AND split = ?");
    if (f.problemsOnly)
        sql += QStringLiteral(" AND case_key IN (SELECT p.case_key FROM import_problems p JOIN import_reports r "
                              "ON p.report_id = r.id WHERE r.dataset_id = cases.dataset_id)");
    return sql;
}

/// ORDER BY for a filter: a whitelisted column (never user text in SQL), then id for stable pages.
QString orderSql(const CaseFilter &f)
{
    static const QHash<QString, QString> orders {
        { QStringLiteral("case_key"), QStringLiteral("case_key") },
        { QStringLiteral("label"), QStringLiteral("label") },
        { QStringLiteral("split"), QStringLiteral("split") },
        { QStringLiteral("image_path"), QStringLiteral("image_path") },
        { QStringLiteral("image_size"), QStringLiteral("coalesce(image_width * image_height, 0)") },
        { QStringLiteral("problems"),
            QStringLiteral("(SELECT count(*) FROM import_problems p JOIN import_reports r ON p.report_id = r.id "
                           "WHERE r.dataset_id = cases.dataset_id AND p.case_key = cases.case_key)") },
        { QStringLiteral("source_line"), QStringLiteral("source_line") },
    };
    const QString direction = f.descending ? QStringLiteral(" DESC") : QStringLiteral(" ASC");
    const auto it = orders.find(f.sortColumn);
    if (it == orders.end())
        return QStringLiteral(" ORDER BY id") + direction;
    return QStringLiteral(" ORDER BY ") + it.value() + direction + QStringLiteral(", id") + direction;
}

void bindFilter(QSqlQuery &q, const CaseFilter &f)
{
    if (!f.text.isEmpty()) {
        QString pattern = f.text;
        pattern.replace(QLatin1String("\\"), QLatin1String("\\\\"));
        pattern.replace(QLatin1String("%"), QLatin1String("\\%"));
        pattern.replace(QLatin1String("_"), QLatin1String("\\_"));
        q.addBindValue(QString(QLatin1Char('%') + pattern + QLatin1Char('%')));
    }
    if (!f.label.isEmpty())
        q.addBindValue(f.label);
    if (!f.split.isEmpty())
        q.addBindValue(f.split);
}

} // namespace

Result<qint64> DatasetRepository::save(const ImportedDataset &ds, const ImportReport &report)
{
    qint64 datasetId = 0;
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    Status s = m_study.transaction([&](QSqlDatabase &db) -> Status {
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "INSERT INTO datasets(name, created_at, manifest_path, manifest_sha256, events_path, events_sha256, "
            "image_root, id_column, label_column, image_column, split_column, time_column, split_seed, "
            "split_from_manifest, classes, case_count, group_column, dicom_window) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        for (const QVariant &v : { QVariant(ds.name), QVariant(now), QVariant(ds.manifestPath),
                 QVariant(QString::fromLatin1(ds.manifestHash)), text(ds.eventsPath),
                 text(QString::fromLatin1(ds.eventsHash)), text(ds.imageRoot), QVariant(ds.idColumn),
                 text(ds.labelColumn), text(ds.imageColumn), text(ds.splitColumn),
                 text(ds.eventsPath.isEmpty() ? QString() : ds.timeColumn), QVariant(static_cast<qint64>(ds.splitSeed)),
                 QVariant(ds.splitFromManifest ? 1 : 0), QVariant(joinList(ds.classes)),
                 QVariant(static_cast<int>(ds.cases.size())), text(ds.groupColumn), text(ds.dicomWindow) })
            q.addBindValue(v);
        if (!q.exec())
            return Status::failure(Study::sqlError(q, QStringLiteral("saving the dataset")));
        datasetId = q.lastInsertId().toLongLong();

        auto saveFields = [&](const std::vector<FieldSpec> &fields, const QString &kind, std::vector<qint64> &ids) {
            QSqlQuery f(db);
            f.prepare(QStringLiteral(
                "INSERT INTO fields(dataset_id, kind, position, name, type, type_overridden, categories) "
                "VALUES (?,?,?,?,?,?,?)"));
            for (std::size_t i = 0; i < fields.size(); ++i) {
                f.addBindValue(datasetId);
                f.addBindValue(kind);
                f.addBindValue(static_cast<int>(i));
                f.addBindValue(fields[i].name);
                f.addBindValue(fieldTypeName(fields[i].type));
                f.addBindValue(fields[i].typeOverridden ? 1 : 0);
                f.addBindValue(joinList(fields[i].categories));
                if (!f.exec())
                    return Status::failure(Study::sqlError(f, QStringLiteral("saving field %1").arg(fields[i].name)));
                ids.push_back(f.lastInsertId().toLongLong());
            }
            return Status();
        };
        std::vector<qint64> fieldIds, eventFieldIds;
        Status fs = saveFields(ds.fields, QStringLiteral("record"), fieldIds);
        if (fs)
            fs = saveFields(ds.eventFields, QStringLiteral("event"), eventFieldIds);
        if (!fs)
            return fs;

        QSqlQuery c(db), v(db), e(db);
        c.prepare(
            QStringLiteral("INSERT INTO cases(dataset_id, case_key, label, split, source_line, image_ref, image_path, "
                           "image_sha256, image_width, image_height, image_channels, image_bits, group_key) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        v.prepare(QStringLiteral("INSERT INTO record_values(case_id, field_id, number, text) VALUES (?,?,?,?)"));
        e.prepare(QStringLiteral("INSERT INTO events(case_id, time, time_text, source_line, vals) VALUES (?,?,?,?,?)"));
        std::vector<qint64> caseIds;
        caseIds.reserve(ds.cases.size());
        for (const ImportedCase &ic : ds.cases) {
            const bool hasImage = !ic.imagePath.isEmpty();
            c.addBindValue(datasetId);
            c.addBindValue(ic.caseId);
            c.addBindValue(text(ic.label));
            c.addBindValue(text(ic.split));
            c.addBindValue(ic.line);
            c.addBindValue(text(ic.imageRef));
            c.addBindValue(text(ic.imagePath));
            c.addBindValue(text(QString::fromLatin1(ic.imageHash)));
            c.addBindValue(hasImage ? QVariant(ic.imageWidth) : QVariant());
            c.addBindValue(hasImage ? QVariant(ic.imageHeight) : QVariant());
            c.addBindValue(hasImage ? QVariant(ic.imageChannels) : QVariant());
            c.addBindValue(hasImage ? QVariant(ic.imageBits) : QVariant());
            c.addBindValue(text(ic.groupKey));
            if (!c.exec())
                return Status::failure(Study::sqlError(c, QStringLiteral("saving case %1").arg(ic.caseId)));
            const qint64 caseId = c.lastInsertId().toLongLong();
            caseIds.push_back(caseId);
            for (std::size_t f = 0; f < ds.fields.size(); ++f) {
                const FieldValue &fv = ic.values[f];
                if (fv.missing)
                    continue; // a missing value is the absence of a row
                v.addBindValue(caseId);
                v.addBindValue(fieldIds[f]);
                v.addBindValue(isTextValued(ds.fields[f].type) ? QVariant() : QVariant(fv.number));
                v.addBindValue(fv.text);
                if (!v.exec())
                    return Status::failure(
                        Study::sqlError(v, QStringLiteral("saving a value of case %1").arg(ic.caseId)));
            }
        }
        for (const ImportedEvent &ev : ds.events) {
            QJsonArray vals;
            for (std::size_t f = 0; f < ds.eventFields.size(); ++f)
                vals.append(QJsonValue::fromVariant(storedValue(ds.eventFields[f], ev.values[f])));
            e.addBindValue(caseIds[static_cast<std::size_t>(ev.caseIndex)]);
            e.addBindValue(ev.time);
            e.addBindValue(ev.timeText);
            e.addBindValue(ev.line);
            e.addBindValue(QString::fromUtf8(QJsonDocument(vals).toJson(QJsonDocument::Compact)));
            if (!e.exec())
                return Status::failure(Study::sqlError(e, QStringLiteral("saving an event")));
        }

        QSqlQuery r(db);
        r.prepare(QStringLiteral("INSERT INTO import_reports(dataset_id, created_at, report) VALUES (?,?,?)"));
        r.addBindValue(datasetId);
        r.addBindValue(now);
        r.addBindValue(QString::fromUtf8(QJsonDocument(report.toJson()).toJson(QJsonDocument::Compact)));
        if (!r.exec())
            return Status::failure(Study::sqlError(r, QStringLiteral("saving the import report")));
        const qint64 reportId = r.lastInsertId().toLongLong();
        QSqlQuery p(db);
        p.prepare(QStringLiteral(
            "INSERT INTO import_problems(report_id, severity, kind, file, line, column_name, case_key, reason) "
            "VALUES (?,?,?,?,?,?,?,?)"));
        // A null QString binds as SQL NULL: problems about the whole file have no column or case.
        auto text = [](const QString &t) { return t.isNull() ? QStringLiteral("") : t; };
        for (const ImportProblem &pr : report.problems()) {
            p.addBindValue(reportId);
            p.addBindValue(pr.severityName());
            p.addBindValue(text(pr.kind));
            p.addBindValue(text(pr.file));
            p.addBindValue(pr.line);
            p.addBindValue(text(pr.column));
            p.addBindValue(text(pr.caseId));
            p.addBindValue(text(pr.reason));
            if (!p.exec())
                return Status::failure(Study::sqlError(p, QStringLiteral("saving the import problems")));
        }
        return Status();
    });
    if (!s)
        return Result<qint64>::failure(s.error());
    return datasetId;
}

Result<std::vector<DatasetSummary>> DatasetRepository::datasets(bool withCounts) const
{
    using R = Result<std::vector<DatasetSummary>>;
    QSqlQuery q(m_study.database());
    if (!q.exec(QStringLiteral("SELECT id, name, created_at, classes, case_count FROM datasets ORDER BY id")))
        return queryFailed<std::vector<DatasetSummary>>(q, QStringLiteral("listing datasets"));
    std::vector<DatasetSummary> out;
    while (q.next()) {
        if (!withCounts) {
            DatasetSummary d;
            d.id = q.value(0).toLongLong();
            d.name = q.value(1).toString();
            d.createdAt = q.value(2).toString();
            d.classes = splitList(q.value(3).toString());
            d.caseCount = q.value(4).toInt();
            out.push_back(d);
            continue;
        }
        auto d = dataset(q.value(0).toLongLong());
        if (!d)
            return R::failure(d.error());
        out.push_back(d.take());
    }
    return out;
}

Result<DatasetSummary> DatasetRepository::dataset(qint64 id) const
{
    using R = Result<DatasetSummary>;
    QSqlDatabase db = m_study.database();
    QSqlQuery q(db);
    q.prepare(
        QStringLiteral("SELECT id, name, created_at, manifest_path, events_path, image_root, classes, case_count, "
                       "coalesce(group_column, ''), coalesce(dicom_window, 'auto') FROM datasets WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return queryFailed<DatasetSummary>(q, QStringLiteral("reading dataset %1").arg(id));
    if (!q.next())
        return R::failure(
            QStringLiteral("%1: has no dataset %2; `lepton import` lists them").arg(m_study.path()).arg(id));
    DatasetSummary d;
    d.id = q.value(0).toLongLong();
    d.name = q.value(1).toString();
    d.createdAt = q.value(2).toString();
    d.manifestPath = q.value(3).toString();
    d.eventsPath = q.value(4).toString();
    d.imageRoot = q.value(5).toString();
    d.classes = splitList(q.value(6).toString());
    d.caseCount = q.value(7).toInt();
    d.groupColumn = q.value(8).toString();
    d.dicomWindow = q.value(9).toString();
    QSqlQuery g(db);
    g.prepare(QStringLiteral("SELECT coalesce(split, ''), coalesce(label, ''), count(*), count(image_path) FROM cases "
                             "WHERE dataset_id = ? GROUP BY 1, 2"));
    g.addBindValue(id);
    if (!g.exec())
        return queryFailed<DatasetSummary>(g, QStringLiteral("counting cases"));
    while (g.next()) {
        d.splitCounts[g.value(0).toString()] += g.value(2).toInt();
        d.classCounts[g.value(1).toString()] += g.value(2).toInt();
        d.splitClassCounts[g.value(0).toString()][g.value(1).toString()] = g.value(2).toInt();
        d.imageCount += g.value(3).toInt();
    }
    QSqlQuery e(db);
    e.prepare(QStringLiteral(
        "SELECT count(*) FROM events JOIN cases ON cases.id = events.case_id WHERE cases.dataset_id = ?"));
    e.addBindValue(id);
    if (e.exec() && e.next())
        d.eventCount = e.value(0).toInt();
    return d;
}

Result<DatasetSummary> DatasetRepository::find(const QString &ref) const
{
    using R = Result<DatasetSummary>;
    auto all = datasets();
    if (!all)
        return R::failure(all.error());
    if (all->empty())
        return R::failure(QStringLiteral("%1: has no dataset yet; add one with `lepton import`").arg(m_study.path()));
    if (ref.isEmpty())
        return all->back();
    for (const DatasetSummary &d : all.value())
        if (QString::number(d.id) == ref || d.name == ref)
            return d;
    QStringList names;
    for (const DatasetSummary &d : all.value())
        names.append(QStringLiteral("%1 (%2)").arg(d.id).arg(d.name));
    return R::failure(QStringLiteral("%1: has no dataset '%2'; it has: %3")
                          .arg(m_study.path(), ref, names.join(QStringLiteral(", "))));
}

Result<std::vector<StoredField>> DatasetRepository::fields(qint64 datasetId, const QString &kind) const
{
    QSqlQuery q(m_study.database());
    q.prepare(
        QStringLiteral("SELECT id, position, name, type, categories FROM fields WHERE dataset_id = ? AND kind = ? "
                       "ORDER BY position"));
    q.addBindValue(datasetId);
    q.addBindValue(kind);
    if (!q.exec())
        return queryFailed<std::vector<StoredField>>(q, QStringLiteral("reading fields"));
    std::vector<StoredField> out;
    while (q.next()) {
        StoredField f;
        f.id = q.value(0).toLongLong();
        f.position = q.value(1).toInt();
        f.name = q.value(2).toString();
        f.type = fieldTypeFromName(q.value(3).toString()).value_or(FieldType::Categorical);
        f.categories = splitList(q.value(4).toString());
        out.push_back(f);
    }
    return out;
}

namespace {
StoredCase caseFromQuery(const QSqlQuery &q)
{
    StoredCase c;
    c.id = q.value(0).toLongLong();
    c.caseKey = q.value(1).toString();
    c.label = q.value(2).toString();
    c.split = q.value(3).toString();
    c.imagePath = q.value(4).toString();
    c.imageWidth = q.value(5).toInt();
    c.imageHeight = q.value(6).toInt();
    c.sourceLine = q.value(7).toInt();
    c.groupKey = q.value(9).toString();
    return c;
}
const QString kCaseColumns
    = QStringLiteral("id, case_key, label, split, image_path, image_width, image_height, source_line, dataset_id, "
                     "coalesce(group_key, '')");
} // namespace

Result<std::vector<StoredCase>> DatasetRepository::cases(
    qint64 datasetId, const CaseFilter &filter, int offset, int limit) const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT ") + kCaseColumns + QStringLiteral(" FROM cases WHERE dataset_id = ?")
        + filterSql(filter) + orderSql(filter) + QStringLiteral(" LIMIT ? OFFSET ?"));
    q.addBindValue(datasetId);
    bindFilter(q, filter);
    q.addBindValue(limit);
    q.addBindValue(offset);
    if (!q.exec())
        return queryFailed<std::vector<StoredCase>>(q, QStringLiteral("reading cases"));
    std::vector<StoredCase> out;
    while (q.next())
        out.push_back(caseFromQuery(q));
    return out;
}

Result<StoredCase> DatasetRepository::caseRecord(qint64 caseId, qint64 *datasetId) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT ") + kCaseColumns + QStringLiteral(" FROM cases WHERE id = ?"));
    q.addBindValue(caseId);
    if (!q.exec())
        return queryFailed<StoredCase>(q, QStringLiteral("reading a case"));
    if (!q.next())
        return Result<StoredCase>::failure(QStringLiteral("case %1 is not in the study").arg(caseId));
    if (datasetId)
        *datasetId = q.value(8).toLongLong();
    return caseFromQuery(q);
}

Result<StoredCase> DatasetRepository::caseByKey(qint64 datasetId, const QString &caseKey) const
{
    QSqlQuery q(m_study.database());
    q.prepare(
        QStringLiteral("SELECT ") + kCaseColumns + QStringLiteral(" FROM cases WHERE dataset_id = ? AND case_key = ?"));
    q.addBindValue(datasetId);
    q.addBindValue(caseKey);
    if (!q.exec())
        return queryFailed<StoredCase>(q, QStringLiteral("reading a case"));
    if (!q.next())
        return Result<StoredCase>::failure(
            QStringLiteral("dataset %1 has no case '%2'; check the id (it is the manifest's case_id)")
                .arg(datasetId)
                .arg(caseKey));
    return caseFromQuery(q);
}

Result<int> DatasetRepository::caseCount(qint64 datasetId, const CaseFilter &filter) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT count(*) FROM cases WHERE dataset_id = ?") + filterSql(filter));
    q.addBindValue(datasetId);
    bindFilter(q, filter);
    if (!q.exec() || !q.next())
        return queryFailed<int>(q, QStringLiteral("counting cases"));
    return q.value(0).toInt();
}

Result<QMap<qint64, QVariantList>> DatasetRepository::recordValues(qint64 datasetId) const
{
    auto fieldList = fields(datasetId, QStringLiteral("record"));
    if (!fieldList)
        return Result<QMap<qint64, QVariantList>>::failure(fieldList.error());
    QHash<qint64, std::pair<int, bool>> position; // field id → (position, categorical)
    for (const StoredField &f : fieldList.value())
        position.insert(f.id, { f.position, isTextValued(f.type) });
    const int n = static_cast<int>(fieldList->size());
    QMap<qint64, QVariantList> out;
    QSqlQuery ids(m_study.database());
    ids.setForwardOnly(true);
    ids.prepare(QStringLiteral("SELECT id FROM cases WHERE dataset_id = ?"));
    ids.addBindValue(datasetId);
    if (!ids.exec())
        return queryFailed<QMap<qint64, QVariantList>>(ids, QStringLiteral("reading cases"));
    while (ids.next()) {
        QVariantList row;
        row.reserve(n);
        for (int i = 0; i < n; ++i)
            row.append(QVariant());
        out.insert(ids.value(0).toLongLong(), row);
    }
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT rv.case_id, rv.field_id, rv.number, rv.text FROM record_values rv "
                             "JOIN cases c ON c.id = rv.case_id WHERE c.dataset_id = ?"));
    q.addBindValue(datasetId);
    if (!q.exec())
        return queryFailed<QMap<qint64, QVariantList>>(q, QStringLiteral("reading record values"));
    while (q.next()) {
        const auto pos = position.value(q.value(1).toLongLong(), { -1, false });
        auto it = out.find(q.value(0).toLongLong());
        if (pos.first < 0 || it == out.end())
            continue;
        (*it)[pos.first] = pos.second ? q.value(3) : q.value(2);
    }
    return out;
}

Result<QVariantList> DatasetRepository::caseValues(qint64 datasetId, qint64 caseId) const
{
    auto fieldList = fields(datasetId, QStringLiteral("record"));
    if (!fieldList)
        return Result<QVariantList>::failure(fieldList.error());
    QVariantList row;
    QHash<qint64, std::pair<int, bool>> position;
    for (const StoredField &f : fieldList.value()) {
        position.insert(f.id, { f.position, isTextValued(f.type) });
        row.append(QVariant());
    }
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT field_id, number, text FROM record_values WHERE case_id = ?"));
    q.addBindValue(caseId);
    if (!q.exec())
        return queryFailed<QVariantList>(q, QStringLiteral("reading record values"));
    while (q.next()) {
        const auto pos = position.value(q.value(0).toLongLong(), { -1, false });
        if (pos.first >= 0 && pos.first < row.size())
            row[pos.first] = pos.second ? q.value(2) : q.value(1);
    }
    return row;
}

Result<std::vector<StoredEvent>> DatasetRepository::events(qint64 datasetId) const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    q.prepare(
        QStringLiteral("SELECT e.case_id, e.time, e.time_text, e.vals FROM events e JOIN cases c ON c.id = e.case_id "
                       "WHERE c.dataset_id = ? ORDER BY e.case_id, e.time, e.id"));
    q.addBindValue(datasetId);
    return readEvents(q);
}

Result<std::vector<StoredEvent>> DatasetRepository::caseEvents(qint64 caseId) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT case_id, time, time_text, vals FROM events WHERE case_id = ? ORDER BY time, id"));
    q.addBindValue(caseId);
    return readEvents(q);
}

Result<QMap<QString, int>> DatasetRepository::problemCounts(qint64 datasetId) const
{
    QSqlQuery q(m_study.database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT p.case_key, count(*) FROM import_problems p JOIN import_reports r "
                             "ON p.report_id = r.id WHERE r.dataset_id = ? AND p.case_key <> '' GROUP BY p.case_key"));
    q.addBindValue(datasetId);
    if (!q.exec())
        return queryFailed<QMap<QString, int>>(q, QStringLiteral("reading the import problems"));
    QMap<QString, int> out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toInt());
    return out;
}

Result<ImportReport> DatasetRepository::report(qint64 datasetId) const
{
    QSqlQuery q(m_study.database());
    q.prepare(QStringLiteral("SELECT report FROM import_reports WHERE dataset_id = ? ORDER BY id DESC LIMIT 1"));
    q.addBindValue(datasetId);
    if (!q.exec())
        return queryFailed<ImportReport>(q, QStringLiteral("reading the import report"));
    if (!q.next())
        return Result<ImportReport>::failure(QStringLiteral("dataset %1 has no import report").arg(datasetId));
    return ImportReport::fromJson(QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object());
}

} // namespace lepton
