import Foundation
import LunasClock
import Logging
import PostgresNIO
import Synchronization

/// The store for several machines: a PostgreSQL database through a pooled `PostgresClient`.
///
/// Time (expiry, lock leases, jobs, the rate ledger) is the database server's clock, so machines
/// with skewed clocks agree; under a test's clock (``StoreOptions/clock``) the statements read
/// that one instead. A write that returned is committed.
public final class PostgresStore: Store {
    /// Where this store lives.
    public let location: StoreLocation
    let client: PostgresClient
    let options: StoreOptions
    let logger: Logger
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// Connects to the database at `url` (`postgres://user:password@host:port/database`,
    /// `?sslmode=require` for TLS) and applies pending migrations. A server that cannot be
    /// reached within ``StoreOptions/connectTimeout`` is ``StoreError/unreachable(host:port:reason:)``.
    public convenience init(url: String, options: StoreOptions = StoreOptions()) async throws {
        try await self.init(url: url, options: options, migratingUpTo: .max)
    }

    /// Connects and applies the pending migrations up to `newest` (tests make an old schema with it).
    init(url: String, options: StoreOptions, migratingUpTo newest: Int) async throws {
        try await PostgresProbe(url: url, timeout: options.connectTimeout).connect()
        var configuration = try Self.configuration(url: url)
        configuration.options.maximumConnections = max(1, options.maxConnections)
        configuration.options.minimumConnections = 0
        configuration.options.additionalStartupParameters = PostgresSchema.quotaSettings(options.kvQuota)
        let logger = Logger(label: "lunas.store", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.options = options
        self.logger = logger
        self.location = .postgres(url: url)
        let runner = Task.detached { await client.run() }
        tasks.withLock { $0.append(runner) }
        do {
            try await transaction { connection in try await PostgresSchema.migrate(connection, logger: logger, upTo: newest) }
        } catch {
            await close()
            throw error
        }
        startPurging()
    }

    deinit { tasks.withLock { $0.forEach { $0.cancel() } } }

    public func schemaVersion() async throws -> Int {
        let rows = try await client.query("SELECT coalesce(max(version), 0)::bigint FROM lunas_migrations", logger: logger).collect()
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func checkIntegrity() async throws -> [String] {
        let rows = try await rows("""
            SELECT coalesce((SELECT max(version) FROM lunas_kv), 0), (SELECT last_value FROM lunas_version_seq)
            """)
        guard let row = rows.first else { return ["cannot read the version sequence"] }
        let (newest, counter) = try row.decode((Int64, Int64).self)
        var problems = newest > counter ? ["a key has version \(newest), ahead of the version sequence \(counter)"] : []
        problems += try await self.rows("""
            SELECT ns FROM (
                SELECT ns, sum(keys) AS keys, sum(bytes) AS bytes FROM (
                    SELECT ns, 1::bigint AS keys, (octet_length(key) + octet_length(value))::bigint AS bytes FROM lunas_kv
                    UNION ALL SELECT ns, 1, octet_length(name) FROM lunas_kv_locks
                    UNION ALL SELECT ns, -keys, -bytes FROM lunas_kv_usage) AS counted
                GROUP BY ns) AS sums
            WHERE keys <> 0 OR bytes <> 0 ORDER BY ns LIMIT 10
            """).map { KVUsage.mismatch(try $0.decode(String.self)) }
        return problems
    }

    public func close() async {
        let running = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    private func startPurging() {
        guard let interval = options.purgeInterval else { return }
        let task = ExpiryPurge.start(every: interval, clock: options.clock) { [weak self] in
            guard let self else { return false }
            _ = try? await self.purgeExpired()
            return true
        }
        tasks.withLock { $0.append(task) }
    }

    /// The time, in ms, the statements use instead of the database's clock: the test clock's;
    /// `nil` (the database's) with the system clock.
    var fixedNow: Int64? { options.clock.isSystemTime ? nil : options.clock.nowMilliseconds() }

    /// Runs `body` in a transaction on one pooled connection: committed when it returns, rolled
    /// back when it throws (its error is rethrown as is).
    func transaction<T: Sendable>(
        errors: [String: StoreError] = [:], _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let result = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw PostgresErrors.translate(error, bySQLState: errors)
        }
    }

    /// Runs one statement and returns its rows.
    func rows(_ query: PostgresQuery, errors: [String: StoreError] = [:]) async throws -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw PostgresErrors.translate(error, bySQLState: errors)
        }
    }

    static func configuration(url: String) throws -> PostgresClient.Configuration {
        let address = try PostgresAddress(url: url)
        let tls: PostgresClient.Configuration.TLS = switch address.tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: address.host, port: address.port, username: address.username, password: address.password,
            database: address.database, tls: tls)
    }
}
