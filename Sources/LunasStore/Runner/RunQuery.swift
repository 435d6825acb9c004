/// Which runs ``RunnerStore/runs(_:)`` lists, newest first (by start).
public struct RunQuery: Sendable, Equatable {
    /// Only runs of this rules file.
    public var script: String?
    /// Only runs with this outcome (`ok`, `failed`, `limit`, `cancelled`, `rejected`).
    public var outcome: String?
    /// Only runs of this handler.
    public var handler: String?
    /// At most this many (1 to 10,000).
    public var limit: Int
    /// Only runs listed after the run with this id (the last of the previous page).
    public var before: Int64?

    /// A query; every filter left out matches every run.
    public init(script: String? = nil, outcome: String? = nil, handler: String? = nil, limit: Int = 50, before: Int64? = nil) {
        self.script = script
        self.outcome = outcome
        self.handler = handler
        self.limit = limit
        self.before = before
    }
}
