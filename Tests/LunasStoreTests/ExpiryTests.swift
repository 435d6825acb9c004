import Foundation
import LunasStore
import Testing

/// Expiry: an expired key is invisible at once and purged later. These tests wait for time
/// itself to pass (under two seconds), the one thing that cannot be awaited otherwise.
@Suite(.timeLimit(.minutes(2))) struct ExpiryTests {
    @Test(arguments: Backend.available)
    func expiredKeysAreInvisibleAtOnceAndPurgedLater(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let short = KVWriteOptions(ttl: .milliseconds(1500))
            let start = ContinuousClock.now
            try await f.store.set("gone", to: "1", in: f.namespace, options: short)
            try await f.store.set("kept", to: "1", in: f.namespace)
            let ttl = try await f.store.timeToLive("gone", in: f.namespace)
            let entry = try await f.store.get("gone", in: f.namespace)
            if ContinuousClock.now - start < .milliseconds(1400) {   // a loaded machine may take longer
                guard case .remaining(let left) = ttl else {
                    Issue.record("a key with a TTL must report its remaining time, not \(ttl)")
                    return
                }
                #expect(left > .zero && left <= .milliseconds(1500))
                #expect(entry?.expiresAt != nil)
            }
            #expect(try await f.store.timeToLive("kept", in: f.namespace) == .persistent)

            try await Task.sleep(for: .milliseconds(1700))
            #expect(try await f.store.get("gone", in: f.namespace) == nil)
            #expect(try await f.store.timeToLive("gone", in: f.namespace) == .absent)
            #expect(try await f.store.keys(in: f.namespace, prefix: "", limit: 10, cursor: nil).keys == ["kept"])
            #expect(try await f.store.delete("gone", in: f.namespace, fence: nil) == false)
            // An expired key counts as absent for add, and incr starts over.
            try await f.store.set("n", to: "41", in: f.namespace, options: short)
            try await f.store.set("a", to: "1", in: f.namespace, options: short)
            try await Task.sleep(for: .milliseconds(1700))
            #expect(try await f.store.add("a", value: "2", in: f.namespace, options: .init()) != nil)
            #expect(try await f.store.increment("n", by: 1, initial: 0, in: f.namespace, options: .init()) == 1)
            #expect(try await f.store.replace("missing", with: "1", in: f.namespace, options: .init()) == nil)

            try await f.store.set("purge-me", to: "1", in: f.namespace, options: short)
            try await Task.sleep(for: .milliseconds(1700))
            #expect(try await f.store.purgeExpired() >= 1)
        }
    }

    @Test(arguments: Backend.available)
    func incrementKeepsTheExpiryOfAnExistingCounter(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let window = KVWriteOptions(ttl: .seconds(60))
            #expect(try await f.store.increment("hits", by: 1, initial: 0, in: f.namespace, options: window) == 1)
            #expect(try await f.store.increment("hits", by: 1, initial: 0, in: f.namespace, options: .init()) == 2)
            guard case .remaining(let left) = try await f.store.timeToLive("hits", in: f.namespace) else {
                Issue.record("the counter lost its expiry")
                return
            }
            #expect(left > .seconds(50))
        }
    }
}
