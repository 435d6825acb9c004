import Foundation
import GRDB
import LunasClock
@testable import LunasStore
import Testing

/// SQLite's immediate key-value calls (the Lua `kv` module's path on SQLite): the same answers as
/// the async calls, never a wait for a lock, and commits fsynced.
@Suite(.timeLimit(.minutes(2))) struct ImmediateKVTests {
    private func withSQLite(clock: any WallClock = SystemClock(), _ body: (SQLiteStore, String, String) async throws -> Void) async throws {
        try await withStore(.sqlite, options: StoreOptions(purgeInterval: nil, connectTimeout: .seconds(30), clock: clock)) { f in
            let store = try #require(f.store as? SQLiteStore)
            guard case .sqlite(let path) = f.location else { return }
            try await body(store, f.namespace, path)
        }
    }

    @Test func everyConnectionThatWritesFsyncsEachCommit() async throws {
        try await withSQLite { store, _, _ in
            // 2 is FULL (GRDB would leave a pool's writer at NORMAL)
            let kvWriter = try await store.kvWriter.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            let poolWriter = try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(kvWriter == 2)
            #expect(poolWriter == 2)
        }
    }

    @Test func immediateCallsAnswerAsTheAsyncOnesDo() async throws {
        try await withSQLite { store, ns, _ in
            guard case .done(let v1) = try store.setNow("k", to: "1", in: ns, options: .init()) else { Issue.record("set waited"); return }
            guard case .done(let entry?) = try store.getNow("k", in: ns) else { Issue.record("get waited"); return }
            #expect(entry == KVEntry(value: "1", version: v1, expiresAt: nil))
            guard case .done(true) = try store.deleteNow("k", in: ns, fence: nil) else { Issue.record("delete"); return }
            // a version is never reused, not even after a delete, and the async path agrees
            guard case .done(let v2?) = try store.addNow("k", value: "1", in: ns, options: .init()) else { Issue.record("add"); return }
            #expect(v2 > v1)
            guard case .done(nil) = try store.compareAndSwapNow("k", version: v1, to: "2", in: ns, options: .init()) else { Issue.record("cas"); return }
            let v3 = try await store.set("k", to: "3", in: ns)
            #expect(v3 > v2)
            guard case .done(let v4?) = try store.replaceNow("k", with: "4", in: ns, options: .init(ttl: .seconds(60))) else { Issue.record("replace"); return }
            #expect(v4 > v3)
            guard case .done(.remaining(let left)) = try store.timeToLiveNow("k", in: ns) else { Issue.record("ttl"); return }
            #expect(left > .seconds(30))
            guard case .done(5) = try store.incrementNow("n", by: 5, initial: 0, in: ns, options: .init()) else { Issue.record("incr"); return }
            guard case .done(let page) = try store.keysNow(in: ns, prefix: "", limit: 10, cursor: nil) else { Issue.record("keys"); return }
            #expect(page.keys == ["k", "n"])
            // size caps and names are checked as on the async path
            #expect(throws: StoreError.self) { _ = try store.setNow("k", to: String(repeating: "x", count: 300_000), in: ns, options: .init()) }
            #expect(throws: StoreError.self) { _ = try store.getNow("", in: ns) }
        }
    }

    @Test func aWriteWhileAnotherConnectionHoldsTheLockWouldWaitAndWritesNothing() async throws {
        let clock = TestClock()
        try await withSQLite(clock: clock) { store, ns, path in
            _ = try await store.set("k", to: "1", in: ns)
            var configuration = Configuration()
            configuration.allowsUnsafeTransactions = true
            let other = try DatabaseQueue(path: path, configuration: configuration)
            try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            guard case .wouldWait = try store.setNow("k", to: "2", in: ns, options: .init()) else {
                Issue.record("the write did not report that it would wait")
                return
            }
            // reads never wait for the writer
            guard case .done(let entry?) = try store.getNow("k", in: ns) else { Issue.record("get waited"); return }
            #expect(entry.value == "1")
            // the async path waits for the lock, and goes through once it is released
            async let written = store.set("k", to: "3", in: ns)
            await clock.waitForSleepers()   // the write found the lock held and waits to retry
            try await other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
            try other.close()
            await clock.advance(by: .milliseconds(100))
            let version = try await written
            #expect(try await store.get("k", in: ns)?.version == version)
            #expect(try await store.get("k", in: ns)?.value == "3")
        }
    }
}
