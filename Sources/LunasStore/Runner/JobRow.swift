import Foundation

/// A job as stored, for listing and inspection (`lunas jobs list`).
public struct JobRow: Sendable, Equatable {
    /// Its id.
    public var id: Int64
    /// Its queue.
    public var queue: String
    /// The rules file it runs (`vip_rules`).
    public var script: String
    /// The handler it runs (`vip_rules:on:order.*`).
    public var handler: String
    /// What made it (`webhook:<event id>`, `cron:<schedule>@<slot>`, `timer:<job id>`, `replay:<run id>`).
    public var trigger: String
    /// Its input, as JSON text.
    public var payload: String
    /// Where it is in its life.
    public var state: JobState
    /// When it is due (for a `ready` job; otherwise when it was last due).
    public var runAt: Date
    /// How many times it was claimed.
    public var attempts: Int
    /// How many attempts it may take before it is dead.
    public var maxAttempts: Int
    /// The error of its latest failed attempt.
    public var lastError: String?
    /// The worker that claimed it last.
    public var worker: String?
    /// When the lease of a `running` job lapses.
    public var leaseExpiresAt: Date?
    /// When it was enqueued.
    public var createdAt: Date
    /// When it became `done` or `dead`.
    public var finishedAt: Date?
    /// Its unique key, if it has one.
    public var uniqueKey: String?
    /// The run its latest finish recorded.
    public var lastRunID: Int64?

    /// A job row.
    public init(
        id: Int64, queue: String, script: String, handler: String, trigger: String, payload: String, state: JobState,
        runAt: Date, attempts: Int, maxAttempts: Int, lastError: String?, worker: String?, leaseExpiresAt: Date?,
        createdAt: Date, finishedAt: Date?, uniqueKey: String?, lastRunID: Int64?
    ) {
        self.id = id
        self.queue = queue
        self.script = script
        self.handler = handler
        self.trigger = trigger
        self.payload = payload
        self.state = state
        self.runAt = runAt
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.lastError = lastError
        self.worker = worker
        self.leaseExpiresAt = leaseExpiresAt
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.uniqueKey = uniqueKey
        self.lastRunID = lastRunID
    }
}
