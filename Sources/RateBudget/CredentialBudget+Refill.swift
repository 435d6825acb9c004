import Foundation
import LunasClock
import ScalevModel

// The ledger refill: how many slots to hold, and reserving them (and giving slots back) in
// blocks, off the actor.
extension CredentialBudget {
    /// How many slots to hold: one per waiting call that may take one (not at the reserve) and, while demand exceeds the windows, what the recent rate of calls
    /// needs over the lookahead.
    func poolTarget(now: ContinuousClock.Instant) -> (demand: Int, prefetch: Int) {
        let rate = Double(arrivals.window(.seconds(2), now: now).count) / 2
        let prefetch = saturated ? Int((rate * options.lookahead.secondsValue).rounded(.up)) : 0
        let held = capped.isEmpty ? 0 : queue.waitingScripts.reduce(0) { $0 + (capped[$1.script].map { $0 > now } == true ? $1.count : 0) }
        return (queue.count - held, prefetch)
    }

    func trimSurplus(now: ContinuousClock.Instant) {
        let (demand, prefetch) = poolTarget(now: now)
        let keep = min(options.maxPool, demand + prefetch) + max(4, options.maxBlock / 4)
        while pool.count > keep, let last = pool.last, last.instant > now + options.grace {
            releasing.append(pool.removeLast().time)
        }
    }

    func refillIfNeeded(now: ContinuousClock.Instant) {
        guard !refilling, !spec.windows.isEmpty, refillRetryAt.map({ $0 <= now }) ?? true else { return }
        refillRetryAt = nil
        let (demand, prefetch) = poolTarget(now: now)
        let target = min(options.maxPool, demand + prefetch)
        var count = 0
        if pool.count < min(options.maxPool, demand) || pool.count < min(options.maxPool, demand + prefetch / 2) {
            count = min(options.maxBlock, max(1, target - pool.count))
        }
        // Late sends are recorded at once; other slots given back at most every 200 ms.
        let flush = !recording.isEmpty || (!releasing.isEmpty && now - lastLedgerCall >= .milliseconds(200))
        guard count > 0 || flush else { return }
        refilling = true
        lastLedgerCall = now
        placedUnder = ledgerWindows(now: now)
        let request = SlotRequest(
            credential: credential, count: count, windows: placedUnder,
            notBefore: [feedback.held(now: now), heldBack.flatMap { $0 > now ? $0 : nil }].compactMap(\.self).max().map { ledgerClock.date(of: $0) },
            horizon: .seconds(86_000),
            releasing: releasing, recording: recording, report: reportReach)
        releasing = []
        recording = []
        let generation = specGeneration
        let ledger = self.ledger, clock = self.clock
        // Off the actor, so the round trip measured is the ledger's, not the actor's queue.
        clock.spawn {
            let sent = clock.instant()
            do {
                let grant = try await ledger.reserve(request)
                let received = clock.instant()
                await self.refilled(grant, request: request, generation: generation, sent: sent, received: received)
            } catch {
                await self.refillFailed(error, request: request)
            }
        }
    }

    func refilled(_ grant: SlotGrant, request: SlotRequest, generation: Int,
                  sent: ContinuousClock.Instant, received: ContinuousClock.Instant) {
        refilling = false
        ledgerClock.sample(ledgerNow: grant.now, sent: sent, received: received)
        owned.formUnion(grant.times)
        let reach = grant.now.addingTimeInterval(-reportReach.secondsValue)
        owned = owned.filter { $0 > reach }
        others = grant.recent.filter { !owned.contains($0) }.map { ledgerClock.instant(of: $0) }
        let fresh = reports.prefix { $0.answered <= sent }
        reports.removeFirst(fresh.count)
        for report in fresh { weigh(report, now: received) }
        if generation != specGeneration {
            releasing += grant.times
        } else {
            for time in grant.times { pool.insert(SlotPool.Slot(time: time, instant: ledgerClock.instant(of: time))) }
            saturated = grant.times.last.map { ledgerClock.instant(of: $0) > received + options.grace } ?? saturated
            // Fewer than asked: the horizon was reached. Ask again when the next slot comes within it
            // (at most a second later).
            if grant.times.count < request.count {
                let due = grant.next.map { ledgerClock.instant(of: $0) - request.horizon } ?? received + .seconds(1)
                refillRetryAt = min(max(due, received + .milliseconds(5)), received + .seconds(1))
            }
        }
        tick()
    }

    func refillFailed(_ error: any Error, request: SlotRequest) {
        refilling = false
        releasing = request.releasing + releasing
        recording = request.recording + recording
        refillRetryAt = clock.instant() + .milliseconds(250)
        logger?.warning("rate ledger failed", metadata: ["credential": "\(credential)", "error": "\(error)"])
        if pool.count == 0 {
            let failure = BudgetError.ledgerUnavailable(credential: credential, message: "\(error)")
            for id in Array(waiting.keys) { drop(id, failure) }
        }
        tick()
    }
}
