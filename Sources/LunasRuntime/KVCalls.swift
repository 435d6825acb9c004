import Foundation
import LuaKit
import LunasStore

/// The raw host functions behind `kv`, each taking a namespace handle first and answering
/// its results (the Lua wrapper puts `err` in front).
struct KVCalls: Sendable {
    typealias Body = @Sendable (KVArguments) async throws -> [LuaValue]

    let module: KVModule

    var functions: [(String, Body)] {
        let module = self.module
        return [
            ("get", { a in
                let (store, ns) = try await module.open(a)
                guard let entry = try await store.get(try a.string(1, "key"), in: ns) else { return [] }
                return [.string(LuaString(entry.value)), .integer(entry.version)]
            }),
            ("set", { a in
                let (store, ns) = try await module.open(a)
                let options = try module.writeOptions(a, 3)
                return [.integer(try await store.set(try a.string(1, "key"), to: try a.string(2, "value"), in: ns, options: options))]
            }),
            ("add", { a in
                let (store, ns) = try await module.open(a)
                let options = try module.writeOptions(a, 3)
                return [try await store.add(try a.string(1, "key"), value: try a.string(2, "value"), in: ns, options: options).lua]
            }),
            ("replace", { a in
                let (store, ns) = try await module.open(a)
                let options = try module.writeOptions(a, 3)
                return [try await store.replace(try a.string(1, "key"), with: try a.string(2, "value"), in: ns, options: options).lua]
            }),
            ("delete", { a in
                let (store, ns) = try await module.open(a)
                let options = try module.writeOptions(a, 2, allowed: ["fence"])
                return [.boolean(try await store.delete(try a.string(1, "key"), in: ns, fence: options.fence))]
            }),
            ("incr", { a in
                let (store, ns) = try await module.open(a)
                let by = try a.integer(2, "the increment", default: 1)
                let table = try a.options(3, allowed: ["init", "ttl", "fence"])
                let initial = try KVArguments([table["init"]]).integer(0, "init", default: 0)
                let options = try module.writeOptions(a, 3, allowed: ["init", "ttl", "fence"])
                return [.integer(try await store.increment(try a.string(1, "key"), by: by, initial: initial, in: ns, options: options))]
            }),
            ("cas", { a in
                let (store, ns) = try await module.open(a)
                let version: Int64? = if case .nil = a[2] { nil } else { try a.integer(2, "version") }
                let options = try module.writeOptions(a, 4)
                return [try await store.compareAndSwap(try a.string(1, "key"), version: version, to: try a.string(3, "value"), in: ns, options: options).lua]
            }),
            ("keys", { a in
                let (store, ns) = try await module.open(a)
                let prefix = if case .nil = a[1] { "" } else { try a.string(1, "prefix") }
                let table = try a.options(2, allowed: ["limit", "cursor"])
                let limit = try KVArguments([table["limit"]]).integer(0, "limit", default: 100)
                let cursor: String? = if case .nil = table["cursor"] { nil } else { try KVArguments([table["cursor"]]).string(0, "cursor") }
                let page = try await store.keys(in: ns, prefix: prefix, limit: Int(clamping: limit), cursor: cursor)
                return [.table(LuaTable(array: page.keys.map { .string(LuaString($0)) })), page.cursor.map { .string(LuaString($0)) } ?? .nil]
            }),
            ("ttl", { a in
                let (store, ns) = try await module.open(a)
                switch try await store.timeToLive(try a.string(1, "key"), in: ns) {
                case .absent: return [.nil]
                case .persistent: return [.integer(-1)]
                case .remaining(let d): return [.number(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)]
                }
            }),
            ("lock", { a in
                let (store, ns) = try await module.open(a)
                let name = try a.string(1, "lock name")
                let table = try a.options(2, allowed: ["ttl", "wait"])
                let ttl = try KVArguments.seconds(table["ttl"], "ttl") ?? .seconds(30)
                let wait = try KVArguments.seconds(table["wait"], "wait") ?? .zero
                guard let lock = try await module.acquire(store, name, ns, ttl: ttl, wait: wait) else { return [] }
                return [.integer(lock.token), .number(lock.expiresAt.timeIntervalSince1970)]
            }),
            ("refresh", { a in
                let (store, _) = try await module.open(a)
                let lock = try module.lock(a[1])
                let table = try a.options(2, allowed: ["ttl"])
                let ttl = try KVArguments.seconds(table["ttl"], "ttl") ?? .seconds(30)
                guard let refreshed = try await store.refreshLock(lock, ttl: ttl) else { return [] }
                return [.number(refreshed.expiresAt.timeIntervalSince1970)]
            }),
            ("unlock", { a in
                let (store, _) = try await module.open(a)
                return [.boolean(try await store.releaseLock(try module.lock(a[1])))]
            }),
        ]
    }
}

extension KVModule {
    /// The store and the namespace of the call's handle (argument 0).
    func open(_ arguments: KVArguments) async throws -> (any Store, String) {
        let ns = try namespace(of: arguments[0].integerValue)
        return (try await store.store(), ns)
    }

    /// The `ttl` and `fence` of an options table.
    func writeOptions(_ arguments: KVArguments, _ index: Int, allowed: Set<String> = ["ttl", "fence"]) throws -> KVWriteOptions {
        let table = try arguments.options(index, allowed: allowed)
        let ttl = allowed.contains("ttl") ? try KVArguments.seconds(table["ttl"], "ttl") : nil
        let fence: KVLock? = if case .nil = table["fence"] { nil } else { try lock(table["fence"]) }
        return KVWriteOptions(ttl: ttl, fence: fence)
    }

    /// A lock from its Lua table (`name`, `token`, and the namespace handle `_h`).
    func lock(_ value: LuaValue) throws -> KVLock {
        guard case .table = value, let name = value["name"].stringValue, let token = value["token"].integerValue else {
            throw KVUsageError("expected a lock returned by kv.lock")
        }
        return KVLock(namespace: try namespace(of: value["_h"].integerValue), name: name, token: token, expiresAt: .distantPast)
    }

    /// Takes a lock, polling with backoff for up to `wait`.
    func acquire(_ store: any Store, _ name: String, _ ns: String, ttl: Duration, wait: Duration) async throws -> KVLock? {
        let deadline = ContinuousClock.now + wait
        var pause = Duration.milliseconds(5)
        while true {
            if let lock = try await store.acquireLock(name, in: ns, ttl: ttl, owner: owner) { return lock }
            let now = ContinuousClock.now
            if now >= deadline { return nil }
            try await Task.sleep(for: min(pause, deadline - now))
            pause = min(pause * 2, .milliseconds(250))
        }
    }
}

extension Optional<Int64> {
    /// The version as Lua sees it: an integer, or nil.
    var lua: LuaValue { map { .integer($0) } ?? .nil }
}
