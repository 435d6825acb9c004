/// Instants of sends of this process for one credential, on the monotonic clock, in order: a
/// sliding log that answers how many fall in a window and when one more fits.
struct SendLog {
    private var times: [ContinuousClock.Instant] = []
    private var head = 0
    /// Entries forgotten by ``trim(now:keeping:)``.
    private var dropped = 0

    /// Whether no entry is held.
    var isEmpty: Bool { head == times.count }

    /// The entries held after `instant`, in order.
    func entries(after instant: ContinuousClock.Instant) -> ArraySlice<ContinuousClock.Instant> {
        times[firstIndex(after: instant)...]
    }

    /// Adds an instant in its place (usually the last).
    mutating func insert(_ instant: ContinuousClock.Instant) {
        var index = times.count
        while index > head, times[index - 1] > instant { index -= 1 }
        times.insert(instant, at: index)
    }

    /// Removes one entry equal to `instant`; whether one was held.
    mutating func remove(_ instant: ContinuousClock.Instant) -> Bool {
        var index = times.count
        while index > head {
            index -= 1
            if times[index] == instant {
                times.remove(at: index)
                return true
            }
            if times[index] < instant { return false }
        }
        return false
    }

    /// Forgets entries older than `age`.
    mutating func trim(now: ContinuousClock.Instant, keeping age: Duration) {
        while head < times.count, times[head] <= now - age {
            head += 1
            dropped += 1
        }
        if head > 1024, head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
    }

    /// The entries in `(now - length, now]` and the oldest of them.
    func window(_ length: Duration, now: ContinuousClock.Instant) -> (count: Int, oldest: ContinuousClock.Instant?) {
        let start = firstIndex(after: now - length)
        let end = firstIndex(after: now)
        return (end - start, start < end ? times[start] : nil)
    }

    /// How many entries up to `instant` there ever were (forgotten ones included).
    func total(through instant: ContinuousClock.Instant) -> Int {
        dropped + firstIndex(after: instant) - head
    }

    /// The earliest instant >= now at which one more entry keeps every window within its limit,
    /// counting every entry held (later ones too).
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
