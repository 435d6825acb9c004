import LunasClock

/// A run's deadline as `sleep` and `deadline_remaining` read it: the time gone is the larger of
/// what passed on the machine's monotonic clock and what passed on the runtime's clock
/// (``RuntimeConfiguration/clock``) since the run started — the same with the system clock; with
/// a test's ``TestClock`` the virtual time the test let pass counts too, so that a sleep of 3 s
/// under it leaves 3 s less. (The watchdog that ends a run at its deadline keeps real time only.)
struct RunDeadline: Sendable {
    /// The run's deadline; `nil` for none.
    let limit: Duration?
    /// When the run started, on the machine's monotonic clock.
    let started: ContinuousClock.Instant
    /// The runtime's clock, and when the run started on it.
    let clock: any WallClock
    let clockStarted: ContinuousClock.Instant

    init(limit: Duration?, started: ContinuousClock.Instant, clock: any WallClock) {
        self.limit = limit
        self.started = started
        self.clock = clock
        self.clockStarted = clock.instant()
    }

    /// The time gone since the run started.
    func elapsed() -> Duration {
        max(ContinuousClock.now - started, clock.instant() - clockStarted)
    }

    /// The time left before the deadline (never negative); `nil` without one.
    func remaining() -> Duration? {
        limit.map { max(.zero, $0 - elapsed()) }
    }
}
