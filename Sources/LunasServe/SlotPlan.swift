import Foundation
import LunasRuntime
import LunasSchedule

/// What one schedule does now, given the last slot it handled: which slots run (and which of
/// them are catch-ups), how many were missed, the new last slot, and when it next comes due.
///
/// A slot is on time when it came due within `onTime` of now; older due slots were missed
/// while no runner was up, and the rule's catch-up policy decides: `skip` runs none of them,
/// `latest` the newest, `all` those within its window (at most ``maxCatchUp``).
struct SlotPlan: Equatable {
    /// A slot to run.
    struct Fire: Equatable {
        var slot: Date
        var catchUp: Bool
    }

    /// The slots to run, oldest first.
    var fires: [Fire] = []
    /// Due slots that do not run.
    var missed = 0
    /// The last slot handled after this plan.
    var lastSlot: Date
    /// The next slot after now.
    var nextSlot: Date?

    /// The most catch-up runs one plan makes.
    static let maxCatchUp = 1000
    /// The most due slots one plan looks at (an `every("1s")` after a year away).
    static let maxScanned = 2_000_000

    init(fires: [Fire] = [], missed: Int = 0, lastSlot: Date, nextSlot: Date?) {
        self.fires = fires
        self.missed = missed
        self.lastSlot = lastSlot
        self.nextSlot = nextSlot
    }

    /// The plan for `rule`, recurring as `recurrence` in `zone`, whose last handled slot is
    /// `last` (`nil`: never seen, so it starts from now and catches nothing up).
    init(rule: Rule, recurrence: any Recurrence, zone: TimeZone, last: Date?, now: Date, onTime: TimeInterval = 60) {
        let next = recurrence.next(after: now, in: zone)
        guard let last else {
            self.init(lastSlot: now, nextSlot: next)
            return
        }
        var window: [Date] = []     // the due slots still worth running under `all`
        var newest: Date?
        var due = 0
        var cursor = last
        let horizon = rule.catchUp == .all ? (rule.catchUpWindow ?? .seconds(6 * 3600)).seconds : 0
        while due < Self.maxScanned, let slot = recurrence.next(after: cursor, in: zone), slot <= now {
            due += 1
            newest = slot
            if rule.catchUp == .all, now.timeIntervalSince(slot) <= horizon {
                window.append(slot)
                if window.count > Self.maxCatchUp { window.removeFirst() }
            }
            cursor = slot
        }
        guard let newest else {
            self.init(lastSlot: last, nextSlot: next)
            return
        }
        let isOnTime = now.timeIntervalSince(newest) <= onTime
        var fires: [Fire]
        switch rule.catchUp {
        case .skip: fires = isOnTime ? [Fire(slot: newest, catchUp: false)] : []
        case .latest: fires = [Fire(slot: newest, catchUp: !isOnTime)]
        case .all: fires = window.map { Fire(slot: $0, catchUp: $0 != newest || !isOnTime) }
        }
        if fires.isEmpty && isOnTime { fires = [Fire(slot: newest, catchUp: false)] }
        self.init(fires: fires, missed: due - fires.count, lastSlot: newest, nextSlot: next)
    }
}
