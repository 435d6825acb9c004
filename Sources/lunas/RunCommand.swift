import ArgumentParser
import Dispatch
import Foundation
import LuaKit
import LunasRuntime
import Synchronization
import LunasStore
import AsyncHTTPClient
import ScalevSandbox

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script.",
        discussion: """
            print() writes to standard output; log.info/warn/error to standard error.
            Arguments after -- reach the script as arg[1...] and as the chunk's '...'.
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

    @Option(name: .customLong("log-level"), help: "Lowest log level printed: debug, info, warn, error.")
    var logLevel: String = "info"

    @Option(help: "The store behind kv: a SQLite file or a postgres:// URL (default: $LUNAS_STORE_URL, else lunas.db).")
    var store: String?

    @Option(help: "The script's kv namespace (default: its path relative to scripts/, without .lua).")
    var namespace: String?

    @Option(name: .customLong("shared-ns"), help: "A shared kv namespace the script may open with kv.shared(NAME); repeatable.")
    var sharedNamespaces: [String] = []

    @Flag(help: "Run against a local Scalev sandbox started in this process, with its credentials (and lunas-sandbox.db).")
    var sandbox = false

    @Option(help: "The credential the script uses (a name from lunas.toml; with --sandbox: sandbox, sandbox-restricted, sandbox-storefront).")
    var credential: String?

    @Flag(name: .customLong("dry-run"), help: "Send reads; print writes instead of sending them, answering each with dry_run = true.")
    var dryRun = false

    @Flag(help: "Trace every Scalev request and response (secrets redacted) on standard error.")
    var verbose = false

    @Flag(name: .customLong("no-budget"), help: "Send without the credentials' rate budgets (benchmarks; sandboxes without limits). 429s are still retried.")
    var noBudget = false

    @Option(help: "The configuration file (default: lunas.toml when present).")
    var config: String?

    @Argument(parsing: .postTerminator, help: "Arguments for the script, after --.")
    var scriptArguments: [String] = []

    /// Where `--sandbox` keeps the local sandbox's data between runs.
    static let sandboxDataFile = "lunas-sandbox.json"

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds, not \(timeout)")
        }
        if let memory, !(1...(1 << 20)).contains(memory) { throw ValidationError("--memory must be between 1 and 1048576 MiB") }
        if let instructions, instructions <= 0 { throw ValidationError("--instructions must be positive") }
        guard LuaLogRecord.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of debug, info, warn, error")
        }
    }

    func run() async throws {
        guard FileManager.default.isReadableFile(atPath: file) else {
            FileHandle.standardError.write(Data("lunas: cannot read \(file): no such file, or not readable\n".utf8))
            throw ExitCode(2)
        }
        var options = ScriptOptions(
            profile: trusted ? .trusted : .sandboxed,
            limits: LuaLimits(
                memory: (memory ?? 256) << 20,
                deadline: timeout.map { .milliseconds(Int64(($0 * 1000).rounded())) },
                instructions: instructions.map { $0 * 1_000_000 }),
            arguments: scriptArguments,
            logLevel: LuaLogRecord.Level(rawValue: logLevel) ?? .info)
        let configuration: LunasConfiguration
        let kvStore: LazyStore
        do {
            configuration = try LunasConfiguration.load(path: config)
            kvStore = LazyStore(location: try StoreLocation.resolve(explicit: store ?? configuration.store, sandbox: sandbox))
        } catch {
            FileHandle.standardError.write(Data("lunas: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let folder = configuration.scriptsFolder { options.scriptsFolder = folder }
        let scriptName = namespace ?? ScriptNamespace.name(forScript: file, scriptsFolder: options.scriptsFolder)
        let entry = configuration.scripts[scriptName]
        if timeout == nil, let seconds = entry?.timeout { options.limits.deadline = .milliseconds(Int64((seconds * 1000).rounded())) }
        if memory == nil, let mib = entry?.memory { options.limits.memory = mib << 20 }
        options.store = kvStore
        options.namespace = namespace
        options.sharedNamespaces = sharedNamespaces + (entry?.shared ?? [])
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let localSandbox: ScalevSandbox?
        do {
            let pacer = noBudget ? nil : try BudgetPacer(store: kvStore, weights: [scriptName: entry?.weight ?? 1]) { script, wait in
                let seconds = String(format: "%.1f", Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
                FileHandle.standardError.write(Data("lunas: \(script) waits \(seconds) s for the credential's rate budget\n".utf8))
            }
            let setup = ScalevSetup(
                configuration: configuration, script: scriptName, requestedCredential: credential, dryRun: dryRun, verbose: verbose, pacer: pacer)
            if sandbox {
                // the sandbox keeps its data beside its store, so a second run sees the first one's writes
                let started = try await ScalevSandbox.start(SandboxConfiguration(dataFile: Self.sandboxDataFile))
                localSandbox = started
                options.scalev = try setup.sandboxAccess(started, http: http)
            } else {
                localSandbox = nil
                options.scalev = try await setup.configuredAccess(http: http, store: kvStore)
            }
            options.secrets += options.scalev?.secrets ?? []
        } catch {
            try? await http.shutdown()
            FileHandle.standardError.write(Data("lunas: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let run = ScriptRun(file: file, options: options)
        // Ctrl-C is caught from before the script starts: a signal must not find the default action
        let cancellation = PendingCancellation()
        let interrupt = Interrupt { cancellation.cancel() }
        defer { interrupt.cancel() }
        let task = Task {
            let outcome: Result<[LuaValue], any Error>
            do { outcome = .success(try await run.run()) } catch { outcome = .failure(error) }
            await kvStore.close()
            try? await http.shutdown()
            await localSandbox?.stop()
            return try outcome.get()
        }
        cancellation.attach(task)
        do {
            _ = try await task.value
            fflush(nil)
        } catch let error as LuaError {
            fflush(nil)
            throw ExitCode(report(error))
        } catch {
            fflush(nil)
            FileHandle.standardError.write(Data("lunas: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Prints the error and returns the exit code.
    private func report(_ error: LuaError) -> Int32 {
        let stderr = FileHandle.standardError
        switch error.kind {
        case .limit(.cancelled):
            stderr.write(Data("lunas: \(file): interrupted\n".utf8))
            return 130
        case .limit(let limit):
            stderr.write(Data("lunas: \(file): \(limit.message)\n".utf8))
            return 3
        case .syntax:
            stderr.write(Data("lunas: \(error.message)\n".utf8))
            return 1
        case .runtime, .usage:
            var text = "lunas: \(error.message)\n"
            if let traceback = error.traceback { text += traceback + "\n" }
            stderr.write(Data(text.utf8))
            return 1
        }
    }
}

/// Cancels a task that may not exist yet: a cancellation before `attach` applies on attaching.
final class PendingCancellation: Sendable {
    private let state = Mutex<(cancelled: Bool, task: Task<[LuaValue], any Error>?)>((false, nil))

    func cancel() {
        state.withLock { state in
            state.cancelled = true
            return state.task
        }?.cancel()
    }

    func attach(_ task: Task<[LuaValue], any Error>) {
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
