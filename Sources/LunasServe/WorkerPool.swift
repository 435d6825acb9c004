import Foundation
import Logging
import LunasClock
import LunasRuntime
import LunasStore
import Synchronization

/// The runner's workers: claims due rules jobs under a lease while it has free slots (of
/// `concurrency`), runs each, renews the leases of all it holds every third of the lease, and
/// finishes them in group commits. Stopping it stops the claims, lets runs in flight finish
/// within the grace, then cancels the rest and puts their jobs back.
actor WorkerPool {
    private let store: any RunnerStore
    private let execution: JobExecution
    private let settings: ServeSettings
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: RunnerMetrics
    private let finishes: GroupCommit<JobFinish, Bool>
    private let wakeup = Wakeup()
    /// How long the loop waits for work when it was given no signal: jobs that other runners
    /// enqueued, and timers coming due.
    private let pollInterval: Duration
    private var held: [Int64: ClaimedJob] = [:]
    /// Held jobs whose runs wait on a credential's budget: they hold no slot meanwhile.
    private let waitingOnBudget = WaitingRuns()
    private var runs: [Int64: Task<Void, Never>] = [:]
    /// Jobs whose finish is being written: a renewal racing that write does not find them running,
    /// yet their lease was never lost.
    private var finishing: Set<Int64> = []
    private var stopping = false
    private var drained: [CheckedContinuation<Void, Never>] = []

    init(store: any RunnerStore, execution: JobExecution, settings: ServeSettings, clock: any WallClock, logger: Logger,
         metrics: RunnerMetrics, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.execution = execution
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.pollInterval = pollInterval
        self.finishes = GroupCommit { [store] batch in try await store.finishJobs(batch) }
    }

    /// Wakes the claim loop: work was just enqueued here.
    nonisolated func workArrived() { wakeup.signal() }

    /// Claims and runs jobs until ``stop(grace:)``.
    func run() async {
        let heartbeat = clock.spawn { [self] in await self.renewLeases() }
        defer { heartbeat.cancel() }
        while !stopping {
            let free = settings.concurrency - held.count + waitingOnBudget.count
            var claimed: [ClaimedJob] = []
            if free > 0 {
                do {
                    claimed = try await store.claimJobs(queue: JobExecution.queue, limit: min(free, 64), lease: settings.lease, worker: execution.worker)
                } catch {
                    logger.error("cannot claim jobs", metadata: ["error": "\(error)"])
                }
            }
            if stopping {
                // claimed while the stop came: back to the queue, unrun
                if !claimed.isEmpty { _ = try? await store.releaseJobs(claimed, runAt: nil) }
                break
            }
            for job in claimed { start(job) }
            if claimed.isEmpty || held.count - waitingOnBudget.count >= settings.concurrency {
                await wakeup.wait(atMost: pollInterval, clock: clock)
            }
        }
        // the leases of runs finishing within the grace are still renewed
        if !held.isEmpty { await withCheckedContinuation { drained.append($0) } }
    }

    private func start(_ job: ClaimedJob) {
        held[job.id] = job
        logger.debug("run started", metadata: ["job": "\(job.id)", "handler": "\(job.handler)", "trigger": "\(job.trigger)", "attempt": "\(job.attempts)"])
        if let due = job.runAt { metrics.claimed(lag: clock.now().timeIntervalSince(due)) }
        let waits = waitingOnBudget, wakeup = self.wakeup
        let observer = BudgetWaitObserver(
            began: { waits.insert(job.id); wakeup.signal() },
            ended: { waits.remove(job.id) })
        runs[job.id] = Task { [self] in
            let finish = await execution.perform(job, budgetWaits: observer)
            await self.end(job, finish)
        }
    }

    private func end(_ job: ClaimedJob, _ finish: JobFinish?) async {
        if let finish {
            finishing.insert(job.id)
            defer { finishing.remove(job.id) }
            do {
                let kept = try await finishes.submit(finish)
                if !kept { logger.warning("lost the lease of a job before it finished; another runner has it", metadata: ["job": "\(job.id)"]) }
                metrics.finished(finish)
                if kept, let run = finish.run {
                    logger.info("run finished", metadata: [
                        "job": "\(job.id)", "script": "\(run.script)", "handler": "\(run.handler)", "trigger": "\(run.trigger)",
                        "outcome": "\(run.outcome)", "attempt": "\(run.attempt)", "api_calls": "\(run.apiCalls)"])
                }
                if kept && !finish.followUps.isEmpty { wakeup.signal() }
                if kept, let run = finish.run, job.trigger.hasPrefix("cron:") || job.trigger.hasPrefix("every:") {
                    let runID = try? await store.job(id: job.id)?.lastRunID
                    try await store.noteScheduleRun(job.handler, outcome: run.outcome, runID: runID ?? nil)
                }
            } catch {
                logger.error("cannot record a finished job; its lease will lapse and it will run again", metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        } else {
            // the run's task is cancelled, and the store honours cancellation: release from a task of its own
            let store = self.store
            let released = await Task { try await store.releaseJobs([job], runAt: nil) }.result
            if case .failure(let error) = released {
                logger.error("cannot put a cancelled run's job back; its lease will lapse and it will run again", metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        }
        held[job.id] = nil
        runs[job.id] = nil
        waitingOnBudget.remove(job.id)
        wakeup.signal()
        if held.isEmpty {
            for waiter in drained { waiter.resume() }
            drained = []
        }
    }

    private func renewLeases() async {
        let period = settings.lease / 3
        while !Task.isCancelled {
            guard (try? await clock.sleep(until: clock.instant() + period)) != nil else { return }
            let jobs = Array(held.values)
            guard !jobs.isEmpty else { continue }
            do {
                let kept = try await store.extendLeases(jobs, by: settings.lease)
                let keptIDs = Set(kept.map(\.id))
                for job in kept where held[job.id] != nil { held[job.id] = job }
                for job in jobs where !keptIDs.contains(job.id) && held[job.id] != nil && !finishing.contains(job.id) {
                    // another runner took it after our lease lapsed: this run's result would not count
                    logger.warning("lost the lease of a running job; cancelling its run", metadata: ["job": "\(job.id)"])
                    runs[job.id]?.cancel()
                }
            } catch {
                logger.error("cannot renew job leases", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Stops claiming; runs in flight get `grace` to finish, then are cancelled and their jobs
    /// released to the queue. Returns once every run has ended.
    func stop(grace: Duration) async {
        stopping = true
        wakeup.signal()
        if !held.isEmpty {
            let timer = clock.spawn { [self] in
                guard (try? await clock.sleep(until: clock.instant() + grace)) != nil else { return }
                await self.cancelRuns()
            }
            await withCheckedContinuation { drained.append($0) }
            timer.cancel()
        }
    }

    private func cancelRuns() {
        guard !held.isEmpty else { return }
        logger.notice("grace is over: cancelling runs in flight; their jobs go back to the queue", metadata: ["runs": "\(held.count)"])
        for task in runs.values { task.cancel() }
    }
}

/// The held jobs whose runs wait on a budget, shared with the runs' observers.
final class WaitingRuns: Sendable {
    private let ids = Mutex<Set<Int64>>([])

    var count: Int { ids.withLock { $0.count } }
    func insert(_ id: Int64) { ids.withLock { _ = $0.insert(id) } }
    func remove(_ id: Int64) { ids.withLock { _ = $0.remove(id) } }
}
