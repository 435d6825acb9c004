import AsyncHTTPClient
import Foundation
@_exported import LuaKit
import LunasStore

/// The entry point for running scripts — for `lunas run`, for the runner and for Swift hosts
/// that run merchants' Lua: it owns what runs share (compiled chunks, the store behind `kv`, the
/// HTTP client and the credentials' rate budgets) and runs each request in a fresh state under
/// its own limits.
///
/// ```swift
/// let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: "stdlib"))
/// let transcript = RunTranscript()
/// let result = await runtime.run(RunRequest(source: .text("return 6 * 7", chunkName: "answer.lua"),
///                                           output: transcript.output))
/// // result.outcome is .ok([.integer(42)])
/// await runtime.shutdown()
/// ```
public final class Runtime: Sendable {
    /// How it was configured.
    public let configuration: RuntimeConfiguration
    /// Chunks compiled by its runs, shared between them.
    public let cache: ChunkCache
    /// The store behind `kv`, opened by the first run that uses it.
    public let store: OnDemandStore?
    private let ownsStore: Bool
    let scalev: ScalevConnector
    /// The Lua threads (executor and watchdog) held running until ``shutdown()``.
    private let threads: [ThreadLease]

    /// A runtime; it opens its store (if configured) on first use, and its HTTP client (unless
    /// `http` is the host's, which it leaves open) when a run first uses Scalev.
    public init(configuration: RuntimeConfiguration, cache: ChunkCache = ChunkCache(), http: HTTPClient? = nil) {
        self.configuration = configuration
        self.cache = cache
        let store = configuration.store.map { OnDemandStore(location: $0, options: configuration.storeOptions) }
        self.store = store
        self.ownsStore = true
        self.scalev = ScalevConnector(configuration: configuration, store: store, http: http)
        self.threads = [configuration.executor.lease(), configuration.watchdog.lease()]
    }

    /// A runtime over a store the host already opened (it stays the host's to close).
    public init(configuration: RuntimeConfiguration, store: any Store, cache: ChunkCache = ChunkCache(), http: HTTPClient? = nil) {
        self.configuration = configuration
        self.cache = cache
        let store = OnDemandStore(store)
        self.store = store
        self.ownsStore = false
        self.scalev = ScalevConnector(configuration: configuration, store: store, http: http)
        self.threads = [configuration.executor.lease(), configuration.watchdog.lease()]
    }

    /// Opens a database server's store now rather than at the first run that needs it, so that
    /// one that cannot be reached is reported before any script starts (a SQLite file is opened
    /// on first use).
    public func open() async throws {
        if case .postgres = store?.location { _ = try await store?.store() }
    }

    /// Runs one request to its end. The run is a child of the calling task: cancelling that
    /// task ends the script at its next instruction (``RunOutcome/cancelled``) and cancels the
    /// Scalev request it is waiting on.
    public func run(_ request: RunRequest) async -> RunResult {
        guard request.rule == nil || request.handler == nil else {
            return RunResult(outcome: .rejected("a run request gives a handler or a rule to call, not both"), duration: .zero, peakMemory: 0)
        }
        let mode: RuleRun.Mode = request.rule.map { .call($0) } ?? .ordinary
        return await perform(request, rules: RuleRun(mode: mode, script: Self.rulesScript(of: request), clock: configuration.clock)).result
    }

    /// Runs `request` as `rules` says; the result, and what the run came to when it started.
    func perform(_ request: RunRequest, rules: RuleRun) async -> (result: RunResult, performance: ScriptRun.Performance?) {
        let started = ContinuousClock.now
        var options = request.options
        options.output = request.output
        options.stdlibFolder = configuration.stdlibFolder
        options.workingDirectory = configuration.workingDirectory
        options.scriptsFolder = configuration.scriptsFolder
        options.timeZone = options.timeZone ?? configuration.lunas.timeZone
        if options.clock == nil, !configuration.clock.isSystemTime { options.clock = configuration.clock }
        options.store = options.store ?? store
        options.executor = configuration.executor
        options.watchdog = configuration.watchdog
        if request.dryRun == .dropKV, options.kvDryRun == nil {
            let output = request.output
            options.kvDryRun = { line in output.notice(line + "\n") }
        }
        if options.scalev == nil {
            do {
                options.scalev = try await scalev.access(for: request, script: request.script ?? options.namespace ?? request.source.name)
            } catch {
                let redactor = Redactor(secrets: options.secrets)
                return (RunResult(outcome: .rejected(redactor.redact(String(describing: error))), duration: ContinuousClock.now - started, peakMemory: 0), nil)
            }
        }
        options.secrets += options.scalev?.secrets ?? []
        let run = ScriptRun(source: request.source, options: options, cache: cache)
        let performance = await BudgetWaitObserver.$current.withValue(request.budgetWaitObserver) {
            await run.perform(handler: request.handler, rules: rules)
        }
        let outcome: RunOutcome = switch performance.values {
        case .success(let values): .ok(values)
        case .failure(let error): RunOutcome(error)
        }
        var result = RunResult(outcome: outcome.redacted(by: Redactor(secrets: options.secrets)), duration: ContinuousClock.now - started,
                               peakMemory: performance.peakMemory, apiCalls: performance.apiCalls, budgetWait: performance.budgetWait)
        result.timers = performance.timers
        result.rules = performance.rules
        return (result, performance)
    }

    /// The rules file name of a request's script: its ``RunRequest/script``, else its `kv`
    /// namespace, else its source's name; a path to a `.lua` file is cut to the file's name
    /// without `.lua`.
    static func rulesScript(of request: RunRequest) -> String {
        let name = request.script ?? request.options.namespace ?? request.source.name
        guard name.hasSuffix(".lua") else { return name }
        return String((name as NSString).lastPathComponent.dropLast(4))
    }

    /// Closes what the runtime opened, in order: its HTTP client and event loop, then its store
    /// (not a client or store the host gave it); then lets the Lua threads go — the last runtime
    /// to shut down stops them. Call it once its runs have ended.
    public func shutdown() async {
        await scalev.shutdown()
        if ownsStore { await store?.close() }
        for lease in threads { lease.release() }
    }
}
