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

    /// The folder of shipped Lua modules: `LUNAS_STDLIB`, else `stdlib/` in the working
    /// directory, else the `stdlib/` of the package the executable was built in
    /// (`.build/<config>/lunas`), else `../share/lunas/stdlib` beside an installed executable.
    public static var stdlibFolder: String {
        if let configured = ProcessInfo.processInfo.environment["LUNAS_STDLIB"] { return configured }
        let files = FileManager.default
        if files.fileExists(atPath: "stdlib") { return "stdlib" }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let binFolder = executable.deletingLastPathComponent()
        let candidates = [
            binFolder.appendingPathComponent("../../../stdlib"),
            binFolder.appendingPathComponent("../../stdlib"),
            binFolder.appendingPathComponent("../share/lunas/stdlib"),
        ]
        return candidates.first { files.fileExists(atPath: $0.path) }?.standardizedFileURL.path ?? "stdlib"
    }

    /// Reads, compiles and runs the script; returns what its chunk returned.
    public func run() async throws -> [LuaValue] {
        try await perform().values.get()
    }

    /// What a run came to: its values or error, the most bytes its Lua heap held, and the
    /// Scalev API calls it made (HTTP attempts, retries included).
    struct Performance {
        var values: Result<[LuaValue], any Error>
        var peakMemory = 0
        var apiCalls = 0
    }

    /// Runs the script, then its handler if one is given.
    func perform(handler: RunHandler? = nil) async -> Performance {
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
        }
        let state: LuaState
        do {
            state = try LuaState(
                profile: options.profile,
                limits: options.limits,
                modules: LuaModulePaths(folders: [
                    LuaModulePaths.Folder(folder.isEmpty ? "." : folder, shownAs: ""),
                    LuaModulePaths.Folder(options.stdlibFolder ?? Self.stdlibFolder, shownAs: "stdlib"),
                ] + options.modulePaths.map { LuaModulePaths.Folder($0) }),
                chunkCache: cache)
        } catch {
            return Performance(values: .failure(error))
        }
        let calls = CallTally(limit: options.maxCalls)
        // one deadline for the whole run: the chunk, its handler and the Scalev calls they make
        state.deadlineStart = ContinuousClock.now
        let values: Result<[LuaValue], any Error>
        do {
            let namespace = try install(in: state, calls: calls)
            let chunk = try state.compile(bytes, name: chunkName)
            if namespace == nil, options.store != nil,
               let line = chunk.globalAccesses().filter({ $0.name == "kv" && !$0.isWrite }).map(\.line).min() {
                throw LuaError(.usage, "\(source.name):\(line): \(ScriptNamespace.outside(source.name, folders: namespaceFolders))")
            }
            var results = try await state.run(chunk, arguments: options.arguments.map { .string(LuaString($0)) })
            if let handler {
                results = try await state.run(handler.function(in: state, exports: results, script: source.name), arguments: handler.input)
            }
            values = .success(results)
        } catch {
            values = .failure(error)
        }
        return Performance(values: values, peakMemory: state.memoryPeak, apiCalls: calls.count)
    }

    /// The folders script namespaces are relative to.
    private var namespaceFolders: [String] { options.scriptsFolder.map { [$0] } ?? [] }

    /// The run's modules and globals: `log`, `print`, `scalev`, and `kv` when granted and the
    /// script has a namespace, the host's modules, `arg`. Returns the namespace.
    private func install(in state: LuaState, calls: CallTally) throws -> String? {
        let logger = self.logger
        state.installLog { logger.log($0) }
        let redactor = Redactor(secrets: options.secrets)
        ScriptPrinter(redactor: redactor, maxBytes: options.maxPrintBytes, output: options.output).install(in: state)
        let namespace = try options.namespace ?? ScriptNamespace.name(forScript: source.name, folders: namespaceFolders)
        if let scalev = options.scalev {
            let deadline = options.limits.deadline.map { (state.deadlineStart ?? ContinuousClock.now) + $0 }
            try ScalevModule(access: scalev, script: namespace ?? source.name, deadline: deadline, calls: calls).install(in: state)
        }
        if let store = options.store, let namespace {
            let dryRun = options.kvDryRun.map { report in { @Sendable (line: String) in report(redactor.redact(line)) } }
            try KVModule(store: store, namespace: namespace, sharedNamespaces: options.sharedNamespaces, dryRun: dryRun)
                .install(in: state, cache: cache)
        }
        try install(options.modules, in: state)
        var arg = LuaTable(array: options.arguments.map { .string(LuaString($0)) })
        arg.isArray = false
        arg[.integer(0)] = .string(LuaString(source.name))
        state.setGlobal("arg", .table(arg))
        return namespace
    }
}

extension ScriptRun {
    /// Installs the host's modules, refusing one that would hide a global of the profile or
    /// another module.
    private func install(_ modules: [any ScriptModule], in state: LuaState) throws {
        var taken = options.profile == .trusted ? ScriptGlobals.trusted : ScriptGlobals.sandboxed
        for module in modules {
            guard !module.name.isEmpty, !module.name.contains("."), taken.insert(module.name).inserted else {
                throw ScriptError.moduleName(module.name)
            }
            try module.install(in: state)
        }
    }
}

/// A script that could not be started.
public enum ScriptError: Error, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(String)
    /// A host module's name is taken by a global or another module, or is not a plain name.
    case moduleName(String)

    public var description: String {
        switch self {
        case .unreadable(let file): "cannot read \(file): no such file, or not readable"
        case .moduleName(let name): "the host module '\(name)' cannot be installed: the name must be a plain global name that no standard, Lunas or other host module uses"
        }
    }
}
