import LuaKit

/// A module a script names but its run was not given: in its place, a stand-in whose every use
/// (a field, an assignment, a call) raises an error that names the capability and how to grant
/// it, at the script's line.
enum MissingCapability: String {
    /// Scalev: the run was granted no credentials.
    case scalev
    /// `kv`: the runtime has no store.
    case kv
    /// `input`: the run was granted no file to read.
    case input
    /// `output`: the run was granted no file to write.
    case output
    /// `http`: the run has no HTTP access (a run made without a ``Runtime``).
    case http

    /// What the script is told.
    var message: String {
        switch self {
        case .scalev:
            "scalev is not available: this run was granted no Scalev credentials (capability 'scalev'); "
                + "grant them in the run's request (RunRequest.credentials), or run with a credential of lunas.toml or --sandbox"
        case .kv:
            "kv is not available: this runtime has no store (capability 'kv'); configure one (RuntimeConfiguration.store, or --store)"
        case .input:
            "input is not available: run with --input FILE (capability 'input'; a host grants it with RunRequest.inputFile)"
        case .output:
            "output is not available: run with --output FILE (capability 'output'; a host grants it with RunRequest.outputFile)"
        case .http:
            "http is not available: this run has no HTTP access (capability 'http'); run it through a Runtime, or give ScriptOptions.http"
        }
    }

    /// Installs the stand-in as the global of its name.
    func install(in state: LuaState) throws {
        _ = try state.call("""
            local name, message = ...
            local function refuse() error(message, 2) end
            _ENV[name] = setmetatable({}, { __index = refuse, __newindex = refuse, __call = refuse, __metatable = false })
            """, name: "=lunas.capability", arguments: [.string(LuaString(rawValue)), .string(LuaString(message))])
    }
}
