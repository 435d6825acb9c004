import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The store for several machines: a PostgreSQL database through a pooled `PostgresClient`.
///
/// Time (expiry, lock leases) is the database server's clock, so machines with skewed clocks
/// agree. A write that returned is committed.
public final class PostgresStore: Store {
    /// Where this store lives.
    public let location: StoreLocation
    let client: PostgresClient
    let options: StoreOptions
    let logger: Logger
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// Connects to the database at `url` (`postgres://user:password@host:port/database`,
    /// `?sslmode=require` for TLS) and applies pending migrations.
    public init(url: String, options: StoreOptions = StoreOptions()) async throws {
        var configuration = try Self.configuration(url: url)
        configuration.options.maximumConnections = max(1, options.maxConnections)
        configuration.options.minimumConnections = 0
        let logger = Logger(label: "lunas.store", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.options = options
        self.logger = logger
        self.location = .postgres(url: url)
        let runner = Task.detached { await client.run() }
        tasks.withLock { $0.append(runner) }
        do {
            try await transaction { connection in try await PostgresSchema.migrate(connection, logger: logger) }
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
        return newest > counter ? ["a key has version \(newest), ahead of the version sequence \(counter)"] : []
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
        let task = ExpiryPurge.start(every: interval) { [weak self] in
            guard let self else { return false }
            _ = try? await self.purgeExpired()
            return true
        }
        tasks.withLock { $0.append(task) }
    }

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
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else {
            throw StoreError.unsupportedLocation(url)
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "disable" {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        default: tls = .require(.makeClientConfiguration())
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        return PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432,
            username: parts.user?.removingPercentEncoding ?? "postgres",
            password: parts.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: tls)
    }
}
