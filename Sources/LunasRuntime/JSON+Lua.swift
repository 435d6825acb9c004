import LuaKit
import ScalevModel

extension JSON {
    /// The value as a handler receives it (from the runner, or from `lunas test`'s fixtures): objects and arrays as tables that stay what they
    /// were, `null` as `json.null`, integers as integers.
    public var luaValue: LuaValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .boolean(value)
        case .integer(let value): return .integer(value)
        case .double(let value): return .number(value)
        case .string(let value): return .string(LuaString(value))
        case .array(let items):
            var table = LuaTable(array: items.map(\.luaValue))
            table.isArray = true
            return .table(table)
        case .object(let members):
            var table = LuaTable()
            table.isArray = false
            for (key, value) in members { table[key] = value.luaValue }
            return .table(table)
        }
    }
}
