import LuaKit
import Testing

@Suite("Table handles")
struct LuaTableHandleTests {
    /// A state whose `remember(t)` keeps a handle to `t` in `kept`.
    private func rememberingState(_ kept: KeptTable) throws -> LuaState {
        let state = try LuaState()
        state.register("remember") { call in
            kept.table = try call.tableHandle(1)
            return []
        }
        return state
    }

    @Test("the host reads and writes the script's own table after the chunk returned")
    func readWrite() throws {
        let kept = KeptTable()
        let state = try rememberingState(kept)
        _ = try state.call("config = { limit = 3 }; remember(config)")
        let table = try #require(kept.table)
        #expect(try state.field("limit", of: table) == 3)
        try state.setField("limit", of: table, to: 5)
        try state.setField(1, of: table, to: "first")
        #expect(try state.call("return config.limit, config[1]") == [5, "first"])
        #expect(try state.copy(table) == LuaTable(array: ["first"]).merging(["limit": 5]))
        #expect(throws: LuaError.self) { try state.setField(nil, of: table, to: 1) }
        #expect(try state.call("return ...", arguments: [LuaValue(table)]) == [.table(try state.copy(table))])
    }

    @Test("a table handle used through another state, or after close, throws")
    func wrongState() throws {
        let kept = KeptTable()
        let state = try rememberingState(kept)
        _ = try state.call("remember({})")
        let table = try #require(kept.table)
        let other = try LuaState()
        let error = try #require(throws: LuaError.self) { try other.field("x", of: table) }
        #expect(error.message == "this table belongs to another Lua state")
        state.close()
        #expect(throws: LuaError.self) { try state.copy(table) }
    }
}

/// A place to keep a table handle in a test.
private final class KeptTable: @unchecked Sendable {
    var table: LuaTableHandle?
}

extension LuaTable {
    /// This table with the fields added.
    fileprivate func merging(_ fields: [String: LuaValue]) -> LuaTable {
        var table = self
        table.isArray = false
        for (key, value) in fields { table[.string(LuaString(key))] = value }
        return table
    }
}
