import CLua
import Foundation

/// A dedicated thread that stops runs whose deadline has passed.
///
/// It costs nothing while runs are within their deadline: no hook is armed until it fires.
/// Deadlines sit in a binary heap; a cancelled one is dropped when it reaches the top.
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
        live.insert(entry.id)
        heap.append(entry)
        siftUp(heap.count - 1)
        if heap.first?.id == entry.id { condition.signal() }
        return Ticket(id: entry.id, watchdog: self)
    }

    private func cancel(_ id: UInt64) {
        condition.lock()
        live.remove(id)
        // drop cancelled entries at the top now, so that the heap does not grow with them
        while let first = heap.first, !live.contains(first.id) { popFirst() }
        condition.unlock()
    }

    private func watch() {
        condition.lock()
        while true {
            guard let first = heap.first else {
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
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
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
