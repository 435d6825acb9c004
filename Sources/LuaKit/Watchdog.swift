import CLua
import Foundation

/// A dedicated thread that stops runs whose deadline has passed.
///
/// It costs nothing while runs are within their deadline: no hook is armed until it fires.
/// Deadlines sit in a binary heap; a cancelled one is dropped when it reaches the top.
///
/// The thread starts with the first deadline or ``lease()``. It stops when the last lease is
/// released: at once (joined) when no deadline is pending, otherwise once the pending ones have
/// fired or been cancelled; the next deadline or lease starts it again. A watchdog that was never
/// leased keeps its thread, once started, for the life of the process.
public final class Watchdog: @unchecked Sendable {
    private struct Entry {
        let id: UInt64
        let due: ContinuousClock.Instant
        let stopper: RunStopper
    }

    private let condition = NSCondition()
    private var heap: [Entry] = []
    private var live: Set<UInt64> = []
    private var nextID: UInt64 = 0
    /// The deadline the watching thread sleeps until; `nil` while it waits for one to come.
    private var sleepsUntil: ContinuousClock.Instant?
    /// The thread running now; `nil` until the first deadline or lease, and after the last lease
    /// was released.
    private var crew: ThreadCrew?
    private var leases = 0
    /// Crews told to stop that may not have ended yet (for ``stopped()``).
    private var retired: [ThreadCrew] = []
    /// Its thread's name.
    public let name: String

    /// The watchdog every state uses unless told otherwise.
    public static let shared = Watchdog()

    /// A watchdog whose thread is called `name` (cut to 15 bytes). No thread starts before the
    /// first deadline or lease.
    public init(name: String = "lua-watchdog") {
        self.name = name
    }

    /// Holds the thread running until the lease is released (see ``ThreadLease``); starts it if
    /// it is stopped.
    public func lease() -> ThreadLease {
        condition.lock()
        leases += 1
        startIfStopped()
        condition.unlock()
        return ThreadLease { [self] in endLease() }
    }

    private func endLease() {
        condition.lock()
        leases -= 1
        guard leases == 0, let stopping = crew else {
            condition.unlock()
            return
        }
        crew = nil
        stopping.isStopping = true
        retired.removeAll(where: \.hasEnded)
        retired.append(stopping)
        let idle = live.isEmpty
        condition.broadcast()
        condition.unlock()
        // a pending deadline may be minutes away: the thread then ends on its own after it
        if idle { stopping.join() } else { stopping.joinLater() }
    }

    /// Returns once every thread stopped so far has ended: at once after a release that found
    /// its thread idle, later after one that left its thread to finish another owner's work.
    public func stopped() async {
        for crew in retiredCrews() { await crew.ended() }
    }

    private func retiredCrews() -> [ThreadCrew] {
        condition.lock()
        defer { condition.unlock() }
        retired.removeAll(where: \.hasEnded)
        return retired
    }

    /// Called with the lock held. A stopping thread sees the new one and ends.
    private func startIfStopped() {
        guard crew == nil else { return }
        crew = ThreadCrew(count: 1, prefix: name, stackSize: nil, numbered: false) { [self] crew in watch(crew) }
        condition.broadcast()
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
        startIfStopped()
        nextID += 1
        let entry = Entry(id: nextID, due: .now + duration, stopper: stopper)
        live.insert(entry.id)
        heap.append(entry)
        siftUp(heap.count - 1)
        // wake the thread only if it would otherwise sleep past the new deadline: runs that
        // follow each other then cost no wake-up each
        // (all waiters: a stopping thread may be waiting beside the one that took over)
        if heap.first?.id == entry.id, sleepsUntil.map({ entry.due < $0 }) ?? true { condition.broadcast() }
        return Ticket(id: entry.id, watchdog: self)
    }

    private func cancel(_ id: UInt64) {
        condition.lock()
        live.remove(id)
        // drop cancelled entries at the top now, so that the heap does not grow with them
        while let first = heap.first, !live.contains(first.id) { popFirst() }
        // a stopped thread waiting for its last deadline may end now
        if crew == nil, live.isEmpty { condition.broadcast() }
        condition.unlock()
    }

    private func watch(_ crew: ThreadCrew) {
        condition.lock()
        defer { condition.unlock() }
        while true {
            // stopped: ends once another thread took over, or no deadline is pending
            if crew.isStopping, self.crew != nil || live.isEmpty {
                // the thread that took over may be asleep on a deadline it was not told of
                condition.broadcast()
                return
            }
            guard let first = heap.first else {
                sleepsUntil = nil
                condition.wait()
                continue
            }
            guard live.contains(first.id) else {
                popFirst()
                continue
            }
            let now = ContinuousClock.now
            if first.due <= now {
                popFirst()
                live.remove(first.id)
                first.stopper.stop(Int32(CLUA_STOP_DEADLINE))
                continue
            }
            let (seconds, attoseconds) = (first.due - now).components
            sleepsUntil = first.due
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
            sleepsUntil = nil
        }
    }

    private func popFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var i = 0
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < heap.count, heap[left].due < heap[smallest].due { smallest = left }
            if right < heap.count, heap[right].due < heap[smallest].due { smallest = right }
            if smallest == i { return }
            heap.swapAt(i, smallest)
            i = smallest
        }
    }

    private func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].due < heap[parent].due else { return }
            heap.swapAt(i, parent)
            i = parent
        }
    }
}
