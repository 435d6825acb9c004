import Foundation
import LunasStore
import Testing

/// The databases a store test runs against: a SQLite file, or a throwaway PostgreSQL database.
public enum StoreBackend: Sendable, Hashable, CustomStringConvertible, CustomTestStringConvertible {
    /// A fresh SQLite file in a temporary folder.
    case sqlite
    /// The PostgreSQL database at `url`, shared by the tests of a run (each test keeps to
    /// namespaces of its own).
    case postgres(url: String)

    /// SQLite always, PostgreSQL too when `postgresURL` names a database.
    public static func available(postgresURL: String?) -> [StoreBackend] {
        guard let postgresURL, !postgresURL.isEmpty else { return [.sqlite] }
        return [.sqlite, .postgres(url: postgresURL)]
    }

    /// Where a store of this backend lives: `lunas.db` in `folder` (created if missing), or the
    /// PostgreSQL database.
    public func location(in folder: URL) throws -> StoreLocation {
        switch self {
        case .sqlite:
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return .sqlite(path: folder.appendingPathComponent("lunas.db").path)
        case .postgres(let url):
            return .postgres(url: url)
        }
    }

    /// The options tests open stores with: no background purge, and 30 s to connect — a test
    /// machine running many suites at once may be slow to answer; the 5 s a real run waits is
    /// tested on its own.
    public static let testOptions = StoreOptions(purgeInterval: nil, connectTimeout: .seconds(30))

    /// A store of this backend in `folder`, opened on first use.
    public func onDemandStore(in folder: URL, options: StoreOptions = StoreBackend.testOptions) throws -> OnDemandStore {
        OnDemandStore(location: try location(in: folder), options: options)
    }

    /// `sqlite` or `postgres`, never the URL (it may hold a password).
    public var description: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// The name a test case shows: ``description``.
    public var testDescription: String { description }
}
