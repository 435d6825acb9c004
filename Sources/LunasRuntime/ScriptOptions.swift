import Foundation
import LuaKit
import LunasClock
import LunasStore

/// How a script runs: its profile, limits, where `require` looks, and its arguments.
public struct ScriptOptions: Sendable {
    /// `.sandboxed` for scripts, `.trusted` with `--trusted`.
    public var profile: LuaProfile
    /// Memory, deadline, instruction and depth limits.
    public var limits: LuaLimits
    /// Folders `require` searches, after the script's own folder and the stdlib (a sandboxed
    /// script sees each by its own name, never its place on the host).
    public var modulePaths: [String]
    /// The arguments after `--`, given to the script as `arg[1...]` and as `...`.
    public var arguments: [String]
    /// Strings that must never appear in output (credentials); replaced by `[REDACTED]`.
    public var secrets: [String]
    /// The lowest log level printed.
    public var logLevel: LuaLogRecord.Level
    /// The most bytes of log lines a run may write; later lines are dropped with one notice.
    public var maxLogBytes: Int
    /// The most bytes a run's `print` calls may write; later output is dropped with one notice.
    public var maxPrintBytes: Int = 16 << 20
    /// Where the run's `print` output and log lines go (default: standard output and error).
    public var output: ScriptOutput = .standard
    /// The store behind the `kv` module, opened on first use; `nil` leaves `kv` out.
    public var store: OnDemandStore? = nil
    /// The script's `kv` namespace; `nil` derives it from the file's place in the scripts folder
    /// (see ``ScriptNamespace``): a script outside it has no `kv` unless one is given here.
    public var namespace: String? = nil
    /// Namespaces the script may open with `kv.shared(name)`.
    public var sharedNamespaces: [String] = []
    /// What every `kv` write of the run is conditioned on, besides any lock the script fences a
    /// write with itself (both must hold): a runner gives a job's run its lease
    /// (``ClaimedJob/fence``), so that a run whose lease was lost cannot write. A write whose fence
    /// no longer holds fails with a Lua error at the script's line and writes nothing. It covers
    /// `set`, `add`, `replace`, `delete`, `incr`, `cas`, `lock` and `lock:refresh`; releasing a
    /// lock the run holds is not fenced, nor are a dry run's dropped writes by a job's lease (they
    /// reach no store). `nil`: writes are fenced only by the script's locks.
    public var kvFence: KVFence? = nil
    /// In a dry run, where each `kv` write is reported (redacted) instead of being written; the
    /// run's reads still see its writes. `nil` writes to the store.
    public var kvDryRun: (@Sendable (String) -> Void)? = nil
    /// The folder of shipped Lua modules; `nil` is `stdlib` in the working directory.
    public var stdlibFolder: String? = nil
    /// The folder a text source's `require` searches first and relative paths are read against;
    /// `nil` is the process's current directory (a ``Runtime`` always sets it).
    public var workingDirectory: String? = nil
    /// The folder script namespaces are relative to.
    public var scriptsFolder: String? = "scripts"
    /// The IANA time zone `lunas.time` works in when a script names none (the configuration's
    /// `time_zone`); `nil` is Asia/Jakarta.
    public var timeZone: String? = nil
    /// The host's modules, installed after Lunas' own; none may take the name of a global of
    /// the profile (`string`, `kv`, ...) or of another.
    public var modules: [any ScriptModule] = []
    /// The Scalev credentials the run may use; `nil` leaves `scalev` out.
    public var scalev: ScalevAccess? = nil
    /// The most Scalev API calls the run may make — HTTP attempts, retries included; a dry run's
    /// writes are not sent and not counted — after which it ends with `API call limit of N
    /// exceeded`; `nil` for no cap.
    public var maxCalls: Int? = nil
    /// The clock `sleep` sleeps on and `deadline_remaining` also reads, and — when it is not the
    /// machine's — what `os.time()` and `os.date()` read when given no time (a ``Runtime`` gives
    /// its ``RuntimeConfiguration/clock``: a test's clock, or a spec's virtual one under
    /// `lunas test`, is the script's time too).
    public var clock: any WallClock = SystemClock()
    /// The script's settings, its global `config` (read-only); `nil` gives `{}`. A ``Runtime``
    /// fills it from the script's `[scripts.NAME.config]` unless the request sets it.
    public var config: LuaTable? = nil
    /// What the script's `http` may reach; `nil`: a script that names `http` is told it is not
    /// available. A ``Runtime`` fills it from `[http]` in `lunas.toml`.
    public var http: HTTPAccess? = nil
    /// The one file the script may read, as `input` (`lunas run --input FILE`); `nil`: none.
    public var inputFile: URL? = nil
    /// The one file the script may write, as `output` (`lunas run --output FILE`); `nil`: none.
    public var outputFile: URL? = nil
    /// The largest `input` file a run may read, in bytes (64 MiB).
    public var maxInputBytes: Int = 64 << 20
    /// The most a run may write to `output`, in bytes (64 MiB).
    public var maxOutputBytes: Int = 64 << 20
    /// In a dry run, where each `output.write` is reported (redacted) instead of written; `nil`
    /// writes the file.
    public var outputDryRun: (@Sendable (String) -> Void)? = nil
    /// The threads the run executes Lua on.
    public var executor: LuaExecutor = .shared
    /// The thread that ends the run at its deadline.
    public var watchdog: Watchdog = .shared

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
