import Foundation
import Synchronization

/// A clock for tests: time stands still until ``advance(by:)`` or ``advance(to:)`` moves it, and
/// a step of time is over only when the work it woke has run until idle.
///
/// Idle is known, not guessed: the clock counts its own tasks (those started with
/// ``spawn(_:)``) as busy from the moment they are started or woken until each has ended, sleeps
/// on the clock again or waits in ``waitForEvent(isolation:body:)``. A step returns when that count is zero,
/// so the library's timers, ledger refills and purges — and a test's own tasks started with
/// ``spawn(_:)`` — have all done what the new time lets them do. (A task started with `Task {}`
/// from such work inherits its bookkeeping without being counted: start it with ``spawn(_:)``.)
///
/// Both time lines start at the moment the clock is made (wall time: `start`) and advance
/// together.
public final class TestClock: WallClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let tracked: Bool
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var elapsed: Duration = .zero
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
        /// Tasks of this clock that are running (neither ended nor waiting on the clock).
        var busy = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var sleeperWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        /// The continuations to resume once the lock is let go: everyone waiting for idle, if idle.
        mutating func settled() -> [CheckedContinuation<Void, Never>] {
            guard busy == 0 else { return [] }
            defer { idleWaiters = [] }
            return idleWaiters
        }

        /// The continuations to resume once the lock is let go: everyone waiting for as many
        /// sleepers as sleep now.
        mutating func slept() -> [CheckedContinuation<Void, Never>] {
            let ready = sleeperWaiters.filter { $0.count <= sleepers.count }
            sleeperWaiters.removeAll { $0.count <= sleepers.count }
            return ready.map(\.continuation)
        }
    }

    /// The clock whose task is running, set by ``spawn(_:)``.
    @TaskLocal private static var owner: ObjectIdentifier?

    private let state = Mutex(State())
    private let start: Date
    private let origin: ContinuousClock.Instant

    /// A clock whose wall time starts at `start`.
    public init(start: Date = Date()) {
        self.start = start
        self.origin = .now
    }

    public func now() -> Date { start.addingTimeInterval(elapsed().secondsValue) }

    public func instant() -> ContinuousClock.Instant { origin + elapsed() }

    public var isSystemTime: Bool { false }

    /// How much time the test let pass.
    public func elapsed() -> Duration { state.withLock { $0.elapsed } }

    /// The earliest instant a task sleeps until, if one sleeps.
    public var nextDeadline: ContinuousClock.Instant? {
        state.withLock { $0.sleepers.map(\.deadline).min() }
    }

    private var isOwnTask: Bool { Self.owner == ObjectIdentifier(self) }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        let tracked = isOwnTask
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // The cancellation handler runs after the task's flag is set, and takes the lock:
                // a sleeper is either seen cancelled here or found by the handler.
                let (outcome, idle): (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
                    if Task.isCancelled { return (.failure(CancellationError()), []) }
                    if deadline <= origin + state.elapsed { return (.success(()), []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, tracked: tracked, continuation: continuation))
                    if tracked { state.busy -= 1 }
                    return (nil, state.settled() + state.slept())
                }
                for waiter in idle { waiter.resume() }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                let sleeper = state.sleepers.remove(at: index)
                if sleeper.tracked { state.busy += 1 }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    @discardableResult
    public func spawn(_ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        state.withLock { $0.busy += 1 }
        let me = ObjectIdentifier(self)
        return Task.detached {
            await Self.$owner.withValue(me) { await operation() }
            self.ended()
        }
    }

    /// Starts `operation` as a task of this clock, as ``spawn(_:)`` does, and returns it, to
    /// await its result (a test's call that must wait for time to pass).
    public func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) -> Task<T, any Error> {
        state.withLock { $0.busy += 1 }
        let me = ObjectIdentifier(self)
        return Task.detached {
            defer { self.ended() }
            return try await Self.$owner.withValue(me) { try await operation() }
        }
    }

    public func waitForEvent<T: Sendable>(isolation: isolated (any Actor)?, body: (ClockContinuation<T>) -> Void) async throws -> T {
        guard isOwnTask else { return try await withCheckedThrowingContinuation(isolation: isolation) { body(ClockContinuation($0)) } }
        return try await withCheckedThrowingContinuation(isolation: isolation) { continuation in
            body(ClockContinuation(continuation) { [self] in state.withLock { $0.busy += 1 } })
            // After `body`: if it resumed at once, the count went up first and never reads idle.
            ended()
        }
    }

    /// One of the clock's tasks stopped running (ended, or waits for an event).
    private func ended() {
        let idle = state.withLock { state in
            state.busy -= 1
            return state.settled()
        }
        for waiter in idle { waiter.resume() }
    }

    /// Waits until every task of the clock has ended or waits on it.
    public func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                guard state.busy > 0 else { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Waits until at least `count` tasks sleep on the clock (work that got as far as waiting for
    /// time to pass).
    public func waitForSleepers(_ count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                guard state.sleepers.count < count else { return true }
                state.sleeperWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Moves time forward by `duration` (see ``advance(to:)``).
    public func advance(by duration: Duration) async {
        await advance(to: instant() + duration)
    }

    /// Moves time forward to `deadline`: first lets the work running now go idle, then wakes the
    /// sleepers due, in deadline order — time stands at each one's deadline while the work it
    /// woke runs until idle — and ends at `deadline`. Never moves time back.
    public func advance(to deadline: ContinuousClock.Instant) async {
        await waitUntilIdle()
        while let due = wakeNext(notAfter: deadline) {
            for sleeper in due { sleeper.continuation.resume() }
            await waitUntilIdle()
        }
    }

    /// Moves time from one sleeper's deadline to the next until `done` says so, for at most
    /// `limit` of time; whether `done` said so (false also when nothing sleeps any more).
    public func advance(until done: @Sendable () -> Bool, within limit: Duration) async -> Bool {
        let end = instant() + limit
        await waitUntilIdle()
        while !done() {
            guard let next = nextDeadline, next <= end else { return false }
            await advance(to: next)
        }
        return true
    }

    /// Sets time to the earliest deadline not after `deadline` and removes its sleepers (in the
    /// order they slept), counting this clock's as busy; with none, sets time to `deadline`.
    private func wakeNext(notAfter deadline: ContinuousClock.Instant) -> [Sleeper]? {
        state.withLock { state in
            guard let first = state.sleepers.map(\.deadline).min(), first <= deadline else {
                state.elapsed = max(state.elapsed, deadline - origin)
                return nil
            }
            state.elapsed = max(state.elapsed, first - origin)
            let due = state.sleepers.filter { $0.deadline == first }.sorted { $0.id < $1.id }
            state.sleepers.removeAll { $0.deadline == first }
            state.busy += due.count { $0.tracked }
            return due
        }
    }
}

private extension Duration {
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
