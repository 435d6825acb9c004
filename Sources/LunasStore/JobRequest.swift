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

    /// A job request.
    public init(queue: String, payload: String, runAt: Date? = nil, uniqueKey: String? = nil) {
        self.queue = queue
        self.payload = payload
        self.runAt = runAt
        self.uniqueKey = uniqueKey
    }
}
