import LunasStore
import Prometheus
import ScalevModel

// The worker pool alone, for benchmarks (`make bench-serve`, Benchmarks/LunasBench/ServeJobs.swift):
// package-level, not part of the public API.
extension Runner {
    /// Runs only the worker pool over the runtime's store — no HTTP endpoints, no scheduler, no
    /// pruning: loads the rules files, then claims, runs and finishes their jobs exactly as
    /// ``run()`` does until `until` returns, then stops as on graceful shutdown (runs in flight
    /// get `grace`) and returns.
    package func runWorkers(until: @escaping @Sendable () async -> Void) async throws {
        let settings = configuration.settings
        let store = try await Runner.runnerStore(runtime.store)
        try await reload()
        let execution = JobExecution(runtime: runtime, catalog: catalog, template: configuration.template, settings: settings,
                                     worker: configuration.worker, clock: configuration.clock)
        let pool = WorkerPool(store: store, execution: execution, settings: settings, clock: configuration.clock,
                              logger: configuration.logger,
                              metrics: RunnerMetrics(factory: PrometheusMetricsFactory(registry: configuration.registry)))
        await withDiscardingTaskGroup { group in
            group.addTask { await pool.run() }
            await until()
            await pool.stop(grace: settings.grace)
        }
    }

    /// The jobs a webhook event from `source` would enqueue: one per handler of the loaded rules
    /// whose pattern matches its `event`, with the payload the workers read (as the intake
    /// makes them; call ``reload()`` first).
    package func jobs(forEvent event: JSON, source: String, credential: String? = nil) async -> [JobRequest] {
        await WebhookIntake.jobs(for: event, source: source, credential: credential, catalog: catalog)
    }
}
