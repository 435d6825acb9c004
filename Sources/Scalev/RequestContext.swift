/// Per-call settings from the run that makes the call.
public struct RequestContext: Sendable {
    /// Who is asking (for budgets and traces), e.g. the script's name.
    public var script: String
    /// The run's deadline: the client never waits or retries past it.
    public var deadline: ContinuousClock.Instant?
    /// When set, writes are not sent: each is reported to ``recordWrite`` and answered with a
    /// body built from the request, marked `dry_run: true`. Reads go through.
    public var dryRun: Bool
    /// Receives one redacted line per request, response and retry (`--verbose`).
    public var trace: (@Sendable (String) -> Void)?
    /// Receives a one-line description of each write a dry run skipped.
    public var recordWrite: (@Sendable (String) -> Void)?
    /// Counts every HTTP attempt of the run against its cap; `nil` counts nothing.
    public var calls: CallTally?

    /// A context.
    public init(
        script: String, deadline: ContinuousClock.Instant? = nil, dryRun: Bool = false,
        trace: (@Sendable (String) -> Void)? = nil, recordWrite: (@Sendable (String) -> Void)? = nil, calls: CallTally? = nil
    ) {
        self.script = script
        self.deadline = deadline
        self.dryRun = dryRun
        self.trace = trace
        self.recordWrite = recordWrite
        self.calls = calls
    }
}
