/// The background loop both stores run to delete expired keys and locks (they are invisible
/// from the moment they expire; this only reclaims their space).
enum ExpiryPurge {
    /// Calls `purge` every `interval` until cancelled or until `purge` says the store is gone.
    static func start(every interval: Duration, _ purge: @escaping @Sendable () async -> Bool) -> Task<Void, Never> {
        Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, await purge() else { return }
            }
        }
    }
}
