import Foundation
import ScalevModel

// The limit model: the windows slots are placed under, and what the server's answers teach.
extension CredentialBudget {
    /// What the server counted in the window that ended at one send.
    struct Report {
        let window: Int
        let limit: Int
        let remaining: Int
        let sentAt: ContinuousClock.Instant
        let answered: ContinuousClock.Instant
    }

    /// Weighs a report against what the ledger knows: what other clients sent in its window.
    func weigh(_ report: Report, now: ContinuousClock.Instant) {
        // The server counted limit - remaining in the window that ended at this send. It counted
        // each send between its grant and its answer: `known` is every send of this process it
        // may have counted (granted before this answer, answered after this window began); only
        // the rest are surely another client's.
        let length = spec.windows[report.window].length
        let start = report.sentAt - length
        // Where other processes sent in the window too, when exactly they did is not known (a
        // slot is used up to the grace late, travels, and the ledger's clock maps onto ours with
        // an error): such windows are not weighed, for fear of mistaking them for another client.
        guard !others.contains(where: { $0 > start - margin - options.grace && $0 <= report.answered + margin }) else { return }
        let known = sends.total(through: report.answered) - counted.total(through: start)
        let outside = report.limit - report.remaining - known
        guard outside > 0 else { return }
        feedback.sawOutside(window: report.window, count: outside, now: now)
        // Nothing left while others use the key: hold back for one slot's time of the window (the
        // reset names only the whole second in which the oldest request leaves).
        if report.remaining == 0 {
            feedback.pause(until: now + (length + margin) / max(1, report.limit))
        }
    }

    func adopt(_ new: BudgetSpec) {
        guard new != spec else { return }
        if !spec.windows.isEmpty {
            logger?.info("rate budget changed", metadata: ["credential": "\(credential)", "from": "\(spec)", "to": "\(new)"])
        }
        spec = new
        specGeneration += 1
        learnedLimit = nil
        // Slots placed under the old windows may break the new ones: give them back.
        releasing += pool.removeAll().map(\.time)
    }

    /// The spec window a header's limit speaks of (the shortest with that limit).
    func windowIndex(limit: Int) -> Int? {
        spec.windows.indices.filter { spec.windows[$0].limit == limit }.min { spec.windows[$0].length < spec.windows[$1].length }
    }

    /// The margin windows are placed with: the configured one, widened after 429s that late
    /// sends caused.
    var margin: Duration { options.margin + feedback.extraMargin }

    /// How far back grants report the ledger's slots: the longest window the headers can be
    /// checked against (an hour's slots would be too many to read on every grant).
    var reportReach: Duration {
        min(spec.windows.map(\.length).max() ?? .zero, .seconds(120)) + options.margin + options.grace
    }

    /// Each window's limit after feedback: a lower limit the server announced, less what other
    /// clients of the key were seen to use — in each window, and at the highest rate seen in any
    /// window carried over to the others (5 per 2 s seen means 50 per 20 s to leave free).
    func effectiveLimits(now: ContinuousClock.Instant) -> [Int] {
        let tightest = spec.windows.indices.min { spec.windows[$0].limit < spec.windows[$1].limit }
        let shortest = spec.windows.indices.min { spec.windows[$0].length < spec.windows[$1].length }
        let seen = spec.windows.enumerated().map { index, window in
            window.length + options.margin + options.grace <= reportReach
                ? feedback.outsideUse(window: index, memory: reportReach * 3, now: now) : 0
        }
        let rate = zip(seen, spec.windows).map { Double($0) / max(0.001, $1.length.secondsValue) }.max() ?? 0
        let learning = shortest.flatMap { index in
            feedback.othersSeenSince(now: now, within: reportReach * 3).map { now - $0 < spec.windows[index].length }
        } ?? false
        return spec.windows.enumerated().map { index, window in
            var limit = window.limit
            if index == tightest, let learnedLimit { limit = min(limit, learnedLimit) }
            limit -= max(seen[index], Int((rate * window.length.secondsValue).rounded()))
            // Other clients' sends jitter too: while they are seen, one more slot is left free;
            // in the first window after they appear, whose count still grows, a tenth more.
            if index == shortest { limit -= feedback.headroom + (rate > 0 ? 1 : 0) + (learning ? max(1, window.limit / 10) : 0) }
            return max(1, limit)
        }
    }

    /// The windows slots are placed under: every window lengthened by the margin, and while the
    /// credential is contended the shortest also in parts, to pace slots so that every script
    /// gets its weighted turns (a burst would go to whoever asks first).
    func ledgerWindows(now: ContinuousClock.Instant) -> [RateWindow] {
        let limits = effectiveLimits(now: now)
        var windows = spec.windows.enumerated().map { RateWindow(length: $1.length + margin, limit: limits[$0]) }
        if options.burstDivisions > 1, contended(now: now),
           let shortest = spec.windows.indices.min(by: { spec.windows[$0].length < spec.windows[$1].length }) {
            let limit = limits[shortest]
            let part = (limit + options.burstDivisions - 1) / options.burstDivisions
            let length = spec.windows[shortest].length.wholeMillisecondsRoundedUp * Int64(part) / Int64(limit)
            if part < limit, length > 0 { windows.append(RateWindow(length: .milliseconds(length), limit: part)) }
        }
        return windows
    }

    /// Whether more than one script of this process used the credential in its shortest window
    /// (or waits for it), or other processes' slots are seen in the ledger.
    func contended(now: ContinuousClock.Instant) -> Bool {
        if !others.isEmpty { return true }
        guard let length = spec.windows.map(\.length).min() else { return false }
        var active = Set(queue.waitingScripts.map(\.script))
        for (script, log) in scriptSends where log.window(length, now: now).count > 0 {
            active.insert(script)
            if active.count > 1 { return true }
        }
        return active.count > 1
    }

    /// Whether the windows became stricter than those the slots held were placed under (other
    /// clients seen, a lower limit announced, caution after a 429): those slots may break them.
    func tightened(now: ContinuousClock.Instant) -> Bool {
        let current = ledgerWindows(now: now)
        guard current.count == placedUnder.count else { return true }
        return zip(current, placedUnder).contains { $0.limit < $1.limit || $0.length > $1.length }
    }

    /// Slots per second the windows allow in the long run.
    func sustainedRate(now: ContinuousClock.Instant) -> Double {
        let limits = effectiveLimits(now: now)
        return spec.windows.enumerated().map { Double(limits[$0]) / max(0.001, ($1.length + margin).secondsValue) }.min() ?? 1
    }
}
