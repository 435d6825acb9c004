import Foundation
import Hummingbird
import Logging

/// A running local stand-in of the Scalev API.
///
/// ```swift
/// let sandbox = try await ScalevSandbox.start(SandboxConfiguration(seed: 42))
/// defer { Task { await sandbox.stop() } }
/// print(sandbox.baseURL, sandbox.credentials.businessKey)
/// ```
public final class ScalevSandbox: Sendable {
    /// `http://host:port`, with the real port when 0 was asked for.
    public let baseURL: String
    /// The port the server listens on.
    public let port: Int
    /// Keys, logins and secrets to talk to this sandbox.
    public let credentials: SandboxCredentials
    /// The simulated clock (also reachable at `/_sandbox/clock`).
    public let clock: SandboxClock
    let engine: SandboxEngine
    private let serverTask: Task<Void, any Error>
    private let backgroundTask: Task<Void, Never>

    private init(baseURL: String, port: Int, engine: SandboxEngine, serverTask: Task<Void, any Error>, backgroundTask: Task<Void, Never>) {
        self.baseURL = baseURL
        self.port = port
        self.engine = engine
        self.credentials = engine.state.withLock { $0.credentials }
        self.clock = engine.clock
        self.serverTask = serverTask
        self.backgroundTask = backgroundTask
    }

    /// Starts a sandbox and returns once it accepts connections.
    public static func start(_ configuration: SandboxConfiguration = SandboxConfiguration()) async throws -> ScalevSandbox {
        let engine = try SandboxEngine(configuration: configuration)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<SandboxRequestContext> { request, context in
            await engine.respond(to: request, context: context)
        }
        var logger = Logger(label: "ScalevSandbox.server")
        logger.logLevel = configuration.logRequests ? .info : .critical
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "ScalevSandbox"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? configuration.port)
                portContinuation.finish()
            },
            logger: logger)
        let serverTask = Task {
            do {
                try await application.run()
            } catch {
                portContinuation.finish()
                throw error
            }
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await serverTask.value
            throw SandboxStartError.serverDidNotStart
        }
        let host = configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host
        let baseURL = "http://\(host):\(port)"
        engine.state.withLock { $0.rebase(to: baseURL) }
        let backgroundTask = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await engine.webhooks.run() }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        try? engine.saveIfNeeded()
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        return ScalevSandbox(baseURL: baseURL, port: port, engine: engine, serverTask: serverTask, backgroundTask: backgroundTask)
    }

    /// Stops serving, finishes webhook delivery and writes the data file.
    public func stop() async {
        serverTask.cancel()
        _ = try? await serverTask.value
        await engine.webhooks.finish()
        backgroundTask.cancel()
        await backgroundTask.value
        try? engine.saveIfNeeded(force: true)
    }

    /// Waits until the server stops (for the command line).
    public func waitUntilStopped() async {
        _ = try? await serverTask.value
    }

    /// The bundled v3 catalog this sandbox serves.
    public var catalog: OperationCatalog { engine.catalog }

    /// Whether this sandbox serves `method` on `template` (a catalog path such as `/v3/orders/{id}`).
    public func serves(method: String, template: String) -> Bool {
        engine.routes.serves(method: method.uppercased(), template: template)
    }
}

/// Why ``ScalevSandbox/start(_:)`` failed.
public enum SandboxStartError: Error {
    /// The server stopped before it accepted connections (for example, the port was taken).
    case serverDidNotStart
}
