import Foundation
import LunasClock
import LunasStore
import Testing

/// The key and byte quotas of each namespace, and the longest lock: enforced by the store inside
/// the write, so a refused write changes nothing and racing connections cannot pass the quota.
@Suite(.timeLimit(.minutes(2))) struct QuotaTests {
    static func options(keys: Int = 3, bytes: Int = 1 << 20, clock: any WallClock = SystemClock()) -> StoreOptions {
        StoreOptions(kvQuota: KVQuota(maxKeys: keys, maxBytes: bytes), purgeInterval: nil, clock: clock)
    }

    @Test(arguments: Backend.available)
    func aNamespaceAtItsKeyQuotaRefusesNewKeysAndChangesNothing(_ backend: Backend) async throws {
        try await withStore(backend, options: Self.options()) { f in
            let ns = f.namespace, full = StoreError.quotaExceeded(namespace: ns, limit: .keys, quota: 3)
            try await f.store.set("a", to: "1", in: ns)
            try await f.store.set("b", to: "2", in: ns)
            #expect(try await f.store.increment("n", by: 1, initial: 0, in: ns, options: .init()) == 1)
            await #expect(throws: full) { try await f.store.set("c", to: "3", in: ns) }
            await #expect(throws: full) { try await f.store.add("c", value: "3", in: ns, options: .init()) }
            await #expect(throws: full) { try await f.store.compareAndSwap("c", version: nil, to: "3", in: ns, options: .init()) }
            await #expect(throws: full) { try await f.store.increment("m", by: 1, initial: 0, in: ns, options: .init()) }
            await #expect(throws: full) { try await f.store.acquireLock("l", in: ns, ttl: .seconds(30), owner: "o") }
            // a refused write left nothing behind
            #expect(try await f.store.get("c", in: ns) == nil)
            #expect(try await f.store.keys(in: ns, prefix: "", limit: 10, cursor: nil).keys == ["a", "b", "n"])
            #expect(try await f.store.usage(in: ns) == KVUsage(keys: 3, bytes: 2 + 2 + 2))
            // keys that exist can still change, and other namespaces are not affected
            try await f.store.set("a", to: "10", in: ns)
            #expect(try await f.store.replace("b", with: "20", in: ns, options: .init()) != nil)
            #expect(try await f.store.increment("n", by: 1, initial: 0, in: ns, options: .init()) == 2)
            try await f.store.set("c", to: "3", in: ns + "-other")
            // deleting makes room
            #expect(try await f.store.delete("a", in: ns, fence: nil))
            try await f.store.set("c", to: "3", in: ns)
            #expect(try await f.store.get("c", in: ns)?.value == "3")
            #expect(try await f.store.checkIntegrity() == [])   // the counts are what the rows hold
        }
    }

    @Test(arguments: Backend.available)
    func locksCountAsKeys(_ backend: Backend) async throws {
        try await withStore(backend, options: Self.options(keys: 2)) { f in
            let ns = f.namespace
            let lock = try #require(try await f.store.acquireLock("l", in: ns, ttl: .seconds(30), owner: "o"))
            try await f.store.set("a", to: "1", in: ns)
            await #expect(throws: StoreError.quotaExceeded(namespace: ns, limit: .keys, quota: 2)) {
                try await f.store.set("b", to: "1", in: ns)
            }
            #expect(try await f.store.usage(in: ns) == KVUsage(keys: 2, bytes: 1 + 2))
            #expect(try await f.store.releaseLock(lock))
            try await f.store.set("b", to: "1", in: ns)
        }
    }

    @Test(arguments: Backend.available)
    func valuesCountByTheirStoredBytes(_ backend: Backend) async throws {
        try await withStore(backend, options: Self.options(keys: 100, bytes: 95)) { f in
            let ns = f.namespace, full = StoreError.quotaExceeded(namespace: ns, limit: .bytes, quota: 95)
            // "é" is two bytes of UTF-8: key "k" (1) + quotes (2) + 44 × 2 = 91 bytes
            let big = "\"" + String(repeating: "é", count: 44) + "\""
            try await f.store.set("k", to: big, in: ns)
            #expect(try await f.store.usage(in: ns) == KVUsage(keys: 1, bytes: 91))
            await #expect(throws: full) { try await f.store.set("other", to: "\"12345\"", in: ns) }
            await #expect(throws: full) { try await f.store.set("k", to: big + String(repeating: " ", count: 10), in: ns) }
            await #expect(throws: full) { try await f.store.increment("counter", by: 1, initial: 0, in: ns, options: .init()) }
            #expect(try await f.store.get("k", in: ns)?.value == big)
            // a smaller value always fits, and frees room
            try await f.store.set("k", to: "1", in: ns)
            try await f.store.set("other", to: "\"12345\"", in: ns)
            #expect(try await f.store.usage(in: ns) == KVUsage(keys: 2, bytes: 2 + 12))
            #expect(try await f.store.checkIntegrity() == [])   // the counts are what the rows hold
        }
    }

    @Test(arguments: Backend.available)
    func expiredKeysAndLocksDoNotCount(_ backend: Backend) async throws {
        // a day back, as in ExpiryTests: this clock's purges must not reach other tests' rows
        let clock = TestClock(start: Date().addingTimeInterval(-86_400))
        try await withStore(backend, options: Self.options(keys: 3, clock: clock)) { f in
            let ns = f.namespace, short = KVWriteOptions(ttl: .seconds(1))
            try await f.store.set("a", to: "1", in: ns, options: short)
            try await f.store.set("b", to: "1", in: ns, options: short)
            _ = try await f.store.acquireLock("l", in: ns, ttl: .seconds(1), owner: "o")
            await #expect(throws: StoreError.quotaExceeded(namespace: ns, limit: .keys, quota: 3)) {
                try await f.store.set("c", to: "1", in: ns)
            }
            await clock.advance(by: .seconds(2))
            #expect(try await f.store.usage(in: ns) == KVUsage())
            for key in ["c", "d", "e"] { try await f.store.set(key, to: "1", in: ns) }
            #expect(try await f.store.keys(in: ns, prefix: "", limit: 10, cursor: nil).keys == ["c", "d", "e"])
            #expect(try await f.store.checkIntegrity() == [])   // the counts are what the rows hold
        }
    }

    @Test(arguments: Backend.available)
    func racingConnectionsCannotPassTheKeyQuota(_ backend: Backend) async throws {
        let quota = 25
        try await withStore(backend, options: Self.options(keys: quota)) { f in
            var stores: [any Store] = []
            for _ in 0..<ContentionTests.writers { stores.append(try await f.reopen(options: Self.options(keys: quota))) }
            let written = try await withThrowingTaskGroup(of: Int.self) { group in
                for (i, store) in stores.enumerated() {
                    group.addTask {
                        var written = 0
                        for j in 0..<10 {
                            do {
                                try await store.set("w\(i)-\(j)", to: "1", in: f.namespace)
                                written += 1
                            } catch StoreError.quotaExceeded(_, .keys, quota) {
                                continue
                            }
                        }
                        return written
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(written == quota)
            #expect(try await f.store.usage(in: f.namespace).keys == quota)
            #expect(try await f.store.keys(in: f.namespace, prefix: "", limit: 100, cursor: nil).keys.count == quota)
            #expect(try await f.store.checkIntegrity() == [])   // the counts are what the rows hold
            for store in stores { await store.close() }
        }
    }

    @Test(arguments: Backend.available)
    func aLockIsTakenForAtMostADay(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let ns = f.namespace
            await #expect(throws: StoreError.self) {
                try await f.store.acquireLock("l", in: ns, ttl: .seconds(86_401), owner: "o")
            }
            let lock = try #require(try await f.store.acquireLock("l", in: ns, ttl: .seconds(86_400), owner: "o"))
            await #expect(throws: StoreError.self) { try await f.store.refreshLock(lock, ttl: .seconds(86_401)) }
            #expect(try await f.store.refreshLock(lock, ttl: .seconds(60)) != nil)
            do {
                _ = try await f.store.acquireLock("m", in: ns, ttl: .seconds(90_000), owner: "o")
            } catch {
                #expect("\(error)".contains("at most 86400 seconds (24 hours)"))
            }
        }
    }
}

extension QuotaTests {
    @Test func sqlitesImmediatePathKeepsTheQuotaToo() async throws {
        try await withStore(.sqlite, options: Self.options(keys: 1)) { f in
            let store = try #require(f.store as? SQLiteStore)
            guard case .done = try store.setNow("a", to: "1", in: f.namespace, options: .init()) else { Issue.record("set waited"); return }
            #expect(throws: StoreError.quotaExceeded(namespace: f.namespace, limit: .keys, quota: 1)) {
                try store.setNow("b", to: "1", in: f.namespace, options: .init())
            }
            guard case .done(let entry) = try store.getNow("b", in: f.namespace) else { Issue.record("get waited"); return }
            #expect(entry == nil)
        }
    }
}

extension QuotaTests {
    @Test func theDryRunOverlayHoldsTheQuotaOverTheStoresKeysAndForgetsWhatExpired() async throws {
        let clock = TestClock()
        try await withStore(.sqlite, options: Self.options(keys: 2, clock: clock)) { f in
            let base = f.store, ns = f.namespace, full = StoreError.quotaExceeded(namespace: ns, limit: .keys, quota: 2)
            try await base.set("a", to: "1", in: ns)
            let overlay = KVOverlay(quota: KVQuota(maxKeys: 2, maxBytes: 1 << 20), clock: clock, base: { base }, record: { _ in })
            _ = try await overlay.set("b", to: "1", in: ns, options: KVWriteOptions(ttl: .seconds(1)))
            await #expect(throws: full) { try await overlay.set("c", to: "1", in: ns) }
            await #expect(throws: full) { try await overlay.acquireLock("l", in: ns, ttl: .seconds(30), owner: "o") }
            await clock.advance(by: .seconds(2))
            _ = try await overlay.set("c", to: "1", in: ns)   // "b" expired, so there is room
            #expect(try await overlay.usage(in: ns) == KVUsage(keys: 2, bytes: 4))
            #expect(try await overlay.delete("absent", in: ns, fence: nil) == false)
            #expect(try await overlay.delete("a", in: ns, fence: nil))
            _ = try await overlay.set("d", to: "1", in: ns)
            #expect(try await overlay.get("a", in: ns) == nil)
            #expect(try await overlay.keys(in: ns, prefix: "", limit: 10, cursor: nil).keys == ["c", "d"])
            #expect(try await base.get("a", in: ns)?.value == "1")
            #expect(try await base.usage(in: ns) == KVUsage(keys: 1, bytes: 2))
        }
    }
}
