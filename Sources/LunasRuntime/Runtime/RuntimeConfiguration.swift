import LuaKit
import LunasClock
import LunasStore
import RateBudget

/// What a ``Runtime`` needs from its surroundings, as values: a host (or the CLI, from the
/// environment and the working directory) fills them; the runtime reads no process state.
public struct RuntimeConfiguration: Sendable {
    /// The folder of shipped Lua modules (`stdlib/`), searched by `require` after the script's folder.
    public var stdlibFolder: String
    /// The folder script namespaces are relative to; `nil` when there is none.
    public var scriptsFolder: String?
    /// The folder text sources `require` from, and relative paths are read against.
    public var workingDirectory: String
    /// The store behind `kv` (and the budgets' shared ledger), opened on first use; `nil` leaves
    /// `kv` out of runs and keeps the budgets in memory.
    public var store: StoreLocation?
    /// How the store is opened.
    public var storeOptions: StoreOptions
    /// What `lunas.toml` says: credentials, what each script is granted, its limits and weight.
    public var lunas: LunasConfiguration
    /// The environment credentials and budgets are read from (`SCALEV_API_KEY`,
    /// `SCALEV_BASE_URL`, `LUNAS_BUDGET`, `LUNAS_VAULT_KEY`); empty by default.
    public var environment: [String: String]
    /// Whether Scalev requests wait for their credential's rate budget (`false`: `--no-budget`;
    /// 429s are still retried).
    public var budgets: Bool
    /// Hears each time a script's waits on a credential's budget add up to
    /// ``BudgetPacer/noticeEvery``.
    public var onBudgetWait: (@Sendable (BudgetWaitNotice) -> Void)?
    /// The threads runs execute Lua on (default: one per core, shared by every runtime of the
    /// process); a host may give merchant code threads of its own.
    public var executor: LuaExecutor = .shared
    /// The thread that ends runs at their deadlines.
    public var watchdog: Watchdog = .shared
    /// The wall clock `after` and `at` timers are read on (a test's ``TestClock`` holds time still).
    public var clock: any WallClock = SystemClock()

    /// A configuration.
    public init(stdlibFolder: String, scriptsFolder: String? = "scripts", workingDirectory: String = ".",
                store: StoreLocation? = nil, storeOptions: StoreOptions = StoreOptions(),
                lunas: LunasConfiguration = LunasConfiguration(), environment: [String: String] = [:], budgets: Bool = true) {
        self.stdlibFolder = stdlibFolder
        self.scriptsFolder = scriptsFolder
        self.workingDirectory = workingDirectory
        self.store = store
        self.storeOptions = storeOptions
        self.lunas = lunas
        self.environment = environment
        self.budgets = budgets
    }

    /// The configuration of `lunas.toml` at `file` (`nil`: `lunas.toml` if present), as `lunas run`
    /// reads it: its scripts folder, credentials and `kv` quota, and the store chosen as
    /// ``StoreLocation/resolve(flag:configured:environment:sandbox:)`` does (`storeFlag` first;
    /// `lunas-sandbox.db` for runs against the local sandbox).
    public static func load(file: String?, stdlibFolder: String, workingDirectory: String, environment: [String: String],
                            storeFlag: String? = nil, sandbox: Bool = false) throws -> RuntimeConfiguration {
        let lunas = try LunasConfiguration.load(path: file)
        let store = try StoreLocation.resolve(flag: storeFlag, configured: lunas.store, environment: environment, sandbox: sandbox)
        return RuntimeConfiguration(
            stdlibFolder: stdlibFolder, scriptsFolder: lunas.scriptsFolder ?? "scripts", workingDirectory: workingDirectory,
            store: store, storeOptions: lunas.storeOptions, lunas: lunas, environment: environment)
    }
}
