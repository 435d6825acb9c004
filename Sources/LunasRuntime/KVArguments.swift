import LuaKit
import LunasStore

/// The arguments of one raw `kv` host call, read with `kv`'s own error messages.
struct KVArguments: Sendable {
    let values: [LuaValue]

    init(_ values: [LuaValue]) { self.values = values }

    subscript(index: Int) -> LuaValue { index < values.count ? values[index] : .nil }

    func string(_ index: Int, _ what: String) throws -> String {
        guard case .string(let s) = self[index] else {
            throw KVUsageError("\(what) must be a string, not \(self[index].typeName)")
        }
        guard let text = s.text else { throw KVUsageError("\(what) must be valid UTF-8 text") }
        return text
    }

    func integer(_ index: Int, _ what: String, default value: Int64? = nil) throws -> Int64 {
        if case .nil = self[index], let value { return value }
        guard let n = self[index].integerValue else {
            throw KVUsageError("\(what) must be an integer, not \(self[index].typeName == "number" ? "a fraction" : self[index].typeName)")
        }
        return n
    }

    /// The options table at `index` (or an empty one).
    func options(_ index: Int, allowed: Set<String>) throws -> LuaTable {
        switch self[index] {
        case .nil: return LuaTable()
        case .table(let table):
            for key in table.fields.keys {
                guard let name = key.stringValue, allowed.contains(name) else {
                    throw KVUsageError("unknown option '\(key.stringValue ?? key.description)'; known: \(allowed.sorted().joined(separator: ", "))")
                }
            }
            return table
        default: throw KVUsageError("options must be a table, not \(self[index].typeName)")
        }
    }

    /// A duration in seconds from an option, `nil` when absent: more than 0 and at most `most`
    /// (``KVWriteOptions/maxTTL`` by default), so that neither its conversion nor an expiry can
    /// overflow.
    static func seconds(_ value: LuaValue, _ what: String, most: Int64 = KVWriteOptions.maxTTLSeconds) throws -> Duration? {
        if case .nil = value { return nil }
        guard let seconds = value.doubleValue, seconds > 0, seconds <= Double(most) else {
            throw KVUsageError("\(what) must be between 0 and \(most) seconds")
        }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}
