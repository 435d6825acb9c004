import Foundation

/// What the runner keeps: jobs with retries and a dead state, script versions, run history,
/// schedules' slots and webhook events. ``Store`` refines it; both backends implement it with
/// the same semantics, reading time from the store's clock (PostgreSQL: the database's).
///
/// Every change of a claimed job is conditioned on its lease token, so a worker whose lease
/// lapsed (and whose job another worker took) changes nothing. The batch calls (`enqueue`,
/// `finishJobs`, `recordEvents`, ...) write their whole array in one transaction, so a runner
/// can group many commits into one.
public protocol RunnerStore: JobQueue {
    /// Adds jobs in one transaction; each result is its id, or `nil` when a job with its unique key existed.
    func enqueue(_ jobs: [JobRequest]) async throws -> [Int64?]
    /// Claims up to `limit` due jobs of `queue`, oldest first, each under a lease of its own: a
    /// `ready` job whose run time came, or a `running` one whose lease lapsed (its heartbeat
    /// stopped) — never one whose lease is live, however long it has run. A claim counts an attempt.
    func claimJobs(queue: String, limit: Int, lease: Duration, worker: String) async throws -> [ClaimedJob]
    /// Extends the leases of `jobs` (the heartbeat); returns those still held, with their new expiry.
    func extendLeases(_ jobs: [ClaimedJob], by lease: Duration) async throws -> [ClaimedJob]
    /// Finishes jobs in one transaction, each with its run and follow-ups and conditioned on
    /// its lease token; one result per finish: `false` when the lease was lost (then nothing of
    /// that finish was written).
    func finishJobs(_ finishes: [JobFinish]) async throws -> [Bool]
    /// Puts claimed jobs back to `ready` at `runAt` (`nil`: now) without counting the attempt
    /// (shutdown grace, budget wait); conditioned on the lease. `false`: the lease was lost.
    func releaseJobs(_ jobs: [ClaimedJob], runAt: Date?) async throws -> [Bool]
    /// The jobs `query` selects, newest first.
    func jobs(_ query: JobQuery) async throws -> [JobRow]
    /// The job with this id.
    func job(id: Int64) async throws -> JobRow?
    /// Stores a script version; one whose hash is stored already changes nothing.
    func saveScriptVersion(_ version: ScriptVersion) async throws
    /// The script version with this hash.
    func scriptVersion(hash: String) async throws -> ScriptVersion?
    /// Records webhook events in one transaction: each new (source, event id) is stored with
    /// its jobs; a duplicate (stored before, or earlier in `events`) changes nothing. One
    /// result per event: `true` when it was new.
    func recordEvents(_ events: [WebhookEventIntake]) async throws -> [Bool]
    /// Records runs that belong to no claimed job (a run's job is finished by ``finishJobs(_:)``), in
    /// one transaction; returns their ids.
    func recordRuns(_ runs: [RunInsert]) async throws -> [Int64]
    /// The runs `query` selects, newest first (by start, then id).
    func runs(_ query: RunQuery) async throws -> [RunRow]
    /// The run with this id.
    func run(id: Int64) async throws -> RunRow?
    /// The log lines of a run, in order.
    func runLogs(runID: Int64) async throws -> [RunLogRow]
    /// Deletes the runs that ended before `endedBefore`, with their log lines; returns how many runs.
    func pruneRuns(endedBefore: Date) async throws -> Int
    /// Upserts the spec, zone, script and kind of each schedule in one transaction; keeps the
    /// paused flag, last slot and counters of those stored, and deletes no other.
    func saveSchedules(_ schedules: [ScheduleDefinition]) async throws
    /// Every stored schedule, by name.
    func schedules() async throws -> [ScheduleRow]
    /// Pauses or resumes a schedule; `false`: no such schedule.
    func setSchedulePaused(_ name: String, paused: Bool) async throws -> Bool
    /// Compare-and-set of a schedule's slot: when its last slot is `from` (`nil`: never fired),
    /// sets it to `to`, adds `missed` to its missed count and enqueues `jobs` (their unique keys
    /// still apply), in one transaction. `false`: another runner moved it first (or no such
    /// schedule), and nothing was written.
    func advanceSchedule(_ name: String, from: Date?, to: Date, missed: Int, jobs: [JobRequest]) async throws -> Bool
    /// Records the outcome and run of a schedule's latest run (for `lunas schedules list`).
    func noteScheduleRun(_ name: String, outcome: String, runID: Int64?) async throws
    /// Counts a slot the overlap policy skipped.
    func noteScheduleOverlapSkipped(_ name: String) async throws
}

// The one-job calls of `JobQueue`, as batches of one.
extension RunnerStore {
    /// Adds a job; returns its id, or `nil` when a job with the same unique key exists.
    public func enqueue(_ job: JobRequest) async throws -> Int64? {
        try await enqueue([job]).first ?? nil
    }

    /// Claims the oldest due job of a queue (or one whose lease lapsed), or `nil` when none is.
    public func claimJob(queue: String, lease: Duration, worker: String) async throws -> ClaimedJob? {
        try await claimJobs(queue: queue, limit: 1, lease: lease, worker: worker).first
    }

    /// Extends the lease; `nil` when it was lost.
    public func extendLease(_ job: ClaimedJob, by lease: Duration) async throws -> ClaimedJob? {
        try await extendLeases([job], by: lease).first
    }

    /// Marks the job done, or dead with `error`; `false` when the lease was lost.
    public func completeJob(_ job: ClaimedJob, error: String?) async throws -> Bool {
        let result: JobFinish.Result = error.map { .dead(error: $0) } ?? .done
        return try await finishJobs([JobFinish(job: job, result: result)]).first ?? false
    }
}
