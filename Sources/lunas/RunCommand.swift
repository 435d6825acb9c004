import ArgumentParser
import Dispatch
import Foundation
import LunasRuntime
import LunasSchedule
import ScalevModel
import ScalevSandbox
import Synchronization

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script.",
        discussion: """
            print() writes to standard output; log.info/warn/error to standard error.
            Arguments after -- reach the script as arg[1...] and as the chunk's '...'.
            On a rules file (its top level calls on, cron, every or job) it lists what the file
            registers; --event and --schedule run one of its rules once.
            """)

    @Argument(help: "The script to run.")
    var file: String

    @Flag(help: "Open the full standard library (io, os, debug): for scripts you wrote yourself.")
    var trusted = false

    @Option(help: "End the run after this many seconds (default: no deadline).")
    var timeout: Double?

    @Option(help: "Cap the script's memory at this many MiB (default: the script's memory in lunas.toml, else 256).")
    var memory: Int?

    @Option(help: "End the run after this many million VM instructions.")
    var instructions: Int64?

    @Option(name: .customLong("max-calls"), help: "End the run when it would make more than this many Scalev API calls (HTTP attempts, retries included; dry-run writes are not sent and not counted; default: the script's max_calls in lunas.toml, else no cap).")
    var maxCalls: Int?

    @Option(name: .customLong("log-level"), help: "Lowest log level printed: debug, info, warn, error.")
    var logLevel: String = "info"

    @Option(help: "The store behind kv: a SQLite file or a postgres:// URL (default: lunas-sandbox.db with --sandbox, else lunas.toml's store, else $LUNAS_STORE_URL, else lunas.db).")
    var store: String?

    @Option(name: [.customLong("ns"), .customLong("namespace")],
            help: "The script's kv namespace and name (default: its path relative to the scripts folder, without .lua; a script outside it needs one to use kv).")
    var namespace: String?

    @Option(name: .customLong("shared-ns"), help: "A shared kv namespace the script may open with kv.shared(NAME); repeatable.")
    var sharedNamespaces: [String] = []

    @Flag(help: "Run against a local Scalev sandbox started in this process, with its credentials (and lunas-sandbox.db); its data is kept in lunas-sandbox.json between runs.")
    var sandbox = false

    @Flag(name: .customLong("sandbox-reset"), help: "With --sandbox: start from freshly seeded data (deletes lunas-sandbox.json first).")
    var sandboxReset = false

    @Option(help: "With --sandbox: the seed of freshly seeded data (the first run, or with --sandbox-reset; default 1).")
    var seed: UInt64?

    @Option(name: .customLong("key-seed"), help: "With --sandbox: the seed of the sandbox's keys, for tests that need known keys (default: new random keys at every run).")
    var keySeed: UInt64?

    @Option(help: "With --sandbox: the day a new sandbox's seeded history ends before, YYYY-MM-DD (00:00 UTC; default: today).")
    var anchor: String?

    @Option(help: "The credential the script uses (a name from lunas.toml; with --sandbox: sandbox, sandbox-restricted, sandbox-storefront, sandbox-customer).")
    var credential: String?

    @Flag(name: .customLong("dry-run"), help: "Send reads; print writes instead of sending them, answering each with dry_run = true. kv writes are kept for the run only.")
    var dryRun = false

    /// What a dry run does with `kv` writes.
    enum DryRunKV: String, ExpressibleByArgument, CaseIterable {
        /// Kept in memory for the run (its reads see them), printed, never written.
        case drop
        /// Written to the store, as in a real run.
        case write
    }

    @Option(name: .customLong("dry-run-kv"), help: "With --dry-run: drop kv writes at the end of the run (default), or write them for real.")
    var dryRunKV: DryRunKV?

    @Flag(help: "Trace every Scalev request and response (secrets redacted) on standard error.")
    var verbose = false

    @Flag(name: .customLong("no-budget"), help: "Send without the credentials' rate budgets (benchmarks; sandboxes without limits). 429s are still retried.")
    var noBudget = false

    @Option(help: "The configuration file (default: lunas.toml when present).")
    var config: String?

    @Option(help: "On a rules file: call every on() rule whose pattern matches this event name (order.payment_status_changed), with the event of --payload.")
    var event: String?

    @Option(help: "With --event: a JSON file, the event's data (or a whole Scalev webhook body: { event, unique_id, timestamp, data }).")
    var payload: String?

    @Option(help: "On a rules file: run the cron() or every() rule of this name once, now.")
    var schedule: String?

    @Option(help: "A file the script may read, as input.text() and input.lines() (nothing else of the file system is readable).")
    var input: String?

    @Option(help: "A file the script may write, as output.write(s): created or emptied at the first write; with --dry-run never written (each write is printed instead).")
    var output: String?

    @Argument(parsing: .postTerminator, help: "Arguments for the script, after --.")
    var scriptArguments: [String] = []

    /// Where `--sandbox` keeps the local sandbox's data between runs.
    static let sandboxDataFile = "lunas-sandbox.json"

    func validate() throws {
        if let timeout, LuaLimits.deadline(seconds: timeout) == nil {
            throw ValidationError("--timeout must be a positive number of seconds, at most \(Int(LuaLimits.maxDeadlineSeconds)), not \(timeout)")
        }
        if let memory, !(1...(1 << 20)).contains(memory) { throw ValidationError("--memory must be between 1 and 1048576 MiB") }
        if let instructions, !(1...(Int64.max / 1_000_000)).contains(instructions) {
            throw ValidationError("--instructions must be between 1 and \(Int64.max / 1_000_000) (millions)")
        }
        if let maxCalls, maxCalls < 1 { throw ValidationError("--max-calls must be 1 or more API calls per run, not \(maxCalls)") }
        if dryRunKV != nil && !dryRun { throw ValidationError("--dry-run-kv only applies with --dry-run") }
        if (sandboxReset || seed != nil || keySeed != nil || anchor != nil) && !sandbox {
            throw ValidationError("--sandbox-reset, --seed, --key-seed and --anchor only apply with --sandbox")
        }
        if let anchor, SandboxConfiguration.anchor(parsing: anchor) == nil {
            throw ValidationError("--anchor must be a day as YYYY-MM-DD, not '\(anchor)'")
        }
        if payload != nil && event == nil {
            throw ValidationError("--payload is the data of an event: add --event NAME (like --event order.payment_status_changed)")
        }
        if event != nil && schedule != nil {
            throw ValidationError("--event and --schedule each run one kind of rule: give one of them")
        }
        if let event, event.isEmpty || event.contains("*") {
            throw ValidationError("--event takes an event's name, like order.payment_status_changed, not a pattern ('\(event)')")
        }
        if let input, let output, Self.samePath(input, output) {
            throw ValidationError("--input and --output name the same file; write the output to another file")
        }
        if let output, Self.samePath(output, file) { throw ValidationError("--output names the script itself") }
        guard LuaLogRecord.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of debug, info, warn, error")
        }
    }

    /// Whether two paths name the same file (as written, or once resolved).
    static func samePath(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath() == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath()
    }

    func run() async throws {
        guard FileManager.default.isReadableFile(atPath: file) else {
            FileHandle.standardError.write(Data("lunas: cannot read \(file): no such file, or not readable\n".utf8))
            throw ExitCode(2)
        }
        if let input, !FileManager.default.isReadableFile(atPath: input) {
            FileHandle.standardError.write(Data("lunas: --input \(input): no such file, or not readable\n".utf8))
            throw ExitCode(2)
        }
        if let output {
            let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue,
                  FileManager.default.isWritableFile(atPath: folder) else {
                FileHandle.standardError.write(Data("lunas: --output \(output): its folder does not exist or is not writable\n".utf8))
                throw ExitCode(2)
            }
        }
        var options = ScriptOptions(
            profile: trusted ? .trusted : .sandboxed,
            limits: LuaLimits(
                memory: (memory ?? 256) << 20,
                deadline: timeout.flatMap { LuaLimits.deadline(seconds: $0) },
                instructions: instructions.map { $0 * 1_000_000 }),
            arguments: scriptArguments,
            logLevel: LuaLogRecord.Level(rawValue: logLevel) ?? .info)
        var configuration: RuntimeConfiguration
        let namespace: String?
        do {
            configuration = try RuntimeConfiguration.load(
                file: config, stdlibFolder: StdlibFolder.path, workingDirectory: FileManager.default.currentDirectoryPath,
                environment: ProcessInfo.processInfo.environment, storeFlag: store, sandbox: sandbox)
            namespace = try self.namespace ?? ScriptNamespace.name(forScript: file, folders: configuration.scriptsFolder.map { [$0] } ?? [])
        } catch {
            FileHandle.standardError.write(Data("lunas: \(error)\n".utf8))
            throw ExitCode(2)
        }
        configuration.budgets = !noBudget
        configuration.onBudgetWait = { notice in FileHandle.standardError.write(Data("lunas: \(notice)\n".utf8)) }
        // a script outside the scripts folder has no name: no [scripts.NAME] entry applies to it
        let entry = namespace.flatMap { configuration.lunas.scripts[$0] }
        if timeout == nil, let seconds = entry?.timeout { options.limits.deadline = LuaLimits.deadline(seconds: seconds) }
        if memory == nil, let mib = entry?.memory { options.limits.memory = mib << 20 }
        options.maxCalls = maxCalls ?? entry?.maxCalls
        options.namespace = namespace
        options.sharedNamespaces = sharedNamespaces + (entry?.shared ?? [])
        let runtime = Runtime(configuration: configuration)
        let progress = ProgressLine.standardErrorIfTerminal()
        var request = RunRequest(source: .file(file), options: options, output: .terminal(progress: progress))
        request.script = namespace ?? file
        request.dryRun = dryRun ? (dryRunKV == .write ? .writeKV : .dropKV) : nil
        request.traceRequests = verbose
        request.progress = progress
        request.inputFile = input.map { URL(fileURLWithPath: $0) }
        request.outputFile = output.map { URL(fileURLWithPath: $0) }
        let localSandbox: ScalevSandbox?
        do {
            // a database server is checked before the script starts: one that cannot be reached is exit 2
            try await runtime.open()
            if sandbox {
                let started = try await startSandbox()
                localSandbox = started
                request.credentials = .sandbox(SandboxAccount(started), default: credential)
            } else {
                localSandbox = nil
                request.credentials = .configured(default: credential)
            }
        } catch {
            await runtime.shutdown()
            FileHandle.standardError.write(Data("lunas: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // Behind the hooks: the process ends itself at deadline + grace, or resident over cap + allowance.
        Watchdog.shared.install(HardStop(deadline: options.limits.deadline, memory: options.limits.memory, exitStatus: 3, prefix: "lunas: \(file): "))
        // Ctrl-C is caught from before the script starts: a signal must not find the default action
        let cancellation = PendingCancellation()
        let interrupt = Interrupt { cancellation.cancel() }
        defer { interrupt.cancel() }
        let rulesFlags = event != nil || schedule != nil
        let task = Task { [request, self] in
            let result = rulesFlags ? await runRules(request, runtime: runtime) : await runtime.run(request)
            if !rulesFlags, case .ok = result.outcome, !result.rules.isEmpty {
                request.output.write(RunRecord(kind: .print, text: listing(result.rules)))
            }
            await runtime.shutdown()
            try? await localSandbox?.stop()
            return result
        }
        cancellation.attach(task)
        let outcome = await task.value.outcome
        fflush(nil)
        if case .ok = outcome { return }
        progress?.clear()
        report(outcome)
        throw ExitCode(outcome.exitCode)
    }

    /// Starts the in-process sandbox; it keeps its data beside its store, so a second run sees
    /// the first one's writes.
    private func startSandbox() async throws -> ScalevSandbox {
        let files = FileManager.default
        if sandboxReset, files.fileExists(atPath: Self.sandboxDataFile) { try files.removeItem(atPath: Self.sandboxDataFile) }
        if !files.fileExists(atPath: Self.sandboxDataFile) {
            FileHandle.standardError.write(Data("""
                lunas: a new sandbox (seed \(seed ?? 1)); its data is kept in \(Self.sandboxDataFile) for the next --sandbox \
                run (--sandbox-reset starts afresh)\n
                """.utf8))
        } else if seed != nil || anchor != nil {
            throw ValidationFailure("--seed and --anchor apply to a new sandbox, and \(Self.sandboxDataFile) holds one already: add --sandbox-reset")
        }
        var sandboxConfiguration = SandboxConfiguration(seed: seed ?? 1, keySeed: keySeed, dataFile: Self.sandboxDataFile)
        sandboxConfiguration.anchor = anchor.flatMap(SandboxConfiguration.anchor(parsing:))
        return try await ScalevSandbox.start(sandboxConfiguration)
    }

    /// Prints how the run failed (redacted) on standard error.
    private func report(_ outcome: RunOutcome) {
        let stderr = FileHandle.standardError
        switch outcome {
        case .ok:
            break
        case .cancelled:
            stderr.write(Data("lunas: \(file): interrupted\n".utf8))
        case .limit(let limit, let error):
            let location = error.location.map { " at \($0)" } ?? ""
            stderr.write(Data("lunas: \(file): \(limit.message)\(location)\n".utf8))
        case .failed(let error) where error.kind == .syntax:
            stderr.write(Data("lunas: \(error.message)\n".utf8))
        case .failed(let error):
            var text = "lunas: \(error.message)\n"
            if let traceback = error.traceback { text += traceback + "\n" }
            stderr.write(Data(text.utf8))
        case .rejected(let message):
            stderr.write(Data("lunas: \(message)\n".utf8))
        }
    }
}

/// Cancels a task that may not exist yet: a cancellation before `attach` applies on attaching.
final class PendingCancellation: Sendable {
    private let state = Mutex<(cancelled: Bool, task: Task<RunResult, Never>?)>((false, nil))

    func cancel() {
        state.withLock { state in
            state.cancelled = true
            return state.task
        }?.cancel()
    }

    func attach(_ task: Task<RunResult, Never>) {
        if state.withLock({ state in
            state.task = task
            return state.cancelled
        }) { task.cancel() }
    }
}

/// Runs a handler on the first Ctrl-C; a second one exits at once.
final class Interrupt {
    private let source: DispatchSourceSignal

    init(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT)
        source.setEventHandler {
            handler()
            signal(SIGINT, SIG_DFL)
        }
        source.resume()
        self.source = source
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
