import Foundation
import LunasClock
import LunasRuntime
import LunasStore
import ScalevModel

/// Runs one claimed rules job through the ``Runtime`` — the stored version of its file, its
/// handler, its input — and says how it finished: the run to record, what the job becomes
/// (done, a retry at a later time, dead), and the timers its handler set.
struct JobExecution: Sendable {
    let runtime: Runtime
    let catalog: RulesCatalog
    let template: RunTemplate
    let settings: ServeSettings
    let worker: String
    let clock: any WallClock
    /// Where a run's output goes besides its run history (a replay prints it).
    var output: ScriptOutput? = nil
    var backoff = RetryBackoff()

    /// The queue rules jobs are in.
    static let queue = "rules"

    /// Runs `job`; `nil` when the run was cancelled (the runner is stopping: the job goes back).
    /// `budgetWaits` hears the run's long waits for its credentials' budgets.
    func perform(_ job: ClaimedJob, budgetWaits: BudgetWaitObserver? = nil) async -> JobFinish? {
        guard let payload = JobPayload(text: job.payload) else {
            return JobFinish(job: job, result: .dead(error: "the job's payload is not a rules job's (no version): \(job.payload.prefix(200))"))
        }
        let stored: (script: String, file: String, source: String)?
        do {
            stored = try await catalog.source(ofVersion: payload.version)
        } catch {
            return retry(job, error: "cannot read version \(payload.version) of \(job.script): \(error)")
        }
        guard let stored else {
            return JobFinish(job: job, result: .dead(error: "version \(payload.version) of \(job.script) is not stored; the job cannot run"))
        }
        let transcript = RunTranscript()
        var request = template.request(source: .snapshot(stored.source, file: stored.file), script: stored.script,
                                       credential: payload.credential, configuration: runtime.configuration.lunas,
                                       output: output.map { transcript.output.alongside($0) } ?? transcript.output)
        request.rule = RuleCall(name: job.handler, input: [payload.input.luaValue], timerKey: "job\(job.id)")
        request.budgetWaitObserver = budgetWaits
        // the run's kv writes land only while this claim holds the job: a run cut off by a lost
        // lease (this runner stalled, another took the job) cannot write alongside the new run
        request.options.kvFence = job.fence
        let started = clock.now()
        let result = await runtime.run(request)
        let ended = clock.now()
        if case .cancelled = result.outcome { return nil }

        var run = RunInsert(
            jobID: job.id, script: stored.script, version: payload.version, handler: job.handler, trigger: job.trigger,
            credential: payload.credential, attempt: job.attempts, worker: worker, startedAt: started, endedAt: ended,
            outcome: "ok", limitKind: nil, error: nil, traceback: nil, apiCalls: result.apiCalls, budgetWait: result.budgetWait,
            input: payload.input.description, logs: [], logsDropped: 0)
        let records = transcript.records
        run.logs = records.prefix(settings.runLogLines).enumerated().map { RunLogRow(record: $1, seq: $0) }
        run.logsDropped = max(records.count - settings.runLogLines, 0)

        switch result.outcome {
        case .ok:
            let followUps = result.timers.map { timer in
                JobRequest(queue: Self.queue, payload: JobPayload(version: payload.version, input: timer.argumentsJSON, credential: payload.credential).text,
                           runAt: timer.at, uniqueKey: "timer:\(stored.script):\(timer.key)",
                           script: stored.script, handler: timer.job, trigger: "timer:\(job.id)", maxAttempts: job.maxAttempts)
            }
            return JobFinish(job: job, result: .done, run: run, followUps: followUps)
        case .failed(let error):
            run.outcome = "failed"
            run.error = error.message
            run.traceback = error.traceback
            return retry(job, error: error.message, run: run)
        case .limit(let limit, let error):
            run.outcome = "limit"
            run.limitKind = limit.kindName
            run.error = error.message
            run.traceback = error.traceback
            // a limit ends the run the same way the next time: it is not retried
            return JobFinish(job: job, result: .dead(error: error.message), run: run)
        case .rejected(let message):
            run.outcome = "rejected"
            run.error = message
            return retry(job, error: message, run: run)
        case .cancelled:
            return nil
        }
    }

    private func retry(_ job: ClaimedJob, error: String, run: RunInsert? = nil) -> JobFinish {
        guard job.attempts < job.maxAttempts else {
            return JobFinish(job: job, result: .dead(error: "\(error) (attempt \(job.attempts) of \(job.maxAttempts): no retry left)"), run: run)
        }
        let delay = backoff.delay(afterAttempt: job.attempts, unit: Double.random(in: 0..<1))
        return JobFinish(job: job, result: .retry(at: clock.now().addingTimeInterval(delay.seconds), error: error), run: run)
    }
}

extension LuaLimit {
    /// The limit's name in run history: memory, deadline, instructions, api_calls.
    var kindName: String {
        switch self {
        case .memory: "memory"
        case .deadline: "deadline"
        case .instructions: "instructions"
        case .apiCalls: "api_calls"
        case .cancelled: "cancelled"
        }
    }
}

extension RunLogRow {
    /// A stored line of a run's output.
    init(record: RunRecord, seq: Int) {
        let kind: String, level: String?
        switch record.kind {
        case .print: (kind, level) = ("print", nil)
        case .log(let logLevel): (kind, level) = ("log", logLevel.rawValue)
        case .notice: (kind, level) = ("notice", nil)
        }
        let fields = JSON.object(Dictionary(record.fields.map { ($0.name, JSON.string($0.value)) }, uniquingKeysWith: { _, last in last }))
        self.init(seq: seq, at: record.time, kind: kind, level: level, message: record.message, fields: fields.description,
                  location: record.location, text: record.text)
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension RuleTimer {
    /// The timer's arguments as JSON (`null` when they do not parse, which the runtime prevents).
    var argumentsJSON: JSON { (try? JSON(parsing: Array(args.utf8))) ?? .null }
}

extension ScriptOutput {
    /// Output that goes both here and to `other`.
    func alongside(_ other: ScriptOutput) -> ScriptOutput {
        ScriptOutput { record in
            self.write(record)
            other.write(record)
        }
    }
}
