import Foundation

/// Slots this process reserved and has not used yet, earliest first. A slot is used at its
/// instant (up to the grace later) or given back to the ledger.
struct SlotPool {
    struct Slot {
        /// The ledger's time of the slot (given back as is).
        let time: Date
        /// When it may be used, on the monotonic clock.
        let instant: ContinuousClock.Instant
    }

    private(set) var slots: [Slot] = []

    var count: Int { slots.count }
    var first: Slot? { slots.first }
    var last: Slot? { slots.last }
    subscript(index: Int) -> Slot { slots[index] }

    mutating func insert(_ slot: Slot) {
        var low = 0, high = slots.count
        while low < high {
            let mid = (low + high) / 2
            if slots[mid].instant <= slot.instant { low = mid + 1 } else { high = mid }
        }
        slots.insert(slot, at: low)
    }

    mutating func removeFirst() -> Slot { slots.removeFirst() }
    mutating func removeLast() -> Slot { slots.removeLast() }

    /// Removes and returns every slot.
    mutating func removeAll() -> [Slot] {
        defer { slots.removeAll() }
        return slots
    }

    /// Removes and returns the slots earlier than `instant`.
    mutating func removeAll(before instant: ContinuousClock.Instant) -> [Slot] {
        let end = slots.firstIndex { $0.instant >= instant } ?? slots.count
        defer { slots.removeFirst(end) }
        return Array(slots[..<end])
    }
}
