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
    ]

    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS lunas_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM lunas_migrations", logger: logger).collect()
        let applied = Int(try rows.first?.decode(Int32.self) ?? 0)
        for migration in migrations where migration.version > applied {
            for statement in migration.sql {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO lunas_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
        }
    }
}
