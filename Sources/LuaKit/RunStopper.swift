import CLua
import Synchronization

/// Stops one run from any thread: sets the sticky stop flag, arms the stop hook on the running
/// coroutine, and fails the async host call the run is waiting on.
final class RunStopper: Sendable {
    private struct State: @unchecked Sendable {
        var control: UnsafeMutablePointer<clua_control>?
        var reason: Int32 = 0
        var waiter: CheckedContinuation<Result<[LuaValue], any Error>, Never>?
        var operation: Task<Void, Never>?
    }

    private let state: Mutex<State>

    init(control: UnsafeMutablePointer<clua_control>) {
        state = Mutex(State(control: control))
    }

    /// The reason the run was stopped (`CLUA_STOP_*`), 0 while it runs.
    var reason: Int32 { state.withLock { $0.reason } }

    func stop(_ reason: Int32) {
        let (waiter, operation): (CheckedContinuation<Result<[LuaValue], any Error>, Never>?, Task<Void, Never>?) =
            state.withLock { s in
                guard s.reason == 0 else { return (nil, nil) }
                s.reason = reason
                if let control = s.control { clua_stop(control, reason) }
                defer { s.waiter = nil; s.operation = nil }
                return (s.waiter, s.operation)
            }
        operation?.cancel()
        waiter?.resume(returning: .failure(CancellationError()))
    }

    /// Forgets the state: after this, stopping touches nothing (the state may be closed).
    func detach() {
        state.withLock { $0.control = nil }
    }

    /// Runs an async host call, unless and until the run is stopped.
    ///
    /// The call runs in a task of its own, so that a stop ends the wait at once even when the
    /// call ignores cancellation. That task starts immediately on the calling thread (no hop
    /// to another thread to begin, and a call that completes without suspending costs no
    /// thread switch at all) and resumes on `executor` after it suspends; when it ends there,
    /// the run continues on the same thread.
    func race(on executor: LuaExecutor, _ operation: @escaping @Sendable () async throws -> [LuaValue]) async -> Result<[LuaValue], any Error> {
        await withCheckedContinuation { continuation in
            let stopped = state.withLock { s -> Bool in
                guard s.reason == 0 else { return true }
                s.waiter = continuation
                return false
            }
            if stopped {
                continuation.resume(returning: .failure(CancellationError()))
                return
            }
            let task = Task.immediate(executorPreference: executor) { [self] in
                let result: Result<[LuaValue], any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                let waiter = self.state.withLock { s in
                    defer { s.waiter = nil; s.operation = nil }
                    return s.waiter
                }
                // the run continues on this thread once this task ends: no wake-up of another
                executor.handingOff { waiter?.resume(returning: result) }
            }
            // a stop that came while the call ran its first, synchronous part found no task to
            // cancel: cancel it now, so that the call does not go on waiting for nothing
            let stoppedMeanwhile = state.withLock { s -> Bool in
                if s.waiter != nil { s.operation = task }
                return s.reason != 0
            }
            if stoppedMeanwhile { task.cancel() }
        }
    }
}
