import Foundation
import Logging
import LunasStore

/// One credential's budget in this process. Calls wait in a ``FairQueue``; slots come from the
/// ledger in blocks sized to the demand and are handed out, in fair order, at their times.
/// Everything happens in `tick()`, run on each event (a call, a grant, an answer, a timer).
actor CredentialBudget {
    private struct Waiter {
        let id: UInt64
        let enqueued: ContinuousClock.Instant
        let continuation: CheckedContinuation<BudgetGrant, any Error>
    }

    private struct Waiting {
        let script: String
        let tag: Double
        let deadline: ContinuousClock.Instant?
        let onLongWait: (@Sendable (Duration) -> Void)?
    }

    let credential: String
    private let ledger: any RateLedger
    private let options: BudgetOptions
    private let logger: Logger?
    private var metrics: BudgetMetrics
    private var spec = BudgetSpec(windows: [])
    private var specGeneration = 0
    /// A limit the server announced below every window of the spec.
    private var learnedLimit: Int?

    private var queue = FairQueue<Waiter>()
    private var waiting: [UInt64: Waiting] = [:]
    private var deadlines = 0
    private var notices: [(due: ContinuousClock.Instant, id: UInt64)] = []
    private var nextID: UInt64 = 0
    private var scripts: [String: (weight: Int, seen: ContinuousClock.Instant)] = [:]

    private var pool = SlotPool()
    private var releasing: [Date] = []
    private var ledgerClock: LedgerClock
    private var lastLedgerCall: ContinuousClock.Instant
    private var refilling = false
    private var refillRetryAt: ContinuousClock.Instant?
    /// Whether the last grant had to go into the future: demand exceeds the windows.
    private var saturated = false
    /// The windows the slots held were placed under.
    private var placedUnder: [RateWindow] = []
    /// Reports of the server waiting for a fresh view of the other processes' slots.
    private var reports: [Report] = []
    /// Slot times the ledger gave this process lately (to tell its slots from the others').
    private var owned: Set<Date> = []
    /// Other processes' slots in the ledger at the last grant, on the local clock.
    private var others: [ContinuousClock.Instant] = []
    /// When this process's sends were granted.
    private var sends = SendLog()
    /// For each send, the instant by which the server had counted it: its answer, or while it
    /// is unanswered the grant plus ``BudgetOptions/unansweredBound``.
    private var counted = SendLog()
    /// Sends not answered yet: grant id -> when granted, and the slot used.
    private var unanswered: [UInt64: (granted: ContinuousClock.Instant, slot: SlotPool.Slot)] = [:]
    private var lastSweep: ContinuousClock.Instant = .now
    /// Until when this process's own log holds sends back (answers not in yet).
    private var heldBack: ContinuousClock.Instant?
    /// Late sends to record in the ledger where they were counted by.
    private var recording: [Date] = []
    private var arrivals = SendLog()
    private var feedback = ServerFeedback()
    private var wake: (at: ContinuousClock.Instant, generation: UInt64, task: Task<Void, Never>)?
    private var wakeGeneration: UInt64 = 0

    init(credential: String, ledger: any RateLedger, options: BudgetOptions, logger: Logger?) {
        self.credential = credential
        self.ledger = ledger
        self.options = options
        self.logger = logger
        self.metrics = BudgetMetrics(credential: credential)
        let now = ContinuousClock.now
        self.ledgerClock = LedgerClock(base: now)
        self.lastLedgerCall = now
    }

    // MARK: Calls

    func acquire(spec: BudgetSpec, script: String, weight: Int, deadline: ContinuousClock.Instant?,
                 onLongWait: (@Sendable (Duration) -> Void)?) async throws -> BudgetGrant {
        let now = ContinuousClock.now
        adopt(spec)
        scripts[script] = (max(1, weight), now)
        nextID += 1
        let id = nextID
        if spec.windows.isEmpty {
            metrics.granted(script: script, waited: .zero)
            return BudgetGrant(id: id, waited: .zero)
        }
        arrivals.insert(now)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueue(Waiter(id: id, enqueued: now, continuation: continuation), script: script, weight: max(1, weight),
                        deadline: deadline, onLongWait: onLongWait, now: now)
            }
        } onCancel: {
            Task { await self.fail(id, CancellationError()) }
        }
    }

    private func enqueue(_ waiter: Waiter, script: String, weight: Int, deadline: ContinuousClock.Instant?,
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

    func observe(script: String, grant: BudgetGrant?, answered: ContinuousClock.Instant, status: Int?, remaining: Int?, limit: Int?, reset: Date?) {
        let now = ContinuousClock.now
        let sentAt = settle(grant?.id, answered: answered) ?? answered
        guard !spec.windows.isEmpty, let status else {
            tick()
            return
        }
        // A reset in the past says nothing; one more than an hour away is not believed.
        var resetAt = reset.map { now + .milliseconds(Int64(($0.timeIntervalSinceNow * 1000).rounded(.up))) }
        if let at = resetAt, at <= now { resetAt = nil }
        if let at = resetAt, at > now + .seconds(3600) { resetAt = now + .seconds(3600) }
        if let limit, limit > 0, limit < (spec.windows.map(\.limit).min() ?? limit) {
            learnedLimit = min(learnedLimit ?? limit, limit)
        }
        if let remaining, let limit, let index = windowIndex(limit: limit) {
            let report = Report(window: index, limit: limit, remaining: max(0, remaining), sentAt: sentAt, answered: answered)
            // Slots other processes reserved since the last grant are not known yet: the report
            // waits for a grant asked for after it.
            reports.append(report)
            if reports.count > 256 { reports.removeFirst(reports.count - 256) }
        }
        if status == 429 {
            metrics.refused(script: script)
            let shortest = spec.windows.min { $0.length < $1.length }
            let others: ServerFeedback.Others = switch feedback.othersSeenSince(now: now, within: reportReach * 3) {
            case nil: .none
            case let since?: now - since >= shortest?.length ?? .zero ? .known : .learning
            }
            feedback.refused(now: now, others: others, maxHeadroom: max(1, (shortest?.limit ?? 0) / 10), step: options.margin,
                             maxExtra: options.margin * 4)
            let until = resetAt ?? now + (spec.windows.map(\.length).min() ?? .zero) + margin
            feedback.pause(until: until)
            logger?.notice("429 received; pausing the credential", metadata: [
                "credential": "\(credential)", "script": "\(script)", "seconds": "\((until - now).secondsValue)"])
        }
        tick()
    }

    /// What the server counted in the window that ended at one send.
    private struct Report {
        let window: Int
        let limit: Int
        let remaining: Int
        let sentAt: ContinuousClock.Instant
        let answered: ContinuousClock.Instant
    }

    /// Weighs a report against what the ledger knows: what other clients sent in its window.
    private func weigh(_ report: Report, now: ContinuousClock.Instant) {
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

    func snapshot(script: String) -> BudgetSnapshot {
        let now = ContinuousClock.now
        let wall = Date()
        func date(_ instant: ContinuousClock.Instant) -> Date { wall.addingTimeInterval((instant - now).secondsValue) }
        let held = feedback.held(now: now)
        let limits = effectiveLimits(now: now)
        let states = spec.windows.enumerated().map { index, window in
            let local = sends.window(window.length, now: now)
            let used = local.count + others.count { $0 > now - window.length && $0 <= now }
            let remaining = held == nil ? max(0, limits[index] - used) : 0
            return BudgetSnapshot.WindowState(window: window, remaining: remaining, reset: local.oldest.map { date($0 + window.length) })
        }
        let recent = scripts.filter { now - $0.value.seen <= max(.seconds(60), spec.windows.map(\.length).min() ?? .zero) }
        let weight = scripts[script]?.weight ?? 1
        let total = recent.values.map(\.weight).reduce(0, +) + (recent[script] == nil ? weight : 0)
        return BudgetSnapshot(credential: credential, script: script, windows: states, pausedUntil: held.map(date),
                              weight: weight, share: Double(weight) / Double(max(1, total)), waiting: queue.count)
    }

    // MARK: The model

    private func adopt(_ new: BudgetSpec) {
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
    private func windowIndex(limit: Int) -> Int? {
        spec.windows.indices.filter { spec.windows[$0].limit == limit }.min { spec.windows[$0].length < spec.windows[$1].length }
    }

    /// The margin windows are placed with: the configured one, widened after 429s that late
    /// sends caused.
    private var margin: Duration { options.margin + feedback.extraMargin }

    /// How far back grants report the ledger's slots: the longest window the headers can be
    /// checked against (an hour's slots would be too many to read on every grant).
    private var reportReach: Duration {
        min(spec.windows.map(\.length).max() ?? .zero, .seconds(120)) + options.margin + options.grace
    }

    /// Each window's limit after feedback: a lower limit the server announced, less what other
    /// clients of the key were seen to use — in each window, and at the highest rate seen in any
    /// window carried over to the others (5 per 2 s seen means 50 per 20 s to leave free).
    private func effectiveLimits(now: ContinuousClock.Instant) -> [Int] {
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

    /// The windows slots are placed under: every window lengthened by the margin, and the
    /// shortest also in parts, to pace slots (a burst of a whole window's limit reaches the
    /// server spread over the time it takes to serve it, which no margin covers).
    private func ledgerWindows(now: ContinuousClock.Instant) -> [RateWindow] {
        let limits = effectiveLimits(now: now)
        var windows = spec.windows.enumerated().map { RateWindow(length: $1.length + margin, limit: limits[$0]) }
        if options.burstDivisions > 1, let shortest = spec.windows.indices.min(by: { spec.windows[$0].length < spec.windows[$1].length }) {
            let limit = limits[shortest]
            let part = (limit + options.burstDivisions - 1) / options.burstDivisions
            let length = spec.windows[shortest].length.wholeMillisecondsValue * Int64(part) / Int64(limit)
            if part < limit, length > 0 { windows.append(RateWindow(length: .milliseconds(length), limit: part)) }
        }
        return windows
    }

    /// Whether the windows became stricter than those the slots held were placed under (other
    /// clients seen, a lower limit announced, caution after a 429): those slots may break them.
    private func tightened(now: ContinuousClock.Instant) -> Bool {
        let current = ledgerWindows(now: now)
        guard current.count == placedUnder.count else { return true }
        return zip(current, placedUnder).contains { $0.limit < $1.limit || $0.length > $1.length }
    }

    /// Slots per second the windows allow in the long run.
    private func sustainedRate(now: ContinuousClock.Instant) -> Double {
        let limits = effectiveLimits(now: now)
        return spec.windows.enumerated().map { Double(limits[$0]) / max(0.001, ($1.length + margin).secondsValue) }.min() ?? 1
    }

    /// When a waiting call is expected to be served: the slot at its place in the fair order,
    /// or, past the slots held, at the windows' long-run rate.
    private func estimatedStart(tag: Double, id: UInt64, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let rank = queue.rank(tag: tag, id: id)
        var start: ContinuousClock.Instant
        if rank < pool.count {
            start = pool[rank].instant
        } else {
            let beyond = rank - pool.count + (pool.count == 0 ? 0 : 1)
            start = max(now, pool.last?.instant ?? now) + .seconds(Double(beyond) / sustainedRate(now: now))
        }
        if let held = feedback.held(now: now) { start = max(start, held) }
        return max(start, now)
    }

    // MARK: Events

    private func fail(_ id: UInt64, _ error: any Error) {
        drop(id, error)
        tick()
    }

    /// Ends a waiting call with `error`.
    private func drop(_ id: UInt64, _ error: any Error) {
        guard let entry = waiting.removeValue(forKey: id) else { return }
        if entry.deadline != nil { deadlines -= 1 }
        queue.remove(id: id, script: entry.script)?.continuation.resume(throwing: error)
    }

    /// Records the answer (or the failure) of a send: the server counted it by then. Returns
    /// when it was granted. Without a grant, the oldest send in flight is taken.
    private func settle(_ id: UInt64?, answered: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let id = id ?? unanswered.min(by: { $0.value.granted < $1.value.granted })?.key,
              let send = unanswered.removeValue(forKey: id) else { return nil }
        // A send unanswered for longer than the logs reach stays counted where it was.
        if counted.remove(send.granted + options.unansweredBound) { counted.insert(answered) }
        // Slots placed after a hold that waited for this answer may be later than needed now.
        if heldBack != nil {
            heldBack = nil
            releasing += pool.removeAll().map(\.time)
        }
        // Answered past its slot's margin, the server may have counted it later than other
        // processes place their slots by: its slot moves in the ledger to the answer.
        if answered > send.slot.instant + options.margin {
            // (In whole milliseconds, as the ledger keeps it, to be known as this process's own.)
            let at = Date(timeIntervalSince1970: (ledgerClock.date(of: answered).timeIntervalSince1970 * 1000).rounded(.up) / 1000)
            releasing.append(send.slot.time)
            recording.append(at)
            owned.insert(at)
        }
        return send.granted
    }

    private func tick() {
        let now = ContinuousClock.now
        let keep = (spec.windows.map(\.length).max() ?? .zero) + options.unansweredBound + .seconds(1)
        sends.trim(now: now, keeping: keep)
        counted.trim(now: now, keeping: keep)
        // Callers that never report an answer: their sends stay counted at the bound.
        if unanswered.count > 1024, now - lastSweep > .seconds(1) {
            lastSweep = now
            unanswered = unanswered.filter { $0.value.granted > now - options.unansweredBound }
        }
        arrivals.trim(now: now, keeping: max(.seconds(2), options.lookahead))
        if let held = feedback.held(now: now) { releasing += pool.removeAll(before: held).map(\.time) }
        feedback.relax(now: now, quiet: reportReach * 3, step: options.margin)
        if pool.count > 0, tightened(now: now) { releasing += pool.removeAll().map(\.time) }
        expireDeadlines(now: now)
        let guardUntil = dispatch(now: now)
        sendNotices(now: now)
        trimSurplus(now: now)
        refillIfNeeded(now: now)
        scheduleWake(now: now, guardUntil: guardUntil)
    }

    /// Hands due slots to waiting calls in fair order; returns when the local log next allows a
    /// send, if it held one back.
    private func dispatch(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        // The local log allows what the ledger's slots allow even when sent up to the grace late
        // (this guards against the ledger's clock jumping) ...
        let limits = spec.windows.map { (length: $0.length + options.margin - options.grace, limit: $0.limit) }
        // ... and no send may go before the server's windows have let go of the sends it must
        // follow, by when they were answered: however late a send reached the server, it was
        // counted before its answer came, and this send is counted after now.
        let answered = spec.windows.map { (length: $0.length + .milliseconds(1), limit: $0.limit) }
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
            let used = pool.removeFirst()
            guard let (script, waiter) = queue.pop() else { break }
            if let entry = waiting.removeValue(forKey: waiter.id), entry.deadline != nil { deadlines -= 1 }
            let waited = now - waiter.enqueued
            sends.insert(now)
            counted.insert(now + options.unansweredBound)
            unanswered[waiter.id] = (now, used)
            metrics.granted(script: script, waited: waited)
            waiter.continuation.resume(returning: BudgetGrant(id: waiter.id, waited: waited))
        }
        // Nobody came for a slot, or nobody waits, nobody called lately and the next slot is far:
        // demand is gone, give every slot back.
        let idle = arrivals.window(options.lookahead, now: now).count == 0
        if queue.isEmpty, wentStale || (idle && pool.first.map({ $0.instant > now + options.lookahead }) == true) {
            releasing += pool.removeAll().map(\.time)
        }
        return nil
    }

    private func expireDeadlines(now: ContinuousClock.Instant) {
        guard deadlines > 0 else { return }
        for (id, entry) in waiting {
            guard let deadline = entry.deadline else { continue }
            let start = estimatedStart(tag: entry.tag, id: id, now: now)
            if start > deadline { drop(id, BudgetError.deadlineExceeded(credential: credential, wouldWait: start - now)) }
        }
    }

    private func sendNotices(now: ContinuousClock.Instant) {
        while let first = notices.first, first.due <= now {
            notices.removeFirst()
            guard let entry = waiting[first.id], let notify = entry.onLongWait else { continue }
            notify(estimatedStart(tag: entry.tag, id: first.id, now: now) - now)
        }
    }

    /// How many slots to hold: one per waiting call and, while demand exceeds the windows, what
    /// the recent rate of calls needs over the lookahead.
    private func poolTarget(now: ContinuousClock.Instant) -> (demand: Int, prefetch: Int) {
        let rate = Double(arrivals.window(.seconds(2), now: now).count) / 2
        let prefetch = saturated ? Int((rate * options.lookahead.secondsValue).rounded(.up)) : 0
        return (queue.count, prefetch)
    }

    private func trimSurplus(now: ContinuousClock.Instant) {
        let (demand, prefetch) = poolTarget(now: now)
        let keep = min(options.maxPool, demand + prefetch) + max(4, options.maxBlock / 4)
        while pool.count > keep, let last = pool.last, last.instant > now + options.grace {
            releasing.append(pool.removeLast().time)
        }
    }

    private func refillIfNeeded(now: ContinuousClock.Instant) {
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
        let ledger = self.ledger
        // Off the actor, so the round trip measured is the ledger's, not the actor's queue.
        Task.detached {
            let sent = ContinuousClock.now
            do {
                let grant = try await ledger.reserve(request)
                let received = ContinuousClock.now
                await self.refilled(grant, request: request, generation: generation, sent: sent, received: received)
            } catch {
                await self.refillFailed(error, request: request)
            }
        }
    }

    private func refilled(_ grant: SlotGrant, request: SlotRequest, generation: Int,
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
            if grant.times.count < request.count { refillRetryAt = received + .seconds(1) }
        }
        tick()
    }

    private func refillFailed(_ error: any Error, request: SlotRequest) {
        refilling = false
        releasing = request.releasing + releasing
        recording = request.recording + recording
        refillRetryAt = .now + .milliseconds(250)
        logger?.warning("rate ledger failed", metadata: ["credential": "\(credential)", "error": "\(error)"])
        if pool.count == 0 {
            let failure = BudgetError.ledgerUnavailable(credential: credential, message: "\(error)")
            for id in Array(waiting.keys) { drop(id, failure) }
        }
        tick()
    }

    private func scheduleWake(now: ContinuousClock.Instant, guardUntil: ContinuousClock.Instant?) {
        var times: [ContinuousClock.Instant] = []
        if let first = pool.first {
            times.append(queue.isEmpty ? min(first.instant + options.grace + .milliseconds(1), now + options.lookahead)
                : max(first.instant, guardUntil ?? first.instant))
        }
        if !releasing.isEmpty, !refilling { times.append(lastLedgerCall + .milliseconds(200)) }
        if let refillRetryAt, !queue.isEmpty || !releasing.isEmpty { times.append(refillRetryAt) }
        if let first = notices.first { times.append(first.due) }
        if deadlines > 0, let earliest = waiting.values.compactMap(\.deadline).min() { times.append(earliest) }
        guard let at = times.min() else { return }
        if let wake, wake.at <= at, wake.at > now { return }
        wake?.task.cancel()
        wakeGeneration += 1
        let generation = wakeGeneration
        wake = (at, generation, Task {
            try? await Task.sleep(until: at, clock: .continuous)
            guard !Task.isCancelled else { return }
            self.woke(generation)
        })
    }

    private func woke(_ generation: UInt64) {
        if wake?.generation == generation { wake = nil }
        tick()
    }
}
