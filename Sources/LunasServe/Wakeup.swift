import LunasClock
import Synchronization

/// A loop's wake-up call: ``signal()`` ends the current or the next ``wait(atMost:clock:)``;
/// signals that arrive while nobody waits are kept as one.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation = 0
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    /// Wakes the waiter, or the next one.
    func signal() {
        let (waiter, timer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Task<Void, Never>?) in
            guard let waiter = state.waiter else {
                state.pending = true
                return (nil, nil)
            }
            state.waiter = nil
            state.generation += 1
            defer { state.timer = nil }
            return (waiter, state.timer)
        }
        timer?.cancel()
        waiter?.resume()
    }

    /// Returns at a signal, or once `timeout` has passed on `clock`, or when the task is cancelled.
    func wait(atMost timeout: Duration, clock: any WallClock) async {
        let deadline = clock.instant() + timeout
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let generation = state.withLock { state -> Int? in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return nil
                    }
                    state.waiter = continuation
                    return state.generation
                }
                guard let generation else { return continuation.resume() }
                let timer = clock.spawn { [self] in
                    guard (try? await clock.sleep(until: deadline)) != nil else { return }
                    self.expire(generation)
                }
                let stale = state.withLock { state -> Bool in
                    guard state.generation == generation else { return true }
                    state.timer = timer
                    return false
                }
                if stale { timer.cancel() }
            }
        } onCancel: {
            signal()
        }
    }

    private func expire(_ generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.timer = nil
            state.generation += 1
            return waiter
        }
        waiter?.resume()
    }
}
