import AsyncHTTPClient
import ScalevSandbox
import Synchronization

/// An in-process Scalev sandbox on a loopback port and an HTTP client to talk to it: where a test
/// of Scalev automation starts.
///
/// ```swift
/// try await SandboxHarness.with { sandbox in
///     let bearer = ("Authorization", "Bearer \(sandbox.credentials.businessKey)")
///     let reply = try await sandbox.request("GET", "/v3/stores", headers: [bearer])
///     #expect(reply.status == 200)
/// }
/// ```
///
/// ``with(_:clock:http:_:)`` stops the sandbox when its body returns or throws. A harness from
/// ``start(_:clock:http:)`` is stopped by ``stop()``, or by the ``TestScope`` of the test that
/// started it.
public final class SandboxHarness: Sendable {
    /// How the sandbox's simulated clock moves.
    public enum ClockMode: Sendable {
        /// Time moves only when the test advances it (``advanceClock(by:)``): token expiry and
        /// date filters are then exact.
        case frozen
        /// Time moves with the wall clock, as rate windows measured in real time need.
        case running
    }

    /// A small sandbox without rate limits (60 orders): quick to start, for tests that neither
    /// page through many orders nor exercise the limits.
    public static let quick = SandboxConfiguration(seededOrderCount: 60, rateLimitingEnabled: false)

    /// An HTTP client that does not follow redirects, so a test sees each answer as sent.
    public static var directHTTP: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return configuration
    }

    /// The running sandbox.
    public let sandbox: ScalevSandbox
    /// The client the harness sends with; shut down by ``stop()``.
    public let http: HTTPClient
    private let receivers = Mutex<[WebhookReceiver]>([])
    private let stopped = Mutex(false)

    private init(sandbox: ScalevSandbox, http: HTTPClient) {
        self.sandbox = sandbox
        self.http = http
    }

    /// Starts a sandbox with `configuration` (its clock set by `clock`) and a client made with
    /// `http`. The harness is handed to the running test's ``TestScope``, if any.
    public static func start(
        _ configuration: SandboxConfiguration = quick, clock: ClockMode = .frozen, http: HTTPClient.Configuration = directHTTP
    ) async throws -> SandboxHarness {
        var configuration = configuration
        configuration.frozenClock = clock == .frozen
        let sandbox = try await ScalevSandbox.start(configuration)
        let harness = SandboxHarness(sandbox: sandbox, http: HTTPClient(eventLoopGroupProvider: .singleton, configuration: http))
        TestScope.adopt { try await harness.stop() }
        return harness
    }

    /// Runs `body` with a started harness and stops it afterwards, also when `body` throws;
    /// rethrows what `body` or stopping threw.
    public static func with<Result>(
        _ configuration: SandboxConfiguration = quick, clock: ClockMode = .frozen, http: HTTPClient.Configuration = directHTTP,
        _ body: (SandboxHarness) async throws -> Result
    ) async throws -> Result {
        let harness = try await start(configuration, clock: clock, http: http)
        return try await afterwards { try await body(harness) } teardown: { try await harness.stop() }
    }

    /// Stops the sandbox (finishing its webhook deliveries), then the receivers it started, then
    /// shuts the client down; throws the first error after all of them stopped. Later calls do
    /// nothing.
    public func stop() async throws {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        var failure: (any Error)?
        do { try await sandbox.stop() } catch { failure = error }
        for receiver in receivers.withLock({ $0 }) {
            do { try await receiver.stop() } catch { failure = failure ?? error }
        }
        do { try await http.shutdown() } catch { failure = failure ?? error }
        if let failure { throw failure }
    }

    /// `http://127.0.0.1:port`.
    public var baseURL: String { sandbox.baseURL }
    /// Keys, logins and secrets of the sandbox's seeded business.
    public var credentials: SandboxCredentials { sandbox.credentials }

    /// Sends one request to the sandbox and collects the answer (up to 16 MiB).
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> SandboxReply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        var fields: [String: String] = [:]
        for (name, value) in response.headers { fields[name.lowercased()] = value }
        return SandboxReply(status: Int(response.status.code), headers: fields, body: Array(bytes.readableBytesView))
    }

    /// Moves the frozen clock forward (through the admin API, `POST /_sandbox/clock/advance`).
    public func advanceClock(by seconds: Double) async throws {
        let path = "/_sandbox/clock/advance"
        let reply = try await request("POST", path, headers: [("Content-Type", "application/json")], body: Array(#"{"seconds":\#(seconds)}"#.utf8))
        guard (200...299).contains(reply.status) else { throw SandboxHarnessError.adminRefused(path: path, reply: reply) }
    }

    /// Starts a webhook endpoint that answers with `statuses` in turn, then 200; ``stop()`` stops it.
    public func webhookReceiver(statuses: [Int] = []) async throws -> WebhookReceiver {
        let receiver = try await WebhookReceiver.start(statuses: statuses)
        receivers.withLock { $0.append(receiver) }
        return receiver
    }
}

/// What the sandbox answered.
public struct SandboxReply: Sendable {
    /// The HTTP status.
    public var status: Int
    /// Header values by lower-cased name.
    public var headers: [String: String]
    /// The raw body.
    public var body: [UInt8]

    /// Creates a reply.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The value of the header `name`, in any case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Why a ``SandboxHarness`` call failed.
public enum SandboxHarnessError: Error, CustomStringConvertible {
    /// The admin API refused a call.
    case adminRefused(path: String, reply: SandboxReply)

    /// What went wrong, with the sandbox's answer.
    public var description: String {
        switch self {
        case .adminRefused(let path, let reply): "the sandbox admin API refused \(path) with \(reply.status): \(reply.text)"
        }
    }
}
