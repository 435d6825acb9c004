import LuaKit

/// The global `config`: the script's own settings from `[scripts.NAME.config]` in `lunas.toml`
/// (``ScriptEntry/config``), read-only at every level; `{}` when it has none.
struct ConfigModule: ScriptModule {
    var name: String { "config" }
    var fields: Set<String> { [] }
    /// The settings.
    let settings: LuaTable

    func install(in state: LuaState) throws {
        state.setGlobal("__config", .table(settings))
        try HostChunk.config.run(in: state)
    }
}
