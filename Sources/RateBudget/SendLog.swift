/// The sends of this process for one credential, on the monotonic clock: a sliding log that
/// backs the ledger up (no send is allowed that would put more than a window's limit in any
/// interval of its length, whatever the ledger's clock did) and answers ``BudgetSnapshot``.
struct SendLog {
    private var times: [ContinuousClock.Instant] = []
    private var head = 0

    mutating func append(_ instant: ContinuousClock.Instant) { times.append(instant) }

    /// Forgets sends older than `age`.
    mutating func trim(now: ContinuousClock.Instant, keeping age: Duration) {
        while head < times.count, times[head] <= now - age { head += 1 }
        if head > 1024, head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
    }

    /// The sends in `(now - length, now]` and the oldest of them.
    func window(_ length: Duration, now: ContinuousClock.Instant) -> (count: Int, oldest: ContinuousClock.Instant?) {
        let start = firstIndex(after: now - length)
        let end = firstIndex(after: now)
        return (end - start, start < end ? times[start] : nil)
    }

    /// The earliest instant >= now at which one more send keeps every window within its limit.
    func earliest(_ windows: [(length: Duration, limit: Int)], now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var at = now
        for window in windows {
            let start = firstIndex(after: at - window.length)
            let inWindow = times.count - start
            if inWindow >= window.limit {
                // The send must wait until enough of them have left.
                at = max(at, times[times.count - window.limit] + window.length)
            }
        }
        return at
    }

    private func firstIndex(after instant: ContinuousClock.Instant) -> Int {
        var low = head, high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] <= instant { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
