import GRDB

/// The SQLite schema, as numbered migrations applied in one `IMMEDIATE` transaction, so several
/// processes opening a new file at once apply each migration exactly once.
enum SQLiteSchema {
    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "key-value store and locks", """
            CREATE TABLE lunas_counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO lunas_counter (name, value) VALUES ('version', 0);
            CREATE TABLE lunas_kv (
                ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                version INTEGER NOT NULL, expires_at INTEGER,
                PRIMARY KEY (ns, key)) WITHOUT ROWID;
            CREATE INDEX lunas_kv_expiry ON lunas_kv (expires_at) WHERE expires_at IS NOT NULL;
            CREATE TABLE lunas_kv_locks (
                ns TEXT NOT NULL, name TEXT NOT NULL, token INTEGER NOT NULL,
                owner TEXT NOT NULL, expires_at INTEGER NOT NULL,
                PRIMARY KEY (ns, name)) WITHOUT ROWID;
            """),
        (2, "credential vault and rate ledger", """
            CREATE TABLE lunas_credentials (
                name TEXT PRIMARY KEY, sealed TEXT NOT NULL, version INTEGER NOT NULL, updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE lunas_rate_slots (
                id INTEGER PRIMARY KEY, credential TEXT NOT NULL, at INTEGER NOT NULL);
            CREATE INDEX lunas_rate_slots_by_time ON lunas_rate_slots (credential, at);
            """),
        (3, "runner: jobs, schedules, runs, run logs, webhook events", """
            CREATE TABLE lunas_jobs (
                id INTEGER PRIMARY KEY, queue TEXT NOT NULL, payload TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'running', 'done', 'failed')),
                run_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                unique_key TEXT, lease_token INTEGER, lease_expires_at INTEGER, worker TEXT,
                error TEXT, created_at INTEGER NOT NULL, finished_at INTEGER);
            CREATE UNIQUE INDEX lunas_jobs_unique_key ON lunas_jobs (unique_key) WHERE unique_key IS NOT NULL;
            CREATE INDEX lunas_jobs_due ON lunas_jobs (queue, state, run_at);
            CREATE TABLE lunas_schedules (
                name TEXT PRIMARY KEY, script TEXT NOT NULL, cron TEXT NOT NULL,
                time_zone TEXT NOT NULL DEFAULT 'Asia/Jakarta', next_slot_at INTEGER, updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE lunas_runs (
                id INTEGER PRIMARY KEY, job_id INTEGER REFERENCES lunas_jobs (id), script TEXT NOT NULL,
                namespace TEXT NOT NULL, status TEXT NOT NULL, started_at INTEGER NOT NULL,
                finished_at INTEGER, error TEXT);
            CREATE INDEX lunas_runs_by_script ON lunas_runs (script, started_at);
            CREATE TABLE lunas_run_logs (
                run_id INTEGER NOT NULL REFERENCES lunas_runs (id) ON DELETE CASCADE, seq INTEGER NOT NULL,
                at INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
            CREATE TABLE lunas_webhook_events (
                id INTEGER PRIMARY KEY, source TEXT NOT NULL, event_id TEXT NOT NULL, event TEXT NOT NULL,
                payload TEXT NOT NULL, received_at INTEGER NOT NULL, job_id INTEGER REFERENCES lunas_jobs (id));
            CREATE UNIQUE INDEX lunas_webhook_events_once ON lunas_webhook_events (source, event_id);
            """),
        (5, "what each kv namespace holds, for its quota", """
            CREATE TABLE lunas_kv_usage (
                ns TEXT PRIMARY KEY, keys INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO lunas_kv_usage (ns, keys, bytes)
                SELECT ns, count(*), sum(bytes) FROM (
                    SELECT ns, \(size(["key", "value"])) AS bytes FROM lunas_kv
                    UNION ALL SELECT ns, \(size(["name"])) FROM lunas_kv_locks)
                GROUP BY ns;
            \(counting("lunas_kv", name: "key", value: "value"))
            \(counting("lunas_kv_locks", name: "name"))
            """),
        (6, "runner: jobs with retries, script versions, runs, run logs, schedules, webhook events", """
            DROP TABLE lunas_run_logs;
            DROP TABLE lunas_webhook_events;
            DROP TABLE lunas_runs;
            DROP TABLE lunas_schedules;
            CREATE TABLE lunas_jobs_6 (
                id INTEGER PRIMARY KEY, queue TEXT NOT NULL, payload TEXT NOT NULL,
                script TEXT NOT NULL DEFAULT '', handler TEXT NOT NULL DEFAULT '', trigger TEXT NOT NULL DEFAULT '',
                state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'running', 'done', 'dead')),
                run_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 5,
                unique_key TEXT, lease_token INTEGER, lease_expires_at INTEGER, worker TEXT,
                last_error TEXT, last_run_id INTEGER, created_at INTEGER NOT NULL, finished_at INTEGER);
            INSERT INTO lunas_jobs_6 (id, queue, payload, state, run_at, attempts, unique_key, lease_token,
                                      lease_expires_at, worker, last_error, created_at, finished_at)
                SELECT id, queue, payload, CASE state WHEN 'failed' THEN 'dead' ELSE state END, run_at, attempts, unique_key,
                       lease_token, lease_expires_at, worker, error, created_at, finished_at
                FROM lunas_jobs;
            DROP TABLE lunas_jobs;
            ALTER TABLE lunas_jobs_6 RENAME TO lunas_jobs;
            CREATE UNIQUE INDEX lunas_jobs_unique_key ON lunas_jobs (unique_key) WHERE unique_key IS NOT NULL;
            CREATE INDEX lunas_jobs_due ON lunas_jobs (queue, state, run_at);
            CREATE INDEX lunas_jobs_by_handler ON lunas_jobs (handler, state);
            CREATE TABLE lunas_script_versions (
                hash TEXT PRIMARY KEY, script TEXT NOT NULL, source TEXT NOT NULL, created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE lunas_runs (
                id INTEGER PRIMARY KEY, job_id INTEGER, script TEXT NOT NULL, version TEXT NOT NULL,
                handler TEXT NOT NULL, trigger TEXT NOT NULL, credential TEXT, attempt INTEGER NOT NULL,
                worker TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL, outcome TEXT NOT NULL,
                limit_kind TEXT, error TEXT, traceback TEXT, api_calls INTEGER NOT NULL, budget_wait_ms INTEGER NOT NULL,
                input TEXT NOT NULL, logs_dropped INTEGER NOT NULL);
            CREATE INDEX lunas_runs_by_start ON lunas_runs (started_at);
            CREATE INDEX lunas_runs_by_script ON lunas_runs (script, started_at);
            CREATE INDEX lunas_runs_by_outcome ON lunas_runs (outcome, started_at);
            CREATE TABLE lunas_run_logs (
                run_id INTEGER NOT NULL REFERENCES lunas_runs (id) ON DELETE CASCADE, seq INTEGER NOT NULL,
                at INTEGER NOT NULL, kind TEXT NOT NULL, level TEXT, message TEXT NOT NULL, fields TEXT NOT NULL,
                location TEXT NOT NULL, text TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
            CREATE TABLE lunas_schedules (
                name TEXT PRIMARY KEY, script TEXT NOT NULL, kind TEXT NOT NULL, spec TEXT NOT NULL, zone TEXT NOT NULL,
                last_slot INTEGER, paused INTEGER NOT NULL DEFAULT 0, missed INTEGER NOT NULL DEFAULT 0,
                overlap_skipped INTEGER NOT NULL DEFAULT 0, last_outcome TEXT, last_run_id INTEGER,
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE lunas_webhook_events (
                id INTEGER PRIMARY KEY, source TEXT NOT NULL, event_id TEXT NOT NULL, event TEXT NOT NULL,
                payload TEXT NOT NULL, received_at INTEGER NOT NULL);
            CREATE UNIQUE INDEX lunas_webhook_events_once ON lunas_webhook_events (source, event_id);
            """),
    ]

    /// Triggers that keep `lunas_kv_usage` in step with the rows of `table`.
    private static func counting(_ table: String, name: String, value: String? = nil) -> String {
        let columns = [name] + (value.map { [$0] } ?? [])
        let new = size(columns, row: "NEW."), old = size(columns, row: "OLD.")
        func add(_ ns: String, _ keys: String, _ bytes: String) -> String {
            """
            INSERT INTO lunas_kv_usage (ns, keys, bytes) VALUES (\(ns), \(keys), \(bytes))
                    ON CONFLICT (ns) DO UPDATE SET keys = keys + excluded.keys, bytes = bytes + excluded.bytes;
            """
        }
        return """
            CREATE TRIGGER \(table)_usage_insert AFTER INSERT ON \(table) BEGIN
                \(add("NEW.ns", "1", new))
            END;
            CREATE TRIGGER \(table)_usage_delete AFTER DELETE ON \(table) BEGIN
                \(add("OLD.ns", "-1", "-(\(old))"))
            END;
            CREATE TRIGGER \(table)_usage_update AFTER UPDATE OF \((["ns"] + columns).joined(separator: ", ")) ON \(table)
            WHEN OLD.ns = NEW.ns AND \(new) <> \(old) BEGIN
                \(add("NEW.ns", "0", "\(new) - (\(old))"))
            END;
            CREATE TRIGGER \(table)_usage_move AFTER UPDATE OF ns ON \(table) WHEN OLD.ns <> NEW.ns BEGIN
                \(add("OLD.ns", "-1", "-(\(old))"))
                \(add("NEW.ns", "1", new))
            END;
            """
    }

    /// The bytes a row holds, as ``KVUsage`` counts them (`row`: `NEW.`, `OLD.` or none).
    private static func size(_ columns: [String], row: String = "") -> String {
        columns.map { "length(CAST(\(row)\($0) AS BLOB))" }.joined(separator: " + ")
    }

    /// The quota's check, as triggers of the connection that runs them (TEMP): a change of
    /// `lunas_kv_usage` that grows a namespace past `quota` aborts its statement with
    /// ``quotaMessage(_:)``. The counts include expired rows not purged yet; the store purges
    /// the namespace and tries again before it reports the quota.
    static func quotaTriggers(_ quota: KVQuota) -> String {
        [(KVQuota.Limit.keys, "keys", quota.maxKeys), (.bytes, "bytes", quota.maxBytes)].map { limit, column, most in
            """
            CREATE TEMP TRIGGER lunas_kv_quota_\(column)_grow AFTER UPDATE OF \(column) ON main.lunas_kv_usage
            WHEN NEW.\(column) > OLD.\(column) AND NEW.\(column) > \(most) BEGIN SELECT RAISE(ABORT, '\(quotaMessage(limit))'); END;
            CREATE TEMP TRIGGER lunas_kv_quota_\(column)_new AFTER INSERT ON main.lunas_kv_usage
            WHEN NEW.\(column) > \(most) BEGIN SELECT RAISE(ABORT, '\(quotaMessage(limit))'); END;
            """
        }.joined(separator: "\n")
    }

    /// The message of the quota's triggers for `limit`.
    static func quotaMessage(_ limit: KVQuota.Limit) -> String { "lunas kv quota: \(limit.rawValue)" }

    /// Applies pending migrations up to `newest`, recording them as applied at `now` (ms).
    static func migrate(_ db: Database, now: Int64, upTo newest: Int = .max) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS lunas_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)
            """)
        try db.inTransaction(.immediate) {
            let applied = try Int.fetchOne(db, sql: "SELECT max(version) FROM lunas_migrations") ?? 0
            for migration in migrations where migration.version > applied && migration.version <= newest {
                try db.execute(sql: migration.sql)
                try db.execute(
                    sql: "INSERT INTO lunas_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    arguments: [migration.version, migration.name, now])
            }
            return .commit
        }
    }
}
