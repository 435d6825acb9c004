/// A webhook event as received, with the jobs of the handlers it matched: stored together, once
/// per (`source`, `eventID`), by ``RunnerStore/recordEvents(_:)``.
public struct WebhookEventIntake: Sendable, Equatable {
    /// The webhook it came through (`scalev`).
    public var source: String
    /// The sender's id of the event (Scalev's `unique_id`): a redelivery has the same.
    public var eventID: String
    /// The event's name (`order.payment_status_changed`).
    public var event: String
    /// The raw body, as JSON text.
    public var payload: String
    /// The jobs of the handlers it matched (none: stored all the same).
    public var jobs: [JobRequest]

    /// An event to record.
    public init(source: String, eventID: String, event: String, payload: String, jobs: [JobRequest] = []) {
        self.source = source
        self.eventID = eventID
        self.event = event
        self.payload = payload
        self.jobs = jobs
    }
}
