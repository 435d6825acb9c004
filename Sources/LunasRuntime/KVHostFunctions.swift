import Foundation
import LuaKit
import LunasClock
import LunasStore

/// The raw host functions behind `kv`, each taking a namespace handle first and answering
/// its results (the Lua wrapper puts `err` in front). Each reads its arguments into a
/// ``KVOperation`` on the Lua thread; argument errors are thrown from there.
struct KVHostFunctions: Sendable {
    typealias Prepare = @Sendable (KVArguments) throws -> KVOperation

    let module: KVModule

    var functions: [(String, Prepare)] {
        let module = self.module
        return [
            ("get", { a in
                let ns = try module.namespace(of: a[0].integerValue), key = try a.string(1, "key")
                @Sendable func lua(_ entry: KVEntry?) -> [LuaValue] {
                    guard let entry else { return [] }
                    return [.string(LuaString(entry.value)), .integer(entry.version)]
                }
                return KVOperation(now: { try $0.getNow(key, in: ns).map(lua) },
                                   later: { lua(try await $0.get(key, in: ns)) })
            }),
            ("set", { a in
                let ns = try module.namespace(of: a[0].integerValue), options = try module.writeOptions(a, 3)
                let key = try a.string(1, "key"), value = try a.string(2, "value")
                return KVOperation(now: { try $0.setNow(key, to: value, in: ns, options: options).map { [.integer($0)] } },
                                   later: { [.integer(try await $0.set(key, to: value, in: ns, options: options))] })
            }),
            ("add", { a in
                let ns = try module.namespace(of: a[0].integerValue), options = try module.writeOptions(a, 3)
                let key = try a.string(1, "key"), value = try a.string(2, "value")
                return KVOperation(now: { try $0.addNow(key, value: value, in: ns, options: options).map { [$0.lua] } },
                                   later: { [try await $0.add(key, value: value, in: ns, options: options).lua] })
            }),
            ("replace", { a in
                let ns = try module.namespace(of: a[0].integerValue), options = try module.writeOptions(a, 3)
                let key = try a.string(1, "key"), value = try a.string(2, "value")
                return KVOperation(now: { try $0.replaceNow(key, with: value, in: ns, options: options).map { [$0.lua] } },
                                   later: { [try await $0.replace(key, with: value, in: ns, options: options).lua] })
            }),
            ("delete", { a in
                let ns = try module.namespace(of: a[0].integerValue), options = try module.writeOptions(a, 2, allowed: ["fence"])
                let key = try a.string(1, "key")
                return KVOperation(now: { try $0.deleteNow(key, in: ns, fences: options.fences).map { [.boolean($0)] } },
                                   later: { [.boolean(try await $0.delete(key, in: ns, fences: options.fences))] })
            }),
            ("incr", { a in
                let ns = try module.namespace(of: a[0].integerValue)
                let by = try a.integer(2, "the increment", default: 1)
                let table = try a.options(3, allowed: ["init", "ttl", "fence"])
                let initial = try KVArguments([table["init"]]).integer(0, "init", default: 0)
                let options = try module.writeOptions(a, 3, allowed: ["init", "ttl", "fence"])
                let key = try a.string(1, "key")
                return KVOperation(
                    now: { try $0.incrementNow(key, by: by, initial: initial, in: ns, options: options).map { [.integer($0)] } },
                    later: { [.integer(try await $0.increment(key, by: by, initial: initial, in: ns, options: options))] })
            }),
            ("cas", { a in
                let ns = try module.namespace(of: a[0].integerValue)
                let version: Int64? = if case .nil = a[2] { nil } else { try a.integer(2, "version") }
                let options = try module.writeOptions(a, 4)
                let key = try a.string(1, "key"), value = try a.string(3, "value")
                return KVOperation(
                    now: { try $0.compareAndSwapNow(key, version: version, to: value, in: ns, options: options).map { [$0.lua] } },
                    later: { [try await $0.compareAndSwap(key, version: version, to: value, in: ns, options: options).lua] })
            }),
            ("keys", { a in
                let ns = try module.namespace(of: a[0].integerValue)
                let prefix = if case .nil = a[1] { "" } else { try a.string(1, "prefix") }
                let table = try a.options(2, allowed: ["limit", "cursor"])
                let limit = Int(clamping: try KVArguments([table["limit"]]).integer(0, "limit", default: 100))
                let cursor: String? = if case .nil = table["cursor"] { nil } else { try KVArguments([table["cursor"]]).string(0, "cursor") }
                @Sendable func lua(_ page: KVPage) -> [LuaValue] {
                    [.table(LuaTable(array: page.keys.map { .string(LuaString($0)) })), page.cursor.map { .string(LuaString($0)) } ?? .nil]
                }
                return KVOperation(now: { try $0.keysNow(in: ns, prefix: prefix, limit: limit, cursor: cursor).map(lua) },
                                   later: { lua(try await $0.keys(in: ns, prefix: prefix, limit: limit, cursor: cursor)) })
            }),
            ("ttl", { a in
                let ns = try module.namespace(of: a[0].integerValue), key = try a.string(1, "key")
                @Sendable func lua(_ ttl: KVTimeToLive) -> [LuaValue] {
                    switch ttl {
                    case .absent: [.nil]
                    case .persistent: [.integer(-1)]
                    case .remaining(let d): [.number(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)]
                    }
                }
                return KVOperation(now: { try $0.timeToLiveNow(key, in: ns).map(lua) },
                                   later: { lua(try await $0.timeToLive(key, in: ns)) })
            }),
            ("lock", { a in
                let ns = try module.namespace(of: a[0].integerValue)
                let name = try a.string(1, "lock name")
                let table = try a.options(2, allowed: ["ttl", "wait"])
                let ttl = try KVArguments.seconds(table["ttl"], "ttl", most: KVLock.maxTTLSeconds) ?? .seconds(30)
                let wait = try KVArguments.seconds(table["wait"], "wait") ?? .zero
                return KVOperation(later: { store in
                    guard let lock = try await module.acquire(store, name, ns, ttl: ttl, wait: wait) else { return [] }
                    return [.integer(lock.token), .number(lock.expiresAt.timeIntervalSince1970)]
                })
            }),
            ("refresh", { a in
                _ = try module.namespace(of: a[0].integerValue)
                let lock = try module.lock(a[1])
                let table = try a.options(2, allowed: ["ttl"])
                let ttl = try KVArguments.seconds(table["ttl"], "ttl", most: KVLock.maxTTLSeconds) ?? .seconds(30)
                return KVOperation(later: { store in
                    guard let refreshed = try await store.refreshLock(lock, ttl: ttl, fences: module.runFences) else { return [] }
                    return [.number(refreshed.expiresAt.timeIntervalSince1970)]
                })
            }),
            // not fenced by the run's fence: giving up a lock this run holds can only free it for others
            ("unlock", { a in
                _ = try module.namespace(of: a[0].integerValue)
                let lock = try module.lock(a[1])
                return KVOperation(later: { [.boolean(try await $0.releaseLock(lock))] })
            }),
        ]
    }
}

extension KVModule {
    /// The `ttl` and `fence` of an options table, the write fenced by the run's fence too.
    func writeOptions(_ arguments: KVArguments, _ index: Int, allowed: Set<String> = ["ttl", "fence"]) throws -> KVWriteOptions {
        let table = try arguments.options(index, allowed: allowed)
        let ttl = allowed.contains("ttl") ? try KVArguments.seconds(table["ttl"], "ttl") : nil
        let fence: KVLock? = if case .nil = table["fence"] { nil } else { try lock(table["fence"]) }
        return KVWriteOptions(ttl: ttl, fence: fence, fences: runFences)
    }

    /// The fences every write of the run carries (``fence``), besides the script's own.
    var runFences: [KVFence] { fence.map { [$0] } ?? [] }

    /// A lock from its Lua table (`name`, `token`, and the namespace handle `_h`).
    func lock(_ value: LuaValue) throws -> KVLock {
        guard case .table = value, let name = value["name"].stringValue, let token = value["token"].integerValue else {
            throw KVUsageError("expected a lock returned by kv.lock")
        }
        return KVLock(namespace: try namespace(of: value["_h"].integerValue), name: name, token: token, expiresAt: .distantPast)
    }

    /// Takes a lock, polling with backoff for up to `wait` of the store's clock.
    func acquire(_ store: any KeyValueStore, _ name: String, _ ns: String, ttl: Duration, wait: Duration) async throws -> KVLock? {
        let clock = self.store.options.clock
        let deadline = clock.instant() + wait
        var pause = Duration.milliseconds(5)
        while true {
            if let lock = try await store.acquireLock(name, in: ns, ttl: ttl, owner: owner, fences: runFences) { return lock }
            let now = clock.instant()
            if now >= deadline { return nil }
            try await clock.sleep(for: min(pause, deadline - now))
            pause = min(pause * 2, .milliseconds(250))
        }
    }
}

extension Optional<Int64> {
    /// The version as Lua sees it: an integer, or nil.
    var lua: LuaValue { map { .integer($0) } ?? .nil }
}
