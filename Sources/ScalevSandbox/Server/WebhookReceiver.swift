import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A webhook endpoint for tests: a loopback server that records each delivery and answers with the
/// next status from a script (then 200). Await deliveries on ``deliveries``.
///
/// ```swift
/// let receiver = try await WebhookReceiver.start(statuses: [500, 200])
/// for await delivery in receiver.deliveries { ... }
/// ```
public final class WebhookReceiver: Sendable {
    /// One received request.
    public struct Delivery: Sendable {
        /// The raw body bytes, exactly as received.
        public var body: [UInt8]
        /// Header values by lower-cased name.
        public var headers: [String: String]
        /// The status the receiver answered with.
        public var answeredStatus: Int
    }

    /// `http://127.0.0.1:port/hooks`.
    public let url: String
    /// Every delivery, in arrival order.
    public let deliveries: AsyncStream<Delivery>
    private let continuation: AsyncStream<Delivery>.Continuation
    private let task: Task<Void, any Error>

    private init(url: String, deliveries: AsyncStream<Delivery>, continuation: AsyncStream<Delivery>.Continuation, task: Task<Void, any Error>) {
        self.url = url
        self.deliveries = deliveries
        self.continuation = continuation
        self.task = task
    }

    /// Starts a receiver on a free loopback port; it answers with `statuses` in turn, then 200.
    public static func start(statuses: [Int] = []) async throws -> WebhookReceiver {
        let (stream, continuation) = AsyncStream<Delivery>.makeStream()
        let script = Mutex(statuses)
        let responder = CallbackResponder<BasicRequestContext> { request, context in
            let buffer = try await request.body.collect(upTo: 4 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let status = script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            continuation.yield(Delivery(body: Array(buffer.readableBytesView), headers: headers, answeredStatus: status))
            return Response(status: HTTPResponse.Status(code: status))
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "WebhookReceiver")
        logger.logLevel = .critical
        let application = Application(
            responder: responder, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }, logger: logger)
        let task = Task { try await application.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            let reason: (any Error)? = if case .failure(let error) = await task.result { error } else { nil }
            throw SandboxStartError(host: "127.0.0.1", port: 0, reason: reason)
        }
        return WebhookReceiver(url: "http://127.0.0.1:\(port)/hooks", deliveries: stream, continuation: continuation, task: task)
    }

    /// Stops the server and ends ``deliveries``; throws what the server failed with.
    public func stop() async throws {
        task.cancel()
        let served = await task.result
        continuation.finish()
        if case .failure(let error) = served, !(error is CancellationError) { throw error }
    }
}
