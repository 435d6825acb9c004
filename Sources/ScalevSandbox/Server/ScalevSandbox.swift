import Foundation
import Hummingbird
import Logging
import NIOCore
import ScalevModel

/// A running local stand-in of the Scalev API.
///
/// ```swift
/// let sandbox = try await ScalevSandbox.start(SandboxConfiguration(seed: 42))
/// print(sandbox.baseURL, sandbox.credentials.businessKey)
/// try await sandbox.stop()
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
            await engine.webhooks.finish()
            let reason: (any Error)? = if case .failure(let error) = await serverTask.result { error } else { nil }
            throw SandboxStartError(host: configuration.host, port: configuration.port, reason: reason)
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

    /// Stops serving, finishes webhook delivery and writes the data file; throws what the server
    /// failed with, or what writing the file threw.
    public func stop() async throws {
        serverTask.cancel()
        let served = await serverTask.result
        await engine.webhooks.finish()
        backgroundTask.cancel()
        await backgroundTask.value
        try engine.saveIfNeeded(force: true)
        if case .failure(let error) = served, !(error is CancellationError) { throw error }
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

/// Why ``ScalevSandbox/start(_:)`` failed: the server could not listen.
public struct SandboxStartError: Error, CustomStringConvertible {
    /// The address asked for.
    public let host: String
    /// The port asked for.
    public let port: Int
    /// Whether another program holds the port.
    public let portInUse: Bool
    private let reason: String

    init(host: String, port: Int, reason: (any Error)?) {
        self.host = host
        self.port = port
        portInUse = (reason as? IOError)?.errnoCode == EADDRINUSE
        self.reason = reason.map { String(describing: $0) } ?? "the server stopped before it accepted connections"
    }

    public var description: String {
        portInUse
            ? "port \(port) is in use; pick another or use --port 0"
            : "the sandbox cannot listen on \(host):\(port): \(reason)"
    }
}
