import Foundation
import LunasClock
import Synchronization

/// A ``RateLedger`` held in memory: the same placement as the stores' ledgers, shared only
/// within this process. For hosts that embed rate budgets without a database, and for tests
/// (its clock can be replaced, to make it jump).
public final class MemoryRateLedger: RateLedger {
    private let slots = Mutex<[String: [Int64]]>([:])
    private let clock: any WallClock

    /// A ledger; `clock` is its notion of now (default: the system clock).
    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    public func reserve(_ request: SlotRequest) async throws -> SlotGrant {
        if let problem = RateLedgerRules.problem(with: request) { throw BudgetError.invalidSlotRequest(problem) }
        let now = clock.nowMilliseconds()
        return slots.withLock { all in
            var existing = all[request.credential] ?? []
            for at in RateLedgerRules.released(request) {
                if let index = existing.firstIndex(of: at) { existing.remove(at: index) }
            }
            existing += RateLedgerRules.recorded(request, now: now)
            let (start, latest, lookBack) = RateLedgerRules.bounds(request, now: now)
            existing.removeAll { $0 <= now - RateLedgerRules.retention }
            var planner = SlotPlanner(slots: existing.filter { $0 > lookBack }, windows: request.windows)
            let granted = planner.place(count: request.count, start: start, latest: latest)
            all[request.credential] = existing + granted
            return RateLedgerRules.grant(request, now: now, planner: planner, granted: granted)
        }
    }

    /// Every slot held for `credential`, in order (for tests and diagnostics).
    public func slotTimes(credential: String) -> [Date] {
        slots.withLock { ($0[credential] ?? []).sorted().map(RateLedgerRules.date) }
    }
}
