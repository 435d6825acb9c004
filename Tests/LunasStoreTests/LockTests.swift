import Foundation
import LunasClock
import LunasStore
import Testing

/// Locks with fencing tokens, held in the database so they span processes and machines.
@Suite(.timeLimit(.minutes(2))) struct LockTests {
    @Test(arguments: Backend.available)
    func aHeldLockIsRefusedAndReleasingLetsTheNextHolderInWithALargerToken(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let first = try #require(try await f.store.acquireLock("sync", in: f.namespace, ttl: .seconds(30), owner: "a"))
            #expect(try await f.store.acquireLock("sync", in: f.namespace, ttl: .seconds(30), owner: "b") == nil)
            #expect(try await f.store.acquireLock("sync", in: f.namespace + "-x", ttl: .seconds(30), owner: "b") != nil)
            #expect(try await f.store.releaseLock(first))
            #expect(try await f.store.releaseLock(first) == false)
            let second = try #require(try await f.store.acquireLock("sync", in: f.namespace, ttl: .seconds(30), owner: "b"))
            #expect(second.token > first.token)
        }
    }

    @Test(arguments: Backend.available)
    func aStaleFencingTokenIsRefused(_ backend: Backend) async throws {
        let clock = TestClock()
        try await withStore(backend, options: StoreOptions(purgeInterval: nil, connectTimeout: .seconds(30), clock: clock)) { f in
            let old = try #require(try await f.store.acquireLock("job", in: f.namespace, ttl: .seconds(4), owner: "a"))
            try await f.store.set("out", to: "1", in: f.namespace, options: KVWriteOptions(fence: old))
            await clock.advance(by: .milliseconds(4200))   // the lease lapses
            let new = try #require(try await f.store.acquireLock("job", in: f.namespace, ttl: .seconds(30), owner: "b"))
            #expect(new.token > old.token)
            await #expect(throws: StoreError.staleFence(lock: "job", token: old.token)) {
                try await f.store.set("out", to: "2", in: f.namespace, options: KVWriteOptions(fence: old))
            }
            await #expect(throws: StoreError.staleFence(lock: "job", token: old.token)) {
                try await f.store.delete("out", in: f.namespace, fence: old)
            }
            await #expect(throws: StoreError.staleFence(lock: "job", token: old.token)) {
                try await f.store.increment("n", by: 1, initial: 0, in: f.namespace, options: KVWriteOptions(fence: old))
            }
            #expect(try await f.store.refreshLock(old, ttl: .seconds(30)) == nil)
            #expect(try await f.store.releaseLock(old) == false)
            try await f.store.set("out", to: "3", in: f.namespace, options: KVWriteOptions(fence: new))
            #expect(try await f.store.get("out", in: f.namespace)?.value == "3")
            let refreshed = try #require(try await f.store.refreshLock(new, ttl: .seconds(60)))
            #expect(refreshed.expiresAt > new.expiresAt)
        }
    }
}
