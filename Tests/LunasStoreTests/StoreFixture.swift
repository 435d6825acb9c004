import Foundation
import LunasStore
import Testing

/// The backends every shared test runs against.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when `LUNAS_TEST_POSTGRES_URL` is set.
    static var available: [Backend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["LUNAS_TEST_POSTGRES_URL"]
        return url?.isEmpty == false ? url : nil
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}

/// A fresh store for one test: a new SQLite file in a temporary folder, or the test PostgreSQL
/// database with a namespace no other test uses.
struct StoreFixture: Sendable {
    let store: any Store
    let namespace: String
    let folder: URL?
    let location: StoreLocation

    static func open(_ backend: Backend, options: StoreOptions = StoreOptions(purgeInterval: nil)) async throws -> StoreFixture {
        let namespace = "test-\(UUID().uuidString.prefix(12))"
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let location = StoreLocation.sqlite(path: folder.appendingPathComponent("lunas.db").path)
            return StoreFixture(store: try await location.open(options: options), namespace: namespace, folder: folder, location: location)
        case .postgres:
            let url = try #require(Backend.postgresURL, "LUNAS_TEST_POSTGRES_URL is not set")
            let location = StoreLocation.postgres(url: url)
            return StoreFixture(store: try await location.open(options: options), namespace: namespace, folder: nil, location: location)
        }
    }

    /// Another connection to the same database (another pool, as another process would have).
    func reopen(options: StoreOptions = StoreOptions(purgeInterval: nil)) async throws -> any Store {
        try await location.open(options: options)
    }

    func close() async {
        await store.close()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }
}

/// Runs `body` with a fresh fixture and closes it afterwards, even when the body throws.
func withStore(_ backend: Backend, options: StoreOptions = StoreOptions(purgeInterval: nil), _ body: (StoreFixture) async throws -> Void) async throws {
    let fixture = try await StoreFixture.open(backend, options: options)
    do {
        try await body(fixture)
    } catch {
        await fixture.close()
        throw error
    }
    await fixture.close()
}
