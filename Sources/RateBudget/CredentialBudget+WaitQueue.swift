import Foundation
import LunasClock

// The wait queue: calls waiting in fair order, their deadlines and long-wait notices, and
// handing due slots to them.
extension CredentialBudget {
    func enqueue(_ waiter: Waiter, script: String, weight: Int, deadline: ContinuousClock.Instant?,
                 onLongWait: (@Sendable (Duration) -> Void)?, now: ContinuousClock.Instant) {
        let tag = queue.push(id: waiter.id, script: script, weight: weight, item: waiter)
        waiting[waiter.id] = Waiting(script: script, tag: tag, deadline: deadline, onLongWait: onLongWait)
        if deadline != nil { deadlines += 1 }
        let start = estimatedStart(tag: tag, id: waiter.id, now: now)
        if let deadline, start > deadline {
            drop(waiter.id, BudgetError.deadlineExceeded(credential: credential, wouldWait: start - now))
            return
        }
        if let onLongWait {
            if start - now > options.longWait { onLongWait(start - now) } else { notices.append((now + options.longWait, waiter.id)) }
        }
        tick()
    }

    /// When a waiting call is expected to be served: the slot at its place in the fair order,
    /// or, past the slots held, where the windows will let the calls before it and it go,
    /// counting every send of the windows (this process's and the others' it knows of).
    func estimatedStart(tag: Double, id: UInt64, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let rank = queue.rank(tag: tag, id: id)
        var start = rank < pool.count ? pool[rank].instant : projectedSlot(rank - pool.count + 1, now: now)
        if let held = feedback.held(now: now) { start = max(start, held) }
        return max(start, now)
    }

    /// Where the `k`-th slot after those held would fall under the windows slots are placed
    /// under. Beyond a few hundred, at the windows' long-run rate.
    func projectedSlot(_ k: Int, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let windows = ledgerWindows(now: now)
        let longest = windows.map(\.length).max() ?? .zero
        let held = sends.entries(after: now - longest) + others.filter { $0 > now - longest } + pool.slots.map(\.instant)
        let start = max(now, pool.last?.instant ?? now)
        // Room in every window: at once.
        if windows.allSatisfy({ window in held.count { $0 > start - window.length } + k <= window.limit }) { return start }
        let placed = min(k, 256)
        func milliseconds(_ instant: ContinuousClock.Instant) -> Int64 { (instant - now).wholeMillisecondsRoundedUp }
        var planner = SlotPlanner(slots: held.map(milliseconds), windows: windows)
        guard let last = planner.place(count: placed, start: milliseconds(start), latest: .max).last else { return start }
        return now + .milliseconds(last) + .seconds(Double(k - placed) / sustainedRate(now: now))
    }

    func fail(_ id: UInt64, _ error: any Error) {
        drop(id, error)
        tick()
    }

    /// Ends a waiting call with `error`.
    func drop(_ id: UInt64, _ error: any Error) {
        guard let entry = waiting.removeValue(forKey: id) else { return }
        if entry.deadline != nil { deadlines -= 1 }
        queue.remove(id: id, script: entry.script)?.continuation.resume(throwing: error)
    }

    /// Hands due slots to waiting calls in fair order; returns when the local log next allows a
    /// send, if it held one back.
    func dispatch(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        // The local log allows no more than the windows (a guard against the ledger's clock
        // jumping) ...
        let limits = spec.windows.map { (length: $0.length, limit: $0.limit) }
        // ... and no send may go before the server's windows have let go of the sends it must
        // follow, by when they were answered: however late a send reached the server, it was
        // counted before its answer came, and this send is counted after now.
        let answered = spec.windows.map { (length: $0.length + .milliseconds(1), limit: $0.limit) }
        let caps = reserveCaps(now: now)
        capped = [:]
        if let caps {
            for (script, _) in queue.waitingScripts {
                let turn = nextTurn(of: script, caps: caps, now: now)
                if turn > now { capped[script] = turn }
            }
        }
        var wentStale = false
        while let slot = pool.first, slot.instant <= now {
            if now - slot.instant > options.grace {
                releasing.append(pool.removeFirst().time)
                wentStale = true
                continue
            }
            guard !queue.isEmpty else { break }
            let allowed = max(sends.earliest(limits, now: now), counted.earliest(answered, now: now))
            if allowed > now {
                // Slots before then would only go stale: give them back, and ask for later ones.
                if allowed - now > options.grace {
                    releasing += pool.removeAll(before: allowed).map(\.time)
                    heldBack = allowed
                }
                return allowed
            }
            let capped = self.capped
            guard let (script, waiter) = queue.pop(allowing: { capped[$0] == nil }) else { break }
            let used = pool.removeFirst()
            if let entry = waiting.removeValue(forKey: waiter.id), entry.deadline != nil { deadlines -= 1 }
            let waited = now - waiter.enqueued
            sends.insert(now)
            recordSend(of: script, now: now)
            counted.insert(now + options.unansweredBound)
            unanswered[waiter.id] = (now, used)
            metrics.granted(script: script, waited: waited)
            waiter.continuation.resume(returning: BudgetGrant(id: waiter.id, waited: waited))
            if let caps, case let turn = nextTurn(of: script, caps: caps, now: now), turn > now { self.capped[script] = turn }
        }
        // Nobody came for a slot, or nobody waits, nobody called lately and the next slot is far:
        // demand is gone, give every slot back.
        let idle = arrivals.window(options.lookahead, now: now).count == 0
        if queue.isEmpty, wentStale || (idle && pool.first.map({ $0.instant > now + options.lookahead }) == true) {
            releasing += pool.removeAll().map(\.time)
        }
        return nil
    }

    func expireDeadlines(now: ContinuousClock.Instant) {
        guard deadlines > 0 else { return }
        for (id, entry) in waiting {
            guard let deadline = entry.deadline else { continue }
            let start = estimatedStart(tag: entry.tag, id: id, now: now)
            if start > deadline { drop(id, BudgetError.deadlineExceeded(credential: credential, wouldWait: start - now)) }
        }
    }

    func sendNotices(now: ContinuousClock.Instant) {
        while let first = notices.first, first.due <= now {
            notices.removeFirst()
            guard let entry = waiting[first.id], let notify = entry.onLongWait else { continue }
            notify(estimatedStart(tag: entry.tag, id: first.id, now: now) - now)
        }
    }
}
