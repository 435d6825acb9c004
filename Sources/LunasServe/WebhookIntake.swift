import Foundation
import Logging
import LunasRuntime
import LunasStore
import ScalevModel

/// The runner's webhook intake: checks a delivery's signature on the raw body before it reads
/// it, answers the test event, and stores each new event with its handlers' jobs in one
/// transaction — many events per transaction under load — answering 200 only once that
/// committed. A redelivered event (same `unique_id`) is answered 200 and changes nothing.
struct WebhookIntake: Sendable {
    /// A configured source with its signing secret.
    struct Source: Sendable {
        var settings: WebhookSource
        var secret: String
    }

    /// An answer to a delivery.
    struct Answer: Sendable, Equatable {
        var status: Int
        var body: JSON
    }

    let sources: [String: Source]
    let catalog: RulesCatalog
    let events: GroupCommit<WebhookEventIntake, Bool>
    let metrics: RunnerMetrics
    let logger: Logger
    let workArrived: @Sendable () -> Void

    /// The largest body `source` accepts, or `nil` for a source that is not configured.
    func maxBody(of source: String) -> Int? { sources[source]?.settings.maxBodyBytes }

    /// The answer to `answer(status:)` an over-large body of a source.
    func tooLarge(_ source: String) -> Answer {
        metrics.webhook("too_large")
        logger.warning("webhook body over the size limit", metadata: ["source": "\(source)", "limit": "\(maxBody(of: source) ?? 0)"])
        return Answer(status: 413, body: ["error": .string("the body is larger than this source's limit of \(maxBody(of: source) ?? 0) bytes")])
    }

    /// The jobs of an event (its `event` and `unique_id` read): one per handler whose pattern matches.
    static func jobs(for event: JSON, source: String, credential: String?, catalog: RulesCatalog) async -> [JobRequest] {
        guard let kind = event["event"].stringValue, let eventID = event["unique_id"].stringValue else { return [] }
        return await catalog.handlers(for: kind).map { set, rule in
            JobRequest(queue: JobExecution.queue, payload: JobPayload(version: set.version, input: event, credential: credential).text,
                       uniqueKey: "webhook:\(source):\(eventID):\(rule.name)", script: set.script, handler: rule.name,
                       trigger: "webhook:\(eventID)", maxAttempts: rule.attempts)
        }
    }

    /// Checks and stores one delivery.
    func receive(source name: String, body: [UInt8], signature: String?) async -> Answer {
        guard let source = sources[name] else {
            metrics.webhook("unknown_source")
            let known = sources.keys.sorted().joined(separator: ", ")
            return Answer(status: 404, body: ["error": .string("no webhook source '\(name)'; configured: \(known.isEmpty ? "none" : known)")])
        }
        guard let signature, WebhookSignature.isValid(body: body, signature: signature, secret: source.secret) else {
            metrics.webhook("unsigned")
            logger.warning("webhook refused: \(signature == nil ? "no" : "a bad") \(WebhookSignature.header) signature", metadata: ["source": "\(name)", "bytes": "\(body.count)"])
            return Answer(status: 401, body: ["error": .string("the \(WebhookSignature.header) signature is missing or does not match the body")])
        }
        let event: JSON
        do {
            event = try JSON(parsing: body)
        } catch {
            metrics.webhook("malformed")
            return Answer(status: 400, body: ["error": .string("the body is not JSON: \(error)")])
        }
        guard case .object = event, let kind = event["event"].stringValue, !kind.isEmpty else {
            metrics.webhook("malformed")
            return Answer(status: 400, body: ["error": "the body is not an event: it needs a string field 'event'"])
        }
        if kind == "business.test_event" {
            metrics.webhook("test")
            return Answer(status: 200, body: ["ok": true, "test": true])
        }
        guard let eventID = event["unique_id"].stringValue, !eventID.isEmpty, eventID.utf8.count <= 200 else {
            metrics.webhook("malformed")
            return Answer(status: 400, body: ["error": "the event has no 'unique_id' (a string of at most 200 bytes)"])
        }
        let jobs = await Self.jobs(for: event, source: name, credential: source.settings.credential, catalog: catalog)
        let stored: Bool
        do {
            stored = try await events.submit(WebhookEventIntake(source: name, eventID: eventID, event: kind,
                                                                payload: String(decoding: body, as: UTF8.self), jobs: jobs))
        } catch {
            metrics.webhook("error")
            logger.error("cannot store a webhook event; answering 503 so that it is delivered again", metadata: ["event": "\(eventID)", "error": "\(error)"])
            return Answer(status: 503, body: ["error": "the event could not be stored; deliver it again"])
        }
        metrics.webhook(stored ? "accepted" : "duplicate")
        if stored && !jobs.isEmpty { workArrived() }
        return Answer(status: 200, body: ["ok": true, "duplicate": .bool(!stored), "jobs": .integer(Int64(stored ? jobs.count : 0))])
    }
}
