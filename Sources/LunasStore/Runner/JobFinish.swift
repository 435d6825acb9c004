import Foundation

/// How a claimed job ends, with the run it recorded and the timers its handler set; written in
/// one transaction by ``RunnerStore/finishJobs(_:)`` only while the lease is still held.
public struct JobFinish: Sendable {
    /// What becomes of the job.
    public enum Result: Sendable, Equatable {
        /// It is finished.
        case done
        /// Try again at `at`; once the job has used its `maxAttempts` it is `dead` instead.
        case retry(at: Date, error: String)
        /// Give up now.
        case dead(error: String)
    }

    /// The job, as claimed (its lease token conditions the finish).
    public var job: ClaimedJob
    /// What becomes of it.
    public var result: Result
    /// The run to record with it (its job id defaults to the job's); its id becomes the job's ``JobRow/lastRunID``.
    public var run: RunInsert?
    /// Jobs to enqueue with it (`after`/`at` timers); their unique keys apply.
    public var followUps: [JobRequest]

    /// A finish.
    public init(job: ClaimedJob, result: Result, run: RunInsert? = nil, followUps: [JobRequest] = []) {
        self.job = job
        self.result = result
        self.run = run
        self.followUps = followUps
    }
}
