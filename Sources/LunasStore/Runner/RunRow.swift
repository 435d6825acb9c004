import Foundation

/// A recorded run, as `lunas runs list` and `lunas runs show` print it (its log lines come from
/// ``RunnerStore/runLogs(runID:)``).
public struct RunRow: Sendable, Equatable {
    /// Its id.
    public var id: Int64
    /// The job it ran for.
    public var jobID: Int64?
    /// The rules file.
    public var script: String
    /// The content hash of the source it ran.
    public var version: String
    /// The handler.
    public var handler: String
    /// What made it.
    public var trigger: String
    /// The credential its API calls used.
    public var credential: String?
    /// Which attempt of its job it was.
    public var attempt: Int
    /// The worker that ran it.
    public var worker: String
    /// When it started.
    public var startedAt: Date
    /// When it ended.
    public var endedAt: Date
    /// `ok`, `failed`, `limit`, `cancelled` or `rejected`.
    public var outcome: String
    /// For a `limit` outcome: which limit.
    public var limitKind: String?
    /// The error, with its `file:line`.
    public var error: String?
    /// The Lua traceback of the error.
    public var traceback: String?
    /// How many API calls it made.
    public var apiCalls: Int
    /// How long it waited on its credential's budget.
    public var budgetWait: Duration
    /// Its input, as JSON text.
    public var input: String
    /// How many log lines were dropped past the bound.
    public var logsDropped: Int

    /// A run row.
    public init(
        id: Int64, jobID: Int64?, script: String, version: String, handler: String, trigger: String, credential: String?,
        attempt: Int, worker: String, startedAt: Date, endedAt: Date, outcome: String, limitKind: String?, error: String?,
        traceback: String?, apiCalls: Int, budgetWait: Duration, input: String, logsDropped: Int
    ) {
        self.id = id
        self.jobID = jobID
        self.script = script
        self.version = version
        self.handler = handler
        self.trigger = trigger
        self.credential = credential
        self.attempt = attempt
        self.worker = worker
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.limitKind = limitKind
        self.error = error
        self.traceback = traceback
        self.apiCalls = apiCalls
        self.budgetWait = budgetWait
        self.input = input
        self.logsDropped = logsDropped
    }
}
