import LuaKit
import Testing

@Suite("Stoppable table.sort")
struct TableSortTests {
    @Test("agrees with stock Lua's table.sort on the case list")
    func cases() throws {
        let state = try LuaState(profile: .trusted)
        _ = try state.call("""
            local open = assert(package.loadlib('liblua5.4.so.0', 'luaopen_table'))
            stock_sort = open().sort
            assert(stock_sort ~= table.sort)
            """)
        let checked = try state.call(try luaResource("sort_cases.lua"), name: "@sort_cases.lua")
        #expect((checked.first?.integerValue ?? 0) >= 1000)
    }

    @Test("a huge sort is stopped by the deadline")
    func stopped() async throws {
        final class Mark: @unchecked Sendable { var sorting = false }
        let mark = Mark()
        let error = try await runError("""
            local t = {} for i = 1, 3000000 do t[i] = (i * 7919) % 1000003 end
            sorting()
            table.sort(t)
            """, limits: LuaLimits(deadline: .seconds(1))) { state in
            state.register("sorting") { _ in mark.sorting = true; return [] }
        }
        #expect(mark.sorting, "the deadline passed before the sort began; the test proves nothing")
        #expect(error.kind == .limit(.deadline(.seconds(1))))
    }
}
