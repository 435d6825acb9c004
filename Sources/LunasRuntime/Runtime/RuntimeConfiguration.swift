import LunasStore

/// What a ``Runtime`` needs from its surroundings, as values: a host (or the CLI, from the
/// environment and the working directory) fills them; the runtime reads no process state.
public struct RuntimeConfiguration: Sendable {
    /// The folder of shipped Lua modules (`stdlib/`), searched by `require` after the script's folder.
    public var stdlibFolder: String
    /// The folder script namespaces are relative to; `nil` when there is none.
    public var scriptsFolder: String?
    /// The folder text sources `require` from.
    public var workingDirectory: String
    /// The store behind `kv`, opened on first use; `nil` leaves `kv` out of runs.
    public var store: StoreLocation?
    /// How the store is opened.
    public var storeOptions: StoreOptions

    /// A configuration.
    public init(stdlibFolder: String, scriptsFolder: String? = "scripts", workingDirectory: String = ".",
                store: StoreLocation? = nil, storeOptions: StoreOptions = StoreOptions()) {
        self.stdlibFolder = stdlibFolder
        self.scriptsFolder = scriptsFolder
        self.workingDirectory = workingDirectory
        self.store = store
        self.storeOptions = storeOptions
    }
}
