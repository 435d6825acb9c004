import Foundation
import LunasClock
import LunasStore
import Testing

/// A job's lease as a fence for `kv` writes: a run's writes land only while its claim holds the
/// job, so a run whose lease was lost (another runner took the job) cannot write beside the new one.
@Suite(.timeLimit(.minutes(2))) struct JobFenceTests {
    @Test(arguments: Backend.available)
    func aWriteFencedByALiveLeaseLandsAndOneFencedByALostLeaseIsRefusedAndChangesNothing(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            _ = try await f.store.enqueue([job(f)])
            let stalled = try #require(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(2), worker: "stalled").first)
            let held = KVWriteOptions(fences: [stalled.fence])
            try await f.store.set("out", to: "1", in: f.namespace, options: held)
            #expect(try await f.store.increment("n", by: 1, initial: 0, in: f.namespace, options: held) == 1)
            let lock = try #require(try await f.store.acquireLock("sync", in: f.namespace, ttl: .seconds(60), owner: "stalled", fences: [stalled.fence]))
            #expect(try await f.store.get("out", in: f.namespace)?.value == "1")

            await clock.advance(by: .milliseconds(2500))   // the stalled runner's lease lapses
            let lost = StoreError.lostJobLease(job: stalled.id, leaseToken: stalled.leaseToken)
            // lapsed and not taken yet: refused already
            await #expect(throws: lost) { try await f.store.set("out", to: "lapsed", in: f.namespace, options: held) }
            let taker = try #require(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "taker").first)
            #expect(taker.id == stalled.id && taker.leaseToken > stalled.leaseToken)

            await #expect(throws: lost) { try await f.store.set("out", to: "2", in: f.namespace, options: held) }
            await #expect(throws: lost) { try await f.store.add("new", value: "2", in: f.namespace, options: held) }
            await #expect(throws: lost) { try await f.store.replace("out", with: "2", in: f.namespace, options: held) }
            await #expect(throws: lost) { try await f.store.delete("out", in: f.namespace, fences: [stalled.fence]) }
            await #expect(throws: lost) { try await f.store.increment("n", by: 1, initial: 0, in: f.namespace, options: held) }
            let version = try #require(try await f.store.get("out", in: f.namespace)?.version)
            await #expect(throws: lost) { try await f.store.compareAndSwap("out", version: version, to: "2", in: f.namespace, options: held) }
            await #expect(throws: lost) {
                try await f.store.acquireLock("other", in: f.namespace, ttl: .seconds(30), owner: "stalled", fences: [stalled.fence])
            }
            await #expect(throws: lost) { try await f.store.refreshLock(lock, ttl: .seconds(60), fences: [stalled.fence]) }
            // the script's own lock still holds, the lease does not: both must
            await #expect(throws: lost) {
                try await f.store.set("out", to: "2", in: f.namespace, options: KVWriteOptions(fence: lock, fences: [stalled.fence]))
            }
            #expect(try await f.store.get("out", in: f.namespace)?.value == "1")
            #expect(try await f.store.get("n", in: f.namespace)?.value == "1")
            #expect(try await f.store.get("new", in: f.namespace) == nil)
            #expect(try await f.store.acquireLock("other", in: f.namespace, ttl: .seconds(30), owner: "taker") != nil)

            // the new claim's writes land; once it finishes, its lease fences nothing either
            try await f.store.set("out", to: "3", in: f.namespace, options: KVWriteOptions(fences: [taker.fence]))
            #expect(try await f.store.get("out", in: f.namespace)?.value == "3")
            #expect(try await f.store.finishJobs([JobFinish(job: taker, result: .done)]) == [true])
            await #expect(throws: StoreError.lostJobLease(job: taker.id, leaseToken: taker.leaseToken)) {
                try await f.store.set("out", to: "4", in: f.namespace, options: KVWriteOptions(fences: [taker.fence]))
            }
            #expect(try await f.store.get("out", in: f.namespace)?.value == "3")
        }
    }

    @Test func aLostLeaseSaysWhatHappened() {
        #expect(StoreError.lostJobLease(job: 42, leaseToken: 7).description
            == "this run's job lease was lost (job 42): another runner has the job; the write was not made")
    }

    @Test func writeOptionsKeepTheScriptsLockBesideTheJobsLease() throws {
        let lock = KVLock(namespace: "ns", name: "l", token: 3, expiresAt: .distantFuture)
        var options = KVWriteOptions(ttl: .seconds(1), fence: lock, fences: [.job(id: 1, leaseToken: 2)])
        #expect(options.fence == lock)
        #expect(options.fences == [.lock(lock), .job(id: 1, leaseToken: 2)])
        options.fence = nil
        #expect(options.fences == [.job(id: 1, leaseToken: 2)])
        #expect(KVWriteOptions(fence: lock) == KVWriteOptions(fences: [.lock(lock)]))
    }
}
