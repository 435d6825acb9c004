import Foundation

/// A job a worker holds under a lease: every later change is conditioned on `leaseToken`, so a
/// worker whose lease lapsed (and whose job another worker took) cannot complete it.
public struct ClaimedJob: Sendable, Equatable {
    /// The job's id.
    public var id: Int64
    /// Its queue.
    public var queue: String
    /// Its payload (JSON text).
    public var payload: String
    /// How many times it has been claimed, this claim included.
    public var attempts: Int
    /// The token of this lease; a new claim gets a larger one.
    public var leaseToken: Int64
    /// When the lease lapses unless extended (the heartbeat).
    public var leaseExpiresAt: Date
    /// The rules file it runs.
    public var script: String
    /// The handler it runs.
    public var handler: String
    /// What made it.
    public var trigger: String
    /// How many attempts it may take before it is dead. A job whose lapsed lease is reclaimed
    /// may be claimed more often (`attempts` past this): the cut run was not a finished attempt.
    public var maxAttempts: Int
    /// When it came due (its run time): the claim's lag is the claim's time minus this.
    public var runAt: Date?

    /// A claimed job.
    public init(
        id: Int64, queue: String, payload: String, attempts: Int, leaseToken: Int64, leaseExpiresAt: Date,
        script: String = "", handler: String = "", trigger: String = "", maxAttempts: Int = 5, runAt: Date? = nil
    ) {
        self.id = id
        self.queue = queue
        self.payload = payload
        self.attempts = attempts
        self.leaseToken = leaseToken
        self.leaseExpiresAt = leaseExpiresAt
        self.script = script
        self.handler = handler
        self.trigger = trigger
        self.maxAttempts = maxAttempts
        self.runAt = runAt
    }

    /// Whether this claim is the job's last attempt: a retry now makes it dead.
    public var isLastAttempt: Bool { attempts >= maxAttempts }
}
