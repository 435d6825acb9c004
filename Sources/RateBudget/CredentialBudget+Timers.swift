import LunasClock

// The timer: one wake-up at the next instant anything is due.
extension CredentialBudget {
    func scheduleWake(now: ContinuousClock.Instant, guardUntil: ContinuousClock.Instant?) {
        var times: [ContinuousClock.Instant] = []
        if let first = pool.first {
            // A slot nobody may take (nobody waits, or every script waiting is at the reserve)
            // matters again when it goes stale.
            let untaken = queue.isEmpty || (first.instant <= now && guardUntil == nil)
            times.append(untaken ? min(first.instant + options.grace + .milliseconds(1), now + options.lookahead)
                : max(first.instant, guardUntil ?? first.instant))
        }
        if !releasing.isEmpty, !refilling { times.append(lastLedgerCall + .milliseconds(200)) }
        if let refillRetryAt, !queue.isEmpty || !releasing.isEmpty { times.append(refillRetryAt) }
        if let first = notices.first { times.append(first.due) }
        if let turn = capped.values.min(), turn > now { times.append(turn) }
        if deadlines > 0, let earliest = waiting.values.compactMap(\.deadline).min() { times.append(earliest) }
        guard let at = times.min() else { return }
        if let wake, wake.at <= at, wake.at > now { return }
        wake?.task.cancel()
        wakeGeneration += 1
        let generation = wakeGeneration
        let clock = self.clock
        wake = (at, generation, clock.spawn {
            try? await clock.sleep(until: at)
            guard !Task.isCancelled else { return }
            await self.woke(generation)
        })
    }

    func woke(_ generation: UInt64) {
        if wake?.generation == generation { wake = nil }
        tick()
    }
}
