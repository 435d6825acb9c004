import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import LunasRuntime
import LunasServe
import Metrics
import Prometheus
import ScalevSandbox
import ServiceLifecycle
import UnixSignals

/// `lunas serve`: the long-running job runner of the rules files in `[serve] rules`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run rules files: webhook-triggered handlers, cron and every schedules, durable timers.",
        discussion: """
            Every *.lua under the [serve] rules folders (default: rules/) is a rules file whose top
            level registers handlers with on(), cron(), every() and job(). Webhooks arrive at
            POST /webhooks/NAME ([webhooks.NAME] in lunas.toml); /healthz, /readyz and /metrics
            are served beside them. Run history: lunas runs list.

            SIGTERM or Ctrl-C: stop taking work, let runs finish within [serve] grace, requeue the
            rest, exit 0. SIGHUP: reload the rules files (one that no longer loads keeps its last
            good version).

            Examples:
              lunas serve --sandbox                  a local sandbox delivers its webhooks here
              lunas serve --config prod.toml
              lunas serve --listen 0.0.0.0:8790
            """)

    @Option(help: "The configuration file (default: lunas.toml when present).")
    var config: String?

    @Flag(help: "Start an in-process Scalev sandbox: its credentials and webhook secret are used, and it delivers its webhooks here.")
    var sandbox = false

    @Option(help: "HOST:PORT to listen on (default: [serve] listen, 127.0.0.1:8790; port 0 picks a free one).")
    var listen: String?

    @Option(help: "A SQLite file or a postgres:// URL (default: lunas.toml's store, else $LUNAS_STORE_URL, else lunas.db; with --sandbox lunas-sandbox.db).")
    var store: String?

    func validate() throws {
        if let listen, ListenAddress(listen) == nil {
            throw ValidationError("--listen must be HOST:PORT, like 127.0.0.1:8790 (port 0 picks a free one), not '\(listen)'")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration: RuntimeConfiguration
        do {
            configuration = try RuntimeConfiguration.load(
                file: config, stdlibFolder: StdlibFolder.path, workingDirectory: FileManager.default.currentDirectoryPath,
                environment: environment, storeFlag: store, sandbox: sandbox)
        } catch {
            fail("\(error)")
        }
        var settings = configuration.lunas.serve
        if let listen { settings.listen = listen }
        let logger = ServeLog.logger(label: "lunas.serve")
        configuration.onBudgetWait = { notice in logger.info("\(notice)") }

        var webhooks: [(source: WebhookSource, secret: String)] = []
        for source in configuration.lunas.webhooks.values.sorted(by: { $0.name < $1.name }) {
            guard let secret = environment[source.secretEnvironment], !secret.isEmpty else {
                if sandbox && source.name == "scalev" { continue }
                fail("webhooks.\(source.name).secret_env names \(source.secretEnvironment), which is not set: export the webhook signing secret in it")
            }
            webhooks.append((source, secret))
        }

        let localSandbox: ScalevSandbox?
        let template: RunTemplate
        if sandbox {
            do {
                let started = try await ScalevSandbox.start(SandboxConfiguration())
                localSandbox = started
                template = RunTemplate(credentials: .sandbox(SandboxAccount(started)))
                if !webhooks.contains(where: { $0.source.name == "scalev" }) {
                    webhooks.append((configuration.lunas.webhooks["scalev"] ?? WebhookSource(name: "scalev", secretEnvironment: "SCALEV_WEBHOOK_SECRET"),
                                     started.credentials.webhookSecret))
                }
                logger.notice("sandbox started", metadata: ["url": "\(started.baseURL)"])
            } catch {
                fail("cannot start the sandbox: \(error)")
            }
        } else {
            localSandbox = nil
            template = RunTemplate(credentials: .configured(default: nil))
        }

        let runtime = Runtime(configuration: configuration)
        do {
            try await runtime.open()
        } catch {
            await runtime.shutdown()
            fail("\(error)")
        }
        // one registry for /metrics: the runner's own metrics, and those the budgets and the
        // client report through swift-metrics (requests sent, budget waits, 429s)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let registered = SandboxRegistration(sandbox: localSandbox, logger: logger)
        let runner = Runner(runtime: runtime, configuration: Runner.Configuration(
            settings: settings, template: template, webhooks: webhooks, timeZone: configuration.lunas.timeZone ?? "Asia/Jakarta",
            logger: logger, registry: registry,
            onListening: { address in
                FileHandle.standardError.write(Data("lunas serve: listening on http://\(address)\n".utf8))
                registered.register(listening: address)
            }))
        let reloads = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                logger.notice("SIGHUP: reloading the rules files")
                _ = try? await runner.reload()
            }
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: runner)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        reloads.cancel()
        await runtime.shutdown()
        try? await localSandbox?.stop()
        if let failure { fail(Self.describe(failure)) }
        logger.notice("stopped")
    }

    private static func describe(_ error: any Error) -> String {
        if let group = error as? ServiceGroupError { return "\(group)" }
        return "\(error)"
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("lunas serve: \(message)\n".utf8))
        Foundation.exit(2)
    }
}

/// Registers the runner's webhook endpoint with the in-process sandbox once it listens (the
/// sandbox sends the test event first, as Scalev does).
struct SandboxRegistration: Sendable {
    let sandbox: ScalevSandbox?
    let logger: Logger

    func register(listening address: ListenAddress) {
        guard let sandbox else { return }
        let host = address.host == "0.0.0.0" ? "127.0.0.1" : address.host
        let url = "http://\(host):\(address.port)/webhooks/scalev"
        Task {
            var request = HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/webhooks")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(Array(#"{"url":"\#(url)"}"#.utf8))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 1 << 16)
                if response.status.code == 201 {
                    logger.notice("sandbox delivers its webhooks here", metadata: ["url": "\(url)"])
                    FileHandle.standardError.write(Data("lunas serve: the sandbox at \(sandbox.baseURL) delivers its webhooks to \(url)\n".utf8))
                } else {
                    logger.error("the sandbox did not register the webhook", metadata: ["status": "\(response.status.code)"])
                }
            } catch {
                logger.error("cannot register the webhook with the sandbox", metadata: ["error": "\(error)"])
            }
        }
    }
}
