import Foundation
import LunasClock

/// Maps the ledger's clock (SQLite: this machine's wall clock; PostgreSQL: the database
/// server's) onto this process's monotonic clock. Each reservation is a sample: the ledger's
/// time, taken between sending the request and receiving the answer.
///
/// When the samples agree with this machine's wall clock (the same clock, or one kept in step),
/// the wall clock's own offset is used: exact, with no round trip in it. Otherwise the sample
/// with the shortest round trip is kept (its error is at most half of it; a sample that disagrees
/// by more than both errors means the ledger's clock stepped, and replaces it). Slot times are
/// mapped when they arrive, so a clock that jumps later does not move slots already held.
struct LedgerClock {
    /// Where milliseconds are counted from on the monotonic clock.
    let base: ContinuousClock.Instant
    private let clock: any WallClock
    private var offset: Double?
    private var roundTrip = 0.0
    private var wallAligned = false

    /// Counting from `base` on `clock`'s monotonic line, whose wall time is "this machine's".
    init(base: ContinuousClock.Instant, clock: any WallClock) {
        self.base = base
        self.clock = clock
    }

    private func local(_ instant: ContinuousClock.Instant) -> Double { (instant - base).secondsValue * 1000 }

    /// This machine's wall clock minus the monotonic clock, in milliseconds.
    private func wallOffset() -> Double { clock.now().timeIntervalSince1970 * 1000 - local(clock.instant()) }

    mutating func sample(ledgerNow: Date, sent: ContinuousClock.Instant, received: ContinuousClock.Instant) {
        let trip = local(received) - local(sent)
        let measured = ledgerNow.timeIntervalSince1970 * 1000 - (local(sent) + local(received)) / 2
        wallAligned = abs(measured - wallOffset()) <= trip / 2 + 2
        guard let current = offset, !wallAligned else {
            (offset, roundTrip) = (measured, trip)
            return
        }
        if abs(measured - current) > (trip + roundTrip) / 2 + 2 || trip <= roundTrip {
            (offset, roundTrip) = (measured, trip)
        }
    }

    /// Ledger milliseconds minus local milliseconds.
    private var currentOffset: Double { wallAligned ? wallOffset() : offset ?? wallOffset() }

    /// The local instant of a ledger time.
    func instant(of date: Date) -> ContinuousClock.Instant {
        base + .milliseconds(Int64((date.timeIntervalSince1970 * 1000 - currentOffset).rounded(.up)))
    }

    /// The ledger time of a local instant.
    func date(of instant: ContinuousClock.Instant) -> Date {
        Date(timeIntervalSince1970: (local(instant) + currentOffset) / 1000)
    }
}
