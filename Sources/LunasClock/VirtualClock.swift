import Foundation
import Synchronization

/// A clock whose time moves only when told to: ``advance(by:)`` moves it, and a task that sleeps
/// on it moves it to its deadline at once instead of waiting. What `lunas test` runs a spec on, so
/// that a rule's `after("2h", ...)`, `os.time` and the sandbox's clock all read one time line
/// that the spec moves (`t.rules.advance("2h")`) and that no test ever waits for.
///
/// The time can live elsewhere — a local Scalev sandbox's simulated clock: `read` gives it and
/// `move` advances it, so the two can never disagree.
public final class VirtualClock: WallClock {
    private let read: @Sendable () -> Double
    private let move: @Sendable (Double) -> Void
    private let start: Double
    private let origin: ContinuousClock.Instant

    /// A clock over a time kept elsewhere: `read` answers it in seconds since 1970, `move`
    /// advances it by a number of seconds (never negative).
    public init(read: @escaping @Sendable () -> Double, move: @escaping @Sendable (Double) -> Void) {
        self.read = read
        self.move = move
        self.start = read()
        self.origin = .now
    }

    /// A clock of its own that starts at `start`.
    public convenience init(start: Date = Date()) {
        let offset = Mutex(0.0)
        let base = start.timeIntervalSince1970
        self.init(read: { base + offset.withLock { $0 } }, move: { seconds in offset.withLock { $0 += seconds } })
    }

    public func now() -> Date { Date(timeIntervalSince1970: read()) }

    public func instant() -> ContinuousClock.Instant { origin + .seconds(read() - start) }

    public var isSystemTime: Bool { false }

    /// Moves the time forward by `seconds` (a negative or non-finite number moves nothing).
    public func advance(by seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        move(seconds)
    }

    /// Moves the time forward to `date`, if it is later than now.
    public func advance(to date: Date) {
        advance(by: date.timeIntervalSince1970 - read())
    }

    /// Returns at once, the time moved forward to `deadline` (unless it has passed).
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try Task.checkCancellation()
        let left = deadline - instant()
        if left > .zero {
            let (seconds, attoseconds) = left.components
            advance(by: Double(seconds) + Double(attoseconds) / 1e18)
        }
    }

    @discardableResult
    public func spawn(_ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task.detached { await operation() }
    }

    public func waitForEvent<T: Sendable>(isolation: isolated (any Actor)?, body: (ClockContinuation<T>) -> Void) async throws -> T {
        try await withCheckedThrowingContinuation(isolation: isolation) { body(ClockContinuation($0)) }
    }
}
