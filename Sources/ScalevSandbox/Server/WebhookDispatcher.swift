import AsyncHTTPClient
import Foundation
import ScalevModel
import Synchronization

/// Delivers webhook events, one at a time and in order, to every registered endpoint: a signed JSON
/// `POST` of `{event, unique_id, timestamp, data}`, retried with doubling delays until a 2xx answer
/// or the retries run out.
final class WebhookDispatcher: Sendable {
    /// One delivery as the admin API reports it.
    struct Delivery: Sendable {
        var uniqueID: String
        var event: String
        var url: String
        var attempts: Int
        var lastStatus: Int?
        var delivered: Bool

        var json: JSON {
            [
                "unique_id": .string(uniqueID), "event": .string(event), "url": .string(url), "attempts": .int(attempts),
                "last_status": lastStatus.map(JSON.int) ?? .null, "delivered": .bool(delivered),
            ]
        }
    }

    private struct Job: Sendable {
        var endpoint: WebhookEndpoint
        var uniqueID: String
        var event: String
        var body: [UInt8]
    }

    private let client: HTTPClient
    private let retries: Int
    private let retryDelay: Double
    private let continuation: AsyncStream<Job>.Continuation
    private let stream: AsyncStream<Job>
    private let log = Mutex<[Delivery]>([])
    private let pending = Mutex<Int>(0)

    init(retries: Int, retryDelay: Double) {
        self.client = HTTPClient(eventLoopGroupProvider: .singleton)
        self.retries = retries
        self.retryDelay = retryDelay
        (stream, continuation) = AsyncStream<Job>.makeStream()
    }

    /// Runs deliveries until ``finish()``.
    func run() async {
        for await job in stream {
            await deliver(job)
            pending.withLock { $0 -= 1 }
        }
    }

    /// Queues `event` for every endpoint.
    func enqueue(event: String, data: JSON, endpoints: [WebhookEndpoint], uniqueID: String, timestamp: Double) {
        let body = Self.envelope(event: event, uniqueID: uniqueID, timestamp: timestamp, data: data).encoded()
        for endpoint in endpoints {
            pending.withLock { $0 += 1 }
            continuation.yield(Job(endpoint: endpoint, uniqueID: uniqueID, event: event, body: body))
        }
    }

    static func envelope(event: String, uniqueID: String, timestamp: Double, data: JSON) -> JSON {
        ["event": .string(event), "unique_id": .string(uniqueID), "timestamp": .string(Timestamp.format(timestamp)), "data": data]
    }

    /// Sends one signed request now; the HTTP status, or `nil` when the endpoint could not be reached.
    func send(url: String, secret: String, body: [UInt8]) async -> Int? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "ScalevSandbox-Webhook/1.0")
        request.headers.add(name: WebhookSignature.header, value: WebhookSignature.signature(body: body, secret: secret))
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }

    private func deliver(_ job: Job) async {
        var delivery = Delivery(uniqueID: job.uniqueID, event: job.event, url: job.endpoint.url, attempts: 0, lastStatus: nil, delivered: false)
        var delay = retryDelay
        while delivery.attempts <= retries {
            if delivery.attempts > 0 {
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                delay *= 2
            }
            delivery.attempts += 1
            delivery.lastStatus = await send(url: job.endpoint.url, secret: job.endpoint.secret, body: job.body)
            if let status = delivery.lastStatus, (200..<300).contains(status) {
                delivery.delivered = true
                break
            }
        }
        let finished = delivery
        log.withLock { $0.append(finished) }
    }

    /// Every finished delivery, oldest first.
    var deliveries: [Delivery] { log.withLock { $0 } }

    /// Deliveries queued or in flight.
    var pendingCount: Int { pending.withLock { $0 } }

    func clearLog() { log.withLock { $0.removeAll() } }

    /// Stops taking jobs and shuts the HTTP client down.
    func finish() async {
        continuation.finish()
        try? await client.shutdown()
    }
}
