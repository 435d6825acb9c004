import LuaKit
import LunasStore

/// How a script runs: its profile, limits, where `require` looks, and its arguments.
public struct ScriptOptions: Sendable {
    /// `.sandboxed` for scripts, `.trusted` with `--trusted`.
    public var profile: LuaProfile
    /// Memory, deadline, instruction and depth limits.
    public var limits: LuaLimits
    /// Folders `require` searches, after the script's own folder and the stdlib.
    public var modulePaths: [String]
    /// The arguments after `--`, given to the script as `arg[1...]` and as `...`.
    public var arguments: [String]
    /// Strings that must never appear in output (credentials); replaced by `[REDACTED]`.
    public var secrets: [String]
    /// The lowest log level printed.
    public var logLevel: LuaLogRecord.Level
    /// The most bytes of log lines a run may write; later lines are dropped with one notice.
    public var maxLogBytes: Int
    /// The store behind the `kv` module, opened on first use; `nil` leaves `kv` out.
    public var store: LazyStore? = nil
    /// The script's `kv` namespace; `nil` derives it from the file (see ``ScriptNamespace``).
    public var namespace: String? = nil
    /// Namespaces the script may open with `kv.shared(name)`.
    public var sharedNamespaces: [String] = []
    /// The folder script namespaces are relative to.
    public var scriptsFolder: String? = "scripts"
    /// The Scalev credentials the run may use; `nil` leaves `scalev` out.
    public var scalev: ScalevAccess? = nil

    /// The defaults of `lunas run`: sandboxed, 256 MiB, no deadline.
    public init(
        profile: LuaProfile = .sandboxed,
        limits: LuaLimits = LuaLimits(memory: 256 << 20),
        modulePaths: [String] = [],
        arguments: [String] = [],
        secrets: [String] = [],
        logLevel: LuaLogRecord.Level = .info,
        maxLogBytes: Int = 16 << 20
    ) {
        self.profile = profile
        self.limits = limits
        self.modulePaths = modulePaths
        self.arguments = arguments
        self.secrets = secrets
        self.logLevel = logLevel
        self.maxLogBytes = maxLogBytes
    }
}
