import Foundation
import LuaKit
import LunasRuntime
import LunasStore
import LunasTesting
import Synchronization
import Testing

/// The `kv` quotas as a script meets them: a clear error `pcall` catches, the same in a dry run.
@Suite(.timeLimit(.minutes(2)), .testScope) struct KVQuotaTests {
    static let quota = StoreOptions(kvQuota: KVQuota(maxKeys: 3, maxBytes: 1 << 20), purgeInterval: nil, connectTimeout: .seconds(30))
    static func script(sharing common: String) -> String { """
        local function try(f, ...) local ok, err = pcall(f, ...) return ok and "ok" or err end
        for i = 1, 3 do kv.set("k" .. i, i) end
        local full = try(function() kv.set("k4", 4) end)
        local incr = try(kv.incr, "n")
        local lock = try(kv.lock, "l")
        local replaced = try(kv.set, "k1", "one")
        kv.shared("\(common)").set("x", 1)
        kv.delete("k3")
        local room = try(kv.set, "k4", 4)
        return full, incr, lock, replaced, kv.get("k4"), room, kv.get("n") == nil
        """
    }

    /// Whether `results` are the script's with `namespace` as its own.
    static func expected(_ results: [LuaValue], _ namespace: String) -> Bool {
        let message = "kv quota of namespace '\(namespace)' exceeded: 3 keys (delete keys, or raise [kv] max_keys)"
        let rest: [LuaValue] = [.string(LuaString("kv.incr: " + message)), .string(LuaString("kv.lock: " + message)), "ok", 4, "ok", true]
        // the first error names the script's line, after its path
        return results.first?.stringValue?.hasSuffix("/quota.lua:3: kv.set: " + message) == true && Array(results.dropFirst()) == rest
    }

    @Test(arguments: KVBackend.available)
    func aNamespaceOverItsQuotaGetsAClearErrorAndOthersKeepWorking(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder, options: Self.quota)
        let namespace = "quota-\(UUID().uuidString)", common = "common-\(UUID().uuidString)"
        let file = try w.script("quota", Self.script(sharing: common))
        let results = try await w.run(file, store: store, namespace: namespace, shared: [common])
        #expect(Self.expected(results, namespace), "\(results)")
        #expect(try await store.store().keys(in: namespace, prefix: "", limit: 10, cursor: nil).keys == ["k1", "k2", "k4"])
        #expect(try await store.store().get("x", in: common)?.value == "1")
        await store.close()
    }

    @Test("a dry run meets the quota where the real run would, counting what the store holds", arguments: KVBackend.available)
    func aDryRunFailsTheSameWay(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder, options: Self.quota)
        let namespace = "quota-\(UUID().uuidString)", common = "common-\(UUID().uuidString)"
        try await store.store().set("k1", to: "1", in: namespace)   // the script's first set replaces it
        let file = try w.script("quota", Self.script(sharing: common))
        var options = ScriptOptions()
        let lines = Mutex<[String]>([])
        options.kvDryRun = { line in lines.withLock { $0.append(line) } }
        let results = try await w.run(file, store: store, namespace: namespace, shared: [common], options: options)
        #expect(Self.expected(results, namespace), "\(results)")
        #expect(try await store.store().keys(in: namespace, prefix: "", limit: 10, cursor: nil).keys == ["k1"])
        #expect(try await store.store().get("x", in: common) == nil)
        await store.close()
        #expect(lines.withLock { $0 }.contains("dry run: kv.set k4 = 4 (not written)"))
    }

    @Test func theStoresOwnKeysCountInADryRun() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = OnDemandStore(location: try KVBackend.sqlite.location(in: w.folder), options: Self.quota)
        let namespace = "quota-\(UUID().uuidString)"
        for key in ["a", "b"] { try await store.store().set(key, to: "1", in: namespace) }
        let file = try w.script("seeded", """
            kv.set("c", 1)
            local ok, err = pcall(kv.set, "d", 1)
            kv.delete("a")
            kv.set("d", 1)
            return ok, err
            """)
        var options = ScriptOptions()
        options.kvDryRun = { _ in }
        let results = try await w.run(file, store: store, namespace: namespace, options: options)
        #expect(results == [false, .string(LuaString("kv.set: kv quota of namespace '\(namespace)' exceeded: 3 keys (delete keys, or raise [kv] max_keys)"))])
        #expect(try await store.store().usage(in: namespace) == KVUsage(keys: 2, bytes: 4))
        await store.close()
    }

    @Test func aLockIsTakenForAtMostADay() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = OnDemandStore(location: try KVBackend.sqlite.location(in: w.folder))
        let file = try w.script("locks", """
            local ok, err = pcall(kv.lock, "l", {ttl = 86401})
            local lock = kv.lock("l", {ttl = 86400})
            local refreshed, rerr = pcall(lock.refresh, lock, {ttl = 1e9})
            return ok, err, lock ~= nil, refreshed, rerr
            """)
        let results = try await w.run(file, store: store, namespace: "locks-\(UUID().uuidString)")
        await store.close()
        #expect(results == [false, "kv.lock: ttl must be between 0 and 86400 seconds", true, false,
                            "lock:refresh: ttl must be between 0 and 86400 seconds"])
    }
}
