import LuaKit
import Scalev

extension ScriptRun {
    /// The globals of the merchant's toolkit: `sleep`, `deadline_remaining`, `config`, `http`,
    /// `input` and `output`.
    static let toolkitGlobals: Set<String> = ["sleep", "deadline_remaining", "config", "http", "input", "output"]

    /// The toolkit's modules for this run (installed where the chunk reaches them); in place of
    /// `input`, `output` or `http` when the run lacks it and the chunk names it, a stand-in that
    /// says how to grant it.
    func toolkit(in state: LuaState, calls: CallTally, reach: ModuleReach, redactor: Redactor) throws -> [any ScriptModule] {
        let deadline = RunDeadline(limit: options.limits.deadline, started: state.deadlineStart ?? ContinuousClock.now, clock: options.clock)
        var modules: [any ScriptModule] = [
            SleepModule(deadline: deadline), DeadlineRemainingModule(deadline: deadline), ConfigModule(settings: options.config ?? LuaTable()),
        ]
        if let http = options.http {
            modules.append(HTTPModule(exchange: HTTPExchange(access: http, calls: calls, deadline: deadline, redactor: redactor)))
        } else if reach.names("http") {
            try MissingCapability.http.install(in: state)
        }
        if let file = options.inputFile {
            modules.append(InputModule(file: file, maxBytes: options.maxInputBytes))
        } else if reach.names("input") {
            try MissingCapability.input.install(in: state)
        }
        if let file = options.outputFile {
            let dryRun = options.outputDryRun.map { report in { @Sendable (line: String) in report(redactor.redact(line)) } }
            modules.append(OutputModule(sink: OutputFile(file: file, maxBytes: options.maxOutputBytes, dryRun: dryRun)))
        } else if reach.names("output") {
            try MissingCapability.output.install(in: state)
        }
        return modules
    }
}
