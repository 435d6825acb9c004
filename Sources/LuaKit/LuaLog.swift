import CLua

/// One line a script logged with the `log` module.
public struct LuaLogRecord: Sendable {
    /// The level the script logged at.
    public enum Level: String, Sendable, CaseIterable, Comparable {
        case debug, info, warn, error

        var rank: Int {
            switch self {
            case .debug: 0
            case .info: 1
            case .warn: 2
            case .error: 3
            }
        }

        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    /// The level.
    public var level: Level
    /// The message (the first argument, converted with Lua's rules for strings and numbers).
    public var message: String
    /// The structured fields (the second argument), as an object.
    public var fields: LuaTable
    /// Where the script logged from, `file.lua:12`, when known.
    public var location: String
}

extension LuaState {
    /// Installs the `log` module: `log.debug`, `log.info`, `log.warn` and `log.error`, each
    /// taking a message and an optional table of fields, e.g. `log.info("tagged", {order = id})`.
    public func installLog(_ sink: @escaping (LuaLogRecord) -> Void) {
        for level in LuaLogRecord.Level.allCases {
            registerRaw("log.\(level.rawValue)") { call in
                let message: String
                switch call.type(1) {
                case LUA_TSTRING: message = try call.string(1)
                case LUA_TNUMBER:
                    let value = try call.value(1)
                    if case .integer(let i) = value { message = String(i) } else { message = String(try call.number(1)) }
                default:
                    throw call.argumentError(1, expected: "string")
                }
                let fields: LuaTable
                switch call.type(2) {
                case LUA_TNIL, LUA_TNONE: fields = LuaTable()
                case LUA_TTABLE: fields = try call.table(2)
                default: throw call.argumentError(2, expected: "table of fields")
                }
                let location = LuaStack(L: call.L).position(level: 1)
                sink(LuaLogRecord(level: level, message: message, fields: fields,
                                  location: location.hasSuffix(": ") ? String(location.dropLast(2)) : location))
                return 0
            }
        }
    }
}
