import Foundation
import LunasSchedule
import Testing

/// The zones the tests read, by name; a missing one fails the test rather than crashing it.
func zone(_ identifier: String) throws -> TimeZone {
    try TimeZone.iana(identifier)
}

/// An instant from ISO 8601 with an offset, like `2026-12-02T14:45:00+07:00`.
func instant(_ text: String) throws -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return try #require(formatter.date(from: text), "not an ISO 8601 instant: \(text)")
}

/// The next `count` fire times of `spec` after `from`, written as the CLI writes them.
func fires(_ spec: String, from: String, in zoneName: String = "Asia/Jakarta", count: Int = 5) throws -> [String] {
    let zone = try zone(zoneName)
    return try CronSpec(parsing: spec).next(after: instant(from), in: zone, count: count).map { $0.iso8601(in: zone) }
}

/// The message of the error that parsing `spec` throws, or nil when it parses.
func parseError(_ spec: String) -> String? {
    do {
        _ = try CronSpec(parsing: spec)
        return nil
    } catch {
        return error.description
    }
}

/// A reproducible stream of numbers for the property tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
