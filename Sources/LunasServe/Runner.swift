import Foundation
import Hummingbird
import Logging
import LunasClock
import LunasRuntime
import LunasStore
import Prometheus
import ServiceLifecycle

/// The long-running job runner behind `lunas serve`: it serves the rules files of its folders —
/// webhook-triggered handlers, cron and `every` schedules, durable timers — as jobs in the
/// runtime's store, each handler call a run of its own through the ``Runtime``, recorded in run
/// history. Several runners on one PostgreSQL store share the work with no other coordination.
///
/// It is a swift-service-lifecycle `Service`: on graceful shutdown it stops taking work, lets
/// runs in flight finish within `grace`, and puts the rest back in the queue.
public final class Runner: Service, Sendable {
    /// What a runner needs besides its runtime.
    public struct Configuration: Sendable {
        /// `[serve]` of `lunas.toml`.
        public var settings: ServeSettings
        /// How runs are made (credentials, default limits).
        public var template: RunTemplate
        /// Each webhook source with its signing secret (read from its `secret_env` by the caller).
        public var webhooks: [(source: WebhookSource, secret: String)]
        /// The zone of cron rules that name none (the configuration's `time_zone`).
        public var timeZone: String
        /// The runner's name in job leases and run history (host:pid by default).
        public var worker: String
        /// The clock it schedules and leases by.
        public var clock: any WallClock
        /// Where it logs.
        public var logger: Logger
        /// Where its metrics go (served at `/metrics`).
        public var registry: PrometheusCollectorRegistry
        /// Called once the HTTP endpoints listen, with their address (the port when 0 was asked).
        public var onListening: @Sendable (ListenAddress) -> Void

        /// A configuration.
        public init(settings: ServeSettings, template: RunTemplate, webhooks: [(source: WebhookSource, secret: String)] = [],
                    timeZone: String = "Asia/Jakarta", worker: String = Runner.defaultWorker, clock: any WallClock = SystemClock(),
                    logger: Logger = Logger(label: "lunas.serve"), registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                    onListening: @escaping @Sendable (ListenAddress) -> Void = { _ in }) {
            self.settings = settings
            self.template = template
            self.webhooks = webhooks
            self.timeZone = timeZone
            self.worker = worker
            self.clock = clock
            self.logger = logger
            self.registry = registry
            self.onListening = onListening
        }
    }

    /// `host:pid`.
    public static var defaultWorker: String { "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)" }

    /// The runtime its runs go through.
    public let runtime: Runtime
    /// How it was configured.
    public let configuration: Configuration
    /// Its rules files.
    public let catalog: RulesCatalog

    /// A runner over `runtime` (which must have a store).
    public init(runtime: Runtime, configuration: Configuration) {
        self.runtime = runtime
        self.configuration = configuration
        let store = runtime.store
        self.catalog = RulesCatalog(
            runtime: runtime,
            folders: RulesFolders(folders: configuration.settings.rules, workingDirectory: runtime.configuration.workingDirectory),
            template: configuration.template,
            store: { try await Runner.runnerStore(store) })
    }

    /// The runner's store: the runtime's.
    static func runnerStore(_ store: OnDemandStore?) async throws -> any Store {
        guard let store else { throw ServeError("lunas serve needs a store: set store in lunas.toml (a SQLite file or a postgres:// URL) or LUNAS_STORE") }
        return try await store.store()
    }

    /// Reads the rules folders again (SIGHUP); a file that no longer loads keeps its last good version.
    @discardableResult
    public func reload() async throws -> RulesCatalog.Reload {
        let report = try await catalog.reload()
        log(report)
        return report
    }

    /// Serves until graceful shutdown (or cancellation); throws when it cannot start: no store,
    /// unreadable rules folders, a taken address.
    public func run() async throws {
        let settings = configuration.settings, clock = configuration.clock, logger = configuration.logger
        let store = try await Runner.runnerStore(runtime.store)
        try await reload()
        let metrics = RunnerMetrics(factory: PrometheusMetricsFactory(registry: configuration.registry))
        let execution = JobExecution(runtime: runtime, catalog: catalog, template: configuration.template, settings: settings,
                                     worker: configuration.worker, clock: clock)
        let pool = WorkerPool(store: store, execution: execution, settings: settings, clock: clock, logger: logger, metrics: metrics)
        let scheduler = Scheduler(store: store, catalog: catalog, clock: clock, defaultZone: configuration.timeZone, logger: logger,
                                  workArrived: { pool.workArrived() })
        let intake = WebhookIntake(
            sources: Dictionary(configuration.webhooks.map { ($0.source.name, WebhookIntake.Source(settings: $0.source, secret: $0.secret)) },
                                uniquingKeysWith: { first, _ in first }),
            catalog: catalog, events: GroupCommit { batch in try await store.recordEvents(batch) }, metrics: metrics, logger: logger,
            workArrived: { pool.workArrived() })
        guard let address = ListenAddress(settings.listen) else { throw ServeError("listen is '\(settings.listen)': write HOST:PORT") }
        let catalog = self.catalog
        let router = RunnerRoutes.router(intake: intake, ready: {
            do { _ = try await store.schemaVersion() } catch { return "the store does not answer: \(error)" }
            return await catalog.loaded ? nil : "the rules are not loaded yet"
        }, registry: configuration.registry)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let onListening = configuration.onListening
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "lunas"),
            onServerRunning: { channel in
                onListening(ListenAddress(host: address.host, port: channel.localAddress?.port ?? address.port))
            }, logger: quiet)

        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await application.run() }
            group.addTask { await pool.run() }
            group.addTask { await scheduler.run() }
            group.addTask { await Runner.prune(store: store, retention: settings.retention, clock: clock, logger: logger) }
            try? await gracefulShutdown()
            logger.notice("stopping: no new work; runs in flight have \(settings.grace) to finish")
            await scheduler.stop()
            await pool.stop(grace: settings.grace)
            group.cancelAll()
        }
    }

    /// Prunes run history older than `retention`, hourly.
    private static func prune(store: any RunnerStore, retention: Duration, clock: any WallClock, logger: Logger) async {
        while !Task.isCancelled {
            do {
                let pruned = try await store.pruneRuns(endedBefore: clock.now().addingTimeInterval(-retention.seconds))
                if pruned > 0 { logger.info("pruned old runs", metadata: ["runs": "\(pruned)"]) }
            } catch {
                logger.error("cannot prune run history", metadata: ["error": "\(error)"])
            }
            guard (try? await clock.sleep(until: clock.instant() + .seconds(3600))) != nil else { return }
        }
    }

    private func log(_ report: RulesCatalog.Reload) {
        let logger = configuration.logger
        for script in report.loaded { logger.info("rules loaded", metadata: ["script": "\(script)"]) }
        for script in report.removed { logger.notice("rules file removed", metadata: ["script": "\(script)"]) }
        for (script, problem) in report.failed { logger.error("rules file not loaded: \(problem)", metadata: ["script": "\(script)"]) }
    }
}
