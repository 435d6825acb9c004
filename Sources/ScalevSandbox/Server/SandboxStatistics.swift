import Synchronization

/// Requests served and 429s sent, per credential (or client address for browser traffic).
final class SandboxStatistics: Sendable {
    private let counts = Mutex<[String: (served: Int, limited: Int)]>([:])

    func record(key: String, limited: Bool) {
        counts.withLock { counts in
            var entry = counts[key] ?? (0, 0)
            if limited { entry.limited += 1 } else { entry.served += 1 }
            counts[key] = entry
        }
    }

    var json: JSONValue {
        counts.withLock { counts in
            .object(counts.mapValues { ["requests_served": .int($0.served), "rate_limited": .int($0.limited)] })
        }
    }

    func reset() { counts.withLock { $0.removeAll() } }
}
