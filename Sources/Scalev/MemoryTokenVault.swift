import Foundation

/// A token vault in this process's memory: sessions that need no vault key and end with the
/// process (the sandbox's customer in `lunas run --sandbox`, tests). Its refresh lock holds
/// within the process only; a refresher waits for the one before it, however long it takes.
public actor MemoryTokenVault: TokenVault {
    private var secrets: [String: Data] = [:]
    private var refreshing: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// An empty vault.
    public init() {}

    public func secret(_ name: String) -> Data? { secrets[name] }

    public func save(_ name: String, secret: Data) { secrets[name] = secret }

    public func delete(_ name: String) -> Bool { secrets.removeValue(forKey: name) != nil }

    public func withRefreshLock(
        _ name: String, lease: Duration, wait: Duration, _ body: @Sendable (Data?) async throws -> Data
    ) async throws -> Data {
        while refreshing.contains(name) {
            await withCheckedContinuation { waiting[name, default: []].append($0) }
        }
        refreshing.insert(name)
        defer {
            refreshing.remove(name)
            for waiter in waiting.removeValue(forKey: name) ?? [] { waiter.resume() }
        }
        let next = try await body(secrets[name])
        secrets[name] = next
        return next
    }
}
