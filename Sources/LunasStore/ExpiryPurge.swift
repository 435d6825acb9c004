import LunasClock

/// The background loop both stores run to delete expired keys and locks (they are invisible
/// from the moment they expire; this only reclaims their space).
enum ExpiryPurge {
    /// Calls `purge` every `interval` of `clock` until cancelled or until `purge` says the store
    /// is gone.
    static func start(every interval: Duration, clock: any WallClock, _ purge: @escaping @Sendable () async -> Bool) -> Task<Void, Never> {
        clock.spawn {
            while !Task.isCancelled {
                try? await clock.sleep(for: interval)
                guard !Task.isCancelled, await purge() else { return }
            }
        }
    }
}
