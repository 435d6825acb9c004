import Foundation
import LuaKit
import LunasClock
import LunasRuntime
import LunasStore
import LunasTesting
import Testing

/// A run fenced by a job's lease (``ScriptOptions/kvFence``, as `lunas serve` gives each job's
/// run): its `kv` writes land while the lease holds; once it is lost, every write fails at the
/// script's line, the run fails, and nothing is written.
@Suite(.timeLimit(.minutes(2))) struct JobFenceRunTests {
    /// A store on a test clock, a job of its own claimed under a 2-second lease, and a runtime over it.
    struct Setup {
        let clock = TestClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let fixture: StoreFixture
        let runtime: Runtime
        let claim: ClaimedJob

        init(_ backend: KVBackend) async throws {
            fixture = try await StoreFixture.open(backend, options: StoreOptions(purgeInterval: nil, connectTimeout: .seconds(30), clock: clock))
            runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil), store: fixture.store)
            let queue = fixture.namespace
            _ = try await fixture.store.enqueue([JobRequest(queue: queue, payload: "{}", script: queue, handler: "\(queue):job")])
            claim = try #require(try await fixture.store.claimJobs(queue: queue, limit: 1, lease: .seconds(2), worker: "stalled").first)
        }

        /// Runs `source` fenced by the claim's lease, in the fixture's namespace.
        func run(_ source: String) async -> RunResult {
            var options = ScriptOptions()
            options.namespace = fixture.namespace
            options.kvFence = claim.fence
            return await runtime.run(RunRequest(source: .text(source, chunkName: "rules.lua"), options: options, output: RunTranscript().output))
        }

        func close() async throws {
            await runtime.shutdown()
            try await fixture.close()
        }
    }

    @Test(arguments: KVBackend.available)
    func aRunFencedByALapsedLeaseFailsAtItsKVSetAndWritesNothing(_ backend: KVBackend) async throws {
        let setup = try await Setup(backend)
        let live = await setup.run("""
            local l = kv.lock("sync", { ttl = 60 })
            kv.set("out", "first", { fence = l })
            l:release()
            return kv.incr("n")
            """)
        guard case .ok(let values) = live.outcome else { Issue.record("\(live.outcome)"); return }
        #expect(values == [.integer(1)])

        await setup.clock.advance(by: .milliseconds(2500))   // the lease lapses; another runner takes the job
        let taker = try #require(try await setup.fixture.store.claimJobs(queue: setup.fixture.namespace, limit: 1, lease: .seconds(30), worker: "taker").first)
        #expect(taker.id == setup.claim.id)

        let lost = "this run's job lease was lost (job \(setup.claim.id)): another runner has the job; the write was not made"
        let refused = await setup.run("""
            local refused = {}
            for _, write in ipairs({
              function() kv.add("new", 1) end, function() kv.replace("out", 2) end, function() kv.delete("out") end,
              function() kv.incr("n") end, function() kv.cas("out", nil, 2) end, function() kv.lock("other") end,
            }) do
              local ok, err = pcall(write)
              refused[#refused + 1] = tostring(not ok and err:find("job lease was lost", 1, true) ~= nil)
            end
            return table.concat(refused, ","), (kv.get("out"))
            """)
        guard case .ok(let answers) = refused.outcome else { Issue.record("\(refused.outcome)"); return }
        #expect(answers == ["true,true,true,true,true,true", "first"])

        let failed = await setup.run("""
            local before = kv.get("out")
            kv.set("out", "second")
            return before
            """)
        guard case .failed(let error) = failed.outcome else { Issue.record("\(failed.outcome)"); return }
        #expect(error.message.hasPrefix("rules.lua:2: kv.set: \(lost)"), "\(error.message)")
        let store = setup.fixture.store, namespace = setup.fixture.namespace
        #expect(try await store.get("out", in: namespace)?.value == #""first""#)
        #expect(try await store.get("n", in: namespace)?.value == "1")
        #expect(try await store.get("new", in: namespace) == nil)
        try await setup.close()
    }
}
