import LuaKit
import Testing

@Suite("Stoppable table functions and string.rep")
struct TableLibTests {
    @Test("agree with stock Lua's on the case list")
    func cases() throws {
        let state = try LuaState(profile: .trusted)
        _ = try state.call("""
            stock_table = assert(package.loadlib('liblua5.4.so.0', 'luaopen_table'))()
            stock_string = assert(package.loadlib('liblua5.4.so.0', 'luaopen_string'))()
            debug.setmetatable('', { __index = string })
            """)
        let checked = try state.call(try luaResource("tablelib_cases.lua"), name: "@tablelib_cases.lua")
        #expect((checked.first?.integerValue ?? 0) >= 80)
    }
}
