import Foundation
import LunasStore
import Synchronization

/// A fresh store for one test: a new SQLite file in a temporary folder, or the throwaway
/// PostgreSQL database with a namespace no other test uses.
///
/// ```swift
/// try await StoreFixture.with(.sqlite) { fixture in
///     try await fixture.store.set("greeting", to: "hello", in: fixture.namespace)
/// }
/// ```
///
/// ``with(_:options:_:)`` closes the store and removes its files when its body returns or
/// throws. A fixture from ``open(_:options:)`` is closed by ``close()``, or by the ``TestScope``
/// of the test that opened it.
public final class StoreFixture: Sendable {
    /// The open store.
    public let store: any Store
    /// A namespace of this fixture's own.
    public let namespace: String
    /// Where the store is.
    public let location: StoreLocation
    /// The temporary folder of a SQLite store, removed by ``close()``.
    public let folder: URL?
    private let reopened = Mutex<[any Store]>([])
    private let closed = Mutex(false)

    private init(store: any Store, namespace: String, location: StoreLocation, folder: URL?) {
        self.store = store
        self.namespace = namespace
        self.location = location
        self.folder = folder
    }

    /// Opens a fresh store of `backend`; handed to the running test's ``TestScope``, if any.
    public static func open(_ backend: StoreBackend, options: StoreOptions = StoreBackend.testOptions) async throws -> StoreFixture {
        let namespace = "test-\(UUID().uuidString.prefix(12))"
        var folder: URL?
        if case .sqlite = backend {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-store-\(UUID().uuidString)")
        }
        let location = try backend.location(in: folder ?? FileManager.default.temporaryDirectory)
        let store: any Store
        do {
            store = try await location.open(options: options)
        } catch {
            if let folder { try? FileManager.default.removeItem(at: folder) }
            throw error
        }
        let fixture = StoreFixture(store: store, namespace: namespace, location: location, folder: folder)
        TestScope.adopt { try await fixture.close() }
        return fixture
    }

    /// Runs `body` with a fresh fixture and closes it afterwards, also when `body` throws;
    /// rethrows what `body` or closing threw.
    public static func with<Result>(
        _ backend: StoreBackend, options: StoreOptions = StoreBackend.testOptions, _ body: (StoreFixture) async throws -> Result
    ) async throws -> Result {
        let fixture = try await open(backend, options: options)
        return try await afterwards { try await body(fixture) } teardown: { try await fixture.close() }
    }

    /// Another connection to the same database (another pool, as another process would have);
    /// ``close()`` closes it too.
    public func reopen(options: StoreOptions = StoreBackend.testOptions) async throws -> any Store {
        let store = try await location.open(options: options)
        reopened.withLock { $0.append(store) }
        return store
    }

    /// Closes the store and every reopened one, then removes the folder. Later calls do nothing.
    public func close() async throws {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        for other in reopened.withLock({ $0 }) { await other.close() }
        await store.close()
        if let folder { try FileManager.default.removeItem(at: folder) }
    }
}
