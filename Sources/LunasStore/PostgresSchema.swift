import Logging
import PostgresNIO

/// The PostgreSQL schema, as numbered migrations applied under a transaction-scoped advisory
/// lock, so several processes starting at once apply each migration exactly once.
enum PostgresSchema {
    /// The advisory lock key that serialises migrations ("lunas" in ASCII).
    static let migrationLock: Int64 = 0x6C_75_6E_61_73

    static let migrations: [(version: Int, name: String, sql: [String])] = [
        (1, "key-value store and locks", [
            "CREATE SEQUENCE lunas_version_seq",
            """
            CREATE FUNCTION lunas_now_ms() RETURNS bigint LANGUAGE sql STABLE
            AS $$ SELECT (extract(epoch FROM now()) * 1000)::bigint $$
            """,
            """
            CREATE TABLE lunas_kv (
                ns text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, value text NOT NULL,
                version bigint NOT NULL, expires_at bigint,
                PRIMARY KEY (ns, key))
            """,
            "CREATE INDEX lunas_kv_expiry ON lunas_kv (expires_at) WHERE expires_at IS NOT NULL",
            """
            CREATE TABLE lunas_kv_locks (
                ns text COLLATE "C" NOT NULL, name text COLLATE "C" NOT NULL, token bigint NOT NULL,
                owner text NOT NULL, expires_at bigint NOT NULL,
                PRIMARY KEY (ns, name))
            """,
        ]),
        (2, "credential vault and rate ledger", [
            """
            CREATE TABLE lunas_credentials (
                name text PRIMARY KEY, sealed text NOT NULL, version bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE TABLE lunas_rate_slots (id bigserial PRIMARY KEY, credential text NOT NULL, at bigint NOT NULL)",
            "CREATE INDEX lunas_rate_slots_by_time ON lunas_rate_slots (credential, at)",
        ]),
        (3, "runner: jobs, schedules, runs, run logs, webhook events", [
            """
            CREATE TABLE lunas_jobs (
                id bigserial PRIMARY KEY, queue text NOT NULL, payload text NOT NULL,
                state text NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'running', 'done', 'failed')),
                run_at bigint NOT NULL, attempts integer NOT NULL DEFAULT 0,
                unique_key text, lease_token bigint, lease_expires_at bigint, worker text,
                error text, created_at bigint NOT NULL, finished_at bigint)
            """,
            "CREATE UNIQUE INDEX lunas_jobs_unique_key ON lunas_jobs (unique_key) WHERE unique_key IS NOT NULL",
            "CREATE INDEX lunas_jobs_due ON lunas_jobs (queue, state, run_at)",
            """
            CREATE TABLE lunas_schedules (
                name text PRIMARY KEY, script text NOT NULL, cron text NOT NULL,
                time_zone text NOT NULL DEFAULT 'Asia/Jakarta', next_slot_at bigint, updated_at bigint NOT NULL)
            """,
            """
            CREATE TABLE lunas_runs (
                id bigserial PRIMARY KEY, job_id bigint REFERENCES lunas_jobs (id), script text NOT NULL,
                namespace text NOT NULL, status text NOT NULL, started_at bigint NOT NULL,
                finished_at bigint, error text)
            """,
            "CREATE INDEX lunas_runs_by_script ON lunas_runs (script, started_at)",
            """
            CREATE TABLE lunas_run_logs (
                run_id bigint NOT NULL REFERENCES lunas_runs (id) ON DELETE CASCADE, seq integer NOT NULL,
                at bigint NOT NULL, level text NOT NULL, message text NOT NULL,
                PRIMARY KEY (run_id, seq))
            """,
            """
            CREATE TABLE lunas_webhook_events (
                id bigserial PRIMARY KEY, source text NOT NULL, event_id text NOT NULL, event text NOT NULL,
                payload text NOT NULL, received_at bigint NOT NULL, job_id bigint REFERENCES lunas_jobs (id))
            """,
            "CREATE UNIQUE INDEX lunas_webhook_events_once ON lunas_webhook_events (source, event_id)",
        ]),
        (4, "a test clock's time for the store's statements", [
            // Every statement reads the time as lunas_now_ms(fixed): the database's clock when
            // `fixed` is NULL (always, unless the store runs on a test's clock).
            """
            CREATE FUNCTION lunas_now_ms(fixed bigint) RETURNS bigint LANGUAGE sql STABLE
            AS $$ SELECT coalesce(fixed, lunas_now_ms()) $$
            """,
        ]),
        (5, "what each kv namespace holds, for its quota", [
            "CREATE TABLE lunas_kv_usage (ns text COLLATE \"C\" PRIMARY KEY, keys bigint NOT NULL, bytes bigint NOT NULL)",
            """
            INSERT INTO lunas_kv_usage (ns, keys, bytes)
            SELECT ns, count(*), sum(bytes) FROM (
                SELECT ns, octet_length(key) + octet_length(value) AS bytes FROM lunas_kv
                UNION ALL SELECT ns, octet_length(name) FROM lunas_kv_locks) AS rows
            GROUP BY ns
            """,
            // Adds to a namespace's counts; growing it past the quota of the connection's
            // settings (lunas.kv_max_keys, lunas.kv_max_bytes: none, no quota) raises LQ001 or
            // LQ002. The row lock on the namespace's counts orders racing writers.
            """
            CREATE FUNCTION lunas_kv_use(in_ns text, more_keys bigint, more_bytes bigint) RETURNS void LANGUAGE plpgsql AS $$
            DECLARE total_keys bigint; total_bytes bigint;
            BEGIN
                IF more_keys = 0 AND more_bytes = 0 THEN RETURN; END IF;
                INSERT INTO lunas_kv_usage AS u (ns, keys, bytes) VALUES (in_ns, more_keys, more_bytes)
                ON CONFLICT (ns) DO UPDATE SET keys = u.keys + EXCLUDED.keys, bytes = u.bytes + EXCLUDED.bytes
                RETURNING u.keys, u.bytes INTO total_keys, total_bytes;
                IF more_keys > 0 AND total_keys > nullif(current_setting('lunas.kv_max_keys', true), '')::bigint THEN
                    RAISE EXCEPTION 'kv quota of namespace % exceeded: keys', in_ns USING ERRCODE = '\(quotaState(.keys))';
                END IF;
                IF more_bytes > 0 AND total_bytes > nullif(current_setting('lunas.kv_max_bytes', true), '')::bigint THEN
                    RAISE EXCEPTION 'kv quota of namespace % exceeded: bytes', in_ns USING ERRCODE = '\(quotaState(.bytes))';
                END IF;
            END $$
            """,
            counting("lunas_kv", size: "octet_length(ROW.key) + octet_length(ROW.value)"),
            "CREATE TRIGGER lunas_kv_usage AFTER INSERT OR DELETE OR UPDATE OF ns, key, value ON lunas_kv FOR EACH ROW EXECUTE FUNCTION lunas_kv_usage_of_lunas_kv()",
            counting("lunas_kv_locks", size: "octet_length(ROW.name)"),
            "CREATE TRIGGER lunas_kv_usage AFTER INSERT OR DELETE OR UPDATE OF ns, name ON lunas_kv_locks FOR EACH ROW EXECUTE FUNCTION lunas_kv_usage_of_lunas_kv_locks()",
        ]),
        (6, "runner: jobs with retries, script versions, runs, run logs, schedules, webhook events", [
            "DROP TABLE lunas_run_logs, lunas_webhook_events, lunas_runs, lunas_schedules",
            "ALTER TABLE lunas_jobs DROP CONSTRAINT lunas_jobs_state_check",
            "UPDATE lunas_jobs SET state = 'dead' WHERE state = 'failed'",
            "ALTER TABLE lunas_jobs RENAME COLUMN error TO last_error",
            """
            ALTER TABLE lunas_jobs
                ADD COLUMN script text NOT NULL DEFAULT '', ADD COLUMN handler text NOT NULL DEFAULT '',
                ADD COLUMN trigger text NOT NULL DEFAULT '', ADD COLUMN max_attempts integer NOT NULL DEFAULT 5,
                ADD COLUMN last_run_id bigint,
                ADD CONSTRAINT lunas_jobs_state_check CHECK (state IN ('ready', 'running', 'done', 'dead'))
            """,
            "CREATE INDEX lunas_jobs_by_handler ON lunas_jobs (handler, state)",
            """
            CREATE TABLE lunas_script_versions (
                hash text PRIMARY KEY, script text NOT NULL, source text NOT NULL, created_at bigint NOT NULL)
            """,
            """
            CREATE TABLE lunas_runs (
                id bigserial PRIMARY KEY, job_id bigint, script text NOT NULL, version text NOT NULL,
                handler text NOT NULL, trigger text NOT NULL, credential text, attempt integer NOT NULL,
                worker text NOT NULL, started_at bigint NOT NULL, ended_at bigint NOT NULL, outcome text NOT NULL,
                limit_kind text, error text, traceback text, api_calls integer NOT NULL, budget_wait_ms bigint NOT NULL,
                input text NOT NULL, logs_dropped integer NOT NULL)
            """,
            "CREATE INDEX lunas_runs_by_start ON lunas_runs (started_at, id)",
            "CREATE INDEX lunas_runs_by_script ON lunas_runs (script, started_at, id)",
            "CREATE INDEX lunas_runs_by_outcome ON lunas_runs (outcome, started_at, id)",
            """
            CREATE TABLE lunas_run_logs (
                run_id bigint NOT NULL REFERENCES lunas_runs (id) ON DELETE CASCADE, seq integer NOT NULL,
                at bigint NOT NULL, kind text NOT NULL, level text, message text NOT NULL, fields text NOT NULL,
                location text NOT NULL, text text NOT NULL,
                PRIMARY KEY (run_id, seq))
            """,
            """
            CREATE TABLE lunas_schedules (
                name text PRIMARY KEY, script text NOT NULL, kind text NOT NULL, spec text NOT NULL, zone text NOT NULL,
                last_slot bigint, paused boolean NOT NULL DEFAULT false, missed integer NOT NULL DEFAULT 0,
                overlap_skipped integer NOT NULL DEFAULT 0, last_outcome text, last_run_id bigint,
                updated_at bigint NOT NULL)
            """,
            """
            CREATE TABLE lunas_webhook_events (
                id bigserial PRIMARY KEY, source text NOT NULL, event_id text NOT NULL, event text NOT NULL,
                payload text NOT NULL, received_at bigint NOT NULL)
            """,
            "CREATE UNIQUE INDEX lunas_webhook_events_once ON lunas_webhook_events (source, event_id)",
        ]),
    ]

    /// The trigger function that keeps `lunas_kv_usage` in step with the rows of `table`, whose
    /// bytes are `size` (of the row `ROW`).
    private static func counting(_ table: String, size: String) -> String {
        let new = size.replacingOccurrences(of: "ROW.", with: "NEW."), old = size.replacingOccurrences(of: "ROW.", with: "OLD.")
        return """
            CREATE FUNCTION lunas_kv_usage_of_\(table)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN PERFORM lunas_kv_use(NEW.ns, 1, \(new));
                ELSIF TG_OP = 'DELETE' THEN PERFORM lunas_kv_use(OLD.ns, -1, -(\(old)));
                ELSIF OLD.ns = NEW.ns THEN PERFORM lunas_kv_use(NEW.ns, 0, \(new) - (\(old)));
                ELSE PERFORM lunas_kv_use(OLD.ns, -1, -(\(old))); PERFORM lunas_kv_use(NEW.ns, 1, \(new));
                END IF;
                RETURN NULL;
            END $$
            """
    }

    /// The SQLSTATE `lunas_kv_use` raises when a write would pass the quota's `limit`.
    static func quotaState(_ limit: KVQuota.Limit) -> String { limit == .keys ? "LQ001" : "LQ002" }

    /// The connection settings that give `lunas_kv_use` the quota (sent at login).
    static func quotaSettings(_ quota: KVQuota) -> [(String, String)] {
        [("lunas.kv_max_keys", String(quota.maxKeys)), ("lunas.kv_max_bytes", String(quota.maxBytes))]
    }

    /// Applies pending migrations up to `newest`.
    static func migrate(_ connection: PostgresConnection, logger: Logger, upTo newest: Int = .max) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS lunas_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM lunas_migrations", logger: logger).collect()
        let applied = Int(try rows.first?.decode(Int32.self) ?? 0)
        for migration in migrations where migration.version > applied && migration.version <= newest {
            for statement in migration.sql {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO lunas_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
        }
    }
}
