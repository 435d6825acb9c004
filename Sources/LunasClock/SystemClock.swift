import Foundation

/// The machine's clocks: `Date()` for wall time, `ContinuousClock` for the monotonic line.
public struct SystemClock: WallClock {
    /// The system clock.
    public init() {}

    public func now() -> Date { Date() }

    public func instant() -> ContinuousClock.Instant { .now }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }

    @discardableResult
    public func spawn(_ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task.detached { await operation() }
    }

    public func waitForEvent<T: Sendable>(isolation: isolated (any Actor)?, body: (ClockContinuation<T>) -> Void) async throws -> T {
        try await withCheckedThrowingContinuation(isolation: isolation) { body(ClockContinuation($0)) }
    }

    public var isSystemTime: Bool { true }
}
