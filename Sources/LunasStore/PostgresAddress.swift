import Foundation

/// The parts of a `postgres://user:password@host:port/database?sslmode=...` URL.
struct PostgresAddress: Sendable {
    /// How the connection uses TLS (`sslmode`).
    enum TLSMode: Sendable {
        case disable, prefer, require
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String?
    var tls: TLSMode

    init(url: String) throws {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else {
            throw StoreError.unsupportedLocation(url)
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        switch query["sslmode"] ?? "disable" {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer
        default: tls = .require
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        self.host = host
        self.port = parts.port ?? 5432
        self.username = parts.user?.removingPercentEncoding ?? "postgres"
        self.password = parts.password?.removingPercentEncoding
        self.database = database.isEmpty ? nil : database
    }
}
