import Foundation
import LunasClock
import LunasStore
import Testing

/// Expiry: an expired key is invisible at once and purged later, in the store's clock's time
/// (a test clock: time passes when the test says so).
@Suite(.timeLimit(.minutes(2))) struct ExpiryTests {
    @Test(arguments: Backend.available)
    func expiredKeysAreInvisibleAtOnceAndPurgedLater(_ backend: Backend) async throws {
        // A day back: the purge on the shared PostgreSQL database then deletes no row another
        // test still holds (its time ahead of theirs would expire their locks).
        let clock = TestClock(start: Date().addingTimeInterval(-86_400))
        try await withStore(backend, options: StoreOptions(purgeInterval: nil, connectTimeout: .seconds(30), clock: clock)) { f in
            let short = KVWriteOptions(ttl: .milliseconds(1500))
            try await f.store.set("gone", to: "1", in: f.namespace, options: short)
            try await f.store.set("kept", to: "1", in: f.namespace)
            let ttl = try await f.store.timeToLive("gone", in: f.namespace)
            let entry = try await f.store.get("gone", in: f.namespace)
            guard case .remaining(let left) = ttl else {
                Issue.record("a key with a TTL must report its remaining time, not \(ttl)")
                return
            }
            #expect(left > .zero && left <= .milliseconds(1500))
            #expect(entry?.expiresAt != nil)
            #expect(try await f.store.timeToLive("kept", in: f.namespace) == .persistent)

            await clock.advance(by: .milliseconds(1700))
            #expect(try await f.store.get("gone", in: f.namespace) == nil)
            #expect(try await f.store.timeToLive("gone", in: f.namespace) == .absent)
            #expect(try await f.store.keys(in: f.namespace, prefix: "", limit: 10, cursor: nil).keys == ["kept"])
            #expect(try await f.store.delete("gone", in: f.namespace, fence: nil) == false)
            // An expired key counts as absent for add, and incr starts over.
            try await f.store.set("n", to: "41", in: f.namespace, options: short)
            try await f.store.set("a", to: "1", in: f.namespace, options: short)
            await clock.advance(by: .milliseconds(1700))
            #expect(try await f.store.add("a", value: "2", in: f.namespace, options: .init()) != nil)
            #expect(try await f.store.increment("n", by: 1, initial: 0, in: f.namespace, options: .init()) == 1)
            #expect(try await f.store.replace("missing", with: "1", in: f.namespace, options: .init()) == nil)

            try await f.store.set("purge-me", to: "1", in: f.namespace, options: short)
            await clock.advance(by: .milliseconds(1700))
            #expect(try await f.store.purgeExpired() >= 1)
        }
    }

    @Test func theBackgroundPurgeRunsOnTheStoresClock() async throws {
        let clock = TestClock()
        try await withStore(.sqlite, options: StoreOptions(purgeInterval: .seconds(60), clock: clock)) { f in
            try await f.store.set("gone", to: "1", in: f.namespace, options: KVWriteOptions(ttl: .seconds(1)))
            await clock.waitForSleepers()
            // The purge wakes at 60 s and has run (a task of the clock) when the step ends.
            await clock.advance(by: .seconds(61))
            #expect(try await f.store.purgeExpired() == 0)
        }
    }

    @Test(arguments: Backend.available)
    func incrementKeepsTheExpiryOfAnExistingCounter(_ backend: Backend) async throws {
        let clock = TestClock(start: Date().addingTimeInterval(-86_400))
        try await withStore(backend, options: StoreOptions(purgeInterval: nil, connectTimeout: .seconds(30), clock: clock)) { f in
            let window = KVWriteOptions(ttl: .seconds(60))
            #expect(try await f.store.increment("hits", by: 1, initial: 0, in: f.namespace, options: window) == 1)
            #expect(try await f.store.increment("hits", by: 1, initial: 0, in: f.namespace, options: .init()) == 2)
            guard case .remaining(let left) = try await f.store.timeToLive("hits", in: f.namespace) else {
                Issue.record("the counter lost its expiry")
                return
            }
            #expect(left == .seconds(60), "no time passed on the store's clock: the second increment kept the first one's expiry")
        }
    }
}
