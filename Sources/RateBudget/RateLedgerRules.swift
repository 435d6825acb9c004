import Foundation
import LunasClock

/// The bounds and time arithmetic of a slot reservation, the same for every ``RateLedger``
/// (the stores' and ``MemoryRateLedger``). Times are milliseconds since 1970.
package enum RateLedgerRules {
    /// Slots older than this are deleted (longer than any window Scalev uses).
    package static let retention: Int64 = 24 * 3600 * 1000

    /// What is out of bounds in `request`, or `nil` when a ledger can take it.
    package static func problem(with request: SlotRequest) -> String? {
        if request.count < 0 || request.count > 10_000 { return "slot count must be between 0 and 10000" }
        if request.releasing.count > 10_000 { return "at most 10000 slots can be released at once" }
        if request.recording.count > 10_000 { return "at most 10000 sends can be recorded at once" }
        if request.report < .zero || request.report.wholeMillisecondsRoundedUp > retention { return "a slot report reaches back at most 24 h" }
        if request.windows.isEmpty { return "a slot request needs at least one window" }
        if request.windows.contains(where: { $0.length <= .zero || $0.length.wholeMillisecondsRoundedUp > retention || $0.limit < 1 }) {
            return "a window needs a positive length up to 24 h and a positive limit"
        }
        return nil
    }

    /// The released slot times (rounded, so a granted time given back matches).
    package static func released(_ request: SlotRequest) -> [Int64] {
        request.releasing.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    /// The recorded send times, none later than `now`.
    package static func recorded(_ request: SlotRequest, now: Int64) -> [Int64] {
        request.recording.map { min(now, Int64(($0.timeIntervalSince1970 * 1000).rounded(.up))) }
    }

    /// The first allowed time, the last, and how far back existing slots matter.
    package static func bounds(_ request: SlotRequest, now: Int64) -> (start: Int64, latest: Int64, lookBack: Int64) {
        let start = max(now, request.notBefore.map(milliseconds) ?? now)
        let longest = request.windows.map { $0.length.wholeMillisecondsRoundedUp }.max() ?? 0
        return (start, now + request.horizon.wholeMillisecondsRoundedUp, min(start - longest, now - request.report.wholeMillisecondsRoundedUp))
    }

    /// The grant: the placed times and the slots later than now minus the report's reach.
    package static func grant(_ request: SlotRequest, now: Int64, planner: SlotPlanner, granted: [Int64]) -> SlotGrant {
        let since = now - request.report.wholeMillisecondsRoundedUp
        let recent = request.report > .zero ? planner.slots[planner.upperBound(since)...].map(date) : []
        let next = granted.count < request.count
            ? planner.earliest(from: max(bounds(request, now: now).start, granted.last ?? .min)).map(date) : nil
        return SlotGrant(times: granted.map(date), now: date(now), recent: recent, next: next)
    }

    /// A time in milliseconds (rounded down).
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The time `milliseconds` after 1970.
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
}
