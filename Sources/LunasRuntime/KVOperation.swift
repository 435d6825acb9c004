import LuaKit
import LunasStore

/// One `kv` call with its arguments read: the ways to answer it.
struct KVOperation: Sendable {
    /// At once on the Lua thread, when the store can answer without waiting (`nil`: never).
    let now: (@Sendable (any ImmediateKeyValueStore) throws -> KVImmediate<[LuaValue]>)?
    /// As an async call, the script suspended meanwhile.
    let later: @Sendable (any KeyValueStore) async throws -> [LuaValue]

    init(now: (@Sendable (any ImmediateKeyValueStore) throws -> KVImmediate<[LuaValue]>)? = nil,
         later: @escaping @Sendable (any KeyValueStore) async throws -> [LuaValue]) {
        self.now = now
        self.later = later
    }
}

extension KVImmediate {
    /// The answer converted for Lua.
    func map<T: Sendable>(_ transform: (Value) throws -> T) rethrows -> KVImmediate<T> {
        switch self {
        case .done(let value): .done(try transform(value))
        case .wouldWait: .wouldWait
        }
    }
}
