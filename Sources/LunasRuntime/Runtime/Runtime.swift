import LuaKit
import LunasStore

/// The entry point for running scripts — for `lunas run`, for the runner and for Swift hosts
/// that run merchants' Lua: it owns what runs share (compiled chunks, the store behind `kv`)
/// and runs each request in a fresh state under its own limits.
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
    /// The Lua threads (executor and watchdog) held running until ``shutdown()``.
    private let threads = [LuaExecutor.shared.lease(), Watchdog.shared.lease()]

    /// A runtime; it opens its store (if configured) on first use.
    public init(configuration: RuntimeConfiguration, cache: ChunkCache = ChunkCache()) {
        self.configuration = configuration
        self.cache = cache
        self.store = configuration.store.map { OnDemandStore(location: $0, options: configuration.storeOptions) }
        self.ownsStore = true
    }

    /// A runtime over a store the host already opened (it stays the host's to close).
    public init(configuration: RuntimeConfiguration, store: any Store, cache: ChunkCache = ChunkCache()) {
        self.configuration = configuration
        self.cache = cache
        self.store = OnDemandStore(store)
        self.ownsStore = false
    }

    /// Runs one request to its end. The run is a child of the calling task: cancelling that
    /// task ends the script at its next instruction (``RunOutcome/cancelled``).
    public func run(_ request: RunRequest) async -> RunResult {
        var options = request.options
        options.output = request.output
        options.stdlibFolder = configuration.stdlibFolder
        options.workingDirectory = configuration.workingDirectory
        options.scriptsFolder = configuration.scriptsFolder
        options.store = options.store ?? store
        let started = ContinuousClock.now
        let performance = await ScriptRun(source: request.source, options: options, cache: cache).perform(handler: request.handler)
        let outcome: RunOutcome = switch performance.values {
        case .success(let values): .ok(values)
        case .failure(let error): RunOutcome(error)
        }
        return RunResult(outcome: outcome, duration: ContinuousClock.now - started, peakMemory: performance.peakMemory,
                         apiCalls: performance.apiCalls)
    }

    /// Closes what the runtime opened (its store, not one the host gave it), then lets the Lua
    /// threads go: the last runtime to shut down stops them. Call it once its runs have ended.
    public func shutdown() async {
        if ownsStore { await store?.close() }
        for lease in threads { lease.release() }
    }
}
