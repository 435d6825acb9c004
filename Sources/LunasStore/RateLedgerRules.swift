/// The checks and time bounds of a slot reservation, shared by both backends.
enum RateLedgerRules {
    /// Slots older than this are deleted (longer than any window Scalev uses).
    static let retention: Int64 = 24 * 3600 * 1000

    static func check(_ request: SlotRequest) throws {
        try KVNames.checkKey(request.credential)
        if request.count < 0 || request.count > 10_000 { throw StoreError.invalidArgument("slot count must be between 0 and 10000") }
        if request.windows.isEmpty { throw StoreError.invalidArgument("a slot request needs at least one window") }
        for window in request.windows where window.length <= .zero || window.length.wholeMilliseconds > retention || window.limit < 1 {
            throw StoreError.invalidArgument("a window needs a positive length up to 24 h and a positive limit")
        }
    }

    /// The first allowed time, the last, and how far back existing slots matter.
    static func bounds(_ request: SlotRequest, now: Int64) -> (start: Int64, latest: Int64, lookBack: Int64) {
        let start = max(now, request.notBefore?.milliseconds ?? now)
        let longest = request.windows.map { $0.length.wholeMilliseconds }.max() ?? 0
        return (start, now + request.horizon.wholeMilliseconds, start - longest)
    }
}
