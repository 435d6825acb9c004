import Foundation
import LuaKit

/// One run of one script file: a fresh state with the script's profile, limits and modules,
/// the `log` and `json` modules, and `arg`.
public struct ScriptRun: Sendable {
    /// The script file.
    public let file: String
    /// How it runs.
    public let options: ScriptOptions
    /// Compiled chunks shared between runs.
    public let cache: ChunkCache
    /// Where the script's log lines go.
    public let logger: ScriptLogger

    /// A run of `file`.
    public init(file: String, options: ScriptOptions, cache: ChunkCache = ChunkCache(), logger: ScriptLogger? = nil) {
        self.file = file
        self.options = options
        self.cache = cache
        self.logger = logger ?? .standardError(
            redactor: Redactor(secrets: options.secrets), minimum: options.logLevel, maxBytes: options.maxLogBytes)
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
        guard let source = FileManager.default.contents(atPath: file) else {
            throw ScriptError.unreadable(file)
        }
        let folder = (file as NSString).deletingLastPathComponent
        let state = try LuaState(
            profile: options.profile,
            limits: options.limits,
            modules: LuaModulePaths([folder.isEmpty ? "." : folder, Self.stdlibFolder] + options.modulePaths),
            chunkCache: cache)
        let logger = self.logger
        state.installLog { logger.log($0) }
        let namespace = options.namespace ?? ScriptNamespace.name(forScript: file, scriptsFolder: options.scriptsFolder)
        if let scalev = options.scalev {
            let deadline = options.limits.deadline.map { ContinuousClock.now + $0 }
            try ScalevModule(access: scalev, script: namespace, deadline: deadline).install(in: state)
        }
        if let store = options.store {
            try KVModule(store: store, namespace: namespace, sharedNamespaces: options.sharedNamespaces).install(in: state, cache: cache)
        }
        var arg = LuaTable(array: options.arguments.map { .string(LuaString($0)) })
        arg.isArray = false
        arg[.integer(0)] = .string(LuaString(file))
        state.setGlobal("arg", .table(arg))
        let chunk = try state.compile(source, name: "@\(file)")
        return try await state.run(chunk, arguments: options.arguments.map { .string(LuaString($0)) })
    }
}

/// A script that could not be started.
public enum ScriptError: Error, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(String)

    public var description: String {
        switch self {
        case .unreadable(let file): "cannot read \(file): no such file, or not readable"
        }
    }
}
