import Foundation

/// The checks and time bounds of a slot reservation, shared by both backends.
enum RateLedgerRules {
    /// Slots older than this are deleted (longer than any window Scalev uses).
    static let retention: Int64 = 24 * 3600 * 1000

    static func check(_ request: SlotRequest) throws {
        try KVNames.checkKey(request.credential)
        if request.count < 0 || request.count > 10_000 { throw StoreError.invalidArgument("slot count must be between 0 and 10000") }
        if request.releasing.count > 10_000 { throw StoreError.invalidArgument("at most 10000 slots can be released at once") }
        if request.recording.count > 10_000 { throw StoreError.invalidArgument("at most 10000 sends can be recorded at once") }
        if request.report < .zero || request.report.wholeMilliseconds > retention { throw StoreError.invalidArgument("a slot report reaches back at most 24 h") }
        if request.windows.isEmpty { throw StoreError.invalidArgument("a slot request needs at least one window") }
        for window in request.windows where window.length <= .zero || window.length.wholeMilliseconds > retention || window.limit < 1 {
            throw StoreError.invalidArgument("a window needs a positive length up to 24 h and a positive limit")
        }
    }

    /// The released slot times in milliseconds (rounded, so a granted time given back matches).
    static func released(_ request: SlotRequest) -> [Int64] {
        request.releasing.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    /// The recorded send times in milliseconds, none later than `now`.
    static func recorded(_ request: SlotRequest, now: Int64) -> [Int64] {
        request.recording.map { min(now, Int64(($0.timeIntervalSince1970 * 1000).rounded(.up))) }
    }

    /// The first allowed time, the last, and how far back existing slots matter.
    static func bounds(_ request: SlotRequest, now: Int64) -> (start: Int64, latest: Int64, lookBack: Int64) {
        let start = max(now, request.notBefore?.milliseconds ?? now)
        let longest = request.windows.map { $0.length.wholeMilliseconds }.max() ?? 0
        return (start, now + request.horizon.wholeMilliseconds, min(start - longest, now - request.report.wholeMilliseconds))
    }

    /// The grant: the placed times and the slots later than now minus the report's reach.
    static func grant(_ request: SlotRequest, now: Int64, planner: SlotPlanner, granted: [Int64]) -> SlotGrant {
        let since = now - request.report.wholeMilliseconds
        let recent = request.report > .zero ? planner.slots[planner.upperBound(since)...].map { Date(milliseconds: $0) } : []
        return SlotGrant(times: granted.map { Date(milliseconds: $0) }, now: Date(milliseconds: now), recent: recent)
    }
}
