import Foundation

/// A dedicated thread that stops runs whose deadline has passed.
///
/// It costs nothing while runs are within their deadline: no hook is armed until it fires.
public final class Watchdog: @unchecked Sendable {
    private struct Entry {
        let id: UInt64
        let due: ContinuousClock.Instant
        let stopper: RunStopper
    }

    private let condition = NSCondition()
    private var entries: [Entry] = []
    private var nextID: UInt64 = 0

    /// The watchdog every state uses unless told otherwise.
    public static let shared = Watchdog()

    /// Starts a watchdog thread.
    public init() {
        let thread = Thread { [unowned self] in self.watch() }
        thread.name = "lua-watchdog"
        thread.start()
    }

    /// A scheduled deadline; cancel it when the run ends.
    struct Ticket {
        let id: UInt64
        let watchdog: Watchdog
        func cancel() { watchdog.cancel(id) }
    }

    func schedule(after duration: Duration, _ stopper: RunStopper) -> Ticket {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        let entry = Entry(id: nextID, due: .now + duration, stopper: stopper)
        let index = entries.firstIndex { $0.due > entry.due } ?? entries.endIndex
        entries.insert(entry, at: index)
        if index == 0 { condition.signal() }
        return Ticket(id: nextID, watchdog: self)
    }

    private func cancel(_ id: UInt64) {
        condition.lock()
        entries.removeAll { $0.id == id }
        condition.unlock()
    }

    private func watch() {
        condition.lock()
        while true {
            guard let first = entries.first else {
                condition.wait()
                continue
            }
            let now = ContinuousClock.now
            if first.due <= now {
                entries.removeFirst()
                first.stopper.stop(1) // CLUA_STOP_DEADLINE
                continue
            }
            let (seconds, attoseconds) = (first.due - now).components
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
        }
    }
}
