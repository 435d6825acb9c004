import LuaKit
import Scalev

/// A Scalev API error as the Lua table scripts catch: `status`, `code`, `message`, `errors`,
/// `retryable`, `ambiguous` (the request may have been applied), and the exchange (`method`, `path`) — never a secret.
struct ScalevLuaError: LuaErrorConvertible {
    let error: ScalevError

    init(_ error: ScalevError) { self.error = error }

    var luaMessage: String { error.description }

    var luaFields: LuaTable {
        var fields = LuaTable(fields: [
            "message": .string(LuaString(error.description)),
            "retryable": .boolean(error.retryable),
            "ambiguous": .boolean(error.ambiguous),
            "method": .string(LuaString(error.method)),
            "path": .string(LuaString(error.path)),
        ])
        if let status = error.status { fields["status"] = .integer(Int64(status)) }
        if let code = error.code { fields["code"] = .string(LuaString(code)) }
        fields["errors"] = .table(LuaTable(array: error.errors.map { item in
            var entry = LuaTable(fields: ["field": .string(LuaString(item.field)), "message": .string(LuaString(item.message))])
            if let code = item.code { entry["code"] = .string(LuaString(code)) }
            return .table(entry)
        }))
        return fields
    }
}
