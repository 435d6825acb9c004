import Foundation
import LuaKit
import Scalev

/// One run of one script: a fresh state with the script's profile, limits and modules, the
/// `log` and `json` modules, `print` to the run's ``ScriptOutput``, and `arg`.
public struct ScriptRun: Sendable {
    /// The script.
    public let source: ScriptSource
    /// How it runs.
    public let options: ScriptOptions
    /// Compiled chunks shared between runs.
    public let cache: ChunkCache
    /// Where the script's log lines go.
    public let logger: ScriptLogger

    /// A run of `source`.
    public init(source: ScriptSource, options: ScriptOptions, cache: ChunkCache = ChunkCache(), logger: ScriptLogger? = nil) {
        self.source = source
        self.options = options
        self.cache = cache
        self.logger = logger ?? ScriptLogger(
            redactor: Redactor(secrets: options.secrets), minimum: options.logLevel, maxBytes: options.maxLogBytes, output: options.output)
    }

    /// A run of the script file `file`.
    public init(file: String, options: ScriptOptions, cache: ChunkCache = ChunkCache(), logger: ScriptLogger? = nil) {
        self.init(source: .file(file), options: options, cache: cache, logger: logger)
    }

    /// Reads, compiles and runs the script; returns what its chunk returned.
    public func run() async throws -> [LuaValue] {
        try await perform().values.get()
    }

    /// What a run came to: its values or error, the most bytes its Lua heap held, the Scalev API
    /// calls it made (HTTP attempts, retries included) and the time they waited on budgets.
    struct Performance {
        var values: Result<[LuaValue], any Error>
        var peakMemory = 0
        var apiCalls = 0
        var budgetWait = Duration.zero
        /// What a rules file's top level registered.
        var rules: [Rule] = []
        /// The timers its handler set.
        var timers: [RuleTimer] = []
        /// The source text that ran, for a ``RuleRun/Mode/load`` run.
        var source: String?
    }

    /// Runs the script, then its handler if one is given, all on the run's executor: one hop
    /// there and one back, not one for each.
    func perform(handler: RunHandler? = nil, rules: RuleRun? = nil) async -> Performance {
        await withTaskExecutorPreference(options.executor) { await performHere(handler: handler, rules: rules) }
    }

    private func performHere(handler: RunHandler?, rules: RuleRun?) async -> Performance {
        let bytes: [UInt8], folder: String, chunkName: String
        switch source {
        case .file(let file):
            guard let contents = FileManager.default.contents(atPath: file) else {
                return Performance(values: .failure(ScriptError.unreadable(file)))
            }
            bytes = [UInt8](contents)
            folder = (file as NSString).deletingLastPathComponent
            chunkName = "@\(file)"
        case .text(let source, let name):
            bytes = Array(source.utf8)
            folder = options.workingDirectory ?? "."
            chunkName = "@\(name)"
        case .snapshot(let source, let file):
            bytes = Array(source.utf8)
            folder = (file as NSString).deletingLastPathComponent
            chunkName = "@\(file)"
        }
        let state: LuaState
        do {
            state = try LuaState(
                profile: options.profile,
                limits: options.limits,
                modules: LuaModulePaths(folders: [
                    LuaModulePaths.Folder(folder.isEmpty ? "." : folder, shownAs: ""),
                    LuaModulePaths.Folder(options.stdlibFolder ?? "stdlib", shownAs: "stdlib"),
                ] + options.modulePaths.map { LuaModulePaths.Folder($0) }),
                chunkCache: cache, executor: options.executor, watchdog: options.watchdog)
        } catch {
            return Performance(values: .failure(error))
        }
        let calls = CallTally(limit: options.maxCalls)
        // one deadline for the whole run: the chunk, its handler and the Scalev calls they make
        state.deadlineStart = ContinuousClock.now
        let values: Result<[LuaValue], any Error>
        var registry: RuleRegistry?
        do {
            let chunk = try state.compile(bytes, name: chunkName)
            let reach = ModuleReach(chunk: chunk, profile: options.profile)
            if let rules {
                if case .ordinary = rules.mode {} else if !RuleRegistry.registrations.contains(where: reach.reaches) {
                    throw RulesError.noRules(script: rules.script, file: source.name)
                }
                registry = rules.registry(reach: reach)
            }
            let namespace = try install(in: state, calls: calls, reach: reach, gate: registry?.gate)
            try registry?.install(in: state)
            if namespace == nil, options.store != nil, let line = reach.firstRead(of: "kv") {
                throw LuaError(.usage, "\(source.name):\(line): \(ScriptNamespace.outside(source.name, folders: namespaceFolders))")
            }
            // granted Scalev with no credential in it, a script that uses scalev cannot do its work
            // (a rules file's handlers say so when called: its top level may list its rules)
            if registry == nil, let scalev = options.scalev, scalev.grants.isEmpty, let line = reach.firstRead(of: "scalev") {
                throw ScriptError.noCredential("\(source.name):\(line)")
            }
            var results = try await state.run(chunk, arguments: options.arguments.map { .string(LuaString($0)) })
            if let handler {
                results = try await state.run(handler.function(in: state, exports: results, script: source.name), arguments: handler.input)
            }
            if let rules, let registry {
                switch rules.mode {
                case .ordinary:
                    break
                case .load:
                    if registry.rules.isEmpty { throw RulesError.noRules(script: rules.script, file: source.name) }
                case .call(let call):
                    guard let function = registry.function(named: call.name) else {
                        let names = registry.rules.map(\.name)
                        let known = names.isEmpty ? "it registers none" : "it registers: " + names.joined(separator: ", ")
                        throw LuaError(.usage, "no rule '\(call.name)' in \(rules.script); \(known)")
                    }
                    registry.beginHandler()
                    results = try await state.run(function, arguments: call.input)
                }
            }
            values = .success(results)
        } catch {
            values = .failure(error)
        }
        var performance = Performance(values: values, peakMemory: state.memoryPeak, apiCalls: calls.count, budgetWait: calls.budgetWait)
        if let registry {
            performance.rules = registry.rules
            performance.timers = registry.timers
        }
        if case .load? = rules?.mode { performance.source = String(decoding: bytes, as: UTF8.self) }
        return performance
    }

    /// The folders script namespaces are relative to.
    private var namespaceFolders: [String] { options.scriptsFolder.map { [$0] } ?? [] }

    /// The run's modules and globals: `log`, `print`, `arg`; `scalev` when granted, `kv` when
    /// the run has a store and the script a namespace (both checking `gate`, a rules file's), and the host's modules — each only when
    /// the chunk can reach it (``ModuleReach``), and in its place, when the chunk names one the
    /// run lacks, a stand-in whose every use says what is missing. Returns the namespace.
    private func install(in state: LuaState, calls: CallTally, reach: ModuleReach, gate: TopLevelGate?) throws -> String? {
        let logger = self.logger
        state.installLog { logger.log($0) }
        let redactor = Redactor(secrets: options.secrets)
        ScriptPrinter(redactor: redactor, maxBytes: options.maxPrintBytes, output: options.output).install(in: state)
        let namespace: String?
        if let given = options.namespace {
            namespace = given
        } else if options.store == nil && options.scalev == nil {
            namespace = nil // only kv and the budgets' notices need it
        } else if let workingDirectory = options.workingDirectory {
            namespace = try ScriptNamespace.name(forScript: source.name, folders: namespaceFolders, workingDirectory: workingDirectory)
        } else {
            namespace = try ScriptNamespace.name(forScript: source.name, folders: namespaceFolders)
        }
        var modules: [any ScriptModule] = []
        if let scalev = options.scalev {
            let deadline = options.limits.deadline.map { (state.deadlineStart ?? ContinuousClock.now) + $0 }
            var module = ScalevModule(access: scalev, script: namespace ?? source.name, deadline: deadline, calls: calls)
            module.gate = gate
            modules.append(module)
        } else if reach.names("scalev") {
            try MissingCapability.scalev.install(in: state)
        }
        if let store = options.store, let namespace {
            let dryRun = options.kvDryRun.map { report in { @Sendable (line: String) in report(redactor.redact(line)) } }
            var module = KVModule(store: store, namespace: namespace, sharedNamespaces: options.sharedNamespaces, dryRun: dryRun,
                                  fence: options.kvFence)
            module.gate = gate
            modules.append(module)
        } else if options.store == nil, reach.names("kv") {
            try MissingCapability.kv.install(in: state)
        }
        modules += try toolkit(in: state, calls: calls, reach: reach, redactor: redactor)
        if !options.clock.isSystemTime { try TimeHostFunctions.installClock(options.clock, in: state) }
        if reach.reaches(TimeHostFunctions.global) {
            try TimeHostFunctions(defaultZone: options.timeZone ?? TimeHostFunctions.fallbackZone).install(in: state)
        }
        try checkNames(of: options.modules)
        for module in modules + options.modules where reach.reaches(module.name) {
            try module.install(in: state)
        }
        var arg = LuaTable(array: options.arguments.map { .string(LuaString($0)) })
        arg.isArray = false
        arg[.integer(0)] = .string(LuaString(source.name))
        state.setGlobal("arg", .table(arg))
        return namespace
    }
}

extension ScriptRun {
    /// Refuses a host module that would hide a global of the profile or another module.
    private func checkNames(of modules: [any ScriptModule]) throws {
        var taken = options.profile == .trusted ? ScriptGlobals.trusted : ScriptGlobals.sandboxed
        for module in modules {
            guard !module.name.isEmpty, !module.name.contains("."), taken.insert(module.name).inserted else {
                throw ScriptError.moduleName(module.name)
            }
        }
    }
}

/// A script that could not be started.
public enum ScriptError: Error, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(String)
    /// A host module's name is taken by a global or another module, or is not a plain name.
    case moduleName(String)
    /// The script reads `scalev` (at this `file:line`) and was granted Scalev with no credential.
    case noCredential(String)

    public var description: String {
        switch self {
        case .unreadable(let file): "cannot read \(file): no such file, or not readable"
        case .noCredential(let location): "\(location): \(ScalevModule.noCredential)"
        case .moduleName(let name): "the host module '\(name)' cannot be installed: the name must be a plain global name that no standard, Lunas or other host module uses"
        }
    }
}
