import Foundation
import Logging
import LunasClock
import LunasRuntime
import LunasSchedule
import LunasStore
import ScalevModel

/// The runner's scheduler: for every cron and `every` rule, turns the slots that came due into
/// jobs. Slots are durable — each schedule's last handled slot is in the store, advanced by a
/// compare-and-set together with the jobs it enqueues, and each slot's job has a unique key —
/// so runners that restart, or several on one database, neither miss nor double a slot, and
/// the rule's catch-up and overlap policies decide what a downtime leaves.
actor Scheduler {
    private let store: any RunnerStore
    private let catalog: RulesCatalog
    private let clock: any WallClock
    private let defaultZone: String
    private let logger: Logger
    private let workArrived: @Sendable () -> Void
    private let wakeup = Wakeup()
    private var stopping = false
    private var saved: [ScheduleDefinition] = []

    init(store: any RunnerStore, catalog: RulesCatalog, clock: any WallClock, defaultZone: String, logger: Logger,
         workArrived: @escaping @Sendable () -> Void) {
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.defaultZone = defaultZone
        self.logger = logger
        self.workArrived = workArrived
    }

    /// Looks at the schedules again now (the rules were reloaded).
    nonisolated func rulesChanged() { wakeup.signal() }

    /// Fires schedules until ``stop()``.
    func run() async {
        while !stopping {
            var wait: TimeInterval = 60
            do {
                if let next = try await tick() { wait = min(wait, max(next.timeIntervalSince(clock.now()), 0.001)) }
            } catch {
                logger.error("cannot fire schedules", metadata: ["error": "\(error)"])
                wait = 1
            }
            if stopping { break }
            await wakeup.wait(atMost: .milliseconds(Int64((wait * 1000).rounded(.up))), clock: clock)
        }
    }

    /// Stops after the current pass.
    func stop() {
        stopping = true
        wakeup.signal()
    }

    /// One pass over every schedule; returns the earliest next slot.
    @discardableResult
    // Unoptimised: swiftc 6.3.1 crashes (signal 11 in LLVM's coroutine splitting, after inlining)
    // when it optimises this function in a release build.
    @_optimize(none)
    func tick() async throws -> Date? {
        let rules = await catalog.schedules()
        let definitions = try rules.map { set, rule in try definition(set, rule) }
        if definitions != saved {
            try await store.saveSchedules(definitions)
            saved = definitions
        }
        let rows = Dictionary(try await store.schedules().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var earliest: Date?
        for ((set, rule), definition) in zip(rules, definitions) {
            guard let row = rows[rule.name] else { continue }
            let zone = try TimeZone.iana(definition.zone)
            let now = clock.now()
            var plan = SlotPlan(rule: rule, recurrence: try recurrence(of: rule), zone: zone, last: row.lastSlot, now: now)
            if let next = plan.nextSlot { earliest = min(earliest ?? next, next) }
            if row.paused {
                // a paused schedule lets its slots pass; resumed, it starts from the slot it is in
                plan.fires = []
                plan.missed = 0
            }
            guard row.lastSlot != plan.lastSlot || !plan.fires.isEmpty else { continue }
            plan.fires = try await applyOverlap(rule, plan.fires)
            let jobs = plan.fires.map { job(set, rule, zone: zone, fire: $0) }
            if try await store.advanceSchedule(rule.name, from: row.lastSlot, to: plan.lastSlot, missed: plan.missed, jobs: jobs) {
                if plan.missed > 0 {
                    logger.notice("schedule missed slots while no runner was up", metadata: [
                        "schedule": "\(rule.name)", "missed": "\(plan.missed)", "catch_up": "\(rule.catchUp.rawValue)"])
                }
                if !jobs.isEmpty { workArrived() }
            }
        }
        return earliest
    }

    /// The fires that run under the rule's overlap policy, given its jobs still queued or running.
    private func applyOverlap(_ rule: Rule, _ fires: [SlotPlan.Fire]) async throws -> [SlotPlan.Fire] {
        guard !fires.isEmpty, rule.overlap != .allow else { return fires }
        let active = try await store.jobs(JobQuery(states: [.ready, .running], handler: rule.name, limit: 10))
        switch rule.overlap {
        case .allow:
            return fires
        case .skip:
            guard active.isEmpty else {
                try await store.noteScheduleOverlapSkipped(rule.name)
                return []
            }
            return fires
        case .queueOne:
            guard !active.contains(where: { $0.state == .ready }) else {
                try await store.noteScheduleOverlapSkipped(rule.name)
                return []
            }
            return active.isEmpty ? fires : fires.suffix(1)
        }
    }

    private func job(_ set: RuleSet, _ rule: Rule, zone: TimeZone, fire: SlotPlan.Fire) -> JobRequest {
        let kind = if case .cron = rule.kind { "cron" } else { "every" }
        let ms = Int64((fire.slot.timeIntervalSince1970 * 1000).rounded(.down))
        let input: JSON = [
            "name": .string(rule.name), "scheduled": .string(fire.slot.iso8601(in: zone)),
            "scheduled_epoch": .integer(ms / 1000), "catch_up": .bool(fire.catchUp),
        ]
        return JobRequest(queue: JobExecution.queue, payload: JobPayload(version: set.version, input: input).text, runAt: fire.slot,
                          uniqueKey: "\(kind):\(rule.name)@\(ms)", script: set.script, handler: rule.name,
                          trigger: "\(kind):\(rule.name)@\(fire.slot.iso8601(in: zone))", maxAttempts: rule.attempts)
    }

    private func definition(_ set: RuleSet, _ rule: Rule) throws -> ScheduleDefinition {
        switch rule.kind {
        case .cron(let spec):
            ScheduleDefinition(name: rule.name, script: set.script, kind: "cron", spec: spec, zone: rule.zone ?? defaultZone)
        case .every(let spec):
            ScheduleDefinition(name: rule.name, script: set.script, kind: "every", spec: spec, zone: "UTC")
        case .event, .job:
            throw ServeError("\(rule.name) is not a schedule")
        }
    }

    private func recurrence(of rule: Rule) throws -> any Recurrence {
        switch rule.kind {
        case .cron(let spec): try CronSpec(parsing: spec)
        case .every(let spec): try EverySpec(parsing: spec)
        case .event, .job: throw ServeError("\(rule.name) is not a schedule")
        }
    }
}
