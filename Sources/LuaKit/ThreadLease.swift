import Synchronization

/// A claim on the threads of a ``LuaExecutor`` or a ``Watchdog``: they run while any lease is
/// held, and stop when the last one is released.
///
/// Take one where an owner starts using the threads (a runtime's `init`) and release it where
/// it stops (its `shutdown`):
///
/// ```swift
/// let lease = LuaExecutor.shared.lease()
/// // … runs …
/// lease.release() // the last lease: the executor's threads end and are joined
/// ```
///
/// Releasing is idempotent, and a lease that is dropped unreleased is released then.
public final class ThreadLease: Sendable {
    private let end: Mutex<(@Sendable () -> Void)?>

    init(end: @escaping @Sendable () -> Void) {
        self.end = Mutex(end)
    }

    /// Gives the lease back. Releasing the last lease stops the threads: idle (no run of anyone's
    /// on them), they end and are joined before this returns; otherwise they end on their own
    /// once the work they hold is done. A later lease, or later work, starts them again.
    public func release() {
        let end = self.end.withLock { end in
            defer { end = nil }
            return end
        }
        end?()
    }

    deinit { release() }
}
