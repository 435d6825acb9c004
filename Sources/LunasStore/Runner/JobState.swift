/// Where a job is in its life: waiting to run, held by a worker, finished, or out of attempts.
public enum JobState: String, Sendable, CaseIterable {
    /// Waiting for its run time (new, retried or released).
    case ready
    /// Claimed by a worker under a lease.
    case running
    /// Finished: its handler ran to the end.
    case done
    /// Given up: it failed at its last attempt, or its handler said not to retry.
    case dead
}
