// SPDX-License-Identifier: GPL-3.0-or-later
#include "Schema.h"

namespace lepton {

const std::vector<QStringList> &Schema::migrations()
{
    static const std::vector<QStringList> all = {
        // 1: the whole study (docs/ARCHITECTURE.md, "The data path"). Runs, metrics, checkpoints, predictions,
        // explanations, reviews and the audit log are filled by the trainer and review.
        {
            QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            QStringLiteral(R"sql(CREATE TABLE datasets (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                created_at TEXT NOT NULL,
                manifest_path TEXT NOT NULL,
                manifest_sha256 TEXT NOT NULL,
                events_path TEXT,
                events_sha256 TEXT,
                image_root TEXT,
                id_column TEXT NOT NULL,
                label_column TEXT,
                image_column TEXT,
                split_column TEXT,
                time_column TEXT,
                split_seed INTEGER NOT NULL,
                split_from_manifest INTEGER NOT NULL,
                classes TEXT NOT NULL,
                case_count INTEGER NOT NULL))sql"),
            QStringLiteral(R"sql(CREATE TABLE fields (
                id INTEGER PRIMARY KEY,
                dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('record', 'event')),
                position INTEGER NOT NULL,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                type_overridden INTEGER NOT NULL,
                categories TEXT NOT NULL,
                UNIQUE (dataset_id, kind, name)))sql"),
            QStringLiteral(R"sql(CREATE TABLE cases (
                id INTEGER PRIMARY KEY,
                dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
                case_key TEXT NOT NULL,
                label TEXT,
                split TEXT,
                source_line INTEGER NOT NULL,
                image_ref TEXT,
                image_path TEXT,
                image_sha256 TEXT,
                image_width INTEGER,
                image_height INTEGER,
                image_channels INTEGER,
                image_bits INTEGER,
                UNIQUE (dataset_id, case_key)))sql"),
            QStringLiteral("CREATE INDEX cases_by_split ON cases(dataset_id, split)"),
            QStringLiteral(R"sql(CREATE TABLE record_values (
                case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
                field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
                number REAL,
                text TEXT NOT NULL,
                PRIMARY KEY (case_id, field_id)) WITHOUT ROWID)sql"),
            QStringLiteral(R"sql(CREATE TABLE events (
                id INTEGER PRIMARY KEY,
                case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
                time REAL NOT NULL,
                time_text TEXT NOT NULL,
                source_line INTEGER NOT NULL,
                vals TEXT NOT NULL))sql"),
            QStringLiteral("CREATE INDEX events_by_case ON events(case_id, time)"),
            QStringLiteral(R"sql(CREATE TABLE import_reports (
                id INTEGER PRIMARY KEY,
                dataset_id INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
                created_at TEXT NOT NULL,
                report TEXT NOT NULL))sql"),
            QStringLiteral(R"sql(CREATE TABLE import_problems (
                id INTEGER PRIMARY KEY,
                report_id INTEGER NOT NULL REFERENCES import_reports(id) ON DELETE CASCADE,
                severity TEXT NOT NULL,
                kind TEXT NOT NULL,
                file TEXT NOT NULL,
                line INTEGER NOT NULL,
                column_name TEXT NOT NULL,
                case_key TEXT NOT NULL,
                reason TEXT NOT NULL))sql"),
            QStringLiteral(R"sql(CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
                config TEXT NOT NULL,
                status TEXT NOT NULL,
                seed INTEGER,
                device TEXT,
                device_name TEXT,
                threads INTEGER,
                versions TEXT,
                created_at TEXT NOT NULL,
                started_at TEXT,
                ended_at TEXT,
                best_epoch INTEGER,
                message TEXT,
                tags TEXT NOT NULL DEFAULT '',
                notes TEXT NOT NULL DEFAULT ''))sql"),
            QStringLiteral(R"sql(CREATE TABLE metrics (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                split TEXT NOT NULL,
                epoch INTEGER NOT NULL,
                step INTEGER NOT NULL,
                name TEXT NOT NULL,
                value REAL,
                UNIQUE (run_id, split, epoch, step, name)))sql"),
            QStringLiteral(R"sql(CREATE TABLE checkpoints (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                epoch INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                is_best INTEGER NOT NULL DEFAULT 0,
                data BLOB NOT NULL,
                UNIQUE (run_id, epoch)))sql"),
            QStringLiteral(R"sql(CREATE TABLE artifacts (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                split TEXT NOT NULL,
                kind TEXT NOT NULL,
                data TEXT NOT NULL))sql"),
            QStringLiteral(R"sql(CREATE TABLE predictions (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
                created_at TEXT NOT NULL,
                probabilities TEXT NOT NULL,
                predicted TEXT,
                calibrated TEXT,
                decision TEXT,
                grade TEXT,
                expected_cost REAL,
                referred INTEGER NOT NULL DEFAULT 0,
                UNIQUE (run_id, case_id)))sql"),
            QStringLiteral(R"sql(CREATE TABLE explanations (
                id INTEGER PRIMARY KEY,
                prediction_id INTEGER NOT NULL REFERENCES predictions(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                summary TEXT NOT NULL,
                data BLOB,
                UNIQUE (prediction_id, kind)))sql"),
            QStringLiteral(R"sql(CREATE TABLE reviews (
                id INTEGER PRIMARY KEY,
                prediction_id INTEGER NOT NULL REFERENCES predictions(id) ON DELETE CASCADE,
                reviewer TEXT NOT NULL,
                created_at TEXT NOT NULL,
                verdict TEXT NOT NULL,
                chosen_class TEXT,
                reason TEXT,
                comment TEXT,
                seen TEXT NOT NULL))sql"),
            QStringLiteral(R"sql(CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                entity TEXT NOT NULL,
                details TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL))sql"),
            // Append-only: the audit log refuses updates and deletes at the database level.
            QStringLiteral("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"),
            QStringLiteral("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"),
        },
        // 2: the workbench filters and sorts cases by label; without an index that scans every case.
        {
            QStringLiteral("CREATE INDEX cases_by_label ON cases(dataset_id, label)"),
        },
        // 3: the review queue finds each prediction's latest review, and the audit log is read per
        // entity (a run, a prediction); without these both scan their whole table.
        {
            QStringLiteral("CREATE INDEX IF NOT EXISTS reviews_by_prediction ON reviews(prediction_id, id)"),
            QStringLiteral("CREATE INDEX IF NOT EXISTS audit_log_by_entity ON audit_log(entity, id)"),
        },
        // 4: who trains a running run (host name, process id) and when it last wrote, so a run left
        // `running` by a process that died is told from one that another process is training.
        {
            QStringLiteral("ALTER TABLE runs ADD COLUMN owner_host TEXT"),
            QStringLiteral("ALTER TABLE runs ADD COLUMN owner_pid INTEGER"),
            QStringLiteral("ALTER TABLE runs ADD COLUMN heartbeat_at TEXT"),
        },
        // 5: clinical data: the group (patient) of each case, the dataset's group column, and how
        // its DICOM images are windowed (training reads them the way the import showed them).
        {
            QStringLiteral("ALTER TABLE cases ADD COLUMN group_key TEXT"),
            QStringLiteral("ALTER TABLE datasets ADD COLUMN group_column TEXT"),
            QStringLiteral("ALTER TABLE datasets ADD COLUMN dicom_window TEXT"),
        },
        // 6: image encoders brought from elsewhere (`lepton encoder import`) or pretrained on the
        // study's images: the file itself, what it reads and returns, and where it came from.
        {
            QStringLiteral(R"sql(CREATE TABLE encoders (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                format TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                parameters INTEGER NOT NULL,
                channels INTEGER NOT NULL,
                input_size INTEGER NOT NULL,
                mean TEXT NOT NULL,
                std TEXT NOT NULL,
                features INTEGER NOT NULL,
                map_size TEXT NOT NULL,
                source TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                imported_by TEXT NOT NULL,
                data BLOB NOT NULL))sql"),
            QStringLiteral("CREATE INDEX encoders_by_sha256 ON encoders(sha256)"),
        },
    };
    return all;
}

int Schema::currentVersion()
{
    return static_cast<int>(migrations().size());
}

} // namespace lepton
