import ScalevModel
import Synchronization

/// Requests served and 429s sent, per credential (or client address for browser traffic), and
/// when each of the last requests was served (for measuring a client's use of its windows).
final class SandboxStatistics: Sendable {
    private struct Counts {
        var served = 0
        var limited = 0
        var servedAt: [Double] = []
    }

    /// The most send times kept per key.
    static let logLimit = 100_000

    private let counts = Mutex<[String: Counts]>([:])

    func record(key: String, limited: Bool, at now: Double) {
        counts.withLock { counts in
            var entry = counts[key] ?? Counts()
            if limited {
                entry.limited += 1
            } else {
                entry.served += 1
                if entry.servedAt.count == Self.logLimit { entry.servedAt.removeFirst(Self.logLimit / 10) }
                entry.servedAt.append(now)
            }
            counts[key] = entry
        }
    }

    var json: JSON {
        counts.withLock { counts in
            .object(counts.mapValues { ["requests_served": .int($0.served), "rate_limited": .int($0.limited)] })
        }
    }

    /// The times (sandbox clock, epoch seconds) of the requests served, per key, oldest first.
    var servedTimes: JSON {
        counts.withLock { counts in .object(counts.mapValues { .array($0.servedAt.map(JSON.double)) }) }
    }

    func reset() { counts.withLock { $0.removeAll() } }
}
