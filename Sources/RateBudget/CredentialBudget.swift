import Foundation
import Logging
import LunasClock
import ScalevModel

/// One credential's budget in this process. Calls wait in a ``FairQueue``; slots come from the
/// ledger in blocks sized to the demand and are handed out, in fair order, at their times.
/// Everything happens in `tick()`, run on each event (a call, a grant, an answer, a timer).
/// Its parts are extensions, each in a file named after it: the wait queue, the limit model,
/// the ledger refill and the timer.
actor CredentialBudget {
    struct Waiter {
        let id: UInt64
        let enqueued: ContinuousClock.Instant
        let continuation: ClockContinuation<BudgetGrant>
    }

    struct Waiting {
        let script: String
        let tag: Double
        let deadline: ContinuousClock.Instant?
        let onLongWait: (@Sendable (Duration) -> Void)?
    }

    let credential: String
    let clock: any WallClock
    let ledger: any RateLedger
    let options: BudgetOptions
    let logger: Logger?
    var metrics: BudgetMetrics
    var spec = BudgetSpec(windows: [])
    var specGeneration = 0
    /// A limit the server announced below every window of the spec.
    var learnedLimit: Int?

    var queue = FairQueue<Waiter>()
    var waiting: [UInt64: Waiting] = [:]
    var deadlines = 0
    var notices: [(due: ContinuousClock.Instant, id: UInt64)] = []
    var nextID: UInt64 = 0
    var scripts: [String: (weight: Int, seen: ContinuousClock.Instant)] = [:]

    var pool = SlotPool()
    var releasing: [Date] = []
    var ledgerClock: LedgerClock
    var lastLedgerCall: ContinuousClock.Instant
    var refilling = false
    var refillRetryAt: ContinuousClock.Instant?
    /// Whether the last grant had to go into the future: demand exceeds the windows.
    var saturated = false
    /// The windows the slots held were placed under.
    var placedUnder: [RateWindow] = []
    /// Reports of the server waiting for a fresh view of the other processes' slots.
    var reports: [Report] = []
    /// Slot times the ledger gave this process lately (to tell its slots from the others').
    var owned: Set<Date> = []
    /// Other processes' slots in the ledger at the last grant, on the local clock.
    var others: [ContinuousClock.Instant] = []
    /// When this process's sends were granted.
    var sends = SendLog()
    /// The same, per script (for the reserve, and to tell whether the credential is contended).
    var scriptSends: [String: SendLog] = [:]
    /// Scripts waiting that may not take a slot before an instant (at the reserve), as the last
    /// dispatch found them.
    var capped: [String: ContinuousClock.Instant] = [:]
    /// For each send, the instant by which the server had counted it: its answer, or while it
    /// is unanswered the grant plus ``BudgetOptions/unansweredBound``.
    var counted = SendLog()
    /// Sends not answered yet: grant id -> when granted, and the slot used.
    var unanswered: [UInt64: (granted: ContinuousClock.Instant, slot: SlotPool.Slot)] = [:]
    var lastSweep: ContinuousClock.Instant
    /// Until when this process's own log holds sends back (answers not in yet).
    var heldBack: ContinuousClock.Instant?
    /// Late sends to record in the ledger where they were counted by.
    var recording: [Date] = []
    var arrivals = SendLog()
    var feedback = ServerFeedback()
    var wake: (at: ContinuousClock.Instant, generation: UInt64, task: Task<Void, Never>)?
    var wakeGeneration: UInt64 = 0

    init(credential: String, ledger: any RateLedger, clock: any WallClock, options: BudgetOptions, logger: Logger?) {
        self.credential = credential
        self.clock = clock
        self.ledger = ledger
        self.options = options
        self.logger = logger
        self.metrics = BudgetMetrics(credential: credential)
        let now = clock.instant()
        self.ledgerClock = LedgerClock(base: now, clock: clock)
        self.lastLedgerCall = now
        self.lastSweep = now
    }

    // MARK: Calls

    func acquire(spec: BudgetSpec, script: String, weight: Int, deadline: ContinuousClock.Instant?,
                 onLongWait: (@Sendable (Duration) -> Void)?) async throws -> BudgetGrant {
        let now = clock.instant()
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
            try await clock.waitForEvent { (continuation: ClockContinuation<BudgetGrant>) in
                enqueue(Waiter(id: id, enqueued: now, continuation: continuation), script: script, weight: max(1, weight),
                        deadline: deadline, onLongWait: onLongWait, now: now)
            }
        } onCancel: {
            self.clock.spawn { await self.fail(id, CancellationError()) }
        }
    }

    func observe(script: String, grant: BudgetGrant?, answered: ContinuousClock.Instant, status: Int?, remaining: Int?, limit: Int?, reset: Date?) {
        let now = clock.instant()
        let sentAt = settle(grant?.id, answered: answered) ?? answered
        guard !spec.windows.isEmpty, let status else {
            tick()
            return
        }
        // A reset in the past says nothing; one more than an hour away is not believed.
        let wall = clock.now()
        var resetAt = reset.map { now + .milliseconds(Int64(($0.timeIntervalSince(wall) * 1000).rounded(.up))) }
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

    func snapshot(script: String) -> BudgetSnapshot {
        let now = clock.instant()
        let wall = clock.now()
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

    /// Records the answer (or the failure) of a send: the server counted it by then. Returns
    /// when it was granted. Without a grant, the oldest send in flight is taken.
    func settle(_ id: UInt64?, answered: ContinuousClock.Instant) -> ContinuousClock.Instant? {
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

    func tick() {
        let now = clock.instant()
        let keep = (spec.windows.map(\.length).max() ?? .zero) + options.unansweredBound + .seconds(1)
        sends.trim(now: now, keeping: keep)
        counted.trim(now: now, keeping: keep)
        trimScriptSends(now: now, keeping: keep)
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
}
