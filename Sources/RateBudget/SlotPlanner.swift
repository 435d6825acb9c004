import LunasClock
import ScalevModel

/// The arithmetic of ``RateLedger/reserveSlots(_:)``: where new slots fit among existing ones.
/// Times are milliseconds; runs inside the ledger's transaction.
package struct SlotPlanner {
    /// Existing slot times, sorted.
    package private(set) var slots: [Int64]
    let windows: [(length: Int64, limit: Int)]

    /// A planner over the existing slots `slots` (in any order) and the windows they must keep.
    package init(slots: [Int64], windows: [RateWindow]) {
        self.slots = slots.sorted()
        self.windows = windows.map { ($0.length.wholeMillisecondsRoundedUp, $0.limit) }
    }

    /// Places up to `count` slots at or after `start`, none after `latest`; returns them.
    package mutating func place(count: Int, start: Int64, latest: Int64) -> [Int64] {
        var granted: [Int64] = []
        var t = start
        while granted.count < count {
            guard let slot = earliest(from: t), slot <= latest else { break }
            insert(slot)
            granted.append(slot)
            t = slot
        }
        return granted
    }

    /// The earliest time >= t where one more slot keeps every window within its limit.
    package func earliest(from start: Int64) -> Int64? {
        if windows.contains(where: { $0.limit <= 0 }) { return nil }
        var t = start
        var moved = true
        while moved {
            moved = false
            for window in windows {
                // The slot goes after any equal times (index i of the slots with it inserted).
                // Any limit+1 consecutive slots, the new one among them, must span at least the
                // window's length.
                let i = upperBound(t)
                let n = window.limit
                let count = slots.count + 1
                func at(_ k: Int) -> Int64 { k < i ? slots[k] : k == i ? t : slots[k - 1] }
                let low = max(0, i - n), high = min(i, count - 1 - n)
                guard low <= high else { continue }
                for j in low...high where at(j + n) - at(j) < window.length {
                    // Too many in (x - length, x]: if the new slot ends the group it moves to
                    // the first time the group's oldest leaves the window; otherwise past the
                    // next existing slot.
                    t = j + n == i ? at(j) + window.length : max(t, at(i + 1))
                    moved = true
                    break
                }
                if moved { break }
            }
        }
        return t
    }

    mutating func insert(_ t: Int64) { slots.insert(t, at: upperBound(t)) }

    func upperBound(_ t: Int64) -> Int {
        var low = 0, high = slots.count
        while low < high {
            let mid = (low + high) / 2
            if slots[mid] <= t { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
