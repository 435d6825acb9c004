import Foundation
import LunasClock
import LunasStore
import LunasTesting
import Testing

/// Jobs: unique keys, leases, and no job held by two live workers.
@Suite(.timeLimit(.minutes(2))) struct JobQueueTests {
    @Test(arguments: Backend.available)
    func aUniqueKeyEnqueuesOnce(_ backend: Backend) async throws {
        try await withStore(backend) { (f: StoreFixture) async throws in
            let key = "cron:report:\(f.namespace)"
            #expect(try await f.store.enqueue(JobRequest(queue: f.namespace, payload: "{}", uniqueKey: key)) != nil)
            #expect(try await f.store.enqueue(JobRequest(queue: f.namespace, payload: "{}", uniqueKey: key)) == nil)
        }
    }

    @Test(arguments: Backend.available)
    func workersNeverShareAJobAndALapsedLeaseCannotComplete(_ backend: Backend) async throws {
        let clock = TestClock()
        let options = StoreOptions(purgeInterval: nil, connectTimeout: .seconds(30), clock: clock)
        try await withStore(backend, options: options) { f in
            for i in 0..<20 { _ = try await f.store.enqueue(JobRequest(queue: f.namespace, payload: "{\"i\":\(i)}")) }
            var stores: [any Store] = []
            for _ in 0..<4 { stores.append(try await f.reopen(options: options)) }
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for (w, store) in stores.enumerated() {
                    group.addTask {
                        var ids: [Int64] = []
                        while let job = try await store.claimJob(queue: f.namespace, lease: .seconds(30), worker: "w\(w)") {
                            ids.append(job.id)
                            #expect(try await store.completeJob(job, error: nil))
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(claimed.count == 20)
            #expect(Set(claimed).count == 20)
            for store in stores { await store.close() }

            _ = try await f.store.enqueue(JobRequest(queue: f.namespace, payload: "{}"))
            let dead = try #require(try await f.store.claimJob(queue: f.namespace, lease: .milliseconds(1500), worker: "dead"))
            #expect(try await f.store.claimJob(queue: f.namespace, lease: .seconds(30), worker: "other") == nil)
            await clock.advance(by: .milliseconds(1700))
            let retry = try #require(try await f.store.claimJob(queue: f.namespace, lease: .seconds(30), worker: "other"))
            #expect(retry.id == dead.id && retry.attempts == 2 && retry.leaseToken > dead.leaseToken)
            #expect(try await f.store.completeJob(dead, error: nil) == false)
            #expect(try await f.store.extendLease(dead, by: .seconds(30)) == nil)
            #expect(try await f.store.extendLease(retry, by: .seconds(60)) != nil)
            #expect(try await f.store.completeJob(retry, error: "boom"))
        }
    }
}
