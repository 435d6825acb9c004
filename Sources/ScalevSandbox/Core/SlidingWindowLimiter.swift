import ScalevModel
import Synchronization

/// Strict rate limiting by sliding log: for every window, a request is admitted only if fewer than
/// `limit` admitted requests fall in the `seconds` before it — so no interval of the window's length
/// ever holds more than `limit`, wherever it starts. Refused requests are not logged.
final class SlidingWindowLimiter: Sendable {
    /// What the limiter decided, with the header values of the window that binds first.
    struct Decision: Sendable {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        /// Epoch seconds at which the binding window frees a slot.
        var reset: Int
    }

    private struct Log {
        var times: [Double] = []
        var head = 0

        mutating func drop(before cutoff: Double) {
            while head < times.count, times[head] <= cutoff { head += 1 }
            if head > 1024, head * 2 > times.count {
                times.removeFirst(head)
                head = 0
            }
        }

        /// Count of entries after `cutoff` and the oldest of them.
        func entries(after cutoff: Double) -> (count: Int, oldest: Double?) {
            var low = head
            var high = times.count
            while low < high {
                let middle = (low + high) / 2
                if times[middle] <= cutoff { low = middle + 1 } else { high = middle }
            }
            return (times.count - low, low < times.count ? times[low] : nil)
        }
    }

    private let logs = Mutex<[String: Log]>([:])

    /// Admits or refuses one request for `key` at `now` under `windows`.
    func check(key: String, windows: [RateWindow], now: Double) -> Decision {
        guard let longest = windows.map(\.seconds).max() else {
            return Decision(allowed: true, limit: 0, remaining: 0, reset: Int(now))
        }
        return logs.withLock { logs in
            var log = logs[key] ?? Log()
            log.drop(before: now - longest)
            var states: [(window: RateWindow, count: Int, oldest: Double?)] = windows.map { window in
                let (count, oldest) = log.entries(after: now - window.seconds)
                return (window, count, oldest)
            }
            let allowed = states.allSatisfy { $0.count < $0.window.limit }
            if allowed {
                log.times.append(now)
                states = states.map { state in (state.window, state.count + 1, state.oldest ?? now) }
            }
            logs[key] = log
            // The binding window is the one with the fewest requests left; ties go to the later reset.
            let binding = states.min { left, right in
                let leftRemaining = left.window.limit - left.count
                let rightRemaining = right.window.limit - right.count
                if leftRemaining != rightRemaining { return leftRemaining < rightRemaining }
                return left.window.seconds > right.window.seconds
            }
            guard let binding else { return Decision(allowed: allowed, limit: 0, remaining: 0, reset: Int(now)) }
            let reset = (binding.oldest ?? now) + binding.window.seconds
            return Decision(
                allowed: allowed, limit: binding.window.limit,
                remaining: max(0, binding.window.limit - binding.count), reset: Int(reset.rounded(.up)))
        }
    }

    /// Forgets every log.
    func reset() { logs.withLock { $0.removeAll() } }
}
