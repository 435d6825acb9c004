import Foundation

/// One finished run to record: what ran, why, how it ended, and what it logged.
public struct RunInsert: Sendable, Equatable {
    /// The job it ran for (`nil`: a run with no job, e.g. `lunas run --schedule`).
    public var jobID: Int64?
    /// The rules file.
    public var script: String
    /// The content hash of the source it ran (a ``ScriptVersion``).
    public var version: String
    /// The handler.
    public var handler: String
    /// What made it (`webhook:<event id>`, `cron:<schedule>@<slot>`, `every:...`, `timer:<job id>`, `replay:<run id>`).
    public var trigger: String
    /// The credential its API calls used.
    public var credential: String?
    /// Which attempt of its job it was, from 1.
    public var attempt: Int
    /// The worker that ran it.
    public var worker: String
    /// When it started.
    public var startedAt: Date
    /// When it ended.
    public var endedAt: Date
    /// `ok`, `failed`, `limit`, `cancelled` or `rejected`.
    public var outcome: String
    /// For a `limit` outcome: which limit (`instructions`, `memory`, `time`, ...).
    public var limitKind: String?
    /// The error, with its `file:line`.
    public var error: String?
    /// The Lua traceback of the error.
    public var traceback: String?
    /// How many API calls it made.
    public var apiCalls: Int
    /// How long it waited on its credential's budget (stored to the millisecond).
    public var budgetWait: Duration
    /// Its input, as JSON text (what a replay runs it with).
    public var input: String
    /// Its log lines (already bounded by the runner).
    public var logs: [RunLogRow]
    /// How many log lines were dropped past the bound.
    public var logsDropped: Int

    /// A run to record.
    public init(
        jobID: Int64? = nil, script: String, version: String, handler: String, trigger: String, credential: String? = nil,
        attempt: Int = 1, worker: String, startedAt: Date, endedAt: Date, outcome: String, limitKind: String? = nil,
        error: String? = nil, traceback: String? = nil, apiCalls: Int = 0, budgetWait: Duration = .zero, input: String = "null",
        logs: [RunLogRow] = [], logsDropped: Int = 0
    ) {
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
        self.logs = logs
        self.logsDropped = logsDropped
    }
}
