import Foundation
import LunasClock
import LunasRuntime
import LunasStore
import ScalevModel

/// The runner's records in a runtime's store, as operators read them (`lunas runs`, `lunas
/// jobs`, `lunas schedules`, the console): run history with logs, jobs, schedules; pausing a
/// schedule; replaying a run.
public struct RunnerData: Sendable {
    private let runtime: Runtime

    /// The runner's records in `runtime`'s store.
    public init(runtime: Runtime) {
        self.runtime = runtime
    }

    private func store() async throws -> any RunnerStore { try await Runner.runnerStore(runtime.store) }

    /// Runs, newest first.
    public func runs(_ query: RunQuery) async throws -> [RunRow] { try await store().runs(query) }

    /// One run.
    public func run(id: Int64) async throws -> RunRow? { try await store().run(id: id) }

    /// A run's log lines.
    public func logs(ofRun id: Int64) async throws -> [RunLogRow] { try await store().runLogs(runID: id) }

    /// Jobs.
    public func jobs(_ query: JobQuery) async throws -> [JobRow] { try await store().jobs(query) }

    /// The schedules the runners have seen.
    public func schedules() async throws -> [ScheduleRow] { try await store().schedules() }

    /// Pauses or resumes a schedule; `false` when there is none of that name.
    public func setPaused(_ name: String, paused: Bool) async throws -> Bool {
        try await store().setSchedulePaused(name, paused: paused)
    }

    /// Runs run `id` again now, here: the same stored version of its rules file, the same
    /// handler and input, recorded as a run of its own (trigger `replay:<id>`); its output goes to
    /// `output`. Returns the new run.
    public func replay(run id: Int64, template: RunTemplate, settings: ServeSettings = ServeSettings(),
                       clock: any WallClock = SystemClock(), output: ScriptOutput = .standard) async throws -> RunRow? {
        let store = try await store()
        guard let original = try await store.run(id: id) else { return nil }
        let input = (try? JSON(parsing: Array(original.input.utf8))) ?? .null
        let queue = "replay:\(UUID().uuidString)"
        let payload = JobPayload(version: original.version, input: input, credential: original.credential)
        _ = try await store.enqueue([JobRequest(queue: queue, payload: payload.text, script: original.script, handler: original.handler,
                                                trigger: "replay:\(id)", maxAttempts: 1)])
        // no heartbeat renews it here: the lease covers the run's whole deadline
        let lease = max(settings.lease, template.deadline + .seconds(30))
        guard let job = try await store.claimJobs(queue: queue, limit: 1, lease: lease, worker: Runner.defaultWorker).first else {
            return nil
        }
        let catalog = RulesCatalog(runtime: runtime, folders: RulesFolders(folders: settings.rules, workingDirectory: runtime.configuration.workingDirectory),
                                   template: template, store: { store })
        let execution = JobExecution(runtime: runtime, catalog: catalog, template: template, settings: settings, worker: Runner.defaultWorker,
                                     clock: clock, output: output)
        guard let finish = await execution.perform(job) else {
            _ = try await store.releaseJobs([job], runAt: nil)
            return nil
        }
        _ = try await store.finishJobs([finish])
        return try await store.runs(RunQuery(handler: original.handler, limit: 1)).first
    }
}
