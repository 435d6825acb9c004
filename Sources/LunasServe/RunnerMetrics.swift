import CoreMetrics
import Foundation
import LunasStore

/// What the runner counts, through swift-metrics into the factory it is given (the runner's own
/// Prometheus registry, served at `/metrics`): runs by outcome, run duration, job lag, webhook
/// intake by result, budget waits.
struct RunnerMetrics: Sendable {
    private let factory: any MetricsFactory
    private let runDuration: CoreMetrics.Timer
    private let jobLag: CoreMetrics.Timer
    private let budgetWait: CoreMetrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        runDuration = CoreMetrics.Timer(label: "lunas_run_duration_seconds", dimensions: [], factory: factory)
        jobLag = CoreMetrics.Timer(label: "lunas_job_lag_seconds", dimensions: [], factory: factory)
        budgetWait = CoreMetrics.Timer(label: "lunas_run_budget_wait_seconds", dimensions: [], factory: factory)
    }

    /// A job was claimed `lag` seconds after it came due.
    func claimed(lag: TimeInterval) {
        jobLag.recordNanoseconds(Int64(max(lag, 0) * 1e9))
    }

    /// A job finished (its run recorded).
    func finished(_ finish: JobFinish) {
        guard let run = finish.run else { return }
        Counter(label: "lunas_runs_total", dimensions: [("outcome", run.outcome)], factory: factory).increment()
        runDuration.recordNanoseconds(Int64(max(run.endedAt.timeIntervalSince(run.startedAt), 0) * 1e9))
        if run.budgetWait > .zero { budgetWait.recordNanoseconds(Int64(run.budgetWait.seconds * 1e9)) }
    }

    /// A webhook request ended with `result` (accepted, duplicate, test, unsigned, too_large, malformed, unknown_source, error).
    func webhook(_ result: String) {
        Counter(label: "lunas_webhooks_total", dimensions: [("result", result)], factory: factory).increment()
    }
}
