import Foundation
import GRDB
import PostgresNIO
@testable import LunasStore
import LunasTesting
import Testing

/// Migration 6 on a store file made before it: the jobs' rows are kept.
@Suite(.timeLimit(.minutes(2))) struct RunnerMigrationTests {
    @Test func aSQLiteFileAtMigration5OpensAtMigration6WithItsJobs() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-m5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("lunas.db").path

        let old = try DatabaseQueue(path: path)
        try await old.writeWithoutTransaction { db in
            try SQLiteSchema.migrate(db, now: 1_000, upTo: 5)
            try db.execute(sql: """
                INSERT INTO lunas_jobs (id, queue, payload, state, run_at, attempts, unique_key, lease_token, lease_expires_at, worker, error, created_at, finished_at)
                VALUES (1, 'scripts', '{"a":1}', 'ready', 1000, 0, 'cron:report:1', NULL, NULL, NULL, NULL, 900, NULL),
                       (2, 'scripts', '{"b":2}', 'done', 1000, 1, NULL, NULL, NULL, 'w1', NULL, 900, 1100),
                       (3, 'scripts', '{"c":3}', 'failed', 1000, 1, NULL, NULL, NULL, 'w1', 'boom', 900, 1200),
                       (4, 'scripts', '{"d":4}', 'running', 1000, 1, NULL, 7, 2000, 'w2', NULL, 900, NULL);
                INSERT INTO lunas_runs (job_id, script, namespace, status, started_at) VALUES (2, 'report', 'report', 'ok', 1000);
                """)
        }
        #expect(try await old.read { db in try Int.fetchOne(db, sql: "SELECT max(version) FROM lunas_migrations") } == 5)
        try old.close()

        let store = try await SQLiteStore(path: path, options: StoreBackend.testOptions)
        #expect(try await store.schemaVersion() == 6)
        let jobs = try await store.jobs(JobQuery()).sorted { $0.id < $1.id }
        #expect(jobs.map(\.id) == [1, 2, 3, 4])
        #expect(jobs.map(\.state) == [.ready, .done, .dead, .running])
        #expect(jobs.map(\.payload) == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#, #"{"d":4}"#])
        #expect(jobs[0].uniqueKey == "cron:report:1" && jobs[0].runAt == Date(timeIntervalSince1970: 1))
        #expect(jobs[2].lastError == "boom" && jobs[2].finishedAt == Date(timeIntervalSince1970: 1.2) && jobs[2].attempts == 1)
        #expect(jobs[3].worker == "w2" && jobs[3].leaseExpiresAt == Date(timeIntervalSince1970: 2))
        #expect(jobs.allSatisfy { $0.script == "" && $0.handler == "" && $0.maxAttempts == 5 && $0.lastRunID == nil })
        #expect(try await store.runs(RunQuery()).isEmpty)

        // The kept rows are jobs like any other: the unique key still holds, and the due ones are claimed.
        #expect(try await store.enqueue(JobRequest(queue: "scripts", payload: "{}", uniqueKey: "cron:report:1")) == nil)
        let claimed = try await store.claimJobs(queue: "scripts", limit: 10, lease: .seconds(30), worker: "w3")
        #expect(claimed.map(\.id) == [1, 4])
        #expect(claimed.map(\.attempts) == [1, 2])
        #expect(try await store.checkIntegrity().isEmpty)
        await store.close()

        let again = try await SQLiteStore(path: path, options: StoreBackend.testOptions)
        #expect(try await again.schemaVersion() == 6)
        #expect(try await again.jobs(JobQuery()).count == 4)
        await again.close()
    }

    @Test(.enabled(if: StoreBackend.postgresURL != nil))
    func aPostgresDatabaseAtMigration5MigratesTo6WithItsJobs() async throws {
        let url = try #require(StoreBackend.postgresURL)
        let database = "lunas_m5_\(UUID().uuidString.prefix(8).lowercased())"
        let server = try await PostgresStore(url: url, options: StoreBackend.testOptions)
        _ = try await server.rows(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"))
        var components = try #require(URLComponents(string: url))
        components.path = "/" + database
        let oldURL = try #require(components.string)
        do {
            let old = try await PostgresStore(url: oldURL, options: StoreBackend.testOptions, migratingUpTo: 5)
            #expect(try await old.schemaVersion() == 5)
            _ = try await old.rows(PostgresQuery(unsafeSQL: """
                INSERT INTO lunas_jobs (id, queue, payload, state, run_at, attempts, unique_key, lease_token, lease_expires_at, worker, error, created_at, finished_at)
                VALUES (1, 'scripts', '{"a":1}', 'ready', 1000, 0, 'cron:report:1', NULL, NULL, NULL, NULL, 900, NULL),
                       (2, 'scripts', '{"c":3}', 'failed', 1000, 1, NULL, NULL, NULL, 'w1', 'boom', 900, 1200)
                """))
            _ = try await old.rows(PostgresQuery(unsafeSQL: "SELECT setval('lunas_jobs_id_seq', 2)"))
            await old.close()

            let store = try await PostgresStore(url: oldURL, options: StoreBackend.testOptions)
            #expect(try await store.schemaVersion() == 6)
            let jobs = try await store.jobs(JobQuery()).sorted { $0.id < $1.id }
            #expect(jobs.map(\.state) == [.ready, .dead])
            #expect(jobs[0].uniqueKey == "cron:report:1" && jobs[1].lastError == "boom" && jobs[1].maxAttempts == 5)
            #expect(try await store.enqueue(JobRequest(queue: "scripts", payload: "{}", uniqueKey: "cron:report:1")) == nil)
            #expect(try await store.claimJobs(queue: "scripts", limit: 10, lease: .seconds(30), worker: "w").map(\.id) == [1])
            await store.close()
        } catch {
            await dropDatabase(database, on: server)
            throw error
        }
        await dropDatabase(database, on: server)
    }

    private func dropDatabase(_ database: String, on server: PostgresStore) async {
        _ = try? await server.rows(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
        await server.close()
    }
}
