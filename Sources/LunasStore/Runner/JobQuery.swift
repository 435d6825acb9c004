/// Which jobs ``RunnerStore/jobs(_:)`` lists, newest first.
public struct JobQuery: Sendable, Equatable {
    /// Only jobs in one of these states (`nil`: any).
    public var states: [JobState]?
    /// Only jobs of this queue.
    public var queue: String?
    /// Only jobs of this rules file.
    public var script: String?
    /// Only jobs of this handler (a registration name, `vip_rules:on:order.*`).
    public var handler: String?
    /// At most this many (1 to 10,000).
    public var limit: Int

    /// A query; every filter left out matches every job.
    public init(states: [JobState]? = nil, queue: String? = nil, script: String? = nil, handler: String? = nil, limit: Int = 100) {
        self.states = states
        self.queue = queue
        self.script = script
        self.handler = handler
        self.limit = limit
    }
}
