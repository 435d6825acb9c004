/// The runner's job table: enqueue, claim under a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`),
/// heartbeat, complete. A job whose worker died is claimed again when its lease lapses; delivery
/// is at least once, and never to two live workers at once.
public protocol JobQueue: Sendable {
    /// Adds a job; returns its id, or `nil` when a job with the same unique key exists.
    func enqueue(_ job: JobRequest) async throws -> Int64?
    /// Claims the oldest due job of a queue (or one whose lease lapsed), or `nil` when none is.
    func claimJob(queue: String, lease: Duration, worker: String) async throws -> ClaimedJob?
    /// Extends the lease; `nil` when it was lost.
    func extendLease(_ job: ClaimedJob, by lease: Duration) async throws -> ClaimedJob?
    /// Marks the job done (or failed with an error); `false` when the lease was lost.
    func completeJob(_ job: ClaimedJob, error: String?) async throws -> Bool
}
