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

    /// The store of a command, as `lunas run` and `lunas kv` choose it: `flag` (`--store`); else,
    /// for a run against the local sandbox, `lunas-sandbox.db` (a sandbox run never touches a
    /// configured store); else `configured` (lunas.toml's `store`); else `LUNAS_STORE_URL` in
    /// `environment`; else `lunas.db`. Relative paths are relative to the working directory.
    public static func resolve(flag: String?, configured: String? = nil, environment: [String: String], sandbox: Bool = false) throws -> StoreLocation {
        if let flag, !flag.isEmpty { return try StoreLocation(flag) }
        if sandbox { return .sqlite(path: sandboxFile) }
        if let configured, !configured.isEmpty { return try StoreLocation(configured) }
        if let variable = environment[environmentVariable], !variable.isEmpty { return try StoreLocation(variable) }
        return .sqlite(path: defaultFile)
    }

    /// Whether there is a store to read: a SQLite file that exists, or any PostgreSQL URL (the
    /// server answers for itself). Read-only commands check it so that they never create one.
    public var exists: Bool {
        switch self {
        case .sqlite(let path): FileManager.default.fileExists(atPath: path)
        case .postgres: true
        }
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
