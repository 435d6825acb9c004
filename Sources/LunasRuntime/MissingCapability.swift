import LuaKit

/// A module a script names but its run was not given: in its place, a stand-in whose every use
/// (a field, an assignment, a call) raises an error that names the capability and how to grant
/// it, at the script's line.
enum MissingCapability: String {
    /// Scalev: the run was granted no credentials.
    case scalev
    /// `kv`: the runtime has no store.
    case kv

    /// What the script is told.
    var message: String {
        switch self {
        case .scalev:
            "scalev is not available: this run was granted no Scalev credentials (capability 'scalev'); "
                + "grant them in the run's request (RunRequest.credentials), or run with a credential of lunas.toml or --sandbox"
        case .kv:
            "kv is not available: this runtime has no store (capability 'kv'); configure one (RuntimeConfiguration.store, or --store)"
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
