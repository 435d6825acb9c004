import Foundation

/// Where a store lives: a SQLite file or a PostgreSQL database.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file (created with the schema if missing).
    case sqlite(path: String)
    /// A PostgreSQL database, by `postgres://user:password@host:port/database` URL.
    case postgres(url: String)

    /// The file `lunas run` uses when nothing else is configured.
    public static let defaultFile = "lunas.db"
    /// The file used for runs against the local Scalev sandbox, so they never mix with live data.
    public static let sandboxFile = "lunas-sandbox.db"
    /// The environment variable that names the store.
    public static let environmentVariable = "LUNAS_STORE_URL"

    /// Reads a location: a `postgres://` or `postgresql://` URL, a `sqlite:` or `file:` URL, or
    /// a plain file path.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            self = .postgres(url: trimmed)
        } else if lower.hasPrefix("sqlite:") || lower.hasPrefix("file:") {
            var path = String(trimmed.drop { $0 != ":" }.dropFirst())
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw StoreError.unsupportedLocation(text) }
            self = .sqlite(path: path)
        } else if trimmed.isEmpty || trimmed.contains("://") {
            throw StoreError.unsupportedLocation(text)
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// The store of a run: `explicit` (`--store`), else `LUNAS_STORE_URL`, else `lunas.db` in the
    /// working directory (`lunas-sandbox.db` when the run targets the sandbox).
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment, sandbox: Bool = false) throws -> StoreLocation {
        if let explicit, !explicit.isEmpty { return try StoreLocation(explicit) }
        if let configured = environment[environmentVariable], !configured.isEmpty { return try StoreLocation(configured) }
        return .sqlite(path: sandbox ? sandboxFile : defaultFile)
    }

    /// Opens the store and applies pending migrations.
    public func open(options: StoreOptions = StoreOptions()) async throws -> any Store {
        switch self {
        case .sqlite(let path): try await SQLiteStore(path: path, options: options)
        case .postgres(let url): try await PostgresStore(url: url, options: options)
        }
    }

    /// The location without a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            guard var parts = URLComponents(string: url) else { return "postgres://..." }
            if parts.password != nil { parts.password = "***" }
            return parts.string ?? "postgres://..."
        }
    }
}
