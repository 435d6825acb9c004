import LunasStore
import LunasTesting

/// The backends every shared test runs against (``StoreBackend/available``).
typealias Backend = StoreBackend

extension StoreBackend {
    static var isCI: Bool { TestEnvironment.current.isCI }
}

/// Runs `body` with a fresh fixture and closes it afterwards, even when the body throws.
func withStore(_ backend: Backend, options: StoreOptions = StoreBackend.testOptions, _ body: (StoreFixture) async throws -> Void) async throws {
    try await StoreFixture.with(backend, options: options, body)
}
