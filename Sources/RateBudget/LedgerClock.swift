import Foundation

/// Maps the ledger's clock (SQLite: this machine's wall clock; PostgreSQL: the database
/// server's) onto this process's monotonic clock. Each reservation is a sample: the ledger's
/// time, taken between sending the request and receiving the answer. The sample with the
/// shortest round trip is kept (its error is at most half of it); a sample that disagrees by
/// more than both errors means the ledger's clock stepped, and replaces it. Slot times are mapped
/// when they arrive, so a wall clock that jumps later does not move slots already held.
struct LedgerClock {
    /// Where milliseconds are counted from on the monotonic clock.
    let base: ContinuousClock.Instant
    /// Ledger milliseconds minus local milliseconds since `base`.
    private(set) var offset: Double?
    private var roundTrip = 0.0
    private var sampledAt = 0.0

    init(base: ContinuousClock.Instant) {
        self.base = base
    }

    func local(_ instant: ContinuousClock.Instant) -> Double { (instant - base).secondsValue * 1000 }

    mutating func sample(ledgerNow: Date, sent: ContinuousClock.Instant, received: ContinuousClock.Instant) {
        let trip = local(received) - local(sent)
        let measured = ledgerNow.timeIntervalSince1970 * 1000 - (local(sent) + local(received)) / 2
        guard let current = offset else {
            (offset, roundTrip, sampledAt) = (measured, trip, local(received))
            return
        }
        let stepped = abs(measured - current) > (trip + roundTrip) / 2 + 5
        let stale = local(received) - sampledAt > 30_000
        if stepped || stale || trip <= roundTrip {
            (offset, roundTrip, sampledAt) = (measured, trip, local(received))
        }
    }

    /// The local instant of a ledger time.
    func instant(of date: Date) -> ContinuousClock.Instant {
        let offset = offset ?? (Date().timeIntervalSince1970 * 1000 - local(.now))
        return base + .milliseconds(Int64((date.timeIntervalSince1970 * 1000 - offset).rounded(.up)))
    }

    /// The ledger time of a local instant.
    func date(of instant: ContinuousClock.Instant) -> Date {
        let offset = offset ?? (Date().timeIntervalSince1970 * 1000 - local(.now))
        return Date(timeIntervalSince1970: (local(instant) + offset) / 1000)
    }
}
