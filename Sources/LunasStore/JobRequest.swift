import Foundation

/// A job to run: a queue name, a JSON payload, when, and an optional key that makes it unique
/// (`cron:<schedule>:<slot>`, `webhook:<event id>`), so the same job is never enqueued twice.
public struct JobRequest: Sendable, Equatable {
    /// The queue (`scripts`, `webhooks`).
    public var queue: String
    /// What to run, as JSON text.
    public var payload: String
    /// Not before this time (default: now).
    public var runAt: Date?
    /// Enqueuing a second job with the same key does nothing.
    public var uniqueKey: String?
    /// The rules file it runs (`vip_rules`).
    public var script: String
    /// The handler it runs: its registration name (`vip_rules:on:order.*`).
    public var handler: String
    /// What made it: `webhook:<event id>`, `cron:<schedule>@<ISO slot>`, `every:...`,
    /// `timer:<job id>`, `replay:<run id>`.
    public var trigger: String
    /// How many attempts it may take (at least 1) before it is dead.
    public var maxAttempts: Int

    /// A job request.
    public init(
        queue: String, payload: String, runAt: Date? = nil, uniqueKey: String? = nil,
        script: String = "", handler: String = "", trigger: String = "", maxAttempts: Int = 5
    ) {
        self.queue = queue
        self.payload = payload
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.script = script
        self.handler = handler
        self.trigger = trigger
        self.maxAttempts = maxAttempts
    }
}
