import Foundation

/// The time Lunas reads: wall time (what the store writes and the ledger shares) and a monotonic
/// time line (what waits are measured and timed on), with sleeping until an instant of it.
///
/// Library code takes a clock as a value: ``SystemClock`` in production, ``TestClock`` in tests,
/// where time passes only when the test says so. Both lines advance together; only the wall
/// clock may jump (the system's can be set; a ledger's clock on another machine can differ).
public protocol WallClock: Sendable {
    /// The wall time now.
    func now() -> Date
    /// Now on the monotonic time line.
    func instant() -> ContinuousClock.Instant
    /// Suspends until `deadline` on the monotonic line; throws `CancellationError` when the task
    /// is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
    /// Starts `operation` in a new task whose work belongs to this clock: a ``TestClock`` waits
    /// for such tasks (until each has ended or waits on it again) before a step of time is over.
    @discardableResult
    func spawn(_ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never>
    /// Suspends the current task until the continuation given to `body` is resumed: a wait for
    /// an event rather than an instant. A ``TestClock`` counts a task of its own as idle while it
    /// waits here, and busy again from the moment the continuation is resumed.
    func waitForEvent<T: Sendable>(isolation: isolated (any Actor)?, body: (ClockContinuation<T>) -> Void) async throws -> T
    /// Whether this is the machine's real time. A store whose database keeps its own clock
    /// (PostgreSQL's, the one every machine shares) reads that one instead, unless the clock is
    /// a test's.
    var isSystemTime: Bool { get }
}

extension WallClock {
    /// Milliseconds since 1970 now, rounded down: the store's unit of time.
    public func nowMilliseconds() -> Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// ``waitForEvent(isolation:body:)`` from the caller's isolation.
    public func waitForEvent<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (ClockContinuation<T>) -> Void
    ) async throws -> T {
        try await waitForEvent(isolation: isolation, body: body)
    }

    /// Suspends for `duration` on the monotonic line; throws `CancellationError` when cancelled.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: instant() + duration)
    }
}
